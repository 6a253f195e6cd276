"""The statistics section (/statistics/): the classified table of a period by a breakdown
(《顾客投诉分类统计表》 for category × severity) with month-on-month and year-on-year
change, the Pareto of categories and the 12-month trend, each with its chart beside it.

Every figure is a link to the inbox's "all" list narrowed by the filters that select exactly
the complaints behind it (`inbox.Filters`: registered within the period, the category with
or without those below it, severity, kind, channel, department), over the same complaints the
figures count: `visible_complaints(user)`, which is also what that list shows the person.

The figures come from `kesu.statistics`; this module only reads the query string, names the
keys for people and lays out the rows.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.accounts.choices import Role
from kesu.accounts.http import AuthenticatedHttpRequest
from kesu.accounts.models import Department, User
from kesu.complaints.choices import Channel, Determination, Kind, Severity
from kesu.complaints.models import Complaint
from kesu.complaints.queries import categories_by_id, visible_complaints
from kesu.core import clock
from kesu.statistics.counts import Classified, Dimension, Key, Row, classified
from kesu.statistics.periods import Period, Span
from kesu.statistics.periods import parse as parse_period
from kesu.statistics.trends import VITAL_PCT, pareto, trend
from kesu.workspace import charts, indicator_table
from kesu.workspace.inbox import NO_CAUSE, NO_DEPARTMENT, Tab, period_in_range
from kesu.workspace.report_links import downloads_for

# Who opens the section, and over which complaints: heads their department's (and those
# below it), QA, executives and administrators the whole company's. A handler is refused for
# now; their own scorecard (issue #16, appraisal) is what they will see here: give them that
# page in `statistics_page` below rather than widening these roles.
STATISTICS_ROLES = frozenset({Role.DEPT_HEAD, Role.QA, Role.EXECUTIVE, Role.ADMIN})
COMPANY_ROLES = frozenset({Role.QA, Role.EXECUTIVE, Role.ADMIN})

DIMENSION_LABELS: dict[Dimension, Promise] = {
    Dimension.CATEGORY: gettext_lazy("Category"),
    Dimension.SUBCATEGORY: gettext_lazy("Subcategory"),
    Dimension.SEVERITY: gettext_lazy("Severity"),
    Dimension.KIND: gettext_lazy("Kind"),
    Dimension.CHANNEL: gettext_lazy("Channel"),
    Dimension.DEPARTMENT: gettext_lazy("Department"),
}
D = Dimension
# The breakdowns offered, as the query string writes them (`by=category,severity`): one
# dimension, or a pair drawn as a grid (the first down, the second across).
BREAKDOWNS: tuple[tuple[Dimension, ...], ...] = (
    (D.CATEGORY, D.SEVERITY),  # the 《顾客投诉分类统计表》
    (D.CATEGORY,),
    (D.SUBCATEGORY,),
    (D.SEVERITY,),
    (D.KIND,),
    (D.CHANNEL,),
    (D.DEPARTMENT,),
    (D.SUBCATEGORY, D.SEVERITY),
    (D.CATEGORY, D.CHANNEL),
    (D.CATEGORY, D.KIND),
    (D.DEPARTMENT, D.CATEGORY),
    (D.DEPARTMENT, D.SEVERITY),
)
DEFAULT_BREAKDOWN = BREAKDOWNS[0]


def may_see_statistics(user: User) -> bool:
    return user.is_active and user.role in STATISTICS_ROLES


def breakdown_code(dims: Sequence[Dimension]) -> str:
    return ",".join(d.value for d in dims)


def breakdown_label(dims: Sequence[Dimension]) -> str:
    return " × ".join(str(DIMENSION_LABELS[d]) for d in dims)


class BadInput(ValueError):
    """The query string asks for something the section cannot show; the message says what."""


def read_breakdown(text: str) -> tuple[Dimension, ...]:
    if not text:
        return DEFAULT_BREAKDOWN
    for dims in BREAKDOWNS:
        if breakdown_code(dims) == text:
            return dims
    raise BadInput(_("“%(text)s” is not one of the breakdowns offered.") % {"text": text})


def read_period(query: Any, now_local_month: Period) -> Period:
    """`from` and `to` (a custom range picked as two days) or `period` in any of the forms
    `periods.parse` reads; the current month when neither is given."""
    first, last = query.get("from", "").strip(), query.get("to", "").strip()
    text = f"{first}..{last}" if first or last else query.get("period", "").strip()
    if not text:
        return now_local_month
    return parse_period(text)  # ValueError naming the text, also for one too far to count


def following(period: Period) -> Period:
    """The period just after: the next month, quarter or year; a range of days moved on by
    its own length."""
    day = period.last + timedelta(days=1)
    match period.span:
        case Span.MONTH:
            return Period.month(day.year, day.month)
        case Span.QUARTER:
            return Period.quarter(day.year, (day.month + 2) // 3)
        case Span.YEAR:
            return Period.year(day.year)
    return Period.days(day, day + (period.last - period.first))


# ------------------------------------------------------------------------------ names and links


class Names:
    """What people read for a key: a category's or department's name, an enum's label."""

    def __init__(self) -> None:
        self.categories = categories_by_id()
        self.departments = dict(Department.objects.values_list("pk", "name"))

    def of(self, dimension: Dimension, value: Key) -> str:
        if dimension == D.CAUSE:
            return _("Not determined") if value is None else str(Determination(str(value)).label)
        if value is None:
            return _("No department yet") if dimension == D.DEPARTMENT else _("None")
        if dimension in (D.CATEGORY, D.SUBCATEGORY):
            category = self.categories.get(int(value))
            return category.name if category else str(value)
        if dimension == D.DEPARTMENT:
            return self.departments.get(int(value), str(value))
        enum: Any = {D.SEVERITY: Severity, D.KIND: Kind, D.CHANNEL: Channel}[dimension]
        return str(enum(value).label)

    def params(self, dimension: Dimension, value: Key) -> dict[str, str]:
        """The inbox filter that selects the complaints of this key."""
        if dimension in (D.CATEGORY, D.SUBCATEGORY):
            code = self.categories[int(value)].code if value is not None else ""
            return {"category" if dimension == D.CATEGORY else "category_exact": code}
        if dimension == D.DEPARTMENT:
            return {"department": str(NO_DEPARTMENT if value is None else value)}
        if dimension == D.CAUSE:
            return {"cause": NO_CAUSE if value is None else str(value)}
        return {dimension.value: str(int(value) if isinstance(value, int) else value)}


