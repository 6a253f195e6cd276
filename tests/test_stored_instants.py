"""Instants kept as text in stored JSON (an event's data, a plan's measures) are written in
local time when the API reads them out; people's words beside them are never read as dates."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from kesu.complaints import actions
from kesu.complaints.api import EVENT_INSTANTS, MEASURE_INSTANTS
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.core.encoding import local_instants
from kesu.deadlines.sweep import sweep
from tests.conftest import complaint_payload
from tests.test_lifecycle_api import ok, soon

pytestmark = pytest.mark.django_db


def planning(people) -> tuple[str, object]:
    """A complaint determined as the customer's own doing, ready for a plan; its handler."""
    intake, handler = people.api(people.intake), people.api(people.handler_east)
    payload = complaint_payload(category="staff_conduct", product={})
    number = ok(intake.post("/complaints", payload), 201)["number"]
    ok(intake.act(number, "accept", {"owner": handler.user.username, "department": "sales_east"}))
    ok(handler.act(number, "contact", {"promised_at": soon(), "summary": "已致歉"}))
    return number, handler


@pytest.mark.parametrize("text", ["2026-11-21T09:30Z", "2026-02-30T10:00Z"])
def test_words_that_look_like_an_instant_are_kept_as_written(people, text):
    number, handler = planning(people)
    determination = {"determination": "customer", "root_cause": "x", "responsible_person": text}
    ok(handler.act(number, "determine", determination))
    measure = {"description": text, "owner": handler.user.username, "deadline": soon(1)}
    answer = ok(handler.act(number, "propose_plan", {"measures": [measure]}))

    for body in (answer, ok(handler.get(f"/complaints/{number}"))):
        shown = body["plans"][-1]["measures"][0]
        assert shown["description"] == text
        assert shown["deadline"].endswith("+08:00")  # the measure's own instant still is
        determine = next(e for e in body["timeline"] if e["type"] == "determine")
        assert determine["data"]["responsible_person"] == text


def test_only_the_keys_named_are_read_and_what_does_not_parse_stays_text():
    data = {
        "due_at": "2026-11-21T01:30:00+00:00",
        "recorded_at": "2026-02-30T10:00:00+00:00",  # not a day: kept, not a server error
        "promised_at": "2026-11-21T09:30",  # naive: nothing to convert it from
        "visited_at": "0001-01-01T00:00:00+08:00",  # before the year 1 in UTC: kept
        "subject": "2026-11-21T01:30:00+00:00",
        "level": 2,
    }
    shown = local_instants(data, EVENT_INSTANTS)
    assert shown == {**data, "due_at": "2026-11-21T09:30:00+08:00"}
    assert local_instants({"description": "2026-11-21T09:30Z"}, MEASURE_INSTANTS) == {
        "description": "2026-11-21T09:30Z"
    }


def _instant(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return timezone.is_aware(datetime.fromisoformat(value))
    except ValueError:
        return False


def test_every_instant_kesu_keeps_in_event_data_is_under_a_key_the_api_rewrites(people):
    number, handler = planning(people)
    when = (timezone.now() - timedelta(hours=1)).astimezone(UTC).isoformat()
    ok(handler.act(number, "visit", {"findings": "现场查看", "visited_at": when}))
    ok(handler.act(number, "wait_customer", {"reason": "等客户回复"}))
    ok(handler.act(number, "resume", {}))
    sweep(timezone.now() + timedelta(days=60))  # warn, breach, escalate
    intake = people.api(people.intake)
    other = ok(intake.post("/complaints", complaint_payload()), 201)["number"]
    actions.record_past_deadline_steps(
        Complaint.objects.get(number=other), until=timezone.now() + timedelta(days=60)
    )

    keys = {
        key
        for event in ComplaintEvent.objects.all()
        for key, value in event.data.items()
        if _instant(value)
    }
    assert keys == EVENT_INSTANTS  # every key is found here, and each is one the API rewrites
