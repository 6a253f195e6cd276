"""Bad input gets a clear 4xx naming the field and the reason, and writes nothing."""

import pytest
from django.test import Client, override_settings

from kesu.complaints.models import Attachment, Complaint, ComplaintEvent, IdempotencyKey
from tests.conftest import PHOTO, complaint_payload

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Complaint.objects.count(),
        ComplaintEvent.objects.count(),
        Attachment.objects.count(),
        IdempotencyKey.objects.count(),
    )


@pytest.fixture
def intake(people):
    return people.api(people.intake)


@pytest.fixture
def registered(intake):
    response = intake.post("/complaints", complaint_payload())
    assert response.status_code == 201
    return response.json()["number"]


def fields_of(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_malformed_json_is_400_and_writes_nothing(intake):
    before = counts()
    response = intake.post("/complaints", '{"channel": "phone", "title": "漏水"')
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"claim_amount": "很多"}, "claim_amount"),
        ({"channel": 123}, "channel"),
        ({"channel": "pigeon"}, "channel"),
        ({"kind": "complaintt"}, "kind"),
        ({"title": ""}, "title"),
        ({"severity": 7}, "severity"),
        ({"read_back": "也许"}, "read_back"),
        ({"occurred_at": "2026-11-20T10:00:00"}, "occurred_at"),  # no time zone
        ({"complainant": {"email": "not-an-address"}}, "complainant.email"),
        ({"product": {"quantity": -1}}, "product.quantity"),
        ({"colour": "red"}, "colour"),  # unknown field: a typo is refused, not ignored
    ],
)
def test_wrong_types_are_422_with_the_field(intake, overrides, field):
    before = counts()
    response = intake.post("/complaints", complaint_payload(**overrides))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in fields_of(response)
    assert all(error["message"] for error in body["errors"])
    assert counts() == before


@pytest.mark.parametrize("body", ['{"channel": "phone", "complainant": null}', "[]", '"x"'])
def test_something_that_is_not_an_object_is_named_in_the_callers_language(intake, body):
    before = counts()
    response = intake.post("/complaints", body)
    assert response.status_code == 422, response.content
    messages = [error["message"] for error in response.json()["errors"]]
    assert "请填写对象。" in messages  # translated, not pydantic's English
    assert counts() == before


def test_missing_required_fields_are_named(intake):
    response = intake.post("/complaints", {"channel": "phone"})
    assert response.status_code == 422
    assert {"title", "description", "category"} <= fields_of(response)


def test_unknown_category_department_and_person(intake):
    before = counts()
    for overrides, field in (
        ({"category": "no_such_category"}, "category"),
        ({"department": "no_such_dept"}, "department"),
        ({"accused": "nobody"}, "accused"),
    ):
        response = intake.post("/complaints", complaint_payload(**overrides))
        assert response.status_code == 422
        assert fields_of(response) == {field}
    assert counts() == before


def test_complainant_needed_unless_anonymous(intake):
    response = intake.post("/complaints", complaint_payload(complainant={}))
    assert response.status_code == 422 and fields_of(response) == {"complainant"}
    response = intake.post("/complaints", complaint_payload(complainant={"anonymous": True}))
    assert response.status_code == 201


def test_overriding_the_severity_needs_a_reason(intake):
    before = counts()
    response = intake.post("/complaints", complaint_payload(severity=3))
    assert response.status_code == 422 and fields_of(response) == {"severity_reason"}
    assert counts() == before
    response = intake.post(
        "/complaints", complaint_payload(severity=3, severity_reason="客户表示问题轻微,仅需说明")
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["severity"], body["severity_proposed"]) == (3, 2)


def test_no_token_or_a_bad_token_is_401(people):
    response = Client().post(
        "/api/v1/complaints", complaint_payload(), content_type="application/json"
    )
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    response = Client(HTTP_AUTHORIZATION="Bearer ks_wrong").get("/api/v1/complaints")
    assert response.status_code == 401


def test_wrong_state_is_409_and_adds_no_event(intake, registered):
    before = counts()
    response = intake.act(registered, "close", {})
    assert response.status_code == 409 and response.json()["code"] == "wrong_state"
    assert "close" in response.json()["detail"].lower() or response.json()["detail"]
    assert counts() == before