def list_link(period: Period, **params: str) -> str:
    """The inbox's "all" list of the complaints registered in `period` and matching `params`."""
    query = {"tab": Tab.ALL.value, "period": str(period), **params}
    return f"{reverse('inbox')}?{urlencode(query)}"


def _place(names: Names, dimension: Dimension) -> Callable[[Key], tuple[Any, ...]]:
    """The order of a dimension's values, as the table orders them; an empty value last."""
    enums: dict[Dimension, list[Any]] = {
        D.SEVERITY: list(Severity),
        D.KIND: list(Kind),
        D.CHANNEL: list(Channel),
    }

    def place(value: Key) -> tuple[Any, ...]:
        if value is None:
            return (1,)
        if dimension in (D.CATEGORY, D.SUBCATEGORY):
            category = names.categories.get(int(value))
            return (0, category.sort_order if category else 0, value)
        if dimension in enums:
            return (0, enums[dimension].index(value), value)
        return (0, value)

    return place


# ------------------------------------------------------------------------------ the table


@dataclass(frozen=True)
class Figure:
    """One number and the list of the complaints behind it ("" when there are none)."""

    value: int
    href: str


@dataclass(frozen=True)
class Line:
    """One line of the table: its label, its cells across (a grid's), and its figures with
    those of the period before and the year before."""

    label: str
    cells: list[Figure]
    count: Figure
    previous: Figure
    change: int
    change_pct: float | None
    year_before: Figure
    year_change: int
    year_change_pct: float | None


@dataclass
class Table:
    by: tuple[Dimension, ...]
    head: str  # the first column's heading
    columns: list[str]  # a grid's columns (the second dimension's values); empty for one
    lines: list[Line]
    total: Line
    chart: str = ""


def _figure(n: int, period: Period, params: dict[str, str]) -> Figure:
    return Figure(n, list_link(period, **params) if n else "")


