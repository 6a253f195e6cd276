"""Action forms on the complaint page, without a browser: every form draws, a whole path is
walked by posting them, and refusals come back next to the field they are about."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kesu.complaints.choices import Action
from kesu.complaints.models import Complaint
from tests.conftest import PHOTO, complaint_payload

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _local(days: int) -> str:
    """What a `datetime-local` input sends: the wall clock, no offset."""
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _errors(response) -> str:
    body = response.content.decode()
    return " | ".join(line.strip() for line in body.splitlines() if 'class="error' in line)


def _post(client: Client, number: str, action: str, data: dict, status: int = 302):
    version = Complaint.objects.get(number=number).version
    response = client.post(
        f"/complaints/{number}/do/{action}", {"expected_version": version, **data}
    )
    assert response.status_code == status, _errors(response)
    return response


def test_every_action_form_draws_or_says_why_not(people):
    number = people.api(people.intake).post("/complaints", complaint_payload()).json()["number"]
    for user in (people.intake, people.handler_quality, people.head_quality, people.qa):
        client = _client(user)
        for action in Action:
            response = client.get(f"/complaints/{number}/do/{action.value}")
            assert response.status_code in (200, 403, 409), (user, action)
            body = response.content.decode()
            assert 'id="act"' in body
            if response.status_code != 200:
                assert 'class="error"' in body  # the refusal, in words


def test_a_level_2_quality_complaint_walks_its_whole_path_through_the_forms(people):
    intake, handler, head = (
        _client(people.intake),
        _client(people.handler_quality),
        _client(people.head_quality),
    )
    api = people.api(people.intake)
    number = api.post("/complaints", complaint_payload()).json()["number"]
    photo = api.upload(number, "照片.jpg", PHOTO).json()["id"]

    page = handler.get(f"/complaints/{number}").content.decode()
    assert f'href="/complaints/{number}/do/accept#act"' in page
    _post(handler, number, "accept", {"owner": people.handler_quality.username, "comment": "我来"})
    _post(
        handler,
        number,
        "visit",
        {"findings": "现场阀门渗漏", "sampled": "on", "attachments": [photo]},
    )
    _post(
        handler,
        number,
        "determine",
        {"determination": "defect", "root_cause": "密封圈老化", "evidence": [photo]},
    )
    response = _post(
        handler,
        number,
        "propose_plan",
        {
            "measures.0.description": "更换阀门",
            "measures.0.owner": people.handler_quality.username,
            "measures.0.deadline": _local(3),
        },
    )
    assert response["Location"] == f"/complaints/{number}"
    page = handler.get(response["Location"]).content.decode()
    assert "更换阀门" in page and 'role="status"' in page  # the plan, and "done"
    assert "approve_plan" not in page  # the handler may not approve
    _post(head, number, "approve_plan", {"comment": "同意"})
    _post(handler, number, "complete", {"summary": "已更换"})
    _post(handler, number, "verify", {"passed": "yes", "report": "复验合格"})
    _post(intake, number, "confirm", {"satisfied": "yes", "method": "phone"})
    _post(
        handler,
        number,
        "return_visit",
        {
            "method": "phone",
            "scale": "5",
            "answers.0": "very_satisfied",
            "answers.1": "satisfied",
            "answers.2": "neutral",
        },
    )
    complaint = Complaint.objects.get(number=number)
    assert str(complaint.satisfaction_pct) == "66.7"  # (3 + 2 + 1) / 9
    assert "66.7" in handler.get(f"/complaints/{number}").content.decode()
    _post(handler, number, "close", {})
    complaint.refresh_from_db()
    assert complaint.state == "closed"


def test_bad_input_comes_back_next_to_its_field_and_nothing_is_written(people):
    handler = _client(people.handler_quality)
    number = people.api(people.intake).post("/complaints", complaint_payload()).json()["number"]
    _post(handler, number, "accept", {"owner": people.handler_quality.username})
    events = Complaint.objects.get(number=number).events.count()

    body = _post(handler, number, "determine", {"determination": ""}, 422).content.decode()
    assert 'data-field="determination"' in body

    body = _post(handler, number, "contact", {"summary": "x"}, 422).content.decode()
    assert 'data-field="promised_at"' in body
    assert 'value="x"' not in body or "x</textarea>" in body  # what was typed is kept

    photo = people.api(people.intake).upload(number, "p.jpg", PHOTO).json()["id"]
    _post(
        handler,
        number,
        "determine",
        {"determination": "defect", "root_cause": "老化", "evidence": [photo]},
    )
    body = _post(
        handler,
        number,
        "propose_plan",
        {
            "measures.0.description": "",
            "measures.0.owner": people.handler_quality.username,
            "measures.0.deadline": _local(2),
        },
        422,
    ).content.decode()
    assert 'data-field="measures.0.description"' in body
    assert Complaint.objects.get(number=number).events.count() == events + 2  # upload, determine


def test_a_stale_form_is_refused_and_redrawn_on_the_new_version(people):
    handler = _client(people.handler_quality)
    number = people.api(people.intake).post("/complaints", complaint_payload()).json()["number"]
    old = Complaint.objects.get(number=number).version
    _post(handler, number, "accept", {"owner": people.handler_quality.username})
    response = handler.post(
        f"/complaints/{number}/do/note", {"expected_version": old, "text": "补充说明"}
    )
    assert response.status_code == 409
    new = Complaint.objects.get(number=number).version
    assert f'name="expected_version" value="{new}"' in response.content.decode()
    assert "补充说明" in response.content.decode()  # the text typed is not lost


def test_the_survey_redraws_for_the_three_option_scale(people):
    handler = _client(people.handler_quality)
    number = people.api(people.intake).post("/complaints", complaint_payload()).json()["number"]
    body = handler.get(f"/complaints/{number}/do/return_visit?scale=3").content.decode()
    assert 'value="very_satisfied"' not in body and 'value="neutral"' in body
    body = handler.get(f"/complaints/{number}/do/return_visit").content.decode()
    assert 'value="very_satisfied"' in body


def test_reading_a_posted_form_back_asks_the_database_nothing(django_assert_num_queries):
    from django.http import QueryDict

    from kesu.workspace.action_forms import payload_of

    data = QueryDict("owner=zhang&department=quality&comment=x&expected_version=3")
    with django_assert_num_queries(0):
        payload = payload_of(Action.ACCEPT, data)
    assert payload == {
        "expected_version": "3",
        "owner": "zhang",
        "department": "quality",
        "comment": "x",
    }
