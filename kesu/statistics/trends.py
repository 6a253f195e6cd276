"""The analyses drawn over the classified counts: the Pareto of a breakdown (which few values
make most of the complaints) and the 12-month trend (how many complaints were registered in
each of the months ending at a period).

Both read the same `register` events as `counts.classified`, over the same half-open local
bounds, so a bar of the Pareto is a row of the table and a point of the trend is the count of
that month's table: the figures agree wherever they are shown.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from kesu.complaints.models import Complaint
from kesu.statistics.counts import Classified, Key, registrations
from kesu.statistics.periods import Period

VITAL_PCT = 80.0  # the Pareto principle's line: the few values that make 80 % of the whole
TREND_MONTHS = 12


@dataclass(frozen=True)
class ParetoRow:
    """One bar: its value, its count, its share of the whole and the share of the bars up to
    and including it; `vital` for the bars needed to reach the 80 % line."""

    key: Key
    count: int
    share_pct: float
    cumulative_pct: float
    vital: bool


def pareto(table: Classified) -> list[ParetoRow]:
    """The rows of a one-dimension table in descending count (ties keep the table's order),
    each with its cumulative share of the period's total. Values with no complaint in the
    period (rows only the period before or the year before had) are left out."""
    if len(table.by) != 1:
        raise ValueError(f"a Pareto is drawn over one dimension, not {len(table.by)}")
    total = table.total.count
    ranked = sorted((r for r in table.rows if r.count), key=lambda r: -r.count)
    rows: list[ParetoRow] = []
    running = 0
    for row in ranked:
        before = running
        running += row.count
        rows.append(
            ParetoRow(
                key=row.key[0],
                count=row.count,
                share_pct=round(100 * row.count / total, 1),
                cumulative_pct=round(100 * running / total, 1),
                # the bar that crosses the line is the last of the vital few
                vital=100 * before < VITAL_PCT * total,
            )
        )
    return rows


@dataclass(frozen=True)
class MonthCount:
    month: Period
    count: int


def trend_months(period: Period, months: int = TREND_MONTHS) -> list[Period]:
    """The `months` months ending with the month of the period's last day, oldest first."""
    last = Period.month(period.last.year, period.last.month)
    chosen = [last]
    while len(chosen) < months:
        chosen.insert(0, chosen[0].previous())
    return chosen


def trend(
    period: Period,
    *,
    months: int = TREND_MONTHS,
    scope: QuerySet[Complaint] | None = None,
) -> list[MonthCount]:
    """Complaints registered in each of the `months` months ending at `period` (its last day's
    month), oldest first. One query: a filtered count per month over the events of the whole
    span, each month bounded by its own local midnights as `classified` bounds it (no
    database time-zone function, so SQLite and PostgreSQL cut the months alike)."""
    chosen = trend_months(period, months)
    span = Period.days(chosen[0].first, chosen[-1].last)
    counts = registrations(span, scope).aggregate(
        **{
            f"m{i}": Count("pk", filter=Q(at__gte=month.start, at__lt=month.end))
            for i, month in enumerate(chosen)
        }
    )
    return [MonthCount(month, counts[f"m{i}"] or 0) for i, month in enumerate(chosen)]
