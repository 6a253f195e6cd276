"""Per-month roll-ups of the statistics, so a quarter or a year reads a few aggregates per month
instead of every complaint (issue #16: the classified table of a year and the scorecards of a
quarter at 1M complaints).

Two tables per whole month and version (0: live; n: the frozen snapshot n):

* `MonthCount`: registrations per combination of the classified table's dimensions but the
  handler, built with the very GROUP BY `counts.classified` runs over the month's events
  (or its snapshot);
* `MonthIndicators`: every term of `indicators.SPECS` summed per department × person and
  placing instant, with the handling times closed in the month as seconds → how many (the
  90th percentile is a nearest rank over the whole multiset: exact, whatever the months).

`RollupMonth` says a month's roll-ups are built, and with which terms. A read uses them for a
whole month only while that row is there, and only for the breakdowns they hold (no scope;
the counts without the handler; the indicators by company, department, person or both); the
rest of the period reads the facts or events as before. So the figures are the same either
way, to the unit.

Keeping them right: `catch_up` drops the live month rows of every month a recomputed
complaint was registered or closed in, before and after (`invalidate`), in the transaction
that changes its facts; events not caught up yet make a read skip the months of their
complaints (`served`). Months are (re)built, whole, by the worker after each catch-up
(`build_due`: every month that is over and has none), by `rebuild`, and by freezing or
restating a month (its snapshot's version). The current month is never rolled up: it is read
as it stands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, Q, Subquery
from django.utils import timezone

from kesu.complaints.choices import EventType
from kesu.complaints.models import ComplaintEvent
from kesu.core import clock
from kesu.statistics.models import (
    ComplaintFact,
    MonthCount,
    MonthIndicators,
    RollupMonth,
    Watermark,
)
from kesu.statistics.periods import Period

LIVE = 0
# the columns of `MonthCount` each dimension of the classified table is read from
COUNT_COLUMNS = ("category_id", "severity", "kind", "channel", "department_id", "cause")


def month_of(instant: datetime) -> date:
    return timezone.localdate(instant).replace(day=1)


def whole(first: date, start: datetime, end: datetime) -> bool:
    """Whether the bounds are the whole month of `first`."""
    month = Period.month(first.year, first.month)
    return start == month.start and end == month.end


def invalidate(instants: Iterable[datetime | None]) -> None:
    """Drop the live roll-ups of the months of these instants."""
    months = {month_of(i) for i in instants if i is not None}
    if not months:
        return
    stale = list(
        RollupMonth.objects.filter(version=LIVE, month__in=months).values_list("month", flat=True)
    )
    if not stale:
        return
    RollupMonth.objects.filter(version=LIVE, month__in=stale).delete()
    MonthCount.objects.filter(version=LIVE, month__in=stale).delete()
    MonthIndicators.objects.filter(version=LIVE, month__in=stale).delete()


def served(first: date, version: int, start: datetime, end: datetime) -> Q:
    """The SQL condition (uncorrelated subqueries: evaluated once) under which the month's
    roll-ups hold its counts: built, and for the live version no event above the catch-up's
    watermark (nor a gap in it) on a complaint registered in the month."""
    built = Exists(RollupMonth.objects.filter(month=first, version=version))
    if version != LIVE:
        return Q(built)
    mark = Watermark.objects.filter(pk=1)
    pending = ComplaintEvent.objects.filter(
        id__gt=Subquery(mark.values("last_event_id")[:1]),
        complaint__events__type=EventType.REGISTER,
        complaint__events__at__gte=start,
        complaint__events__at__lt=end,
    )
    return Q(built) & Q(Exists(mark.filter(gaps={}))) & ~Q(Exists(pending))


# ------------------------------------------------------------------------------ building


def build(first: date, version: int = LIVE) -> None:
    """(Re)build one month's roll-ups: for the live version from the facts and timeline as
    they stand, under the catch-up's lock (so no catch-up changes them meanwhile)."""
    from kesu.statistics import counts, indicators

    bounds = Period.month(first.year, first.month)
    with transaction.atomic():
        Watermark.objects.get_or_create(pk=1)
        Watermark.objects.select_for_update().filter(pk=1).first()
        RollupMonth.objects.filter(month=first, version=version).delete()
        MonthCount.objects.filter(month=first, version=version).delete()
        MonthIndicators.objects.filter(month=first, version=version).delete()
        rows = [
            MonthCount(month=first, version=version, n=n, **values)
            for values, n in counts.month_groups(bounds, version)
        ]
        MonthCount.objects.bulk_create(rows, batch_size=2000)
        terms, groups = indicators.month_sums(bounds, version)
        MonthIndicators.objects.bulk_create(
            [
                MonthIndicators(
                    month=first,
                    version=version,
                    placement=placement,
                    department_id=department,
                    handler_id=handler,
                    sums=sums,
                    durations={str(k): v for k, v in sorted(durations.items())},
                )
                for (placement, department, handler), (sums, durations) in groups.items()
            ],
            batch_size=500,
        )
        RollupMonth.objects.create(month=first, version=version, terms=terms, built_at=clock.now())


def build_due(now: datetime | None = None) -> list[tuple[date, int]]:
    """Build every month that is over and has no roll-ups for the version its reads use (the
    frozen one, else live), or has them for other figures than `SPECS` now names, from the
    month of the first complaint on."""
    from kesu.statistics.frozen import frozen_months

    now = now or clock.now()
    first_at = ComplaintFact.objects.order_by("registered_at").values_list(
        "registered_at", flat=True
    )[:1]
    if not first_at:
        return []
    from kesu.statistics.indicators import term_keys

    frozen = frozen_months()
    built = {
        (m, v): set(t) for m, v, t in RollupMonth.objects.values_list("month", "version", "terms")
    }
    terms = term_keys()
    done = []
    first = month_of(first_at[0])
    while Period.month(first.year, first.month).end <= now:
        version = frozen.get(first, LIVE)
        if built.get((first, version)) != terms:  # none yet, or the figures changed
            build(first, version)
            done.append((first, version))
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return done


def rebuild_all() -> list[tuple[date, int]]:
    """Drop every live roll-up and build the months again (after `projection.rebuild`)."""
    RollupMonth.objects.filter(version=LIVE).delete()
    MonthCount.objects.filter(version=LIVE).delete()
    MonthIndicators.objects.filter(version=LIVE).delete()
    return build_due()


# ------------------------------------------------------------------------------ reading


def indicator_months(
    candidates: Iterable[tuple[date, int]], terms: Iterable[str]
) -> set[tuple[date, int]]:
    """Those of the (month, version) pairs whose roll-ups are built with every term."""
    wanted = list(candidates)
    if not wanted:
        return set()
    needed = set(terms)
    which = Q(pk__in=[])
    for first, version in wanted:
        which |= Q(month=first, version=version)
    return {
        (first, version)
        for first, version, built in RollupMonth.objects.filter(which).values_list(
            "month", "version", "terms"
        )
        if needed <= set(built)
    }


def indicator_rows(months: set[tuple[date, int]]) -> Iterable[Mapping[str, Any]]:
    which = Q(pk__in=[])
    for first, version in months:
        which |= Q(month=first, version=version)
    return MonthIndicators.objects.filter(which).values(
        "placement", "department_id", "handler_id", "sums", "durations"
    )


def counter(durations: dict[str, int]) -> Counter[int]:
    return Counter({int(k): v for k, v in durations.items()})
