"""The workspace's forms and error pages without a browser (issue 14): every error at once and
in the user's language, fields the complaint requires marked, the assistant by POST, htmx from
an expired session, the CSRF and 404 pages."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from pydantic import ValidationError

from kesu.complaints.schemas import RegisterIn
from kesu.workspace import action_forms, register_form
from tests.conftest import complaint_payload

pytestmark = pytest.mark.django_db


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _accepted(people, owner, **payload) -> str:
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload(**payload)).json()["number"]
    assert intake.act(number, "accept", {"owner": owner.username}).status_code == 200
    return number


def _level_1_plan(people) -> str:
    """A level-1 product complaint whose plan waits for the executive."""
    from tests.browser.test_complaint_page import png
    from tests.test_portal import _soon

    h = people.handler_quality
    payload = complaint_payload(severity=1, severity_reason="人员受伤")
    intake = people.api(people.intake)
    number = intake.post("/complaints", payload).json()["number"]
    assert intake.upload(number, "证据.png", png(), "image/png").status_code == 201
    api = people.api(h)
    assert intake.act(number, "accept", {"owner": h.username}).status_code == 200
    evidence = api.get(f"/complaints/{number}").json()["attachments"][0]["id"]
    determined = api.act(
        number,
        "determine",
        {"determination": "defect", "root_cause": "焊缝", "evidence": [evidence]},
    )
    assert determined.status_code == 200, determined.json()
    measures = [{"description": "更换", "owner": h.username, "deadline": _soon(2)}]
    assert api.act(number, "propose_plan", {"measures": measures}).status_code == 200
    return number


def test_the_schemas_english_never_reaches_the_form():
    with pytest.raises(ValidationError) as caught:
        RegisterIn.model_validate(
            {"channel": "phone", "title": "t", "description": "d", "category": "x",
             "claim_amount": "-1", "product": {"quantity": "abc"}},
            context={"form": True},
        )  # fmt: skip
    errors = register_form.form_errors(action_forms.validation_errors(caught.value))
    assert set(errors) == {"claim_amount", "product.quantity"}
    assert all("Input should" not in m for m in errors.values()), errors


def test_a_posted_form_names_the_schemas_and_the_complaints_missing_fields_at_once(people):
    number = _accepted(people, people.handler_quality)
    client = _logged_in(people.handler_quality)
    response = client.post(f"/complaints/{number}/do/determine", {"determination": ""})
    assert response.status_code == 422
    html = response.content.decode()
    for name in ("determination", "root_cause", "evidence"):
        assert f'id="err-{name}"' in html and f'aria-describedby="err-{name}"' in html, name


def test_the_expert_review_is_marked_required_for_a_level_1_plan(people):
    number = _level_1_plan(people)
    client = _logged_in(people.executive)
    html = client.get(f"/complaints/{number}/do/approve_plan").content.decode()
    assert 'name="expert_review" rows="3" aria-required="true"' in html
    response = client.post(f"/complaints/{number}/do/approve_plan", {"comment": "同意"})
    assert response.status_code == 422
    assert 'id="err-expert_review"' in response.content.decode()


def test_the_assistant_takes_a_long_description_by_post_only(people):
    client = _logged_in(people.intake)
    long = "墙面渗漏" * 500
    assert client.post("/register/assist", {"description": long}).status_code == 200
    assert client.get("/register/assist", {"title": "渗漏"}).status_code == 405


def test_htmx_from_an_expired_session_gets_a_redirect_header_not_the_login_page(people):
    client = _logged_in(people.intake)
    Session.objects.all().delete()
    response = client.get(
        "/inbox/counts",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/inbox/?tab=all"},
    )
    assert response.status_code == 200 and response.content == b""
    assert response["HX-Redirect"] == "/login/?next=%2Finbox%2F%3Ftab%3Dall"
    foreign = client.get(
        "/inbox/counts", headers={"HX-Request": "true", "HX-Current-URL": "https://evil.test/x"}
    )
    assert foreign["HX-Redirect"] == "/login/?next=%2F"  # never sent back to another site


def test_a_form_with_a_stale_csrf_token_gets_the_products_page(people):
    number = _accepted(people, people.handler_east)
    client = Client(enforce_csrf_checks=True, headers={"Accept-Language": "zh-hans"})
    client.force_login(people.handler_east)
    response = client.post(f"/complaints/{number}/do/note", {"text": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "表单已过期" in html and "DEBUG" not in html
    assert f'href="/complaints/{number}/do/note"' in html


def test_a_mistyped_link_or_number_is_a_404_page_in_the_products_look(people):
    client = Client(headers={"Accept-Language": "zh-hans"})
    portal = client.get("/t/nothing-here/")
    assert portal.status_code == 404 and "此链接无法打开" in portal.content.decode()
    staff = _logged_in(people.handler_east)
    page = staff.get("/complaints/KS20269999999", headers={"Accept-Language": "en"})
    assert page.status_code == 404 and "Page not found" in page.content.decode()
    assert client.get("/favicon.ico").status_code == 301


def test_every_date_time_of_every_action_form_is_a_local_date_time_input():
    from datetime import datetime
    from typing import get_args

    from django.http import QueryDict

    from kesu.complaints.schemas import ACTION_SCHEMAS

    seen = 0
    for action, schema in ACTION_SCHEMAS.items():
        for name, info in schema.model_fields.items():
            if info.annotation is datetime or datetime in get_args(info.annotation):
                seen += 1
                assert action_forms._widget(name, info) == action_forms.Widget.DATETIME, name
                payload = action_forms.payload_of(action, QueryDict(f"{name}=2026-12-01T09:30"))
                assert payload[name] == "2026-12-01T09:30:00+08:00", (action, name)
    assert seen >= 2  # contact's promised_at, visit's visited_at


def test_without_a_script_the_page_names_the_files_to_choose_again(people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import PHOTO

    client = Client(headers={"Accept-Language": "zh-hans"})
    photo = SimpleUploadedFile("现场.jpg", PHOTO, content_type="image/jpeg")
    response = client.post("/complain/", {"description": "门店服务差", "files": [photo]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "您选择的文件未能保留：现场.jpg" in html and "data-error-summary" in html
    clerk = _logged_in(people.intake)
    photo = SimpleUploadedFile("裂缝.jpg", PHOTO, content_type="image/jpeg")
    response = clerk.post("/register/", {"channel": "phone", "files": [photo]})
    assert response.status_code == 422
    assert "您选择的文件未能保留：裂缝.jpg" in response.content.decode()


def test_the_public_forms_csrf_page_has_the_customers_look():
    client = Client(enforce_csrf_checks=True, headers={"Accept-Language": "zh-hans"})
    response = client.post(
        "/complain/", {"title": "x"}, headers={"Referer": "http://testserver/complain/"}
    )
    html = response.content.decode()
    assert response.status_code == 403 and "表单已过期" in html
    assert 'class="top"' in html and 'href="http://testserver/complain/"' in html


def test_htmx_with_a_stale_csrf_token_reloads_its_page_or_goes_to_the_login(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.intake)
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/register/"}
    response = client.post("/register/assist", {"title": "x"}, headers=headers)
    assert response.status_code == 403 and response["HX-Redirect"] == "/register/"
    Session.objects.all().delete()
    response = client.post("/register/assist", {"title": "x"}, headers=headers)
    assert response["HX-Redirect"] == "/login/?next=%2Fregister%2F"


def test_a_form_sent_in_the_background_is_told_where_to_go_and_its_message_waits(people):
    """forms.js sends a form with chosen files by fetch: a redirect would be followed by fetch
    itself, showing the next page's message to nobody and dropping its #fragment."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.browser.test_complaint_page import png

    number = _accepted(people, people.handler_quality)
    client = _logged_in(people.handler_quality)
    photo = SimpleUploadedFile("补充.png", png(), content_type="image/png")
    answer = client.post(
        f"/complaints/{number}/attachments",
        {"files": photo, "visibility": "internal"},
        headers={"X-Kesu-Background": "1"},
    )
    assert answer.status_code == 204
    assert answer["X-Kesu-Location"] == f"/complaints/{number}#files"
    page = client.get(answer["X-Kesu-Location"]).content.decode()
    assert "已添加 1 个文件。" in page  # the message waited for the page the script opens

    plain = client.post(
        f"/complaints/{number}/attachments",
        {"files": SimpleUploadedFile("再补充.png", png(), content_type="image/png")},
    )
    assert plain.status_code == 302  # without the script: an ordinary redirect
