"""Tables to files: an Excel workbook, written streaming, and CSV (one file, or a zip of one
per table).

The workbook is openpyxl's write-only mode: each row goes to the sheet's temporary file as it
comes (strings written inline, no shared-string table kept in memory), so memory does not
grow with the rows; `bench/reports.py` measures it at 100,000 rows. A sheet looks like the
forms people keep: a title row, the period's row, the header row styled and frozen under
them (and repeated on every printed page, A4 landscape fitted to the width), widths from the
columns' kinds and headers, number formats (percent, 0.0, money, local dates and times).

Spreadsheets run what looks like a formula. Every text that starts with what a spreadsheet
takes for one (`importing.FORMULA_STARTS`: = + - @, tab, carriage return) is written as text:
in a workbook, a string cell with its value unchanged (and Excel's quote prefix, so editing
keeps it text; a carriage return or another control character goes in OOXML's _xHHHH_
escape, as Excel writes them, so it reads back unchanged); in CSV, the house's convention, a
leading apostrophe (`importing.csv_escaped`, which `kesu import` takes off again). Numbers
are written as numbers, a negative one too.

CSV is UTF-8 with a byte-order mark, so Excel opens the Chinese text as it is.
"""

import contextlib
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from kesu.complaints import limits
from kesu.complaints.importing import FORMULA_STARTS, csv_escaped
from kesu.reports.tables import Column, ColumnKind, Table, is_number, plain


class ReportFileError(Exception):
    """A table that cannot be written as asked (a text longer than a cell holds)."""


# ------------------------------------------------------------------------------------------
# sheet names

SHEET_NAME_MAX = 31  # Excel's limit
_FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, taken: Iterable[str] = ()) -> str:
    """A name Excel accepts for a sheet titled `title`: none of []:*?/\\ (each becomes ＿),
    no apostrophe at either end, at most 31 characters, not blank, and not one of `taken`
    (compared as Excel does, ignoring case; a second one gets " (2)")."""
    name = _FORBIDDEN_IN_SHEET_NAME.sub("_", title).strip().strip("'").strip()
    name = name[:SHEET_NAME_MAX].strip() or _("Sheet")
    used = {t.casefold() for t in taken}
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        suffix = f" ({n})"
        candidate = name[: SHEET_NAME_MAX - len(suffix)] + suffix
    return candidate


# ------------------------------------------------------------------------------------------
# the workbook

NUMBER_FORMATS = {
    ColumnKind.INTEGER: "0",
    ColumnKind.PERCENT: "0.0%",
    ColumnKind.DECIMAL: "0.0",
    ColumnKind.MONEY: "#,##0.00",
    ColumnKind.DATE: "yyyy-mm-dd",
    ColumnKind.DATETIME: "yyyy-mm-dd hh:mm",
    ColumnKind.HOURS: "0.0",
}
WIDTHS = {  # characters; a Chinese character counts two
    ColumnKind.TEXT: 14,
    ColumnKind.INTEGER: 10,
    ColumnKind.PERCENT: 10,
    ColumnKind.DECIMAL: 10,
    ColumnKind.MONEY: 14,
    ColumnKind.DATE: 12,
    ColumnKind.DATETIME: 17,
    ColumnKind.HOURS: 10,
}
WIDEST = 60

_THIN = Side(style="thin", color="999999")
_TITLE_FONT = Font(bold=True, size=14)
_CAPTION_FONT = Font(italic=True, color="555555")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TOTAL_FONT = Font(bold=True)


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_width(column: Column) -> float:
    if column.width is not None:
        return column.width
    return min(WIDEST, max(WIDTHS[column.kind], display_width(column.header) + 2))


