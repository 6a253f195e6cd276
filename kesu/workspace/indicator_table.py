"""The indicators table of the statistics page (SPEC §10): for a period, one row per department
and the total of the reader's scope — acceptance on time, time limits met, resolution,
satisfaction (both scales), return visits, reopened, repeat complaints, appeals, handling time
(average and 90th percentile, working hours) and breaches — each count a link to the figure
drill-down (`scorecards.figure_page`) that lists the complaints behind it.

A count of runs of the clocks (on time, late) links to the complaints those runs belong to: a
complaint accepted twice counts twice in the figure and once in the list.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.accounts.models import Department
from kesu.appraisal.scorecards import HANDLING_CLOCKS
from kesu.complaints.models import Complaint
from kesu.policies.choices import ClockKind
from kesu.statistics.counts import Dimension, Key
from kesu.statistics.indicators import ACCEPTANCE, Indicators, Part, indicators
from kesu.statistics.periods import Period
from kesu.workspace.figure_links import figure_link


@dataclass(frozen=True)
class Column:
    header: Promise
    figures: tuple[str, ...]
    ratio: bool = True  # a share (n/d = %); else a count (the numerator alone)
    counts_complaints: bool = True  # the numerator counts complaints (not points): a link
    runs: bool = False  # it counts runs of clocks: a complaint may count more than once


COLUMNS = (
    Column(gettext_lazy("Accepted on time"), (ACCEPTANCE,)),
    Column(gettext_lazy("Time limits met"), tuple(f"{clock}_on_time" for clock in HANDLING_CLOCKS)),
    Column(gettext_lazy("Resolved"), ("resolution",)),
    Column(gettext_lazy("Satisfaction"), ("satisfaction",), counts_complaints=False),
    Column(gettext_lazy("Satisfaction, 3 options"), ("satisfaction_3",), counts_complaints=False),
    Column(gettext_lazy("Satisfaction, 5 options"), ("satisfaction_5",), counts_complaints=False),
    Column(gettext_lazy("Return visits made"), ("return_visit",)),
    Column(gettext_lazy("Reopened"), ("reopen",)),
    Column(gettext_lazy("Repeat complaints"), ("repeat",)),
    Column(gettext_lazy("Appealed"), ("appealed",), ratio=False),
    Column(
        gettext_lazy("Breaches"),
        tuple(f"{kind.value}_late" for kind in ClockKind),
        ratio=False,
        runs=True,
    ),
    # process adherence (row 104, `kesu.statistics.adherence`)
    Column(gettext_lazy("Process followed"), ("process_followed",)),
    Column(gettext_lazy("Service standard met"), ("standard_met",)),
)


@dataclass(frozen=True)
class Cell:
    numerator: int
    denominator: int
    pct: float | None
    ratio: bool
    runs: bool
    numerator_href: str
    denominator_href: str


@dataclass(frozen=True)
class Hours:
    average: float | None
    p90: float | None
    href: str


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]
    hours: Hours


def _row(label: str, period: Period, figures: Indicators, by: Dimension | None, key: Key) -> Row:
    cells = []
    for column in COLUMNS:
        n = sum(figures[name].numerator for name in column.figures)
        d = sum(figures[name].denominator for name in column.figures)
        names = list(column.figures)
        cells.append(
            Cell(
                n,
                d,
                round(100 * n / d, 1) if d else None,
                column.ratio,
                column.runs,
                figure_link(period, names, Part.NUMERATOR.value, by, key)
                if n and column.counts_complaints
                else "",
                figure_link(period, names, Part.DENOMINATOR.value, by, key) if d else "",
            )
        )
    hours = Hours(
        figures.handling_avg_hours,
        figures.handling_p90_hours,
        figure_link(period, ["handling_hours"], Part.DENOMINATOR.value, by, key)
        if figures["handling_hours"].denominator
        else "",
    )
    return Row(label, cells, hours)


# The indicators read month by month (frozen months from their snapshots): beyond this many
# years a period is a question for the reports, not for a page.
LONGEST_YEARS = 10


def indicator_rows(
    period: Period, scope: QuerySet[Complaint] | None, names: dict[int, str] | None = None
) -> dict[str, object] | None:
    """The table's header and rows: the departments of the scope, then the total; None for a
    period longer than `LONGEST_YEARS`. Two reads of the facts (the departments, the total),
    however many complaints there are."""
    if (period.last - period.first).days > 366 * LONGEST_YEARS:
        return None
    if names is None:  # the departments' names, unless the page has them already
        names = dict(Department.objects.values_list("pk", "name"))
    by_department = indicators(period, by=(Dimension.DEPARTMENT,), scope=scope)
    rows = [
        _row(
            _("No department yet") if key[0] is None else names.get(int(key[0]), str(key[0])),
            period,
            figures,
            Dimension.DEPARTMENT,
            key[0],
        )
        for key, figures in by_department.items()
    ]
    company = indicators(period, scope=scope).get(())
    total = _row(_("Total"), period, company, None, "") if company is not None else None
    return {"headers": [str(c.header) for c in COLUMNS], "rows": rows, "total": total}
