"""Charts drawn on the server as inline SVG: pure functions from figures to markup.

Why our own: the statistics section needs four simple shapes (bars, stacked bars, a Pareto,
a line) and nothing interactive; a plotting library from pip (matplotlib, pygal) brings a
font and rendering stack, or an old SVG dialect, for what is a few hundred lines here, and a
JavaScript library would have to be shipped or fetched. Every chart:

- is an `<svg role="img">` named by its `<title>` and described by its `<desc>`
  (`aria-labelledby`), the figures themselves in the table printed beside it;
- escapes every text it is given (labels are category and department names people type);
- draws with colours that keep 3:1 against white (WCAG's contrast for graphics), chosen
  from the Okabe–Ito and Tol palettes so colour-blind readers can tell them apart, and
  writes the figure on or beside each mark so colour is never the only cue;
- makes each mark a link to the complaints behind it for a pointer, with `tabindex="-1"`:
  the keyboard and screen readers take the same links from the table.

The output is well-formed XML (tests read it with `xml.etree`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # green
    "#AA4499",  # purple
    "#332288",  # indigo
    "#999933",  # olive
    "#882255",  # wine
    "#CC6677",  # rose
)
INK = "#222222"
MUTED = "#595959"  # 7:1 on white
GRID = "#d0d0d0"
LINE = "#D55E00"  # the Pareto's cumulative line and the trend
FONT = 12
LABEL_CHARS = 8  # a label longer than this is cut with "…"; its mark's title keeps it whole


@dataclass(frozen=True)
class Bar:
    """One mark: what it is, its figure, and the list of complaints behind it ("" for none)."""

    label: str
    value: int
    href: str = ""


@dataclass(frozen=True)
class Stack:
    """One bar of a stacked chart: its label and one segment per series."""

    label: str
    segments: Sequence[Bar]  # in the order of the series; a segment's label is its series'


@dataclass(frozen=True)
class ParetoBar:
    label: str
    value: int
    cumulative_pct: float
    href: str = ""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _short(label: str, chars: int = LABEL_CHARS) -> str:
    return label if len(label) <= chars else label[: chars - 1] + "…"


def _num(x: float) -> str:
    """A coordinate, short: 12.0 → "12", 12.345 → "12.35"."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{_e(chart_id)}-title {_e(chart_id)}-desc" '
        f'font-size="{FONT}" font-family="inherit">'
        f'<title id="{_e(chart_id)}-title">{_e(title)}</title>'
        f'<desc id="{_e(chart_id)}-desc">{_e(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _linked(href: str, tip: str, inner: str) -> str:
    """A mark, as a link when there is somewhere to go, with its whole label as its tip."""
    tooltip = f"<title>{_e(tip)}</title>"
    if not href:
        return f"<g>{tooltip}{inner}</g>"
    return f'<a href="{_e(href)}" tabindex="-1">{tooltip}{inner}</a>'


