"""The statistics section in a real browser (issue #16, "where people see it"): a department
head opens it from the navigation, changes the period and the breakdown, and clicks a figure
to land on the list of exactly that many complaints."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kesu.accounts.models import Department
from kesu.complaints import actions
from kesu.complaints.choices import Channel, Kind, Severity
from kesu.complaints.models import Category
from tests.browser.conftest import accessibility_violations, log_in, screenshot
from tests.browser.test_workspace_login import _with_password

pytestmark = pytest.mark.django_db(transaction=True)

SHANGHAI = ZoneInfo("Asia/Shanghai")

# (month, day, category, severity, channel, kind, department): the quality department's year
# and some of other departments', which its head never counts.
HISTORY = [
    *[((2026, 11, d), "product_quality", 2, "phone", "complaint", "quality") for d in (2, 3, 5)],
    *[((2026, 11, d), "product_quality", 3, "email", "complaint", "quality") for d in (6, 9)],
    ((2026, 11, 10), "product_quality", 1, "phone", "complaint", "quality"),
    *[((2026, 11, d), "technical_design", 3, "wechat", "complaint", "quality") for d in (11, 12)],
    ((2026, 11, 13), "construction_crack", 2, "on_site", "complaint", "quality"),
    ((2026, 11, 16), "transport_packaging", 3, "phone", "suggestion", "quality"),
    ((2026, 11, 30), "product_quality", 3, "web", "complaint", "quality"),
    *[((2026, 10, d), "product_quality", 3, "phone", "complaint", "quality") for d in (8, 9)],
    ((2026, 9, 3), "technical_design", 3, "email", "complaint", "quality"),
    ((2026, 7, 21), "product_quality", 2, "phone", "complaint", "quality"),
    *[((2026, 5, d), "product_quality", 3, "phone", "inquiry", "quality") for d in (4, 5, 6)],
    ((2026, 2, 14), "construction_leak", 2, "phone", "complaint", "quality"),
    ((2025, 12, 24), "product_quality", 3, "letter", "complaint", "quality"),
    *[((2025, 11, d), "product_quality", 3, "phone", "complaint", "quality") for d in (4, 18)],
    *[((2026, 11, d), "service_quality", 3, "phone", "complaint", "sales_east") for d in (2, 4)],
    ((2026, 11, 7), "product_quality", 2, "phone", "complaint", "logistics"),
]


def _history(people) -> None:
    for (y, m, d), code, severity, channel, kind, department in HISTORY:
        actions.register(
            actions.NewComplaint(
                channel=Channel(channel),
                kind=Kind(kind),
                title="阀门渗漏",
                description="客户反映阀门渗漏",
                category=Category.objects.get(code=code),
                department=Department.objects.get(code=department),
                complainant_name="王伟",
            ),
            actor=people.intake,
            registered_at=datetime(y, m, d, 10, 30, tzinfo=SHANGHAI),
            severity=Severity(severity),
            severity_reason="统计演示",
        )


def test_a_head_reads_the_statistics_and_drills_into_the_list(page, people):
    _history(people)
    head = people.head_quality
    _with_password(head)
    log_in(page, head.username)
    page.wait_for_url("**/inbox/")
    page.locator("header.bar").get_by_role("link", name="统计").click()
    page.wait_for_url("**/statistics/")
    assert page.get_by_role("heading", name="统计", exact=True).is_visible()

    # the period: November 2026, typed as the paper form names it
    page.get_by_label("期间", exact=True).fill("2026-11")
    page.get_by_role("button", name="显示").first.click()
    page.wait_for_url("**/statistics/?period=2026-11*")
    table = page.locator('[data-role="classified"]')
    assert (
        table.locator('[data-role="total"]').inner_text() == "11"
    )  # the other departments' 3: not
    assert "产品质量" in table.inner_text() and "服务质量" not in table.inner_text()
    assert page.locator("svg.chart").count() == 4  # the table's, the two Paretos', the trend's
    assert page.locator('svg[role="img"] > title').first.text_content().startswith("2026-11")
    assert accessibility_violations(page) == []
    screenshot(page, "statistics")

    # the breakdown: by channel
    page.get_by_label("分组").select_option("channel")
    page.get_by_role("button", name="显示").first.click()
    page.wait_for_url("**/statistics/?period=2026-11&by=channel*")
    rows = page.locator('[data-role="classified"] tbody tr')
    assert rows.first.locator("th").inner_text() == "电话热线"
    phone = rows.first.locator("td.now a")
    assert phone.inner_text() == "5"

    # a figure opens the list of exactly its complaints
    phone.click()
    page.wait_for_url("**/inbox/?*channel=phone*")
    assert page.locator("#rows tr[data-number]").count() == 5
    assert "5 条投诉" in page.locator('[data-role="drilled"]').inner_text()
    page.wait_for_load_state("networkidle")  # the tabs' counts arrive by htmx
    assert accessibility_violations(page) == []

    # back, then a cell of the year-before column and a point of the trend
    page.go_back()
    year_before = page.locator('[data-role="classified"] tfoot td').nth(4).locator("a")
    assert year_before.inner_text() == "2"
    year_before.click()
    page.wait_for_url("**/inbox/?*period=2025-11*")
    assert page.locator("#rows tr[data-number]").count() == 2
    page.go_back()
    may = page.locator('[data-role="trend"] tr', has_text="2026-05").locator("a")
    assert may.inner_text() == "3"
    may.click()
    page.wait_for_url("**/inbox/?*period=2026-05*")
    assert page.locator("#rows tr[data-number]").count() == 3


def test_a_bad_period_is_a_message_in_the_page(page, people):
    _with_password(people.executive)
    log_in(page, people.executive.username)
    page.goto("/statistics/?period=2026-13")
    assert "“2026-13”不是有效的期间" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("期间", exact=True).input_value() == "2026-13"
