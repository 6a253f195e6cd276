"""A stale form tells what changed (review of #14, finding 7): the steps after what the form
had seen, those that changed the complaint first; steps that leave the version as it was
(deadline warnings, links sent) do not push the real change out of the notice."""

import re

import pytest
from django.test import Client

from kesu.complaints.choices import EventType
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.core import clock
from kesu.workspace.action_forms import what_changed
from tests.conftest import complaint_payload

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="(\d*)">', page))


def _quiet(number: str, n: int) -> None:
    """What the sweeper appends for a warning: an event, the version left as it was."""
    complaint = Complaint.objects.get(number=number)
    for _ in range(n):
        ComplaintEvent.objects.create(
            complaint=complaint,
            type=EventType.DEADLINE_WARNED,
            at=clock.now(),
            data={"clock": "first_contact"},
        )


def test_the_change_that_made_the_form_stale_is_told_after_many_quiet_steps(people):
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload()).json()["number"]
    intake.act(number, "accept", {"owner": people.handler_quality.username})
    handler = _client(people.handler_quality)
    drawn = _hidden(handler.get(f"/complaints/{number}/do/note").content.decode())

    people.api(people.head_quality).act(number, "note", {"text": "先别联系客户"})
    _quiet(number, 6)

    answer = handler.post(f"/complaints/{number}/do/note", {**drawn, "text": "已致电客户"})
    assert answer.status_code == 409
    page = answer.content.decode()
    notice = page[page.index('data-role="stale"') :]
    notice = notice[: notice.index("</ul>")]
    assert "钱部长" in notice  # who made the change, not only the warnings after it
    assert "已致电客户" in page  # what was typed is kept


def test_without_the_seen_event_the_steps_that_changed_it_are_told(people):
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload()).json()["number"]
    seen = Complaint.objects.get(number=number).version
    intake.act(number, "accept", {"owner": people.handler_quality.username})
    _quiet(number, 3)
    lines = what_changed(Complaint.objects.get(number=number), str(seen))
    assert len(lines) == 2 and "王客服" in lines[0]
