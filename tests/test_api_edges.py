"""The edges of the API, for every endpoint and every entrance: who is asked to authenticate,
text no database can store, bodies too large or malformed, answers that are always JSON, the
strictness of what the OpenAPI document promises, and the one way instants are written."""

import base64
import json
import logging
import re

import pytest
from django.core.exceptions import BadRequest, SuspiciousFileOperation, SuspiciousOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from kesu.accounts.models import ApiToken
from kesu.api import api
from kesu.complaints.errors import ErrorCode
from kesu.complaints.models import Attachment, Complaint, ComplaintEvent, IdempotencyKey
from kesu.core.codes import EdgeCode
from kesu.core.memo import forget
from kesu.core.middleware import RequestEdgeMiddleware
from kesu.portal.models import Submission
from tests.conftest import PHOTO, complaint_payload

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024


def written() -> tuple[int, ...]:
    return (
        Complaint.objects.count(),
        ComplaintEvent.objects.count(),
        Attachment.objects.count(),
        IdempotencyKey.objects.count(),
        Submission.objects.count(),
    )


def fields_of(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def assert_json_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"code", "detail", "errors"} and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def intake(people):
    return people.api(people.intake)


@pytest.fixture
def number(intake):
    response = intake.post("/complaints", complaint_payload())
    assert response.status_code == 201
    return response.json()["number"]


def _post_paths(number: str) -> list[str]:
    """Every POST operation of the OpenAPI document, on a complaint that exists."""
    paths = api.get_openapi_schema()["paths"]
    return [
        path.replace("{number}", number).replace("{notification_id}", "1")
        for path, operations in paths.items()
        if "post" in operations
    ]


# ------------------------------------------------------------------------------ 13: 401, not CSRF


@pytest.mark.parametrize("authorization", ["none", "unknown", "revoked", "not bearer"])
def test_a_post_without_a_valid_bearer_token_is_401_on_every_endpoint(
    people, intake, number, authorization
):
    headers = {
        "none": {},
        "unknown": {"HTTP_AUTHORIZATION": "Bearer ks_no_such_token"},
        "revoked": {"HTTP_AUTHORIZATION": f"Bearer {intake.token}"},
        "not bearer": {"HTTP_AUTHORIZATION": "Token abc"},
    }[authorization]
    if authorization == "revoked":
        ApiToken.objects.update(revoked_at=timezone.now())
        forget()
    client = Client(enforce_csrf_checks=True, **headers)  # as a real server checks
    before = written()
    paths = _post_paths(number)
    assert len(paths) > 30  # every action, registration, files, notifications
    for path in paths:
        response = client.post(path, json.dumps({}), content_type="application/json")
        assert_json_error(response, 401, "unauthenticated")
    assert written() == before


def test_a_logged_in_browser_still_needs_its_csrf_token(people, number):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.intake)
    path = f"/api/v1/complaints/{number}/actions/note"
    before = written()
    response = browser.post(path, json.dumps({"text": "来电"}), content_type="application/json")
    assert_json_error(response, 403, "csrf_failed")
    assert written() == before
    browser.get("/")  # the page sets the CSRF cookie, as the browser would have it
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        path, json.dumps({"text": "来电"}), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("scheme", ["Basic a2VzdTpwcm94eQ==", "Negotiate YIIGhgYJKoZIhvcSAQIC"])
def test_a_proxys_own_authorization_leaves_a_logged_in_browser_its_session(people, number, scheme):
    browser = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=scheme)
    browser.force_login(people.intake)
    assert browser.get("/api/v1/me").status_code == 200
    assert browser.get("/api/v1/docs").status_code == 200
    response = browser.post(
        f"/api/v1/complaints/{number}/actions/note",
        json.dumps({"text": "来电"}),
        content_type="application/json",
    )
    assert_json_error(response, 403, "csrf_failed")  # still the session's rules
    bearer = Client(HTTP_AUTHORIZATION="bearer not-a-token")
    bearer.force_login(people.intake)
    assert_json_error(bearer.get("/api/v1/me"), 401, "unauthenticated")


