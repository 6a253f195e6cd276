"""PreparedInsert sends exactly the values the ORM's own conversion would, on either database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kesu.complaints import actions
from kesu.complaints.choices import Channel, Kind, Severity, State
from kesu.complaints.models import Category, Complaint, ComplaintEvent, IdempotencyKey
from kesu.core.rows import PreparedInsert, update_columns

pytestmark = pytest.mark.django_db


def as_the_orm_converts(instance) -> list:
    return [
        f.get_db_prep_save(getattr(instance, f.attname), connection)
        for f in PreparedInsert(instance).fields
    ]


def comparable(values: list) -> list:
    """psycopg's Jsonb wrapper has no equality of its own: compare what it wraps."""
    return [(type(v), v.obj) if hasattr(v, "obj") else (type(v), v) for v in values]


def assert_same(instance) -> None:
    assert comparable(PreparedInsert(instance).params) == comparable(as_the_orm_converts(instance))


def test_values_of_every_kind_are_the_ones_the_orm_would_send(people):
    complaint = Complaint(
        number="KS20261100001",
        kind=Kind.COMPLAINT,  # a str enum
        channel=Channel.PHONE,
        state=State.REGISTERED,
        severity=Severity.LEVEL_2,  # an int enum
        severity_proposed=2,  # a plain int
        title="阀门渗漏",
        description="批号2025-07的阀门出现渗漏。",
        category=Category.objects.get(code="product_quality"),
        complainant_name="王伟",
        complainant_email="",
        claim_amount=Decimal("1200.50"),
        anonymous=False,
        read_back=True,
        registered_at=timezone.now(),
        occurred_at=None,
        registered_by=people.intake,
    )
    assert_same(complaint)
    complaint.claim_amount = None
    complaint.escalation_level = 1
    assert_same(complaint)

    event = ComplaintEvent(
        type="register", actor=people.intake, at=timezone.now(), to_state="registered"
    )
    for data in ({}, {"basis": ["word:渗漏"], "severity_proposed": 2}, None):
        event.data = data
        assert_same(event)


def registered(actor, title: str, **extra) -> Complaint:
    new = actions.NewComplaint(
        kind="complaint",
        channel="phone",
        title=title,
        description="客户反映。",
        category=Category.objects.get(code="product_quality"),
        complainant_name="王伟",
        **extra,
    )
    return actions.register(new, actor=actor, idempotency_key=f"k-{title}")[0]


def test_registered_rows_convert_back_to_what_was_written(people):
    complaint = registered(people.intake, "阀门渗漏", claim_amount=Decimal("88.00"))
    assert_same(Complaint.objects.get(pk=complaint.pk))
    assert_same(ComplaintEvent.objects.get(complaint=complaint))
    assert_same(IdempotencyKey.objects.get(complaint=complaint))


def test_set_converts_a_value_changed_after_preparing(people):
    event = ComplaintEvent(type="register", at=timezone.now(), to_state="registered", data={})
    row = PreparedInsert(event)
    row.set(data={"via": "portal"})
    assert comparable(row.params) == comparable(as_the_orm_converts(event))


def test_set_takes_a_foreign_key_by_name_or_by_attname(people):
    complaint = registered(people.intake, "阀门渗漏")
    at = timezone.now()
    by_name, by_attname = (
        PreparedInsert(ComplaintEvent(type="note", at=at, data={})) for _ in range(2)
    )
    by_name.set(complaint=complaint)
    by_attname.set(complaint_id=complaint.pk)
    assert comparable(by_name.params) == comparable(by_attname.params)
    assert complaint.pk in by_name.params


def test_update_columns_writes_each_rows_own_values_and_nothing_else(people):
    first, second = (registered(people.intake, title) for title in ("阀门渗漏", "墙面裂缝"))
    later = timezone.now().replace(microsecond=0) + timedelta(days=3)
    first.due_at, first.next_check_at, first.escalation_level = later, later, 2
    second.due_at, second.next_check_at = None, later + timedelta(hours=1)
    second.title = "不该写入"  # not among the columns
    update_columns([first, second], ("due_at", "next_check_at", "escalation_level"))
    update_columns([], ("due_at",))  # nothing to write is no statement
    one, two = Complaint.objects.get(pk=first.pk), Complaint.objects.get(pk=second.pk)
    assert (one.due_at, one.next_check_at, one.escalation_level) == (later, later, 2)
    assert (two.due_at, two.next_check_at, two.escalation_level) == (
        None,
        later + timedelta(hours=1),
        0,
    )
    assert two.title == "墙面裂缝"
