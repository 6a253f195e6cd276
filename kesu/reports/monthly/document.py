"""The monthly quality report as PDF: 《月度客户投诉分析报告》 (or the quarter's, the year's,
a range's), in the active language, for one period and one scope.

Key figures, the charts (by category, the 12-month trend, the Pareto of causes), the
classified table (category × severity), the indicators by department, the top causes, the
repeat complaints, the cases whose time limits ran late, QA's commentary with the report's
state, and the signature lines (编制 / 审核 / 批准). The figures are `figures.gather`'s.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.complaints.choices import Severity
from kesu.complaints.models import Complaint
from kesu.policies.choices import ClockKind
from kesu.reports.choices import ReportState
from kesu.reports.monthly import tables
from kesu.reports.monthly.figures import (
    Capped,
    MonthlyFigures,
    breaches,
    escalations,
    gather,
    time_limits_met,
)
from kesu.reports.pdf import Document, charts
from kesu.reports.tables import Labels, period_days
from kesu.statistics.counts import Dimension, Key, Row
from kesu.statistics.indicators import Ratio
from kesu.statistics.periods import Period, Span

CHART_MM = 62
LABEL_CHARS = 6  # a chart's axis label is cut to this many characters


def report_title(period: Period) -> str:
    """《月度客户投诉分析报告》 for a month; the quarter's, the year's, or a range's."""
    match period.span:
        case Span.MONTH:
            return _("Monthly customer complaint analysis report")
        case Span.QUARTER:
            return _("Quarterly customer complaint analysis report")
        case Span.YEAR:
            return _("Annual customer complaint analysis report")
    return _("Customer complaint analysis report")


def file_name(period: Period) -> str:
    """The PDF's name for people: the title and the period."""
    return f"{report_title(period)} {period}.pdf"


# ------------------------------------------------------------------------------ wording


def when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def rate(value: float | None) -> str:
    """A percentage under a heading that says (%)."""
    return "—" if value is None else f"{value:.1f}"


def signed(value: int) -> str:
    return f"{value:+d}"


def ratio(value: Ratio) -> str:
    """ "17/20" beside its rate: the figure and what it is made of."""
    return f"{value.numerator}/{value.denominator}"


def number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}" if not value.is_integer() else f"{value:.0f}"
    return str(value)


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _section(doc: Document, title: str) -> None:
    """A section's heading, on the next page unless its table's first rows fit below it."""
    if doc.will_page_break(32):
        doc.add_page()
    doc.heading(title)


def _more(doc: Document, capped: Capped[Any]) -> None:
    if capped.more:
        doc.note(_("… and %(count)s more, not listed here.") % {"count": capped.more})


# ------------------------------------------------------------------------------ sections


def rated(name: str, value: Ratio) -> list[str]:
    """A rate: its percentage, and the numerator/denominator it is made of."""
    return [name, pct(value.pct), ratio(value)]


def counted(name: str, value: Ratio) -> list[str]:
    """A count: how many, and of how many."""
    return [name, str(value.numerator), ratio(value)]


def key_figure_rows(figures: MonthlyFigures) -> list[list[str]]:
    """Indicator, value, how it is made (numerator/denominator, the comparison)."""
    total: Row = figures.by_category.total
    company = figures.company
    previous, year_before = figures.by_category.previous, figures.by_category.year_before
    return [
        [_("Registered"), str(total.count), ""],
        [
            _("Month-on-month (period before)"),
            f"{signed(total.change)} ({pct(total.change_pct)})",
            _("%(period)s: %(count)s") % {"period": previous, "count": total.previous},
        ],
        [
            _("Year-on-year"),
            f"{signed(total.year_change)} ({pct(total.year_change_pct)})",
            _("%(period)s: %(count)s") % {"period": year_before, "count": total.year_before},
        ],
        [_("Closed"), str(company["closed"].numerator), ""],
        rated(_("Accepted on time"), company.acceptance_on_time),
        rated(tables.time_limits_label(), time_limits_met(company)),
        rated(_("Resolution"), company.resolution),
        rated(_("Satisfaction"), company.satisfaction),
        rated(_("Return visits"), company.return_visit),
        rated(_("Reopen rate"), company.reopen),
        rated(_("Process followed"), company["process_followed"]),  # row 104
        rated(_("Service standard met"), company["standard_met"]),
        counted(_("Repeat complaints"), company.repeat),
        counted(tables.breaches_label(), breaches(company)),
        counted(tables.escalations_label(), escalations(company)),
        [
            _("Average handling time (working hours)"),
            hours(company.handling_avg_hours),
            _("%(count)s closed") % {"count": company["handling_hours"].denominator},
        ],
        [_("90th percentile handling time (working hours)"), hours(company.handling_p90_hours), ""],
    ]


