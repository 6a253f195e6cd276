"""Changing a time limit (issue #14, point 12): for new complaints only, or for the open
ones too through the deadlines engine, one timeline event per complaint moved; a preview
first."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.policies import actions
from kesu.policies.admin import event_label
from kesu.policies.choices import LimitScope
from kesu.policies.models import ClockPolicy, Policy
from tests.conftest import complaint_payload
from tests.test_accounts_cli import form_data

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def register(api) -> str:
    response = api.post("/complaints", complaint_payload())
    assert response.status_code == 201, response.content
    return response.json()["number"]


def first_contact_due(api, number: str) -> datetime:
    body = api.get(f"/complaints/{number}").json()
    (clock,) = [d for d in body["deadlines"] if d["clock"] == "first_contact"]
    return datetime.fromisoformat(clock["due_at"])


def edited_first_contact(hours: int) -> ClockPolicy:
    row = ClockPolicy.objects.get(clock="first_contact", severity=None, category=None)
    row.limit = Decimal(hours)
    return row


def test_new_complaints_only_keeps_the_open_ones_due_times(people):
    intake = people.api(people.intake)
    with time_machine.travel(local(2026, 11, 23, 9, 0), tick=False):
        before = register(intake)
        due = Complaint.objects.get(number=before).due_at
    with time_machine.travel(local(2026, 11, 23, 9, 30), tick=False):
        actions.change_time_limit(
            edited_first_contact(12), actor=people.admin, scope=LimitScope.NEW_ONLY
        )
    with time_machine.travel(local(2026, 11, 23, 10, 0), tick=False):
        after = register(intake)
        assert first_contact_due(intake, before) == local(2026, 11, 24, 9, 0)  # 24 h kept
        assert first_contact_due(intake, after) == local(2026, 11, 23, 22, 0)  # 12 h
    assert Complaint.objects.get(number=before).due_at == due
    assert not ComplaintEvent.objects.filter(type="time_limit_changed").exists()
    old, new = ClockPolicy.objects.filter(clock="first_contact").order_by("pk")[:2]
    assert old.registered_before == new.registered_from == local(2026, 11, 23, 9, 30)


def test_also_open_complaints_moves_them_with_one_event_each(people):
    intake = people.api(people.intake)
    with time_machine.travel(local(2026, 11, 23, 9, 0), tick=False):
        number = register(intake)
        row = edited_first_contact(12)
        shown = actions.preview(row)
        assert shown.complaints == 1
        (move,) = shown.moves
        assert (move.clock, move.before, move.after) == (
            "first_contact",
            local(2026, 11, 24, 9, 0),
            local(2026, 11, 23, 21, 0),
        )
        assert ClockPolicy.objects.get(pk=row.pk).limit == 24  # the preview saved nothing
        assert not ComplaintEvent.objects.filter(type="time_limit_changed").exists()

        moved = actions.change_time_limit(row, actor=people.admin, scope=LimitScope.ALSO_OPEN)
        assert len(moved) == 1
        assert first_contact_due(intake, number) == local(2026, 11, 23, 21, 0)
    (event,) = ComplaintEvent.objects.filter(complaint__number=number, type="time_limit_changed")
    assert event.actor == people.admin
    assert not event.customer_visible
    assert event.comment == "首次联系客户：到期时间 2026-11-24 09:00 → 2026-11-23 21:00"
    assert event.data["clocks"] == [
        {
            "clock": "first_contact",
            "from": "2026-11-24T09:00:00+08:00",
            "to": "2026-11-23T21:00:00+08:00",
        }
    ]
    complaint = Complaint.objects.get(number=number)
    assert complaint.due_at <= local(2026, 11, 23, 21, 0)  # the list's column moved too


def test_event_codes_read_as_words():
    with translation.override("en"):
        _event_codes_read_as_words()


def _event_codes_read_as_words():
    assert event_label("register") == "Registered"
    assert event_label("contact:sampling_needed") == (
        "Contact the customer, with “product sampling needed”"
    )
    assert event_label("customer_update") == "Any message the customer sees"


def test_the_policy_page_offers_level1_channels_by_name(people):
    client = Client()
    client.force_login(people.admin)
    page = client.get("/admin/policies/policy/1/change/")
    assert page.status_code == 200
    assert 'type="checkbox" name="level1_channels" value="media"' in page.content.decode()
    assert "媒体" in page.content.decode()
    data = {**form_data(page), "level1_channels": ["media", "legal"]}
    response = client.post("/admin/policies/policy/1/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Policy.current().level1_channels == ["media", "legal"]
