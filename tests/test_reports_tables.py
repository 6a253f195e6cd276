"""The report files: the monthly workbook's sheets hold exactly `classified()`'s figures, with
frozen headers, number formats and valid Chinese sheet names; every text a spreadsheet would
run as a formula is written as text in xlsx and CSV while numbers stay numbers; CSV is UTF-8
with a BOM and reads back; the writer takes rows one at a time."""

import csv
import io
import tracemalloc
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation
from openpyxl.utils.escape import unescape

from kesu.complaints.choices import Severity
from kesu.complaints.importing import FORMULA_STARTS, csv_unescaped
from kesu.complaints.models import Category
from kesu.reports import workbooks
from kesu.reports.tables import Column, ColumnKind, Table
from kesu.reports.writers import (
    SHEET_NAME_MAX,
    ReportFileError,
    Workbook,
    sheet_name,
    write_csv,
    write_xlsx,
)
from kesu.statistics.counts import Dimension, classified
from kesu.statistics.periods import parse
from tests.reports_history import local, november

NOVEMBER = parse("2026-11")


def _monthly(period=NOVEMBER, **options) -> openpyxl.Workbook:
    stream = io.BytesIO()
    workbooks.write_monthly_xlsx(period, stream, **options)
    stream.seek(0)
    return openpyxl.load_workbook(stream, read_only=True)


def _rows(sheet) -> list[list]:
    """Every row as wide as the widest (read-only mode leaves trailing empty cells out)."""
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    width = max((len(row) for row in rows), default=0)
    return [row + [None] * (width - len(row)) for row in rows]


def _sheet(book, code: str):
    return book[sheet_name(workbooks.table_title(code))]


def _body(sheet, header_row: int = 3) -> tuple[list, list[list]]:
    """The header and the rows under it, trailing empty cells dropped."""
    rows = _rows(sheet)
    return rows[header_row - 1], rows[header_row:]


def test_the_workbook_has_its_sheets_in_order_with_chinese_names(people):
    november(people)
    with translation.override("zh-hans"):
        book = _monthly()
        assert book.sheetnames == [
            "汇总",
            "按分类",
            "按子分类",
            "按等级",
            "按类型",
            "按渠道",
            "按部门",
            "顾客投诉分类统计表",
            "投诉清单",
        ]
        summary = _rows(book["汇总"])
    assert summary[0][0] == "汇总"
    assert "2026-11" in summary[1][0] and "2026-10" in summary[1][0]  # the period's row
    assert summary[2][:4] == ["登记投诉", "本期", "上期", "环比增减"]


def test_every_figure_equals_classified(people):
    november(people)
    book = _monthly()
    for code, dims in workbooks.BREAKDOWNS.items():
        result = classified(NOVEMBER, by=dims)
        _header, rows = _body(_sheet(book, code))
        *lines, total = rows
        assert len(lines) == len(result.rows), code
        for line, row in zip(lines, result.rows, strict=True):
            assert line[1:8] == [
                row.count,
                row.previous,
                row.change,
                row.change_pct / 100 if row.change_pct is not None else None,
                row.year_before,
                row.year_change,
                row.year_change_pct / 100 if row.year_change_pct is not None else None,
            ], code
        assert total[1:3] == [result.total.count, result.total.previous], code
    # November: leak, valve, east, late (23:30 on the 30th); not the one at December's
    # first midnight. The raw list holds exactly the complaints counted.
    assert classified(NOVEMBER, by=()).total.count == 4
    _header, listed = _body(_sheet(book, workbooks.COMPLAINTS))
    assert len(listed) == 4


def test_the_classified_form_is_category_by_severity_with_the_row_totals(people):
    november(people)
    book = _monthly()
    header, rows = _body(_sheet(book, workbooks.CLASSIFIED))
    assert header[1:4] == [str(s.label) for s in Severity]
    crossed = classified(NOVEMBER, by=(Dimension.CATEGORY, Dimension.SEVERITY))
    cells = {(r.key[0], r.key[1]): r.count for r in crossed.rows}
    by_category = {r.key[0]: r for r in classified(NOVEMBER, by=(Dimension.CATEGORY,)).rows}
    names = {c.name: c.pk for c in Category.objects.filter(parent=None)}
    *lines, total = rows
    assert len(lines) == len(by_category)
    for line in lines:
        pk = names[line[0]]
        assert line[1:4] == [cells.get((pk, s), 0) for s in Severity]
        assert line[4:6] == [by_category[pk].count, by_category[pk].previous]
    assert total[4] == crossed.total.count == sum(total[1:4])


