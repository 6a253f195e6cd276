"""The monthly quality report as PDF (《月度客户投诉分析报告》, issue #16): read back with
poppler's pdftotext and pdffonts, its figures are the statistics' own for a history driven
through the real verbs; the API and the CLI deliver it; the workbook's indicator sheet holds
the indicators' tables."""

import io
import subprocess
import time
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation

from kesu.reports import actions
from kesu.reports.monthly import document, figures
from kesu.reports.tables import Labels
from kesu.statistics.counts import Dimension, classified
from kesu.statistics.indicators import indicators
from kesu.statistics.periods import Period, parse
from kesu.statistics.trends import pareto
from tests.statistics_history import drive
from tests.test_reports_documents import SCREENSHOTS, flat, pages_of, render_page, text_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOVEMBER = Period.month(2026, 11)
BASE = {
    "kind": "complaint",
    "category": 0,
    "severity": 3,
    "phone": 0,
    "model": 0,
    "sensitive": False,
    "owner": 0,
    "reach": 40,
    "spot": 5,
    "ends": "",
    "unsatisfied_first": False,
    "skip_visit": 3,
    "scale": 3,
    "answers": [0, 1, 2],
    "reopen": 3,
    "appeal_kind": "policy_or_staff",
    "cause": "customer",
    "returned": False,
    "handler_could": False,
    "delays": [1] * 40,
}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def scripts() -> list[dict]:
    """November 2026: closed cases on both scales, a reopened one, slow ones whose time
    limits breach, an open one, a repeat of the same customer's product, and one of another
    cause; October and November 2025 for the comparisons."""
    return [
        {**BASE, "at": local(2026, 11, 2, 9)},
        {**BASE, "at": local(2026, 11, 3, 10), "scale": 5, "answers": [1, 2, 0], "owner": 1},
        {**BASE, "at": local(2026, 11, 4, 11), "reopen": 0, "category": 1, "owner": 2},
        {**BASE, "at": local(2026, 11, 5, 9), "delays": [80] * 40, "category": 2},
        {**BASE, "at": local(2026, 11, 6, 9), "delays": [50] * 40, "owner": 1, "phone": 1},
        {**BASE, "at": local(2026, 11, 9, 14), "reach": 3, "cause": "third_party"},
        {**BASE, "at": local(2026, 11, 20, 9), "phone": 0, "model": 0, "category": 3},
        {**BASE, "at": local(2026, 11, 30, 23, 30), "reach": 0, "severity": 1, "phone": 2},
        {**BASE, "at": local(2026, 10, 12, 9), "phone": 3},
        {**BASE, "at": local(2025, 11, 14, 9), "phone": 3, "reach": 0},
    ]


@pytest.fixture
def history(people):
    drive(people, scripts())