def _line(
    table: Classified, label: str, params: dict[str, str], row: Row, cells: list[Figure]
) -> Line:
    return Line(
        label=label,
        cells=cells,
        count=_figure(row.count, table.period, params),
        previous=_figure(row.previous, table.previous, params),
        change=row.change,
        change_pct=row.change_pct,
        year_before=_figure(row.year_before, table.year_before, params),
        year_change=row.year_change,
        year_change_pct=row.year_change_pct,
    )


def lay_out(table: Classified, names: Names) -> Table:
    """The classified rows as lines: one per key, or for a pair one per value of the first
    dimension with a cell per value of the second (the line's figures their sums)."""
    first = table.by[0]
    if len(table.by) == 1:
        lines = [
            _line(table, names.of(first, r.key[0]), names.params(first, r.key[0]), r, [])
            for r in table.rows
        ]
        total = _line(table, _("Total"), {}, table.total, [])
        return Table(table.by, str(DIMENSION_LABELS[first]), [], lines, total)
    second = table.by[1]
    across = sorted({r.key[1] for r in table.rows}, key=_place(names, second))
    down: dict[Key, list[Row]] = {}
    for r in table.rows:  # the rows come in the first dimension's order
        down.setdefault(r.key[0], []).append(r)

    def summed(rows: list[Row]) -> Row:
        return Row(
            (),
            sum(r.count for r in rows),
            sum(r.previous for r in rows),
            sum(r.year_before for r in rows),
        )

    lines = []
    for value, rows in down.items():
        params = names.params(first, value)
        counts = {r.key[1]: r.count for r in rows}
        cells = [
            _figure(counts.get(v, 0), table.period, {**params, **names.params(second, v)})
            for v in across
        ]
        lines.append(_line(table, names.of(first, value), params, summed(rows), cells))
    column_totals = [
        _figure(
            sum(r.count for r in table.rows if r.key[1] == v),
            table.period,
            names.params(second, v),
        )
        for v in across
    ]
    total = _line(table, _("Total"), {}, table.total, column_totals)
    columns = [names.of(second, v) for v in across]
    return Table(table.by, str(DIMENSION_LABELS[first]), columns, lines, total)


def _table_chart(laid: Table, period: Period) -> str:
    title = _("Registered in %(period)s by %(breakdown)s") % {
        "period": period,
        "breakdown": breakdown_label(laid.by),
    }
    if not laid.columns:
        desc = _("One bar per line of the table beside it, as long as its count this period.")
        items = [charts.Bar(line.label, line.count.value, line.count.href) for line in laid.lines]
        return charts.bars("chart-table", title, desc, items)
    desc = _(
        "One bar per line of the table beside it, split by its columns; the legend names "
        "the colours."
    )
    stacks = [
        charts.Stack(
            line.label,
            [charts.Bar(c, f.value, f.href) for c, f in zip(laid.columns, line.cells, strict=True)],
        )
        for line in laid.lines
    ]
    return charts.stacked_bars("chart-table", title, desc, laid.columns, stacks)


# ------------------------------------------------------------------------------ the page


@dataclass(frozen=True)
class ParetoLine:
    rank: int
    label: str
    count: Figure
    share_pct: float
    cumulative_pct: float
    vital: bool


_PARETO_WORDS: dict[Dimension, tuple[str, Promise, Promise]] = {
    D.CATEGORY: (
        "chart-pareto",
        gettext_lazy("Pareto of categories, %(period)s"),
        gettext_lazy(
            "Categories by count, largest first, with the cumulative share as a line; the "
            "dashed line marks %(pct)s %%."
        ),
    ),
    D.CAUSE: (
        "chart-pareto-causes",
        gettext_lazy("Pareto of causes, %(period)s"),
        gettext_lazy(
            "Causes (the determination, QA's where it decided) by count, largest first, with "
            "the cumulative share as a line; the dashed line marks %(pct)s %%."
        ),
    ),
}