# ------------------------------------------------------------------------------ 15: NUL, surrogates


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (json.dumps(complaint_payload(title="阀门\x00渗漏")), "title"),
        (json.dumps(complaint_payload(complainant={"name": "王\x00伟"})), "complainant.name"),
        (json.dumps({**complaint_payload(), "k\x00": 1}), "k\\u0000"),
    ],
)
def test_unstorable_text_in_a_body_is_422_naming_the_field(intake, body, field):
    before = written()
    response = intake.post("/complaints", body)
    assert_json_error(response, 422, "invalid")
    assert fields_of(response) == {field}
    assert written() == before


def test_nul_and_a_lone_surrogate_are_refused_alike(intake):
    before = written()
    nul = intake.post("/complaints", complaint_payload(title="阀门\x00渗漏"))
    surrogate = intake.post("/complaints", json.dumps(complaint_payload(title="阀门\ud800")))
    assert nul.status_code == surrogate.status_code == 422
    assert nul.json() == surrogate.json()
    assert written() == before


def test_unstorable_text_in_an_action_is_422(intake, number):
    before = written()
    response = intake.act(number, "note", json.dumps({"text": "客户\x00来电"}))
    assert_json_error(response, 422, "invalid")
    response = intake.act(number, "return_visit", json.dumps({"scale": 3, "answers": ["\ud83d"]}))
    assert_json_error(response, 422, "invalid")
    assert fields_of(response) == {"answers.0"}
    assert written() == before


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/complaints", {"q": "阀门\x00"}, "q"),
        ("/complaints", {"owner": "\x00"}, "owner"),
        ("/users", {"department": "sales\x00"}, "department"),
    ],
)
def test_unstorable_text_in_a_query_is_422_naming_the_parameter(intake, path, params, field):
    response = intake.get(path, **params)
    assert_json_error(response, 422, "invalid")
    assert fields_of(response) == {field}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/complaints/KS%00",
        "/api/v1/complaints/KS20261100001%00/actions/note",
        "/api/v1/notifications/1%00/read",
    ],
)
def test_unstorable_text_in_a_path_is_400(intake, path):
    client = intake._client()
    response = client.post(path, "{}", content_type="application/json")
    assert_json_error(response, 400, "bad_request")
    assert_json_error(client.get(path), 400, "bad_request")


def test_unstorable_text_in_a_header_is_400_and_writes_nothing(intake):
    before = written()
    response = intake.post(
        "/complaints", complaint_payload(), headers={"Idempotency-Key": "call-\x00-1"}
    )
    assert_json_error(response, 400, "bad_request")
    assert written() == before


def test_the_web_workspace_refuses_nul_in_its_forms_and_search(people, number):
    browser = Client()
    browser.force_login(people.intake)
    before = written()
    version = Complaint.objects.get(number=number).version
    for path, data in (
        (f"/complaints/{number}/do/note", {"text": "来电\x00", "expected_version": version}),
        ("/register/", {"channel": "phone", "title": "漏水\x00", "description": "x"}),
    ):
        response = browser.post(path, data)
        assert response.status_code == 400, (path, response.status_code)
    assert browser.get("/inbox/", {"q": "阀门\x00"}).status_code == 400
    assert written() == before


def test_the_public_form_refuses_nul(db, defaults):
    before = written()
    response = Client().post(
        "/complain/",
        {"title": "漏水\x00", "description": "家里漏水", "name": "王伟", "phone": "13800000001"},
    )
    assert response.status_code == 400
    assert written() == before


@pytest.mark.parametrize("path", ["/complaints", "/notifications"])
def test_a_cursor_beyond_any_row_is_422(intake, path):
    cursor = base64.urlsafe_b64encode(b"2026-03-01T00:00:00+00:00|99999999999999999999")
    response = intake.get(path, cursor=cursor.decode())
    assert_json_error(response, 422, "invalid")
    assert fields_of(response) == {"cursor"}


# ------------------------------------------------------------------------------ 16: sizes, JSON