def test_headers_are_frozen_styled_and_numbers_formatted(people, tmp_path):
    made = november(people)
    path = tmp_path / "monthly.xlsx"
    workbooks.write_monthly_xlsx(NOVEMBER, path)
    book = openpyxl.load_workbook(path)  # not read-only: panes and styles
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A4", sheet.title
        assert len(sheet.title) <= SHEET_NAME_MAX and not set(sheet.title) & set("[]:*?/\\")
        header = sheet[3]
        assert all(cell.font.bold for cell in header if cell.value), sheet.title
        assert sheet.column_dimensions["A"].width >= 10
        assert sheet.print_title_rows == "$3:$3"  # the header on every printed page
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    summary = _sheet(book, workbooks.SUMMARY)
    assert summary["B4"].number_format == "0"
    assert summary["E4"].number_format == "0.0%"
    assert summary["A1"].font.bold and summary["A1"].font.size == 14
    raw = _sheet(book, workbooks.COMPLAINTS)
    numbers = [row[0].value for row in raw.iter_rows(min_row=4)]
    assert numbers == [made[k].number for k in ("leak", "valve", "east", "late")]
    leak = next(row for row in raw.iter_rows(min_row=4) if row[0].value == made["leak"].number)
    # local time (Asia/Shanghai), a real date cell
    assert leak[1].value == datetime(2026, 11, 3, 9, 0)
    assert leak[1].number_format == "yyyy-mm-dd hh:mm"
    assert leak[11].value == Decimal("1234.5") and leak[11].number_format == "#,##0.00"
    late = next(row for row in raw.iter_rows(min_row=4) if row[0].value == made["late"].number)
    assert late[1].value == datetime(2026, 11, 30, 23, 30)
    assert late[2].value == str(translation.gettext("Anonymous"))


def test_a_department_heads_workbook_counts_their_department_only(people):
    from kesu.complaints.queries import visible_complaints

    made = november(people)
    scope = visible_complaints(people.head_quality)
    book = _monthly(scope=scope)
    _header, rows = _body(_sheet(book, workbooks.COMPLAINTS))
    assert [r[0] for r in rows] == [made["valve"].number, made["late"].number]
    *_lines, total = _body(_sheet(book, "department"))[1]
    assert total[1:3] == [2, 1]  # two in November, one in October; the others not


def test_the_indicator_sheet_takes_any_tables_and_is_absent_without_them(people):
    november(people)
    indicators = Table(
        "on_time",
        "及时率",
        [Column("部门", width=20), Column("及时率", ColumnKind.PERCENT)],
        [["质量部", 87.5], ["工程部", None]],
    )
    with translation.override("zh-hans"):
        names = _monthly().sheetnames
        book = _monthly(indicators=[indicators, indicators])
        assert book.sheetnames == [*names[:-1], "指标", names[-1]]
        rows = _rows(book["指标"])
    assert rows[0][0] == "及时率"
    assert rows[1][:2] == ["部门", "及时率"]
    assert rows[2][:2] == ["质量部", 0.875]
    assert rows[4] == [None, None]  # the blank row between the two tables
    assert rows[5][0] == "及时率"


TRICKY = [start + "SUM(A1:A2)" for start in FORMULA_STARTS] + ["'=quoted", "-", "a_x0041_\x07"]


def _tricky_table() -> Table:
    return Table(
        "tricky",
        "公式",
        [Column("文本"), Column("数量", ColumnKind.INTEGER), Column("比例", ColumnKind.PERCENT)],
        [[text, -3, -12.5] for text in TRICKY],
        totals=[["=合计", -9, None]],
        notes=["=说明"],
    )