class Workbook:
    """A workbook written streaming: add sheets in order, then `save` once.

    book = Workbook()
    book.add(table)                       # a sheet of one table
    book.add_stacked(_("Indicators"), tables)  # several tables, one under another
    book.save(stream)
    """

    def __init__(self) -> None:
        self._book = openpyxl.Workbook(write_only=True)
        self._names: list[str] = []

    def add(self, table: Table) -> int:
        """A sheet named for the table, its header frozen; returns how many rows it wrote."""
        sheet = self._sheet(table.title, table.columns)
        header = self.header_row(table)
        sheet.freeze_panes = f"A{header + 1}"
        sheet.print_title_rows = f"{header}:{header}"  # the header on every printed page
        return self._write(sheet, table)

    def add_stacked(self, title: str, tables: Sequence[Table]) -> int:
        """One sheet holding `tables` one under another, a blank row between them (the
        indicator table and its kin); nothing at all when there is no table."""
        if not tables:
            return 0
        widest = max(tables, key=lambda t: len(t.columns))
        sheet = self._sheet(title, widest.columns)
        written = 0
        for index, table in enumerate(tables):
            if index:
                sheet.append([])
            written += self._write(sheet, table)
        return written

    def save(self, stream: IO[bytes] | str) -> None:
        self._book.save(stream)

    def __enter__(self) -> "Workbook":
        return self

    def __exit__(self, kind: type[BaseException] | None, *_details: object) -> None:
        if kind is not None:
            self.discard()

    def discard(self) -> None:
        """Give up a workbook half written (a refused text, a failed query): each sheet's
        temporary file is closed and removed, and nothing is saved."""
        for sheet in self._book.worksheets:
            writer = getattr(sheet, "_writer", None)  # the sheet's temporary file, if begun
            with contextlib.suppress(Exception):  # a generator stopped by an exception
                sheet.close()
            if writer is not None:
                with contextlib.suppress(OSError, ValueError):
                    writer.cleanup()

    # -- inside

    def _sheet(self, title: str, columns: Sequence[Column]) -> WriteOnlyWorksheet:
        name = sheet_name(title, self._names)
        self._names.append(name)
        sheet = self._book.create_sheet(name)
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column_width(column)
        # printed as the paper forms are: A4 landscape, the columns fitted to the page's width
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        return sheet

    @staticmethod
    def header_row(table: Table) -> int:
        """The row of the header: under the title row and the caption's, when there are."""
        return 1 + bool(table.title) + bool(table.caption)

    def _write(self, sheet: WriteOnlyWorksheet, table: Table) -> int:
        for text, font in ((table.title, _TITLE_FONT), (table.caption, _CAPTION_FONT)):
            if text:
                cell = WriteOnlyCell(sheet, value=_text(text))
                cell.data_type, cell.font = "s", font
                sheet.append([cell])
        sheet.append([self._header(sheet, column.header) for column in table.columns])
        count = 0
        for row in table.rows:
            sheet.append(self._cells(sheet, table.columns, row))
            count += 1
        for row in table.totals:
            cells = self._cells(sheet, table.columns, row, font=_TOTAL_FONT)
            sheet.append(cells)
        for note in table.notes:
            sheet.append([_cell(sheet, ColumnKind.TEXT, note)])
        return count

    @staticmethod
    def _header(sheet: WriteOnlyWorksheet, header: str) -> Cell:
        cell = WriteOnlyCell(sheet, value=_text(header))
        cell.data_type = "s"
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.border, cell.alignment = _HEADER_BORDER, _HEADER_ALIGNMENT
        return cell

    def _cells(
        self,
        sheet: WriteOnlyWorksheet,
        columns: Sequence[Column],
        row: Sequence[Any],
        font: Font | None = None,
    ) -> list[Any]:
        if len(row) != len(columns):
            raise ValueError(f"a row of {len(row)} values for {len(columns)} columns")
        cells = [
            _cell(sheet, column.kind, value) for column, value in zip(columns, row, strict=True)
        ]
        if font is not None:
            cells = [_styled(sheet, cell, font) for cell in cells]
        return cells


def _cell(sheet: WriteOnlyWorksheet, kind: ColumnKind, value: Any) -> Any:
    """What the sheet is given for one value: a plain value where openpyxl's default is
    right (a number, an ordinary text), a cell where it needs a format or must stay text."""
    value = plain(kind, value)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = _text(value)
        if value.startswith(FORMULA_STARTS) or kind != ColumnKind.TEXT:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, never a formula (openpyxl makes "=…" one)
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
            return cell
        return value
    if kind == ColumnKind.PERCENT and is_number(value):
        value = value / 100
    if kind == ColumnKind.TEXT or kind not in NUMBER_FORMATS:
        return value
    if isinstance(value, (date, datetime)) or is_number(value):
        cell = WriteOnlyCell(sheet)
        cell.value = value  # a date or a number; the stubs' WriteOnlyCell takes no date
        cell.number_format = NUMBER_FORMATS[kind]
        return cell
    return value


def _styled(sheet: WriteOnlyWorksheet, cell: Any, font: Font) -> Cell:
    if not isinstance(cell, Cell):
        value, cell = cell, WriteOnlyCell(sheet)
        cell.value = value
    cell.font = font
    return cell


# What XML cannot hold or would change: control characters (XML forbids most; a carriage
# return it turns into a line feed) are written as OOXML's _xHHHH_ escape, which Excel reads
# back as the character; a text that already holds such a sequence gets its underscore
# escaped (_x005F_), so it reads back as written (ECMA-376 Part 1, ST_Xstring).
_UNSAFE_IN_XML = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f]")