@pytest.mark.parametrize("size", [2 * MiB + 1, 5 * MiB, 19 * MiB, 25 * MiB])
def test_a_json_body_too_large_is_413_json_at_every_size(intake, size, caplog):
    body = json.dumps(complaint_payload(description="漏" * (size // 3)))
    before = written()
    with caplog.at_level(logging.WARNING):
        response = intake.post("/complaints", body)
    assert_json_error(response, 413, "request_too_large")
    assert written() == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@override_settings(KESU_ATTACHMENT_MAX_BYTES=20 * MiB)
def test_a_form_field_too_large_in_a_multipart_body_is_413(intake, number, caplog):
    """The body is within the upload limit, but its text field is beyond what Django reads."""
    upload = SimpleUploadedFile("a.jpg", PHOTO, content_type="image/jpeg")
    with caplog.at_level(logging.WARNING):
        response = intake._client().post(
            f"/api/v1/complaints/{number}/attachments",
            {"file": upload, "visibility": "x" * (3 * MiB)},
        )
    assert_json_error(response, 413)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_a_multipart_body_without_a_boundary_is_400_without_a_traceback(intake, number, caplog):
    with caplog.at_level(logging.WARNING):
        response = intake._client().post(
            f"/api/v1/complaints/{number}/attachments",
            b"--x\r\n",
            content_type="multipart/form-data",
        )
    assert_json_error(response, 400, "bad_request")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/nothing-here", 404),
        ("get", "/api/v1/complaints/KS1/timeline", 404),
        ("post", "/api/v1/complaints/KS1/actions/fly", 404),
        ("get", "/api/v1/", 404),
        ("delete", "/api/v1/complaints", 405),
        ("put", "/api/v1/complaints/KS1/actions/note", 405),
        ("get", "/api/v1/complaints/KS1/actions/note", 405),
    ],
)
def test_every_api_answer_is_json_even_for_routes_that_do_not_exist(intake, method, path, status):
    response = getattr(intake._client(), method)(path)
    body = assert_json_error(response, status)
    if status == 405:
        assert "POST" in response["Allow"] or "GET" in response["Allow"]
        assert body["code"] == "method_not_allowed"


def test_the_public_form_answers_a_body_too_large_with_a_page(db, defaults):
    response = Client().post(
        "/complain/", "x" * (3 * MiB), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413 and response["Content-Type"].startswith("text/html")


# ------------------------------------------------------------------------------ 17: list filters


@pytest.mark.parametrize("name", ["registered_from", "registered_to", "due_before"])
@pytest.mark.parametrize("value", ["2026-03-01T00:00:00", "2026-03-01 08:00", "0.5", "1700000000"])
def test_list_filters_take_only_instants_with_their_offset_or_whole_days(intake, name, value):
    response = intake.get("/complaints", **{name: value})
    assert_json_error(response, 422, "invalid")
    assert fields_of(response) == {name}


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/complaints", {"open": "1"}, "open"),
        ("/complaints", {"overdue": "yes"}, "overdue"),
        ("/notifications", {"unread": "0"}, "unread"),
        ("/complaints", {"limit": "1.0"}, "limit"),
        ("/complaints", {"severity": "1.0"}, "severity"),
    ],
)
def test_query_booleans_and_numbers_are_exactly_what_the_document_says(intake, path, params, field):
    response = intake.get(path, **params)
    assert_json_error(response, 422, "invalid")
    assert fields_of(response) == {field}


@pytest.mark.parametrize(
    ("action", "payload", "field"),
    [
        ("note", {"text": "x", "expected_version": True}, "expected_version"),
        ("note", {"text": "x", "expected_version": "1"}, "expected_version"),
        ("note", {"text": "x", "expected_version": 1.0}, "expected_version"),
        ("contact", {"summary": "x", "promised_at": 1900000000}, "promised_at"),
        ("reclassify", {"severity": "1", "reason": "x"}, "severity"),
        ("verify", {"passed": 1, "report": "x"}, "passed"),
        ("confirm", {"satisfied": "true"}, "satisfied"),
        ("visit", {"findings": "x", "attachments": [2**70]}, "attachments.0"),
    ],
)
def test_bodies_take_json_types_as_the_document_says(intake, number, action, payload, field):
    before = written()
    response = intake.act(number, action, payload)
    assert_json_error(response, 422, "invalid")
    assert field in fields_of(response)
    assert written() == before


def test_register_refuses_a_number_for_a_boolean_or_an_instant(intake):
    before = written()
    response = intake.post(
        "/complaints", complaint_payload(read_back=1, occurred_at=0.5, claim_amount=True)
    )
    assert_json_error(response, 422, "invalid")
    assert fields_of(response) == {"read_back", "occurred_at", "claim_amount"}
    assert written() == before


# ------------------------------------------------------------------------------ 18


