"""axe-core on the main pages, as each role sees them (issue #14, acceptance): no contrast
and no label violation. The rules are tests/browser/conftest.py's `A11Y_RULES`."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from kesu.complaints.models import Complaint
from kesu.portal import links
from tests.browser.conftest import accessibility_violations, chinese_context, log_in
from tests.browser.test_workspace_login import _with_password
from tests.conftest import complaint_payload

pytestmark = pytest.mark.django_db(transaction=True)


def _payload(phone: str, **overrides) -> dict:
    payload = complaint_payload(**overrides)
    payload["complainant"] = {**payload["complainant"], "phone": phone}
    payload["product"] = {**payload["product"], "batch_no": phone}
    return payload


def _check(page, path: str, found: list[str]) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")  # the inbox's counts arrive by htmx
    found += accessibility_violations(page)


def test_the_main_pages_have_no_contrast_or_label_violation_for_any_role(
    chromium, live_server, people
):
    intake = people.api(people.intake)
    now = timezone.now()
    # overdue, due today and later: every colour the inbox and the dashboard use
    for hours_ago, phone in ((72, "13800000011"), (20, "13800000012")):
        with time_machine.travel(now - timedelta(hours=hours_ago), tick=False):
            answer = intake.post("/complaints", _payload(phone))
            assert answer.status_code == 201, answer.content
    level1 = _payload("13800000013", severity=1, severity_reason="客户要求媒体曝光")
    answer = intake.post("/complaints", level1)
    assert answer.status_code == 201, answer.content
    number = answer.json()["number"]
    staff = (
        people.intake,
        people.handler_east,
        people.head_quality,
        people.qa,
        people.executive,
        people.admin,
    )
    _with_password(*staff)
    found: list[str] = []
    for user in staff:
        context = chinese_context(chromium, live_server.url)
        page = context.new_page()
        log_in(page, user.username)
        page.wait_for_load_state()
        for path in ("/", "/inbox/", f"/complaints/{number}"):
            _check(page, path, found)
        button = page.locator(".actions [data-action]").first
        if button.count():  # the first action form the person may use, opened by htmx
            button.click()
            page.locator("#act form").wait_for()
            found += accessibility_violations(page)
        if user == people.intake:
            _check(page, "/register/", found)
        context.close()

    context = chinese_context(chromium, live_server.url)
    page = context.new_page()
    _check(page, "/login/", found)
    _check(page, "/complain/", found)
    link = links.issue(Complaint.objects.get(number=number))
    _check(page, links.url(link).removeprefix("http://127.0.0.1:8000"), found)
    context.close()
    assert not found, "\n".join(found)


def test_the_check_finds_a_contrast_failure(page, live_server):
    """The check itself works: grey on grey is found."""
    page.goto("/login/")
    page.evaluate("document.querySelector('h1, label').style.color = '#ddd'")
    assert any("color-contrast" in line for line in accessibility_violations(page))


SAMPLES = """
<table class="list"><tr>
  <td><span class="due overdue">已逾期</span></td><td><span class="due soon">即将到期</span></td>
  <td><span class="due today">今日到期</span></td><td><span class="due later">未到期</span></td>
  <td><span class="sev sev1">一级</span></td><td><span class="sev sev2">二级</span></td>
  <td><span class="sev sev3">三级</span></td><td><span class="state">处理中</span></td>
  <td><span class="state waiting">等待客户</span></td>
  <td><span class="state escalated">已升级</span></td>
</tr></table>
<table class="clocks">
  <tr class="clock breached"><td>逾期</td></tr><tr class="clock met"><td>按时</td></tr>
  <tr class="clock paused"><td>暂停</td></tr><tr class="clock met_late"><td>逾期完成</td></tr>
</table>
<div class="tiles"><a class="tile overdue" href="#"><span class="figure">3</span>已逾期</a>
  <a class="tile today" href="#"><span class="figure">2</span>今日到期</a>
  <a class="tile ontime" href="#"><span class="figure">9</span>按时</a></div>
<ul class="messages"><li>已保存</li><li class="error">出错</li><li class="warning">注意</li></ul>
<p><span class="tag">客户可见</span> <span class="muted">说明</span>
  <span class="error">错误</span></p>
"""


def test_every_colour_the_workspace_gives_a_state_reaches_aa(page, people):
    """Whatever today's data: each deadline, severity and state colour on its background."""
    _with_password(people.executive)
    log_in(page, people.executive.username)
    page.goto("/inbox/")
    page.evaluate(
        "html => document.querySelector('main').insertAdjacentHTML('afterbegin', html)", SAMPLES
    )
    assert not accessibility_violations(page)


def _luminance(rgb: str) -> float:
    r, g, b = (int(v) / 255 for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_header_focus_ring_stands_out_from_the_header(page, people):
    _with_password(people.handler_east)
    log_in(page, people.handler_east.username)
    page.goto("/inbox/")
    page.keyboard.press("Tab")  # the first link of the header, reached by keyboard
    ring, header = page.evaluate(
        """() => [getComputedStyle(document.activeElement).outlineColor,
                  getComputedStyle(document.querySelector('header.bar')).backgroundColor]"""
    )
    assert page.evaluate("document.activeElement.closest('header.bar') !== null")
    assert contrast(ring, header) >= 4.5, (ring, header)