def _pareto(
    period: Period,
    scope: QuerySet[Complaint] | None,
    names: Names,
    dimension: Dimension = D.CATEGORY,
) -> dict[str, Any]:
    """The Pareto of one breakdown (categories, or causes: row 63's 处置效果 analysis), each bar
    a link to exactly the complaints it counts."""
    table = classified(period, by=[dimension], scope=scope)
    lines = [
        ParetoLine(
            rank=i,
            label=names.of(dimension, r.key),
            count=_figure(r.count, period, names.params(dimension, r.key)),
            share_pct=r.share_pct,
            cumulative_pct=r.cumulative_pct,
            vital=r.vital,
        )
        for i, r in enumerate(pareto(table), start=1)
    ]
    chart_id, title, desc = _PARETO_WORDS[dimension]
    chart = charts.pareto(
        chart_id,
        str(title) % {"period": period},
        str(desc) % {"pct": int(VITAL_PCT)},
        [charts.ParetoBar(p.label, p.count.value, p.cumulative_pct, p.count.href) for p in lines],
        vital_pct=VITAL_PCT,
    )
    return {"lines": lines, "chart": chart, "total": table.total.count}


def _trend(period: Period, scope: QuerySet[Complaint] | None) -> dict[str, Any]:
    months = trend(period, scope=scope)
    points = [
        (str(m.month), _figure(m.count, m.month, {}))
        for m in months  # a month's figure opens that month's list
    ]
    chart = charts.line(
        "chart-trend",
        _("Registered per month, the 12 months to %(month)s") % {"month": months[-1].month},
        _("One point per month, oldest first; the table beside lists the same counts."),
        [charts.Bar(label[2:], f.value, f.href) for label, f in points],
    )
    return {"points": points, "chart": chart}


def _quick_periods(period: Period) -> list[tuple[str, str]]:
    """Links to periods people ask for most: before and after this one, and today's."""
    today = timezone.localtime(clock.now()).date()
    this_month = Period.month(today.year, today.month)
    choices = [(_("Previous"), period.previous())]
    try:
        after: Period | None = following(period)
    except (OverflowError, ValueError):  # a range of days reaching past the year 9999
        after = None
    if after is not None and period_in_range(after):
        choices.append((_("Next"), after))
    choices += [
        (_("This month"), this_month),
        (_("Last month"), this_month.previous()),
        (_("This quarter"), Period.quarter(today.year, (today.month + 2) // 3)),
        (_("This year"), Period.year(today.year)),
    ]
    return [(label, str(p)) for label, p in choices]


@login_required
def statistics_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not may_see_statistics(user):
        # The place for a handler's own scorecard (issue #16, appraisal) when it exists.
        return render(request, "workspace/statistics/403.html", status=403)
    today = timezone.localtime(clock.now()).date()
    context: dict[str, Any] = {
        "breakdowns": [(breakdown_code(b), breakdown_label(b)) for b in BREAKDOWNS],
        "by": breakdown_code(DEFAULT_BREAKDOWN),
        "period_text": request.GET.get("period", ""),
        "company": user.role in COMPANY_ROLES,
        # The downloads (xlsx, PDF) of this page: (label, url) pairs the reports app adds
        # when it serves them; nothing is shown until then.
        "downloads": [],
    }
    try:
        dims = read_breakdown(request.GET.get("by", ""))
        context["by"] = breakdown_code(dims)
        period = read_period(request.GET, Period.month(today.year, today.month))
    except ValueError as bad:
        context["error"] = str(bad)
        return render(request, "workspace/statistics/page.html", context, status=400)
    scope: QuerySet[Complaint] | None = visible_complaints(user)
    if scope is not None and not scope.query.where:  # every complaint: count without a subquery
        scope = None
    names = Names()
    table = lay_out(classified(period, by=dims, scope=scope), names)
    table.chart = _table_chart(table, period)
    context.update(
        period=period,
        period_text=str(period),
        breakdown_name=breakdown_label(dims),
        previous=period.previous(),
        year_before=period.year_before(),
        quick=_quick_periods(period),
        table=table,
        grid=bool(table.columns),
        pareto=_pareto(period, scope, names),
        pareto_causes=_pareto(period, scope, names, D.CAUSE),
        trend=_trend(period, scope),
        vital_pct=int(VITAL_PCT),
        downloads=downloads_for(period),  # the monthly report's files of this page
    )
    context["indicators"] = indicator_table.indicator_rows(period, scope, names.departments)
    return render(request, "workspace/statistics/page.html", context)
