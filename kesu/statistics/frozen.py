"""Which months are frozen, and how a period falls into calendar months: what the indicators
and the classified counts need to read a frozen month from its snapshot and the rest live."""

from datetime import date, datetime

from django.db.models import Max

from kesu.statistics.models import StatisticsEvent
from kesu.statistics.periods import Period


def frozen_months() -> dict[date, int]:
    """The months frozen, each with the version last frozen or restated."""
    return dict(
        StatisticsEvent.objects.values("month")
        .annotate(version=Max("version"))
        .values_list("month", "version")
    )


def months(period: Period) -> list[tuple[date, datetime, datetime]]:
    """Each calendar month the period touches: its first day, and the bounds of the period's
    days within it (half-open)."""
    out = []
    first = period.first.replace(day=1)
    while first <= period.last:
        month = Period.month(first.year, first.month)
        out.append((first, max(month.start, period.start), min(month.end, period.end)))
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return out


def live_ranges(period: Period, frozen: dict[date, int]) -> list[tuple[datetime, datetime]]:
    """The stretches of the period in no frozen month, contiguous months joined."""
    ranges: list[tuple[datetime, datetime]] = []
    for first, start, end in months(period):
        if first in frozen:
            continue
        if ranges and ranges[-1][1] == start:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    return ranges