def test_a_formula_like_text_is_a_string_cell_with_its_value_unchanged(tmp_path):
    path = tmp_path / "tricky.xlsx"
    write_xlsx([_tricky_table()], path)
    sheet = openpyxl.load_workbook(path)["公式"]
    *cells, total, note = list(sheet.iter_rows(min_row=3))
    # as Excel reads a text: OOXML's _xHHHH_ escapes undone (openpyxl leaves them)
    assert [unescape(row[0].value) for row in cells] == TRICKY
    assert (total[0].value, total[0].data_type, total[1].value) == ("=合计", "s", -9)
    assert (note[0].value, note[0].data_type) == ("=说明", "s")
    assert cells[0][0].quotePrefix
    assert all(row[0].data_type == "s" for row in cells)
    assert all(row[1].value == -3 and row[1].data_type == "n" for row in cells)
    assert all(row[2].value == -0.125 and row[2].data_type == "n" for row in cells)
    with zipfile.ZipFile(path) as archive:  # no formula element anywhere in the sheet
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_a_formula_like_text_is_escaped_in_csv_and_numbers_stay_numbers():
    stream = io.BytesIO()
    write_csv(_tricky_table(), stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue().decode("utf-8-sig"))))
    assert rows[0] == ["文本", "数量", "比例"]
    assert rows[-1] == ["'=合计", "-9", ""]
    for row, text in zip(rows[1:-1], TRICKY, strict=True):
        assert row[0].startswith("'") == text.startswith((*FORMULA_STARTS, "'"))
        assert csv_unescaped(row[0]) == text
        assert row[1:] == ["-3", "-12.5"]


def test_csv_is_utf8_with_a_bom_and_reads_back_in_chinese(people):
    made = november(people)
    stream = io.BytesIO()
    count = workbooks.write_one_csv(workbooks.COMPLAINTS, NOVEMBER, stream)
    data = stream.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert count == len(rows) - 1 == 4
    east = next(r for r in rows if r[0] == made["east"].number)
    assert csv_unescaped(east[2]) == "-张三"
    assert csv_unescaped(east[12]) == '=HYPERLINK("http://x")'
    assert east[1] == "2026-11-12 14:00"
    assert "/" in next(r for r in rows if r[0] == made["leak"].number)[3]  # category path
    assert next(r for r in rows if r[0] == made["leak"].number)[11] == "1234.50"


def test_the_csv_zip_holds_one_file_per_table(people):
    november(people)
    stream = io.BytesIO()
    names = workbooks.write_monthly_csv(NOVEMBER, stream)
    with zipfile.ZipFile(stream) as archive:
        assert archive.namelist() == names
        assert len(names) == len(workbooks.TABLE_CODES)
        last = archive.read(names[-1]).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(last)))) == 5  # header and November's four


@pytest.mark.parametrize(
    ("title", "taken", "name"),
    [
        ("顾客投诉分类统计表", [], "顾客投诉分类统计表"),
        ("A/B: [x]*?\\", [], "A_B_ _x____"),
        ("'引号'", [], "引号"),
        ("很" * 40, [], "很" * 31),
        ("汇总", ["汇总"], "汇总 (2)"),
        ("Sheet", ["sheet", "SHEET (2)"], "Sheet (3)"),
        ("很" * 40, ["很" * 31], "很" * 27 + " (2)"),
        ("[]", [], "__"),
        ("  ", [], "Sheet"),
    ],
)
def test_a_sheet_name_is_one_excel_accepts(title, taken, name):
    with translation.override("en"):
        assert sheet_name(title, taken) == name