def test_a_domain_refusal_names_every_field_at_fault(intake, people, number):
    before = written()
    response = intake.post(
        "/complaints",
        complaint_payload(
            complainant={},
            product={"ship_date": "2026-03-02", "arrival_date": "2026-03-01"},
            severity=3,
        ),
    )
    assert_json_error(response, 422, "invalid")
    assert fields_of(response) == {"complainant", "arrival_date", "severity_reason"}
    response = intake.post(
        "/complaints", complaint_payload(category="nope", department="nope", accused="nobody")
    )
    assert fields_of(response) == {"category", "department", "accused"}
    response = intake.act(number, "accept", {"owner": "nobody", "department": "nope"})
    assert fields_of(response) == {"owner", "department"}
    intake.act(number, "accept", {"owner": people.handler_quality.username})
    handler = people.api(people.handler_quality)
    response = handler.act(
        number, "contact", {"summary": "已联系", "promised_at": "2001-01-01T10:00:00+08:00"}
    )
    assert fields_of(response) == {"promised_at"}
    assert written()[1] == before[1] + 1  # the acceptance only


def test_the_document_requires_the_text_each_action_requires(intake, number):
    schemas = api.get_openapi_schema()["components"]["schemas"]
    assert "summary" in schemas["ContactIn"]["required"]
    for name in ("ReasonIn", "NoteIn", "ProgressIn", "CompleteIn", "VerifyIn", "AnswerIn"):
        assert schemas[name]["required"], name
    response = intake.act(number, "escalate", {})
    assert_json_error(response, 422, "invalid")
    assert fields_of(response) == {"reason"}


def test_a_body_that_is_not_utf8_says_where(intake):
    response = intake.post("/complaints", b'{"title": "\xe6\xbc\x8f\xff"}')
    body = assert_json_error(response, 400, "malformed_json")
    assert "?" not in body["detail"] and "14" in body["detail"]  # 11 bytes, 漏, then \xff
    response = intake.post("/complaints", '{"claim_amount": NaN}')
    assert_json_error(response, 400, "malformed_json")


_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _instants(value):
    if isinstance(value, str) and _INSTANT.match(value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _instants(item)
    elif isinstance(value, list):
        for item in value:
            yield from _instants(item)


def test_every_instant_the_api_writes_is_local_time_with_its_offset(intake, people, number):
    intake.act(number, "accept", {"owner": people.handler_quality.username})
    handler = people.api(people.handler_quality)
    response = handler.act(
        number, "contact", {"summary": "已联系", "promised_at": "2030-01-01T02:00:00Z"}
    )
    assert response.status_code == 200, response.content
    handler.act(number, "wait_customer", {"reason": "等客户寄回样品"})
    handler.act(number, "resume", {})
    body = handler.get(f"/complaints/{number}").json()
    found = list(_instants(body))
    assert len(found) > 10
    assert all(value.endswith("+08:00") for value in found), found
    contact = next(e for e in body["timeline"] if e["type"] == "contact")
    assert contact["data"]["promised_at"] == "2030-01-01T10:00:00+08:00"
    listed = handler.get("/complaints").json()["results"][0]
    assert listed["registered_at"].endswith("+08:00")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("registered_from", "0001-01-01"),
        ("registered_to", "9999-12-31"),
        ("due_before", "0001-01-01"),
        ("registered_from", "0001-01-01T00:00:00+08:00"),
        ("registered_to", "9999-12-31T23:00:00-08:00"),
        ("due_before", "9999-12-31T23:59:59+00:00"),
    ],
)
def test_a_filter_bound_beyond_what_kesu_keeps_is_422_out_of_range(intake, number, name, value):
    response = intake.get("/complaints", **{name: value})
    body = assert_json_error(response, 422, "invalid")
    assert body["errors"] == [{"field": name, "message": "日期超出范围。"}]


@pytest.mark.parametrize(
    ("value", "message"),
    [("2026-02-30", "请填写日期，"), ("2026-11-21T24:00:00+08:00", "请填写日期和时间")],
)
def test_a_filter_bound_that_is_no_day_or_time_is_422_in_our_words(intake, value, message):
    response = intake.get("/complaints", registered_from=value)
    body = assert_json_error(response, 422, "invalid")
    assert body["errors"][0]["message"].startswith(message), body