def _escaped(match: re.Match[str]) -> str:
    return f"_x{ord(match[0]):04X}_"


def _text(value: str) -> str:
    """A text as a workbook holds it, so that Excel reads back exactly `value` (tab and line
    feed are kept as they are). A text longer than a cell holds is refused: openpyxl would
    cut it without a word."""
    if len(value) > limits.XLSX_CELL:
        raise ReportFileError(
            _(
                "A text of %(length)d characters is longer than an Excel cell holds "
                "(%(limit)d); export CSV instead, which has no such limit."
            )
            % {"length": len(value), "limit": limits.XLSX_CELL}
        )
    return _UNSAFE_IN_XML.sub(_escaped, value)


def write_xlsx(tables: Iterable[Table], stream: IO[bytes] | str) -> None:
    """A workbook of one sheet per table."""
    with Workbook() as book:
        for table in tables:
            book.add(table)
        book.save(stream)


# ------------------------------------------------------------------------------------------
# CSV


def csv_value(kind: ColumnKind, value: Any) -> str:
    """One CSV cell: a number as digits (a percent as its percentage points, one decimal),
    an instant in local time, a text escaped against formulas."""
    value = plain(kind, value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}" if value.second else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return csv_escaped(str(value))
    if isinstance(value, float):
        return f"{value:.1f}" if kind == ColumnKind.PERCENT else repr(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    return csv_escaped(str(value))


def write_csv(table: Table, stream: IO[bytes]) -> int:
    """The table's header, rows and totals as CSV into a binary stream, UTF-8 with a BOM;
    returns how many rows (the totals not counted)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow([csv_escaped(column.header) for column in table.columns])
        kinds = [column.kind for column in table.columns]
        count = 0
        for row in table.rows:
            writer.writerow(_csv_row(kinds, row))
            count += 1
        for row in table.totals:
            writer.writerow(_csv_row(kinds, row))
        text.flush()
    finally:
        text.detach()  # the stream stays open: it is the caller's
    return count


def _csv_row(kinds: list[ColumnKind], row: Sequence[Any]) -> list[str]:
    if len(row) != len(kinds):
        raise ValueError(f"a row of {len(row)} values for {len(kinds)} columns")
    return [csv_value(kind, value) for kind, value in zip(kinds, row, strict=True)]


def csv_file_name(index: int, table: Table) -> str:
    """A table's file in the zip: its order, then its title made a file name."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", table.title).strip("_") or table.code
    return f"{index:02d}_{name}.csv"


def write_csv_zip(tables: Iterable[Table], stream: IO[bytes]) -> list[str]:
    """A zip with one CSV file per table, each written streaming; returns the file names."""
    names: list[str] = []
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, table in enumerate(tables, start=1):
            name = csv_file_name(index, table)
            with archive.open(name, "w", force_zip64=True) as member:
                write_csv(table, member)
            names.append(name)
    return names


# ------------------------------------------------------------------------------------------
# text, for a terminal


def text_value(kind: ColumnKind, value: Any) -> str:
    """A cell as a terminal shows it: a percent with its sign, an empty cell as —."""
    value = plain(kind, value)
    if value is None or value == "":
        return "—" if kind == ColumnKind.PERCENT else ""
    if kind == ColumnKind.PERCENT and is_number(value):
        return f"{value:+.1f}%"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def text_lines(table: Table) -> Iterator[str]:
    """The table aligned in columns (a wide character takes two), numbers to the right: the
    title, the caption, the header, a rule, the rows, a rule and the totals. For the
    statistics' tables, which are small: the rows are held to measure the columns."""
    kinds = [column.kind for column in table.columns]
    header = [column.header for column in table.columns]
    body = [[text_value(k, v) for k, v in zip(kinds, row, strict=True)] for row in table.rows]
    totals = [[text_value(k, v) for k, v in zip(kinds, row, strict=True)] for row in table.totals]
    every = (header, *body, *totals)
    widths = [max(display_width(cells[i]) for cells in every) for i in range(len(kinds))]

    def line(cells: list[str]) -> str:
        parts = []
        for cell, width, kind in zip(cells, widths, kinds, strict=True):
            pad = " " * (width - display_width(cell))
            parts.append(cell + pad if kind == ColumnKind.TEXT else pad + cell)
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    for text in (table.title, table.caption):
        if text:
            yield text
    yield line(header)
    yield rule
    yield from (line(cells) for cells in body)
    if totals:
        yield rule
        yield from (line(cells) for cells in totals)