def test_wrong_role_is_403_and_adds_no_event(people, registered):
    executive = people.api(people.executive)
    before = counts()
    response = executive.act(registered, "accept", {"owner": people.handler_quality.username})
    assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"
    assert counts() == before


def test_another_departments_handler_gets_404(people, registered):
    north = people.api(people.handler_north)
    assert north.get(f"/complaints/{registered}").status_code == 404
    response = north.act(registered, "accept", {"owner": people.handler_north.username})
    assert response.status_code == 404
    assert registered not in {c["number"] for c in north.get("/complaints").json()["results"]}


def test_stale_version_is_409(intake, people, registered):
    version = intake.get(f"/complaints/{registered}").json()["version"]
    assert (
        intake.act(
            registered, "note", {"text": "客户又来电", "expected_version": version}
        ).status_code
        == 200
    )
    before = counts()
    response = intake.act(registered, "escalate", {"reason": "x", "expected_version": version})
    assert response.status_code == 409 and response.json()["code"] == "stale_version"
    assert counts() == before


def test_bad_action_payloads_are_422(intake, people, registered):
    before = counts()
    response = intake.act(registered, "accept", {"owner": "nobody"})
    assert response.status_code == 422 and fields_of(response) == {"owner"}
    response = intake.act(registered, "accept", {"owner": people.qa.username})
    assert response.status_code == 422 and fields_of(response) == {"owner"}  # not a handler
    response = intake.act(registered, "accept", {})
    assert response.status_code == 422 and fields_of(response) == {"owner"}
    response = intake.act(registered, "escalate", {"reason": "  "})
    assert response.status_code == 422 and fields_of(response) == {"reason"}
    assert intake.act(registered, "no_such_action", {}).status_code == 404
    assert counts() == before


def test_idempotency_key_reused_for_another_request_is_422(intake):
    first = intake.post("/complaints", complaint_payload(), headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    again = intake.post("/complaints", complaint_payload(), headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    before = counts()
    other = intake.post(
        "/complaints", complaint_payload(title="另一件事"), headers={"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"
    assert counts() == before


@override_settings(KESU_ATTACHMENT_MAX_BYTES=1000)
def test_oversize_attachment_is_413_and_stores_nothing(intake, registered):
    before = counts()
    response = intake.upload(registered, "big.jpg", PHOTO + b"\x00" * 2000)
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"
    assert counts() == before


@override_settings(KESU_ATTACHMENT_MAX_BYTES=1000)
def test_a_huge_body_is_refused_before_it_is_read(intake, registered):
    response = intake._client().post(
        f"/api/v1/complaints/{registered}/attachments",
        data=b"x",
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100),
        ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 100),  # the name lies about the content
        ("script.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_disallowed_attachment_is_415_and_stores_nothing(intake, registered, name, content):
    before = counts()
    response = intake.upload(registered, name, content)
    assert response.status_code == 415 and response.json()["code"] == "file_type"
    assert counts() == before


def test_evidence_from_another_complaint_is_refused(people):
    intake, handler = people.api(people.intake), people.api(people.handler_quality)
    mine = intake.post("/complaints", complaint_payload()).json()["number"]
    other = intake.post("/complaints", complaint_payload()).json()["number"]
    foreign = intake.upload(other, "a.jpg", PHOTO).json()["id"]
    intake.act(mine, "accept", {"owner": handler.user.username})
    handler.act(mine, "contact", {"promised_at": "2030-01-01T10:00:00+08:00", "summary": "已联系"})
    before = counts()
    response = handler.act(
        mine, "determine", {"determination": "defect", "root_cause": "x", "evidence": [foreign]}
    )
    assert response.status_code == 422 and fields_of(response) == {"evidence"}
    response = handler.act(mine, "determine", {"determination": "defect", "root_cause": "x"})
    assert response.status_code == 422 and fields_of(response) == {"evidence"}
    response = handler.act(mine, "determine", {"determination": "company", "root_cause": "x"})
    # a company-side cause would need evidence too: both faults are named at once
    assert response.status_code == 422 and fields_of(response) == {"determination", "evidence"}
    assert counts() == before