def _key_figures(doc: Document, figures: MonthlyFigures) -> None:
    doc.heading(_("1. Key figures"))
    doc.data_table(
        [_("Indicator"), _("Value"), _("Made of")], key_figure_rows(figures), (5, 2.4, 3.6)
    )
    doc.note(
        _(
            "Registered in the period: acceptance, time limits, repeats. Closed in the period: "
            "resolution, satisfaction, return visits, reopening, handling time. Handling time "
            "is counted in working hours."
        )
    )


def _charts(doc: Document, figures: MonthlyFigures, labels: Labels) -> None:
    """The bars by category and of the causes side by side, then the 12-month trend with its
    table; each block goes on to the next page only if it does not fit on this one."""
    if doc.will_page_break(CHART_MM + 20):
        doc.add_page()
    doc.heading(_("2. Charts"))
    half = doc.epw / 2 - 2
    y = doc.get_y() + 2
    rows = [row for row in figures.by_category.rows if row.count]
    charts.bar_chart(
        doc,
        [_short(labels.of(Dimension.CATEGORY, row.key[0])) for row in rows],
        [row.count for row in rows],
        x=doc.l_margin,
        y=y,
        w=half,
        h=CHART_MM,
        title=_("By category"),
    )
    causes = figures.causes
    charts.bar_chart(
        doc,
        [_short(labels.of(Dimension.CAUSE, row.key)) for row in causes],
        [row.count for row in causes],
        x=doc.l_margin + half + 4,
        y=y,
        w=half,
        h=CHART_MM,
        title=_("Pareto of causes"),
    )
    doc.set_y(y + CHART_MM + 2)
    if doc.will_page_break(CHART_MM + 24):
        doc.add_page()
    y = doc.get_y()
    charts.line_chart(
        doc,
        [f"{m.month.first:%m}" for m in figures.trend],
        [(_("Registered"), [m.count for m in figures.trend])],
        x=doc.l_margin,
        y=y,
        w=doc.epw,
        h=CHART_MM,
        title=_("The 12 months to %(month)s") % {"month": figures.trend[-1].month},
    )
    doc.set_y(y + CHART_MM + 6)
    doc.data_table(
        [_("Month"), *(f"{m.month.first:%m}" for m in figures.trend)],
        [[_("Registered"), *(str(m.count) for m in figures.trend)]],
        (2.2, *([1.0] * len(figures.trend))),
    )


def classified_rows(figures: MonthlyFigures, labels: Labels) -> list[list[str]]:
    """Category down, severity across, the row's count, the period before, the year before."""
    cells: dict[Key, dict[Key, int]] = {}
    for row in figures.crossed.rows:
        cells.setdefault(row.key[0], {})[row.key[1]] = row.count
    lines = []
    for row in figures.by_category.rows:
        category = row.key[0]
        lines.append(
            [
                labels.of(Dimension.CATEGORY, category),
                *(str(cells.get(category, {}).get(s, 0)) for s in Severity),
                str(row.count),
                str(row.previous),
                pct(row.change_pct),
                str(row.year_before),
                pct(row.year_change_pct),
            ]
        )
    total = figures.by_category.total
    per_severity = [sum(c.get(s, 0) for c in cells.values()) for s in Severity]
    lines.append(
        [
            _("Total"),
            *(str(n) for n in per_severity),
            str(total.count),
            str(total.previous),
            pct(total.change_pct),
            str(total.year_before),
            pct(total.year_change_pct),
        ]
    )
    return lines


def _classified(doc: Document, figures: MonthlyFigures, labels: Labels) -> None:
    _section(doc, _("3. Complaint classification table (category × severity)"))
    headings = [
        _("Category"),
        *(str(s.label) for s in Severity),
        _("This period"),
        _("Period before"),
        _("Change (%)"),
        _("Year before"),
        _("Year-on-year (%)"),
    ]
    widths = (3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.4, 1.3, 1.4)
    doc.data_table(headings, classified_rows(figures, labels), widths)