def test_an_instant_in_a_body_beyond_what_kesu_keeps_is_422_and_changes_nothing(
    intake, people, number
):
    intake.act(number, "accept", {"owner": people.handler_quality.username})
    handler = people.api(people.handler_quality)
    before = written()
    response = handler.act(
        number, "contact", {"summary": "已联系", "promised_at": "9999-12-31T20:00:00Z"}
    )
    assert_json_error(response, 422, "invalid")
    assert fields_of(response) == {"promised_at"}
    response = intake.post("/complaints", complaint_payload(occurred_at="0001-01-01T00:00:00Z"))
    assert fields_of(response) == {"occurred_at"}
    assert written() == before
    assert handler.get(f"/complaints/{number}").status_code == 200


def test_an_idempotency_key_longer_than_kept_is_422_naming_the_header(intake):
    before = written()
    response = intake.post(
        "/complaints", complaint_payload(), headers={"Idempotency-Key": "k" * 200 + "A"}
    )
    body = assert_json_error(response, 422, "invalid")
    assert fields_of(response) == {"Idempotency-Key"} and "200" in body["errors"][0]["message"]
    assert written() == before
    # a key of the length kept is taken, and a retry with it registers nothing again
    first = intake.post("/complaints", complaint_payload(), headers={"Idempotency-Key": "k" * 200})
    again = intake.post("/complaints", complaint_payload(), headers={"Idempotency-Key": "k" * 200})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]


def test_a_server_error_does_not_promise_that_nothing_was_done(intake, number, monkeypatch):
    def done_then_failed(*args, **kwargs):
        raise RuntimeError("the answer could not be rendered")

    monkeypatch.setattr("kesu.complaints.api.detail", done_then_failed)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {intake.token}", raise_request_exception=False)
    for language, words in (("en", "may or may not have been done"), ("zh-hans", "可能已完成")):
        response = client.get(f"/api/v1/complaints/{number}", HTTP_ACCEPT_LANGUAGE=language)
        body = assert_json_error(response, 500, "server_error")
        assert words in body["detail"] and "nothing was changed" not in body["detail"]


# ------------------------------------------------------------------------------ logs and codes


@pytest.mark.parametrize(
    ("raised", "logger", "level"),
    [
        (SuspiciousOperation("a path outside the storage"), "django.security.SuspiciousOperation",
         logging.ERROR),
        (SuspiciousFileOperation("../../etc/passwd"), "django.security.SuspiciousFileOperation",
         logging.ERROR),
        (BadRequest("no such thing"), "django.request", logging.WARNING),
    ],
)  # fmt: skip
def test_a_suspicious_or_bad_request_is_400_and_logged_as_django_logs_it(
    intake, number, monkeypatch, caplog, raised, logger, level
):
    def suspicious(*args, **kwargs):
        raise raised

    monkeypatch.setattr("kesu.complaints.api.detail", suspicious)
    with caplog.at_level(logging.INFO):
        response = intake.get(f"/api/v1/complaints/{number}".removeprefix("/api/v1"))
    assert_json_error(response, 400, "bad_request")
    [record] = [r for r in caplog.records if r.name == logger]
    assert record.levelno == level and record.exc_info and str(raised) in record.getMessage()
    # the same from a page outside the API (the middleware's own path)
    caplog.clear()
    page = RequestEdgeMiddleware(lambda r: None).process_exception(
        RequestFactory().get("/inbox/"), raised
    )
    assert page.status_code == 400 and not page["Content-Type"].startswith("application/json")
    assert [r.levelno for r in caplog.records if r.name == logger] == [level]


def test_every_code_the_api_answers_is_one_of_the_enums(intake, number, people):
    known = {*EdgeCode, *ErrorCode}
    assert all(ErrorCode(c) == EdgeCode(c) for c in {*EdgeCode} & {*ErrorCode})  # one spelling
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.intake)
    answers = [
        Client().get("/api/v1/me"),
        browser.post("/api/v1/complaints", "{}", content_type="application/json"),
        intake.get("/nothing-here"),
        intake._client().delete("/api/v1/complaints"),
        intake.post("/complaints", "{not json"),
        intake.post("/complaints", {}),
        intake.get("/complaints/KS1"),
        intake.act(number, "approve_plan", {}),
        intake.get("/complaints", q="\x00"),
        intake._client().get("/api/v1/me", HTTP_X_NOTE="a\x00b"),
        intake.post("/complaints", "x" * (3 * MiB)),
    ]
    codes = [response.json()["code"] for response in answers]
    assert len(set(codes)) >= 9 and set(codes) <= known, codes
