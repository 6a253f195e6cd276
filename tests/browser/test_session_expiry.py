"""An expired session never breaks a page (issue 14, point 2): every htmx request is sent to
the login page (never the login page inside a panel), what was typed comes back after logging
in again, and a form whose CSRF token no longer holds gets a page in the product's words.

The htmx endpoints come from the URLconf (`kesu.core.htmx`): a view marked `@htmx_endpoint`
is covered here without a change to this file."""

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from kesu.complaints.models import ComplaintEvent
from kesu.core.htmx import LOGIN, NOTICE, htmx_endpoints
from tests.browser.conftest import log_in
from tests.browser.test_workspace_login import _with_password
from tests.conftest import complaint_payload

pytestmark = pytest.mark.django_db(transaction=True)
KESU = Path(__file__).resolve().parents[2] / "kesu"
HTMX_ENDPOINTS = htmx_endpoints()
# what a marked endpoint's path parameters take (the login comes before any look-up; any other
# parameter takes "1")
PARAMS = {"number": "KS20260000001", "action": "note"}


def _expire_sessions() -> None:
    """As when the session times out: the browser still sends its (now unknown) cookie."""
    Session.objects.all().delete()


def _expired_on_the_inbox(page, people, endpoint) -> str:
    """The clerk on their inbox when the session expires; the address the page would call."""
    _with_password(people.intake)
    log_in(page, people.intake.username)
    page.wait_for_url("**/inbox/")
    page.goto("/inbox/?tab=mine")
    page.wait_for_load_state("networkidle")
    _expire_sessions()
    url = reverse(endpoint.name, kwargs={p: PARAMS.get(p, "1") for p in endpoint.params})
    return f"{url}?{endpoint.query}" if endpoint.query else url


def _accepted(people, owner) -> str:
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload()).json()["number"]
    assert intake.act(number, "accept", {"owner": owner.username}).status_code == 200
    return number


def test_every_htmx_endpoint_a_template_calls_is_marked():
    """A fragment view called from a template by its URL name must be marked, so that the
    expired-session test below covers it."""
    called = set()
    for template in KESU.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        called |= set(re.findall(r"hx-(?:get|post|put|patch|delete)=\"\{% url '([\w:]+)'", text))
    marked = {e.name for e in HTMX_ENDPOINTS}
    assert called, "no template calls an htmx endpoint by name?"
    assert called <= marked, f"mark these views with @htmx_endpoint: {called - marked}"
    assert {
        "inbox",
        "inbox_counts",
        "register_assist",
        "act",
        "inbox_fresh",
        "notifications_panel",
    } <= marked


@pytest.mark.parametrize(
    "endpoint", [e for e in HTMX_ENDPOINTS if e.expired == LOGIN], ids=lambda e: e.name
)
def test_an_htmx_request_after_the_session_expired_goes_to_the_login(page, people, endpoint):
    url = _expired_on_the_inbox(page, people, endpoint)
    with page.expect_navigation():
        page.evaluate(
            "([method, url]) => htmx.ajax(method, url, {target: 'main', swap: 'innerHTML'})",
            [endpoint.method, url],
        )
    page.wait_for_url("**/login/**")
    assert parse_qs(urlsplit(page.url).query)["next"] == ["/inbox/?tab=mine"]
    # the login page itself, once: not a login form swapped into the inbox
    assert page.locator("input[name=password]").count() == 1
    assert page.locator("#rows").count() == 0
    assert "登录已过期" in page.locator(".messages").inner_text()
    page.get_by_label("用户名").fill(people.intake.username)
    page.get_by_label("密码").fill("pass-1234-word")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/inbox/?tab=mine")


