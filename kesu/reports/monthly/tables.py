"""The monthly report's indicator tables: the company's figures, one row per figure, and the
departments', one row per department. The PDF prints them; the monthly workbook puts them on
its indicator sheet (`workbooks.write_monthly_xlsx(indicators=…)`) and in its CSV zip. Every
value is a figure of `kesu.statistics.indicators` for the period and scope, never made up."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kesu.complaints.models import Complaint
from kesu.policies.choices import ClockKind
from kesu.reports.monthly.figures import breaches, empty_indicators, escalations, time_limits_met
from kesu.reports.tables import Column, ColumnKind, Labels, Table, period_days
from kesu.statistics.counts import Dimension, Key
from kesu.statistics.indicators import ACCEPTANCE, Indicators, Ratio, indicators, label
from kesu.statistics.periods import Period

COMPANY, DEPARTMENTS = "indicators", "indicators_by_department"

# The company's headline figures, in the order the report lists them.
HEADLINE = (
    "registered",
    "closed",
    ACCEPTANCE,
    "resolution",
    "satisfaction",
    "satisfaction_3",
    "satisfaction_5",
    "return_visit",
    "reopen",
    "repeat",
    "appealed",
)


def time_limits_label() -> str:
    return _("Time limits met (every clock)")


def breaches_label() -> str:
    return _("Time limits breached (every clock)")


def escalations_label() -> str:
    return _("Escalations (every clock)")


def company_rows(figures: Indicators) -> list[list[Any]]:
    """Figure, numerator, denominator, %: the headline figures, the clocks summed, each clock
    that ran in the period, and the handling time (average and 90th percentile)."""
    rows: list[list[Any]] = []

    def add(name: str, ratio: Ratio) -> None:
        rows.append([name, ratio.numerator, ratio.denominator, ratio.pct])

    for name in HEADLINE:
        add(label(name), figures[name])
    add(time_limits_label(), time_limits_met(figures))
    add(breaches_label(), breaches(figures))
    add(escalations_label(), escalations(figures))
    for kind in ClockKind:
        if figures.on_time(kind.value).denominator:
            for suffix in ("on_time", "late", "escalated"):
                name = f"{kind.value}_{suffix}"
                add(label(name), figures[name])
    rows.append([_("Average handling time (working hours)"), None, None, None])
    rows[-1][1] = figures.handling_avg_hours
    rows.append([_("90th percentile handling time (working hours)"), None, None, None])
    rows[-1][1] = figures.handling_p90_hours
    return rows


def company_table(figures: Indicators, period: Period) -> Table:
    return Table(
        COMPANY,
        _("Indicators"),
        [
            Column(_("Indicator"), width=40),
            Column(_("Numerator"), ColumnKind.DECIMAL),
            Column(_("Denominator"), ColumnKind.INTEGER),
            Column(_("Rate (%)"), ColumnKind.PERCENT),
        ],
        company_rows(figures),
        caption=_("Period: %(period)s") % {"period": period_days(period)},
        notes=[
            _(
                "Registered in the period: acceptance, time limits, repeats, appeals. Closed in "
                "the period: resolution, satisfaction, return visits, reopening, handling time."
            )
        ],
    )


# One column of the departments' table: its heading, kind and how it reads the figures.
DepartmentColumn = tuple[str, ColumnKind, Callable[[Indicators], Any]]


def department_columns() -> list[DepartmentColumn]:
    def pct(ratio: Callable[[Indicators], Ratio]) -> Callable[[Indicators], Any]:
        return lambda f: ratio(f).pct

    return [
        (_("Registered"), ColumnKind.INTEGER, lambda f: f["registered"].numerator),
        (_("Closed"), ColumnKind.INTEGER, lambda f: f["closed"].numerator),
        (_("Accepted on time (%)"), ColumnKind.PERCENT, pct(lambda f: f.acceptance_on_time)),
        (_("Time limits met (%)"), ColumnKind.PERCENT, pct(time_limits_met)),
        (_("Resolution (%)"), ColumnKind.PERCENT, pct(lambda f: f.resolution)),
        (_("Satisfaction (%)"), ColumnKind.PERCENT, pct(lambda f: f.satisfaction)),
        (_("Return visits (%)"), ColumnKind.PERCENT, pct(lambda f: f.return_visit)),
        (_("Reopened (%)"), ColumnKind.PERCENT, pct(lambda f: f.reopen)),
        (_("Repeat complaints"), ColumnKind.INTEGER, lambda f: f.repeat.numerator),
        (_("Breaches"), ColumnKind.INTEGER, lambda f: breaches(f).numerator),
        (_("Average hours"), ColumnKind.DECIMAL, lambda f: f.handling_avg_hours),
        (_("P90 hours"), ColumnKind.DECIMAL, lambda f: f.handling_p90_hours),
    ]


def department_rows(
    by_department: Mapping[tuple[Key, ...], Indicators], labels: Labels
) -> list[list[Any]]:
    columns = department_columns()
    return [
        [labels.of(Dimension.DEPARTMENT, key[0]), *(read(figures) for _h, _k, read in columns)]
        for key, figures in by_department.items()
    ]


def departments_table(
    by_department: Mapping[tuple[Key, ...], Indicators], period: Period, labels: Labels
) -> Table:
    return Table(
        DEPARTMENTS,
        _("Indicators by department"),
        [Column(_("Department"), width=20)]
        + [Column(heading, kind) for heading, kind, _read in department_columns()],
        department_rows(by_department, labels),
        caption=_("Period: %(period)s") % {"period": period_days(period)},
    )


def indicator_tables(period: Period, scope: QuerySet[Complaint] | None = None) -> list[Table]:
    """The company's (or the scope's) indicators and the departments', for the workbook."""
    company = indicators(period, scope=scope).get((), empty_indicators())
    by_department = indicators(period, by=(Dimension.DEPARTMENT,), scope=scope)
    return [company_table(company, period), departments_table(by_department, period, Labels())]
