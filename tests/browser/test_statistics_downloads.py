"""Issue #16's acceptance in a browser: a department head opens the statistics, drills from a
figure to the list of the complaints behind it, comes back, and downloads the workbook and
the PDF report of what the page shows; the files hold the figure and the report's title."""

import io
import subprocess

import openpyxl
import pytest

from tests.browser.conftest import log_in
from tests.browser.test_workspace_login import _with_password
from tests.reports_history import november

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_head_drills_down_goes_back_and_downloads_the_xlsx_and_the_pdf(page, people, tmp_path):
    november(people)
    head = people.head_quality
    _with_password(head)
    log_in(page, head.username)
    page.wait_for_url("**/")
    page.goto("/statistics/?period=2026-11")
    total = page.locator('[data-role="total"] a')
    figure = int(total.inner_text())
    assert figure > 0

    # the figure opens the list of exactly that many complaints
    total.click()
    page.wait_for_url("**/inbox/**")
    assert page.locator("tr[data-number]").count() == figure
    page.go_back()
    page.wait_for_url("**/statistics/?period=2026-11")
    downloads = page.locator('[data-role="downloads"]')

    # the workbook of the period over the head's department holds the same figure
    with page.expect_download() as download:
        downloads.get_by_role("link", name="下载统计工作簿（xlsx）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    summary = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    assert next(row for row in summary if row and row[0] == "全部类型")[1] == figure

    # the PDF report of the same period, its title in Chinese
    with page.expect_download() as download:
        downloads.get_by_role("link", name="下载分析报告（PDF）").click()
    assert download.value.suggested_filename.endswith(".pdf")
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "月度客户投诉分析报告" in text
    assert "范围：质量部" in "".join(text.split())

    # and the month's report page, where the head reads the state
    downloads.get_by_role("link", name="月度报告与评述").click()
    page.wait_for_url("**/statistics/report/2026-11/")
    assert "草稿：尚未发布。" in page.locator('[data-role="state"]').inner_text()