def test_the_assistant_after_expiry_leads_to_the_login_and_the_typed_form_comes_back(page, people):
    _with_password(people.intake)
    log_in(page, people.intake.username)
    page.wait_for_url("**/inbox/")
    page.goto("/register/")
    form = page.locator("#register-form")
    form.locator('[name="complainant.phone"]').fill("13812345678")
    form.locator('[name="title"]').fill("卫生间墙面渗漏")
    page.locator("#suggested-category[data-code=construction_leak]").wait_for()
    _expire_sessions()
    with page.expect_navigation(url="**/login/**"):
        form.locator('[name="description"]').fill("楼上卫生间漏水，墙面开裂。")
    assert "登录已过期" in page.locator(".messages").inner_text()
    assert page.locator("#assist").count() == 0  # no login page inside the assistant's panel
    page.get_by_label("用户名").fill(people.intake.username)
    page.get_by_label("密码").fill("pass-1234-word")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/register/")
    form = page.locator("#register-form")
    assert form.locator('[name="title"]').input_value() == "卫生间墙面渗漏"
    assert form.locator('[name="description"]').input_value() == "楼上卫生间漏水，墙面开裂。"
    assert form.locator('[name="complainant.phone"]').input_value() == "13812345678"
    assert "已填回" in page.locator('[data-role="kept-notice"]').inner_text()


def test_a_form_sent_after_expiry_is_not_lost_and_can_be_sent_after_logging_in(page, people):
    number = _accepted(people, people.handler_east)
    _with_password(people.handler_east)
    log_in(page, people.handler_east.username)
    page.wait_for_url("**/inbox/")
    page.goto(f"/complaints/{number}/do/note#act")
    page.locator('#act textarea[name="text"]').fill("客户下午三点后方便接电话。")
    _expire_sessions()
    page.locator('#act button[type="submit"]').click()
    page.wait_for_url("**/login/**")
    assert "尚未保存" in page.locator(".messages").inner_text()
    page.get_by_label("用户名").fill(people.handler_east.username)
    page.get_by_label("密码").fill("pass-1234-word")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**/complaints/{number}/do/note")
    text = page.locator('#act textarea[name="text"]')
    assert text.input_value() == "客户下午三点后方便接电话。"
    assert page.locator('[data-role="kept-notice"]').is_visible()
    page.locator('#act button[type="submit"]').click()
    page.wait_for_url(f"**/complaints/{number}")
    assert ComplaintEvent.objects.filter(
        complaint__number=number, type="note", comment="客户下午三点后方便接电话。"
    ).exists()


def test_a_form_of_an_earlier_login_gets_the_products_page_and_its_text_back(
    chromium, live_server, people
):
    from tests.browser.conftest import chinese_context

    number = _accepted(people, people.handler_east)
    _with_password(people.handler_east)
    context = chinese_context(chromium, live_server.url)
    first = context.new_page()
    log_in(first, people.handler_east.username)
    first.wait_for_url("**/inbox/")
    first.goto(f"/complaints/{number}/do/note#act")
    first.locator('#act textarea[name="text"]').fill("已与客户约好周四上门。")
    # in another tab: log out and in again (a new CSRF token)
    second = context.new_page()
    second.goto("/inbox/")
    second.get_by_role("button", name="退出").click()
    second.wait_for_url("**/login/")
    log_in(second, people.handler_east.username)
    second.wait_for_url("**/inbox/")
    first.locator('#act button[type="submit"]').click()
    first.wait_for_load_state()
    body = first.locator("body").inner_text()
    assert "表单已过期" in body and "尚未保存" in body
    assert "DEBUG" not in body and "CSRF" not in body
    assert first.locator("header.bar").count() == 1  # the workspace's look
    first.locator('[data-role="back-to-form"]').click()
    first.wait_for_url(f"**/complaints/{number}/do/note**")
    assert first.locator('#act textarea[name="text"]').input_value() == "已与客户约好周四上门。"
    assert first.locator('[data-role="kept-notice"]').is_visible()
    context.close()


@pytest.mark.parametrize(
    "endpoint", [e for e in HTMX_ENDPOINTS if e.expired == NOTICE], ids=lambda e: e.name
)
def test_a_poll_after_the_session_expired_says_so_in_place_and_stops(page, people, endpoint):
    """A poll the page sends on its own must not take the person away from what they typed:
    it answers with a notice in place, and a status that stops htmx polling."""
    url = _expired_on_the_inbox(page, people, endpoint)
    answer = page.evaluate(
        """async (url) => {
            const r = await fetch(url, {headers: {"HX-Request": "true"}});
            return {status: r.status, text: await r.text()};
        }""",
        url,
    )
    assert answer["status"] == 286, answer
    assert "登录已过期" in answer["text"], answer["text"]
    assert "password" not in answer["text"]
    assert page.url.endswith("/inbox/?tab=mine")