def nice_top(value: int) -> int:
    """The axis' top: the smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 2.5, 5):
            top = factor * step
            if top >= value and top == int(top):
                return int(top)
        step *= 10


def bars(
    chart_id: str, title: str, desc: str, items: Sequence[Bar], *, width: int = 420
) -> SafeString:
    """Horizontal bars, one row each, proportional to their figure (the longest reaches the
    axis' nice top), the figure written after each bar."""
    label_w, figure_w, row_h, top_pad = 120, 44, 24, 6
    plot_w = width - label_w - figure_w
    top = nice_top(max((b.value for b in items), default=0))
    height = top_pad * 2 + row_h * max(len(items), 1)
    body = []
    for i, item in enumerate(items):
        y = top_pad + i * row_h
        w = plot_w * item.value / top
        inner = (
            f'<text x="{label_w - 6}" y="{y + row_h / 2 + 4}" text-anchor="end" fill="{INK}">'
            f"{_e(_short(item.label))}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{_num(w)}" height="{row_h - 6}" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{_num(label_w + w + 4)}" y="{y + row_h / 2 + 4}" fill="{INK}">'
            f"{item.value}</text>"
        )
        body.append(_linked(item.href, f"{item.label}: {item.value}", inner))
    body.append(
        f'<line x1="{label_w}" y1="{top_pad}" x2="{label_w}" y2="{height - top_pad}" '
        f'stroke="{MUTED}"/>'
    )
    return mark_safe(_svg(chart_id, title, desc, width, height, body))  # noqa: S308  # escaped above


def stacked_bars(
    chart_id: str,
    title: str,
    desc: str,
    series: Sequence[str],
    stacks: Sequence[Stack],
    *,
    width: int = 420,
) -> SafeString:
    """Horizontal bars split into one segment per series (a pair of dimensions: the rows of
    the first, segments of the second), a legend above, each row's total after it."""
    label_w, figure_w, row_h = 120, 44, 24
    legend_rows = (len(series) + 3) // 4
    legend_h = 18 * legend_rows + 6
    plot_w = width - label_w - figure_w
    top = nice_top(max((sum(s.value for s in st.segments) for st in stacks), default=0))
    height = legend_h + 6 + row_h * max(len(stacks), 1)
    body = []
    for i, name in enumerate(series):
        key_x, key_y = (i % 4) * (width // 4), 4 + (i // 4) * 18
        colour = PALETTE[i % len(PALETTE)]
        body.append(
            f'<rect x="{key_x}" y="{key_y}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{key_x + 16}" y="{key_y + 10}" fill="{INK}">{_e(_short(name, 10))}</text>'
        )
    for row, stack in enumerate(stacks):
        y = legend_h + 3 + row * row_h
        body.append(
            f'<text x="{label_w - 6}" y="{y + row_h / 2 + 4}" text-anchor="end" fill="{INK}">'
            f"<title>{_e(stack.label)}</title>{_e(_short(stack.label))}</text>"
        )
        x = float(label_w)
        for i, segment in enumerate(stack.segments):
            if not segment.value:
                continue
            w = plot_w * segment.value / top
            inner = (
                f'<rect x="{_num(x)}" y="{y + 3}" width="{_num(w)}" height="{row_h - 6}" '
                f'fill="{PALETTE[i % len(PALETTE)]}" stroke="#ffffff"/>'
            )
            tip = f"{stack.label} · {segment.label}: {segment.value}"
            body.append(_linked(segment.href, tip, inner))
            x += w
        total = sum(s.value for s in stack.segments)
        body.append(f'<text x="{_num(x + 4)}" y="{y + row_h / 2 + 4}" fill="{INK}">{total}</text>')
    return mark_safe(_svg(chart_id, title, desc, width, height, body))  # noqa: S308  # escaped above


def pareto(
    chart_id: str,
    title: str,
    desc: str,
    items: Sequence[ParetoBar],
    *,
    vital_pct: float = 80.0,
    vital_label: str = "80 %",
    width: int = 560,
) -> SafeString:
    """Bars in descending order against the count axis (left), the cumulative share as a
    line against the percent axis (right), and the `vital_pct` line dashed across."""
    left, right, top_pad, bottom = 40, 44, 14, 40
    height = 260
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    base = top_pad + plot_h
    top = nice_top(max((b.value for b in items), default=0))
    slot = plot_w / max(len(items), 1)
    body = [
        f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{MUTED}"/>',
        f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end" fill="{MUTED}">{top}</text>',
        f'<text x="{left - 4}" y="{base + 4}" text-anchor="end" fill="{MUTED}">0</text>',
        f'<text x="{width - right + 4}" y="{top_pad + 4}" fill="{MUTED}">100 %</text>',
    ]
    vital_y = base - plot_h * vital_pct / 100
    body.append(
        f'<line class="vital" x1="{left}" y1="{_num(vital_y)}" x2="{width - right}" '
        f'y2="{_num(vital_y)}" stroke="{MUTED}" stroke-dasharray="4 3"/>'
        f'<text x="{width - right + 4}" y="{_num(vital_y + 4)}" fill="{MUTED}">'
        f"{_e(vital_label)}</text>"
    )
    points = []
    for i, item in enumerate(items):
        h = plot_h * item.value / top
        x = left + i * slot + slot * 0.15
        centre = left + i * slot + slot / 2
        inner = (
            f'<rect x="{_num(x)}" y="{_num(base - h)}" width="{_num(slot * 0.7)}" '
            f'height="{_num(h)}" fill="{PALETTE[0]}"/>'
            f'<text x="{_num(centre)}" y="{_num(base - h - 3)}" text-anchor="middle" '
            f'fill="{INK}">{item.value}</text>'
            f'<text x="{_num(centre)}" y="{base + 14}" text-anchor="middle" fill="{INK}">'
            f"{_e(_short(item.label, max(int(slot // FONT), 2)))}</text>"
        )
        tip = f"{item.label}: {item.value} ({item.cumulative_pct} %)"
        body.append(_linked(item.href, tip, inner))
        points.append((centre, base - plot_h * item.cumulative_pct / 100))
    if points:
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        body.append(
            f'<polyline class="cumulative" points="{path}" fill="none" stroke="{LINE}" '
            f'stroke-width="2"/>'
        )
        body.extend(
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="{LINE}"/>' for x, y in points
        )
    return mark_safe(_svg(chart_id, title, desc, width, height, body))  # noqa: S308  # escaped above


def line(
    chart_id: str, title: str, desc: str, points: Sequence[Bar], *, width: int = 560
) -> SafeString:
    """A line through the points, evenly spaced, each with its figure above it and its label
    below; each point a link to its complaints."""
    left, right, top_pad, bottom = 40, 16, 18, 34
    height = 220
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    base = top_pad + plot_h
    top = nice_top(max((p.value for p in points), default=0))
    step = plot_w / max(len(points) - 1, 1)
    body = [
        f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{MUTED}"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{width - right}" y2="{top_pad}" stroke="{GRID}"/>',
        f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end" fill="{MUTED}">{top}</text>',
        f'<text x="{left - 4}" y="{base + 4}" text-anchor="end" fill="{MUTED}">0</text>',
    ]
    xy = [(left + i * step, base - plot_h * p.value / top) for i, p in enumerate(points)]
    if xy:
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in xy)
        body.append(
            f'<polyline class="trend" points="{path}" fill="none" stroke="{PALETTE[0]}" '
            f'stroke-width="2"/>'
        )
    for (x, y), p in zip(xy, points, strict=True):
        inner = (
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" fill="{PALETTE[0]}"/>'
            f'<text x="{_num(x)}" y="{_num(y - 7)}" text-anchor="middle" fill="{INK}">'
            f"{p.value}</text>"
            f'<text x="{_num(x)}" y="{base + 16}" text-anchor="middle" fill="{MUTED}" '
            f'font-size="{FONT - 1}">{_e(p.label)}</text>'
        )
        body.append(_linked(p.href, f"{p.label}: {p.value}", inner))
    return mark_safe(_svg(chart_id, title, desc, width, height, body))  # noqa: S308  # escaped above
