"""考核 in a real browser (issue #16): a department head opens the scorecards from the
navigation, picks October 2026, clicks a deduction on a handler's card and sees exactly the
complaints behind it; one of them opens its complaint page."""

import pytest

from tests.browser.conftest import accessibility_violations, log_in, screenshot
from tests.browser.test_workspace_login import _with_password
from tests.test_appraisal_scorecards import october

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_head_opens_the_scorecards_and_a_deduction_s_incidents(page, people):
    made = october(people)
    head = people.head_sales
    _with_password(head)
    log_in(page, head.username)
    page.wait_for_url("**/inbox/")
    page.locator("header.bar").get_by_role("link", name="考核").click()
    page.wait_for_url("**/statistics/scorecards/")

    page.get_by_label("期间", exact=True).fill("2026-10")
    page.get_by_role("button", name="显示").click()
    page.wait_for_url("**/statistics/scorecards/?period=2026-10*")
    ranking = page.locator('[data-role="ranking"]')
    assert "赵经理" in ranking.inner_text() and "张经理" in ranking.inner_text()
    assert "孙工" not in page.content()  # not the sales head's
    east = page.locator(f"#card-{people.handler_east.pk}")
    assert "得分 88.3，第 2 名" in east.inner_text()
    assert accessibility_violations(page) == []
    screenshot(page, "scorecards")

    # the reopened line's deduction: exactly the complaint reopened
    east.locator("tr", has_text="重开率").locator('[data-role="deduction"]').click()
    page.wait_for_url("**/incidents/?*measure=reopen*")
    rows = page.locator('[data-role="incidents"] tbody tr[data-number]')
    assert rows.count() == 1
    assert made["repeat"].number in rows.first.inner_text()
    assert "重新打开" in rows.first.inner_text()
    assert accessibility_violations(page) == []
    rows.first.get_by_role("link").click()
    page.wait_for_url(f"**/complaints/{made['repeat'].number}")