def test_control_characters_read_back_and_an_overlong_text_is_refused(tmp_path):
    text = "a\x07b\tc\r\nd _x000D_"
    write_xlsx([Table("t", "", [Column("x")], [[text]])], tmp_path / "a.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    assert unescape(sheet["A2"].value) == text
    with pytest.raises(ReportFileError):
        write_xlsx([Table("t", "", [Column("x")], [["x" * 40_000]])], tmp_path / "b.xlsx")
    assert not (tmp_path / "b.xlsx").exists()


def test_every_kind_is_written_with_its_format(tmp_path):
    at = local(2026, 11, 30, 23, 30)
    columns = [Column(kind.value, kind) for kind in ColumnKind]
    values = {
        ColumnKind.TEXT: "文本",
        ColumnKind.INTEGER: 7,
        ColumnKind.PERCENT: 33.3,
        ColumnKind.DECIMAL: 2.25,
        ColumnKind.MONEY: Decimal("10.5"),
        ColumnKind.DATE: at.date(),
        ColumnKind.DATETIME: at,
        ColumnKind.HOURS: timedelta(hours=1, minutes=30),
    }
    write_xlsx([Table("k", "", columns, [[values[k] for k in ColumnKind]])], tmp_path / "k.xlsx")
    row = next(openpyxl.load_workbook(tmp_path / "k.xlsx").active.iter_rows(min_row=2))
    cells = zip(ColumnKind, row, strict=True)
    got = {kind: (cell.value, cell.number_format) for kind, cell in cells}
    assert got[ColumnKind.PERCENT] == (pytest.approx(0.333), "0.0%")
    assert got[ColumnKind.DECIMAL] == (2.25, "0.0")
    assert got[ColumnKind.DATETIME] == (datetime(2026, 11, 30, 23, 30), "yyyy-mm-dd hh:mm")
    assert got[ColumnKind.DATE][1] == "yyyy-mm-dd"
    assert got[ColumnKind.HOURS] == (1.5, "0.0")
    stream = io.BytesIO()
    write_csv(Table("k", "", columns, [[values[k] for k in ColumnKind]]), stream)
    line = stream.getvalue().decode("utf-8-sig").splitlines()[1]
    assert line == "文本,7,33.3,2.25,10.5,2026-11-30,2026-11-30 23:30,1.5"


def test_the_writer_takes_rows_one_at_a_time_in_flat_memory(tmp_path):
    """Rows made on demand (as the raw list's queryset iterator makes them) are written as
    they come: 8,000 rows cost no more memory than a hundred do."""
    columns = [Column("a"), Column("b"), Column("n", ColumnKind.INTEGER)]

    def rows(n):
        for i in range(n):
            yield [f"投诉{i:06d}", f"客户{i:06d}", i]

    def peak(n):
        tracemalloc.start()
        try:
            write_xlsx([Table("big", "", columns, rows(n))], tmp_path / f"{n}.xlsx")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(100), peak(8_000)
    # the rows held at once would take about 8,000 × 300 bytes = 2.4 MB
    assert large < small + 500_000, (small, large)
    sheet = openpyxl.load_workbook(tmp_path / "8000.xlsx", read_only=True).active
    assert sum(1 for _row in sheet.iter_rows()) == 8_001


def test_a_stacked_sheet_of_no_tables_is_no_sheet(tmp_path):
    book = Workbook()
    assert book.add_stacked("指标", []) == 0
    book.add(Table("t", "清单", [Column("x")], [["1"]]))
    book.save(tmp_path / "s.xlsx")
    assert openpyxl.load_workbook(tmp_path / "s.xlsx").sheetnames == ["清单"]


def test_the_complaint_list_is_read_lazily_in_one_query(people, django_assert_num_queries):
    november(people)
    labels = workbooks.Labels()
    rows = workbooks.complaints_table(NOVEMBER, None, labels).rows
    assert not isinstance(rows, (list, tuple))  # nothing read yet
    # the complaints in chunks, and the departments' names once (nobody owns one yet)
    with django_assert_num_queries(2):
        assert len(list(rows)) == 4


def test_labels_name_people_departments_and_category_paths(people):
    labels = workbooks.Labels()
    leak = Category.objects.get(code="construction_leak")
    assert labels.person(people.handler_east.pk) == "张经理"
    assert labels.department(people.handler_east.department_id) == "华东区域"
    assert labels.category(leak.pk, path=True) == f"{leak.parent.name} / {leak.name}"
    with translation.override("en"):
        assert labels.category(leak.pk) == "Leaks"


def test_the_handler_and_cause_dimensions_read_as_names(people):
    """The statistics add these two (issue #16); their rows read as people and causes."""
    labels = workbooks.Labels()
    assert labels.of("handler", people.handler_east.pk) == "张经理"
    assert labels.of("handler", None) == translation.gettext("Not accepted yet")
    assert labels.of("cause", "defect") == translation.gettext("Clear quality defect")
    assert labels.username(people.handler_east.pk) == "zhang_east"
