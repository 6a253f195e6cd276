"""The timeline is append-only: neither the ORM nor SQL can change an event."""

import pytest
from django.db import DatabaseError, connection, transaction

from kesu.complaints.models import ComplaintEvent
from tests.conftest import complaint_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(people):
    people.api(people.intake).post("/complaints", complaint_payload())
    return ComplaintEvent.objects.get()


def test_the_orm_refuses_to_edit_or_delete(event):
    event.comment = "改写历史"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        ComplaintEvent.objects.filter(pk=event.pk).update(comment="x")
    with pytest.raises(TypeError):
        ComplaintEvent.objects.all().delete()


def test_the_database_refuses_an_update(event):
    table = ComplaintEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET comment = 'x' WHERE id = %s", [event.pk])  # noqa: S608
    assert ComplaintEvent.objects.get(pk=event.pk).comment == ""


def test_the_database_keeps_closing_time_and_state_together(event):
    from django.db import IntegrityError

    from kesu.complaints.models import Complaint

    complaint = event.complaint
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(state="closed")  # no closing time
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(closed_at=event.at)  # still open


def test_internal_notes_and_customer_messages_keep_their_visibility(people):
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload()).json()["number"]
    intake.act(number, "note", {"text": "内部备注:客户情绪激动"})
    intake.act(number, "note", {"text": "您好,已转交质量部处理。", "visibility": "customer"})
    timeline = intake.get(f"/complaints/{number}").json()["timeline"]
    assert [(e["type"], e["visibility"]) for e in timeline] == [
        ("register", "internal"),
        ("note", "internal"),
        ("note", "customer"),
    ]
    stored = ComplaintEvent.objects.filter(complaint__number=number).order_by("id")
    assert [e.customer_visible for e in stored] == [False, False, True]
