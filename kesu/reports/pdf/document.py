"""An A4 document in the look of the paper forms the seeds' companies file: the company's name
and the document's title at the top, key–value grids with cell borders, tables that wrap
Chinese text and repeat their header on every page, signature lines, and "第 x 页 共 y 页".

Built on fpdf2 (pure Python); the Chinese font comes from `fonts` (embedded, subset). Labels
are the caller's, already translated: the documents speak the active language.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from django.conf import settings
from django.utils.translation import gettext as _
from fpdf import FPDF, FontFace
from fpdf.enums import MethodReturnValue, TableCellFillMode, WrapMode, XPos, YPos
from fpdf.table import Table
from fpdf.util import Padding

from kesu.reports.pdf import fonts

# Sizes in mm and pt; colours as RGB. Grey for labels, as a printed form's shaded cells.
LABEL_FILL = (236, 238, 241)
RULE = (90, 90, 90)
BODY_PT = 9.5
SMALL_PT = 8
LINE_MM = 5.2
_PAD_Y, _PAD_X = 1.2, 1.6  # a cell's padding (mm)
Pair = tuple[str, str]  # (label, value) of a form's cell


def company_name() -> str:
    """The name printed at the top of every document (`KESU_COMPANY_NAME`)."""
    return getattr(settings, "KESU_COMPANY_NAME", "") or _("Customer service")


class Document(FPDF):
    """One document: `Document(title, reference=number)`, fill it, then `.bytes()`."""

    def __init__(self, title: str, *, reference: str = "", subtitle: str = "") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        fonts.install(self)
        self.doc_title = title
        self.reference = reference
        self.set_margins(16, 16, 16)
        self.set_auto_page_break(True, margin=16)
        self.set_title(title)
        self.set_creator("Kesu")
        self.set_lang("zh-CN")
        self.set_font(fonts.FAMILY, size=BODY_PT)
        self.set_draw_color(*RULE)
        self.set_line_width(0.25)
        self.add_page()
        self._title_block(subtitle)

    # ------------------------------------------------------------------ page furniture

    def header(self) -> None:
        self.set_font(fonts.FAMILY, size=SMALL_PT)
        self.set_text_color(90, 90, 90)
        self.set_y(8)
        self.cell(self.epw / 2, 5, company_name(), align="L")
        self.cell(self.epw / 2, 5, self.reference, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.line(self.l_margin, 13.5, self.w - self.r_margin, 13.5)
        self.set_text_color(0, 0, 0)
        self.set_font(fonts.FAMILY, size=BODY_PT)
        self.set_y(16)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(fonts.FAMILY, size=SMALL_PT)
        self.set_text_color(90, 90, 90)
        text = _("Page %(page)s of %(pages)s") % {
            "page": self.page_no(),
            "pages": self.str_alias_nb_pages,
        }
        self.cell(0, 5, text, align="C")
        self.set_text_color(0, 0, 0)

    def _title_block(self, subtitle: str) -> None:
        self.set_font(fonts.FAMILY, size=17)
        self.cell(0, 11, self.doc_title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font(fonts.FAMILY, size=SMALL_PT + 1)
            self.cell(0, 5, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(fonts.FAMILY, size=BODY_PT)
        self.ln(3)

    # ------------------------------------------------------------------ building blocks

    def heading(self, text: str) -> None:
        """A section's title: a shaded band across the page."""
        if self.will_page_break(LINE_MM * 4):
            self.add_page()
        self.ln(1.5)
        self.set_font(fonts.FAMILY, size=BODY_PT + 1.5)
        self.set_fill_color(*LABEL_FILL)
        self.cell(0, 7, text, border=1, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(fonts.FAMILY, size=BODY_PT)

    @contextmanager
    def _table(self, **options: Any) -> Iterator[Table]:
        with self.table(
            width=self.epw,
            align="LEFT",
            text_align="LEFT",
            line_height=LINE_MM,
            padding=(_PAD_Y, _PAD_X),
            wrapmode=WrapMode.CHAR,
            cell_fill_mode=TableCellFillMode.NONE,
            **options,
        ) as table:
            yield table

    def form_grid(self, rows: Sequence[Sequence[Pair]], columns: int = 2) -> None:
        """Labels and values in bordered cells, `columns` pairs a row; a row of fewer pairs
        lets its last value run across the rest of the row."""
        label_w, value_w = 17, 100 / columns - 17
        label = FontFace(fill_color=LABEL_FILL)
        with self._table(
            col_widths=(label_w, value_w) * columns,
            first_row_as_headings=False,
        ) as table:
            for pairs in rows:
                row = table.row()
                for index, (name, value) in enumerate(pairs):
                    row.cell(name, style=label)
                    last = index == len(pairs) - 1
                    row.cell(value or "", colspan=1 + 2 * (columns - len(pairs)) if last else 1)

    def text_block(self, label: str, text: str) -> None:
        """A long text under its label, the box continuing across pages as it needs."""
        if self.will_page_break(LINE_MM * 3):
            self.add_page()
        self.set_fill_color(*LABEL_FILL)
        self.cell(0, LINE_MM + 1, label, border=1, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.multi_cell(
            0,
            LINE_MM,
            text or "—",
            border=1,
            padding=Padding(1.2, 1.6, 1.2, 1.6),
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def data_table(
        self, headings: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
    ) -> None:
        """A table with its headings on top of every page it runs onto."""
        if not rows:
            self.set_font(fonts.FAMILY, size=SMALL_PT + 1)
            self.cell(0, LINE_MM + 2, _("None."), border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font(fonts.FAMILY, size=BODY_PT)
            return
        headings_style = FontFace(fill_color=LABEL_FILL, emphasis=None)
        self.set_font(fonts.FAMILY, size=SMALL_PT + 0.5)
        columns_mm = [self.epw * w / sum(widths) - 2 * _PAD_X for w in widths]
        with self._table(
            col_widths=tuple(widths), headings_style=headings_style, repeat_headings=1
        ) as table:
            head = table.row()
            for text in headings:
                head.cell(text)
            for values in rows:
                for piece in self._page_sized(values, columns_mm):
                    row = table.row()
                    for value in piece:
                        row.cell(value)
        self.set_font(fonts.FAMILY, size=BODY_PT)

    def _page_sized(self, values: Sequence[str], columns_mm: Sequence[float]) -> list[list[str]]:
        """A row as one or more rows that each fit on a page: fpdf2 never splits a row, so
        a text longer than a page (a note may hold 20,000 characters) goes on in the rows
        below it, cut where its lines wrap."""
        most = max(int((self.eph - 45) / LINE_MM), 1)  # room left for the headings above
        lines = [
            cast(  # with output=LINES, multi_cell answers the wrapped lines
                list[str],
                self.multi_cell(
                    width,
                    LINE_MM,
                    value or "",
                    dry_run=True,
                    output=MethodReturnValue.LINES,
                    wrapmode=WrapMode.CHAR,
                    padding=0,
                ),
            )
            for value, width in zip(values, columns_mm, strict=True)
        ]
        tallest = max(len(cell) for cell in lines)
        if tallest <= most:
            return [[value or "" for value in values]]
        return [
            ["\n".join(cell[start : start + most]) for cell in lines]
            for start in range(0, tallest, most)
        ]

    def signatures(self, roles: Sequence[str]) -> None:
        """One line per role: who signs, the signature and the date, to be filled by hand."""
        height = 11
        if self.will_page_break(height * len(roles) + 4):
            self.add_page()
        self.ln(3)
        sign, date = _("Signature"), _("Date")
        third = self.epw / 3
        for role in roles:
            y = self.get_y()
            self.cell(third, height, role, border="B")
            self.cell(third, height, f"{sign}:", border="B")
            self.cell(third, height, f"{date}:", border="B")
            self.set_xy(self.l_margin, y + height)

    def note(self, text: str) -> None:
        self.set_font(fonts.FAMILY, size=SMALL_PT)
        self.set_text_color(90, 90, 90)
        self.multi_cell(0, 4.2, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.set_font(fonts.FAMILY, size=BODY_PT)

    def bytes(self) -> bytes:
        """The document, written; it cannot be added to afterwards."""
        try:
            return bytes(self.output())
        finally:
            fonts.release(self)