def pdf_text(content: bytes, tmp_path: Path, name: str = "report.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return text_of(path)


def test_the_report_states_the_statistics_figures_the_commentary_and_the_title(
    history, people, tmp_path
):
    actions.write_commentary(NOVEMBER, "本月渗漏投诉上升，需加强施工质量管控。", by=people.qa)
    with translation.override("zh-hans"):
        text = flat(pdf_text(document.monthly_pdf(NOVEMBER), tmp_path))
    company = indicators(NOVEMBER)[()]
    table = classified(NOVEMBER, by=(Dimension.CATEGORY, Dimension.SEVERITY))
    assert "月度客户投诉分析报告" in text
    assert "本月渗漏投诉上升，需加强施工质量管控。" in text
    assert "草稿" in text  # the state: a draft, not issued yet
    # the key figures are the indicators' own: registered, closed, the rates as n/d and %
    assert table.total.count == 8 and f"登记{table.total.count}" in text.replace("投诉", "")
    for ratio in (
        company.acceptance_on_time,
        company.resolution,
        company.satisfaction,
        company.return_visit,
        company.reopen,
        figures.time_limits_met(company),
    ):
        assert f"{ratio.numerator}/{ratio.denominator}" in text
        assert ratio.pct is not None and f"{ratio.pct:.1f}%" in text
    for counted in (company.repeat, figures.breaches(company), figures.escalations(company)):
        assert f"{counted.numerator}{counted.numerator}/{counted.denominator}" in text
    assert company.resolution.denominator > 0 and company.satisfaction.denominator > 0
    assert figures.breaches(company).numerator > 0  # the slow cases ran late
    assert company.repeat.numerator > 0
    assert f"{company.handling_avg_hours:.2f}" in text
    assert f"{company.handling_p90_hours:.2f}" in text
    # month-on-month and year-on-year
    assert f"{table.total.previous}" in text and "2026-10" in text and "2025-11" in text
    # the classified table's rows: category, its count per severity and in all
    labels = Labels()
    by_category = classified(NOVEMBER, by=(Dimension.CATEGORY,))
    for row in by_category.rows:
        assert labels.of(Dimension.CATEGORY, row.key[0]) in text
    # the causes' Pareto and the signature lines
    causes = pareto(classified(NOVEMBER, by=(Dimension.CAUSE,)))
    assert causes and labels.of(Dimension.CAUSE, causes[0].key) in text
    for role in ("编制", "审核", "批准"):
        assert role in text


def test_the_lists_name_the_repeat_and_the_overdue_cases(history, people):
    gathered = figures.gather(NOVEMBER)
    repeat = gathered.repeats.items
    assert len(repeat) == gathered.company.repeat.numerator > 0
    # each with the same customer's earlier complaint on the same product, registered before
    assert all(case.earlier and case.earlier_at < case.registered_at for case in repeat)
    late = gathered.late.items
    assert late and all(case.clocks for case in late)
    assert gathered.late.total == len(late)


@pytest.mark.parametrize("period", ["2026-11", "2026-Q4", "2026-10"])
def test_the_categories_rolled_up_from_the_grid_are_classified_by_category(history, period):
    found = parse(period)
    crossed = classified(found, by=(Dimension.CATEGORY, Dimension.SEVERITY))
    assert figures.rolled_up(crossed) == classified(found, by=(Dimension.CATEGORY,))


def test_a_long_list_is_cut_and_says_how_many_more(history, people, monkeypatch, tmp_path):
    monkeypatch.setattr(figures, "LIST_CAP", 1)
    gathered = figures.gather(NOVEMBER)
    assert len(gathered.late.items) == 1 and gathered.late.more == gathered.late.total - 1
    assert gathered.late.more > 0
    with translation.override("zh-hans"):
        text = flat(pdf_text(document.render(gathered), tmp_path))
    assert f"另有{gathered.late.more}" in text


def test_a_head_s_report_counts_their_department_only(history, people, tmp_path):
    from kesu.reports.monthly.files import reader_scope

    scope = reader_scope(people.head_quality)
    mine = indicators(NOVEMBER, scope=scope)[()]
    gathered = figures.gather(NOVEMBER, scope)
    assert gathered.registered == classified(NOVEMBER, scope=scope).total.count
    assert gathered.registered < classified(NOVEMBER).total.count
    assert gathered.company.resolution == mine.resolution


def test_an_empty_month_is_a_report_of_zeros(people, tmp_path):
    with translation.override("zh-hans"):
        text = flat(pdf_text(document.monthly_pdf(NOVEMBER), tmp_path))
    assert "月度客户投诉分析报告" in text and "已登记0" in text and "无。" in text
    assert "0/0" in text  # a rate with nothing to divide by shows what it is made of


def test_the_report_speaks_the_reader_s_language(history, tmp_path):
    with translation.override("en"):
        text = pdf_text(document.monthly_pdf(NOVEMBER), tmp_path)
    assert "Monthly customer complaint analysis report" in text
    assert "Key figures" in text and "Prepared by" in text


def test_a_quarter_has_its_own_title(history, tmp_path):
    with translation.override("zh-hans"):
        text = flat(pdf_text(document.monthly_pdf(parse("2026-Q4")), tmp_path))
    assert "季度客户投诉分析报告" in text


def test_an_issued_report_says_who_issued_it_and_when(history, people, tmp_path):
    actions.write_commentary(NOVEMBER, "已审阅", by=people.qa)
    with time_machine.travel(local(2026, 12, 2, 10), tick=False):
        actions.issue(NOVEMBER, by=people.qa)
    with translation.override("zh-hans"):
        text = flat(pdf_text(document.monthly_pdf(NOVEMBER), tmp_path))
    assert "已发布" in text and "2026-12-0210:00" in text and "吴质检" in text


def test_the_chinese_font_is_embedded(history, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(document.monthly_pdf(NOVEMBER))
    run = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    fonts = run.stdout.splitlines()[2:]
    assert len(fonts) == 1
    name, *_middle, emb, sub, uni, _obj, _gen = fonts[0].split()
    assert "NotoSansCJK" in name and (emb, sub, uni) == ("yes", "yes", "yes")


def test_the_api_and_the_cli_deliver_the_pdf(history, people, tmp_path):
    answer = people.api(people.executive).get("/reports/monthly/2026-11", format="pdf")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in answer["Content-Disposition"]
    assert answer.content.startswith(b"%PDF")
    with translation.override("zh-hans"):
        assert "月度客户投诉分析报告" in flat(pdf_text(answer.content, tmp_path, "api.pdf"))
    refused = people.api(people.handler_east).get("/reports/monthly/2026-11", format="pdf")
    assert refused.status_code == 403
    one_table = people.api(people.qa).get("/reports/monthly/2026-11", format="pdf", table="kind")
    assert one_table.status_code == 422
    target = tmp_path / "cli.pdf"
    call_command("report", "monthly", "2026-11", "--format", "pdf", "-o", str(target))
    assert target.read_bytes().startswith(b"%PDF") and pages_of(target) >= 2


def test_the_workbook_s_indicator_sheet_holds_the_indicator_tables(history, people):
    answer = people.api(people.executive).get("/reports/monthly/2026-11", format="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content)))
    with translation.override("zh-hans"):
        sheet = book["指标"]
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    company = indicators(NOVEMBER)[()]
    resolution = next(r for r in values if r and r[0] == "解决率（结案且客户满意）")
    assert resolution[1:3] == [company.resolution.numerator, company.resolution.denominator]
    assert resolution[3] == pytest.approx(company.resolution.pct / 100)  # a percent cell
    departments = indicators(NOVEMBER, by=(Dimension.DEPARTMENT,))
    assert any(r and r[0] == "部门" for r in values)
    assert len([r for r in values if r and r[1] is not None]) >= len(departments)
    archive = people.api(people.executive).get("/reports/monthly/2026-11", format="csv")
    names = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
    # eight tables, the two indicator tables, then the raw list
    assert names[8:] == ["09_指标.csv", "10_各部门指标.csv", "11_投诉清单.csv"], names


def test_the_report_is_quick_at_the_size_of_the_test(history):
    started = time.perf_counter()
    document.monthly_pdf(NOVEMBER)
    assert time.perf_counter() - started < 5


def test_two_pages_render_for_the_readme(people, tmp_path):
    """The report's first two pages as the README shows them; the history and the report are
    made at fixed instants, so a rerun draws the same pictures."""
    with time_machine.travel(local(2026, 12, 1, 9, 0), tick=False):
        drive(people, scripts())
        actions.write_commentary(
            NOVEMBER, "本月投诉总体平稳，施工渗漏类投诉需重点关注。", by=people.qa
        )
    with time_machine.travel(local(2026, 12, 2, 10, 0), tick=False):
        actions.issue(NOVEMBER, by=people.qa)
        with translation.override("zh-hans"):
            pdf = tmp_path / "monthly.pdf"
            pdf.write_bytes(document.monthly_pdf(NOVEMBER, scope_label="全公司"))
    assert pages_of(pdf) >= 2
    for page in (1, 2):
        image = render_page(pdf, page, 80, SCREENSHOTS / f"monthly-report-{page}.png")
        gray = image.convert("L")
        assert sum(gray.histogram()[:128]) > gray.size[0] * gray.size[1] * 0.01
