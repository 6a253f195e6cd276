"""Charts drawn with PDF primitives (rectangles, lines, text), so a report needs no plotting
library and its figures stay sharp when printed. Generic: labels and values, nothing about
complaints. Each draws into the box (x, y, w, h) in mm and leaves the cursor below it."""

from __future__ import annotations

import math
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from kesu.reports.pdf import fonts

BAR = (62, 110, 170)
SERIES = ((62, 110, 170), (204, 102, 51), (80, 150, 90), (150, 90, 160))
GRID = (215, 215, 215)
TEXT_PT = 7


def nice_top(largest: float) -> float:
    """A round upper bound for the axis: 1, 2 or 5 times a power of ten, at least `largest`."""
    if largest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(largest))
    for step in (1, 2, 5, 10):
        if step * power >= largest:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _frame(pdf: FPDF, title: str, x: float, y: float, w: float, h: float, top: float) -> tuple:
    """Title, horizontal grid lines with their values; the plot area (x0, y0, width, height)."""
    pdf.set_font(fonts.FAMILY, size=TEXT_PT + 2)
    if title:
        pdf.set_xy(x, y)
        pdf.cell(w, 5, title, align="C")
    pdf.set_font(fonts.FAMILY, size=TEXT_PT)
    x0, y0 = x + 12, y + (7 if title else 2)
    width, height = w - 14, h - (7 if title else 2) - 9
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.15)
    for step in range(5):
        value = top * step / 4
        gy = y0 + height - height * step / 4
        pdf.line(x0, gy, x0 + width, gy)
        pdf.set_xy(x, gy - 2)
        pdf.cell(11, 4, _number(value), align="R")
    pdf.set_draw_color(90, 90, 90)
    pdf.line(x0, y0 + height, x0 + width, y0 + height)
    return x0, y0, width, height


def _labels(pdf: FPDF, labels: Sequence[str], x0: float, slot: float, y: float) -> None:
    for index, label in enumerate(labels):
        pdf.set_xy(x0 + slot * index, y + 0.8)
        pdf.cell(slot, 3.5, str(label), align="C")


def _done(pdf: FPDF, x: float, y: float, h: float) -> None:
    pdf.set_draw_color(90, 90, 90)
    pdf.set_line_width(0.25)
    pdf.set_text_color(0, 0, 0)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_xy(x, y + h)
    pdf.set_font(fonts.FAMILY, size=9.5)
    pdf.cell(0, 0, "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def bar_chart(
    pdf: FPDF,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    x: float,
    y: float,
    w: float,
    h: float,
    title: str = "",
) -> None:
    """One bar per label, its value written above it."""
    top = nice_top(max(values, default=0))
    x0, y0, width, height = _frame(pdf, title, x, y, w, h, top)
    slot = width / max(len(values), 1)
    pdf.set_fill_color(*BAR)
    for index, value in enumerate(values):
        bar = height * max(value, 0) / top
        left = x0 + slot * index + slot * 0.15
        pdf.rect(left, y0 + height - bar, slot * 0.7, bar, style="F")
        pdf.set_xy(x0 + slot * index, y0 + height - bar - 4)
        pdf.cell(slot, 4, _number(value), align="C")
    _labels(pdf, labels, x0, slot, y0 + height)
    _done(pdf, x, y, h)


def line_chart(
    pdf: FPDF,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    x: float,
    y: float,
    w: float,
    h: float,
    title: str = "",
) -> None:
    """One line per named series over the labels (e.g. months), a legend under the axis."""
    top = nice_top(max((v for _, values in series for v in values), default=0))
    x0, y0, width, height = _frame(pdf, title, x, y, w, h, top)
    slot = width / max(len(labels), 1)
    pdf.set_line_width(0.5)
    for number, (_name, values) in enumerate(series):
        colour = SERIES[number % len(SERIES)]
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        points = [
            (x0 + slot * (index + 0.5), y0 + height - height * max(value, 0) / top)
            for index, value in enumerate(values)
        ]
        if len(points) > 1:
            pdf.polyline(points)
        for px, py in points:
            pdf.circle(px, py, 0.8, style="F")
    _labels(pdf, labels, x0, slot, y0 + height)
    legend_x = x0
    for number, (name, _values) in enumerate(series):
        pdf.set_fill_color(*SERIES[number % len(SERIES)])
        pdf.rect(legend_x, y0 + height + 5.2, 3, 2, style="F")
        pdf.set_xy(legend_x + 3.5, y0 + height + 4.3)
        pdf.cell(30, 3.5, name)
        legend_x += 34
    _done(pdf, x, y, h)
