"""The monthly report in the workspace: the statistics page's download buttons (the API's
files of the shown period over the reader's scope) and the report's page, where QA writes
and issues the commentary and everyone who reads the statistics sees its state."""

import io
import re
import zipfile
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.test import Client

from kesu.notifications.choices import TemplateCode
from kesu.notifications.models import Notification
from kesu.reports.choices import ReportState
from kesu.reports.models import MonthlyReport
from kesu.statistics.counts import classified
from kesu.statistics.periods import Period
from kesu.workspace.reports_views import monthly_report
from tests.reports_history import november
from tests.test_reports_documents import flat

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOVEMBER = Period.month(2026, 11)
PAGE = "/statistics/report/2026-11/"
AFTER_NOVEMBER = datetime(2026, 12, 2, 10, tzinfo=SHANGHAI)
DOWNLOADS = re.compile(r'<p class="downloads" data-role="downloads">(.*?)</p>', re.S)


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def download_links(html: str) -> dict[str, str]:
    block = DOWNLOADS.search(html)
    assert block, "no downloads on the page"
    return {
        unescape(label): unescape(href)
        for href, label in re.findall(r'<a class="action" href="([^"]+)">([^<]+)</a>', block[1])
    }


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def history(people):
    return november(people)


def test_the_statistics_page_offers_the_period_s_files_and_its_report(history, people):
    html = client(people.head_quality).get("/statistics/", {"period": "2026-11"}).content.decode()
    links = download_links(html)
    assert set(links) == {
        "下载统计工作簿（xlsx）",
        "下载统计表（CSV 压缩包）",
        "下载分析报告（PDF）",
        "月度报告与评述",
    }
    assert links["月度报告与评述"] == PAGE
    assert all("period=2026-11" in url for label, url in links.items() if "下载" in label)
    ranged = client(people.qa).get("/statistics/", {"from": "2026-11-03", "to": "2026-11-20"})
    links = download_links(ranged.content.decode())
    assert "月度报告与评述" not in links  # a range of days has files, no monthly report
    assert all("period=2026-11-03..2026-11-20" in url for url in links.values())


def test_a_head_s_files_hold_their_department_s_figures(history, people):
    head = client(people.head_quality)
    links = download_links(head.get("/statistics/", {"period": "2026-11"}).content.decode())
    mine = classified(NOVEMBER, scope=_scope(people.head_quality)).total.count
    assert 0 < mine < classified(NOVEMBER).total.count
    xlsx = head.get(links["下载统计工作簿（xlsx）"])
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    book = openpyxl.load_workbook(io.BytesIO(body(xlsx)))
    summary = book[book.sheetnames[0]]
    totals = [row for row in summary.iter_rows(values_only=True) if row and row[0] == "全部类型"]
    assert totals[0][1] == mine
    assert "指标" in book.sheetnames
    archive = head.get(links["下载统计表（CSV 压缩包）"])
    assert len(zipfile.ZipFile(io.BytesIO(body(archive))).namelist()) == 11
    pdf = head.get(links["下载分析报告（PDF）"])
    assert pdf["Content-Type"] == "application/pdf" and body(pdf).startswith(b"%PDF")


def _scope(user):
    from kesu.reports.monthly.files import reader_scope

    return reader_scope(user)


def test_the_downloads_refuse_who_may_not_read_and_what_they_cannot_read(history, people):
    assert client(people.handler_east).get("/statistics/download/xlsx/").status_code == 403
    assert client(people.qa).get("/statistics/download/docx/").status_code == 404
    bad = client(people.qa).get("/statistics/download/pdf/", {"period": "2026-13"})
    assert bad.status_code == 400 and "2026-13" in bad.content.decode()
    assert Client().get("/statistics/download/pdf/").status_code == 302  # to the login


def test_everyone_who_reads_statistics_sees_the_report_others_are_refused(history, people):
    for user in (people.head_quality, people.head_sales, people.executive, people.qa):
        answer = client(user).get(PAGE)
        assert answer.status_code == 200
        assert "草稿：尚未发布。" in answer.content.decode()
    assert client(people.handler_east).get(PAGE).status_code == 403
    assert client(people.intake).get(PAGE).status_code == 403
    head_page = client(people.head_quality).get(PAGE).content.decode()
    assert 'data-role="commentary-form"' not in head_page  # a head reads, QA writes
    assert client(people.head_quality).post(PAGE, {"commentary": "x"}).status_code == 403
    assert client(people.qa).get("/statistics/report/2026-Q4/").status_code == 404
    assert client(people.qa).get("/statistics/report/2026-13/").status_code == 404
    assert not MonthlyReport.objects.exists()  # looking writes nothing


def test_qa_saves_a_stale_version_is_refused_then_issued_it_is_read_only(history, people):
    qa = client(people.qa)
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        page = qa.get(PAGE).content.decode()
        assert 'data-role="commentary-form"' in page and 'name="version" value="0"' in page
        saved = qa.post(PAGE, {"do": "save", "commentary": "渗漏类投诉上升。", "version": "0"})
        assert saved.status_code == 302 and saved["Location"] == PAGE
        report = MonthlyReport.objects.get(period="2026-11")
        assert (report.commentary, report.version) == ("渗漏类投诉上升。", 1)
        assert "评述已保存。" in qa.get(PAGE).content.decode()
        stale = qa.post(PAGE, {"do": "save", "commentary": "另一版本", "version": "0"})
        assert stale.status_code == 409
        text = stale.content.decode()
        assert "该报告已被他人修改，请刷新后重试。" in text
        assert "另一版本" in text  # what they typed is kept for them
        assert MonthlyReport.objects.get(period="2026-11").commentary == "渗漏类投诉上升。"
        issued = qa.post(PAGE, {"do": "issue"})
        assert issued.status_code == 302
    report = MonthlyReport.objects.get(period="2026-11")
    assert report.state == ReportState.ISSUED and report.issued_by == people.qa
    message = Notification.objects.filter(template=TemplateCode.MONTHLY_REPORT).first()
    assert message is not None and PAGE in message.body  # the link leads to the page
    page = client(people.head_sales).get(PAGE).content.decode()
    assert "已于2026-12-02 10:00由吴质检发布" in page
    assert "渗漏类投诉上升。" in page
    qa_page = qa.get(PAGE).content.decode()
    assert 'data-role="commentary-form"' not in qa_page  # final
    late = qa.post(PAGE, {"do": "save", "commentary": "改", "version": str(report.version)})
    assert late.status_code == 409 and 'data-role="error"' in late.content.decode()


def test_a_month_not_yet_ended_is_not_issued(history, people):
    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=SHANGHAI), tick=False):
        page = client(people.qa).get(PAGE).content.decode()
        assert 'data-role="issue-form"' not in page
        refused = client(people.qa).post(PAGE, {"do": "issue"})
        assert refused.status_code == 409
        assert "月度报告须在该月结束后发布。" in refused.content.decode()
    assert not MonthlyReport.objects.filter(state=ReportState.ISSUED).exists()


def test_the_pdf_link_of_the_report_page_holds_its_commentary(history, people, tmp_path):
    from kesu.reports import actions

    actions.write_commentary(NOVEMBER, "质量部评述正文", by=people.qa)
    page = client(people.executive).get(PAGE).content.decode()
    pdf_url = download_links(page)["下载分析报告（PDF）"]
    pdf = client(people.executive).get(pdf_url)
    path = tmp_path / "r.pdf"
    path.write_bytes(body(pdf))
    from tests.test_reports_documents import text_of

    assert "质量部评述正文" in flat(text_of(path))
    assert monthly_report.__doc__