def _departments(doc: Document, figures: MonthlyFigures, labels: Labels) -> None:
    _section(doc, _("4. Indicators by department"))
    columns = tables.department_columns()
    rows = [
        [
            str(row[0]),
            *(
                rate(value)
                if kind == tables.ColumnKind.PERCENT
                else hours(value)
                if kind == tables.ColumnKind.DECIMAL
                else number(value)
                for value, (_h, kind, _r) in zip(row[1:], columns, strict=True)
            ),
        ]
        for row in tables.department_rows(figures.departments, labels)
    ]
    doc.data_table(
        [_("Department"), *(heading for heading, _k, _r in columns)],
        rows,
        (2.2, *([1.0] * len(columns))),
    )


def _causes(doc: Document, figures: MonthlyFigures, labels: Labels) -> None:
    _section(doc, _("5. Top causes"))
    doc.data_table(
        [_("Rank"), _("Cause"), _("Complaints"), _("Share"), _("Cumulative")],
        [
            [
                str(rank),
                labels.of(Dimension.CAUSE, row.key),
                str(row.count),
                pct(row.share_pct),
                pct(row.cumulative_pct),
            ]
            for rank, row in enumerate(figures.causes, start=1)
        ],
        (0.8, 4, 1.4, 1.4, 1.4),
    )


def _repeats(doc: Document, figures: MonthlyFigures) -> None:
    _section(doc, _("6. Repeat complaints"))
    doc.data_table(
        [_("Number"), _("Registered at"), _("Customer"), _("Subject"), _("Earlier complaint")],
        [
            [
                case.number,
                when(case.registered_at),
                case.customer,
                " ".join(p for p in (case.subject, case.title) if p),
                f"{case.earlier} {when(case.earlier_at)}".strip(),
            ]
            for case in figures.repeats.items
        ],
        (2.4, 2.2, 2, 3.4, 2.8),
    )
    _more(doc, figures.repeats)


def clock_names(kinds: list[str]) -> str:
    return "、".join(str(ClockKind(k).label) for k in kinds if k in ClockKind.values)


def _late(doc: Document, figures: MonthlyFigures) -> None:
    _section(doc, _("7. Overdue cases"))
    doc.data_table(
        [
            _("Number"),
            _("Registered at"),
            _("Time limit"),
            _("Due at"),
            _("Owner"),
            _("Department"),
        ],
        [
            [
                case.number,
                when(case.registered_at),
                clock_names(case.clocks),
                when(case.first_due),
                case.owner,
                case.department,
            ]
            for case in figures.late.items
        ],
        (2.4, 2.2, 3.4, 2.2, 1.6, 1.8),
    )
    _more(doc, figures.late)


def state_line(figures: MonthlyFigures) -> str:
    """Draft or issued, by whom and when; who last wrote the commentary."""
    note = figures.commentary
    report = note.report
    if figures.period.span != Span.MONTH:
        return _("A monthly report's commentary is written for a month.")
    if report is None or report.state == ReportState.DRAFT:
        state = _("Draft: not issued yet.")
    else:
        who = report.issued_by.get_full_name() if report.issued_by else _("the monthly task")
        state = _("Issued %(at)s by %(who)s.") % {"at": when(report.issued_at), "who": who}
    if note.written_at:
        state += " " + _("Commentary by %(who)s, %(at)s.") % {
            "who": note.written_by,
            "at": when(note.written_at),
        }
    return state


def _commentary(doc: Document, figures: MonthlyFigures) -> None:
    _section(doc, _("8. Commentary of the quality department"))
    doc.note(state_line(figures))
    report = figures.commentary.report
    doc.text_block(_("Commentary"), report.commentary if report else "")


def render(figures: MonthlyFigures, *, scope_label: str = "") -> bytes:
    """The report's PDF from gathered figures."""
    labels = Labels()
    period = figures.period
    subtitle = " · ".join(p for p in (period_days(period), scope_label) if p)
    doc = Document(report_title(period), reference=str(period), subtitle=subtitle)
    _key_figures(doc, figures)
    _charts(doc, figures, labels)
    _classified(doc, figures, labels)
    _departments(doc, figures, labels)
    _causes(doc, figures, labels)
    _repeats(doc, figures)
    _late(doc, figures)
    _commentary(doc, figures)
    doc.signatures([_("Prepared by"), _("Reviewed by"), _("Approved by")])
    return doc.bytes()


def monthly_pdf(
    period: Period, scope: QuerySet[Complaint] | None = None, *, scope_label: str = ""
) -> bytes:
    """The report for `period` over `scope` (None: every complaint) as PDF bytes."""
    return render(gather(period, scope), scope_label=scope_label)
