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
(`builds.build_due`: every month that is over and has none), by `kesu statistics rebuild`,
and by freezing or restating a month (its snapshot's version). The current month is never
rolled up: it is read as it stands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Exists, Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from kesu.complaints.choices import EventType
from kesu.complaints.models import ComplaintEvent
from kesu.statistics.models import (
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
    roll-ups hold its counts: built, and for the live version no event the catch-up has not
    read yet — above its watermark, or one of the gaps below it (PostgreSQL may commit a
    lower id later) — on a complaint registered in the month."""
    built = Exists(RollupMonth.objects.filter(month=first, version=version))
    if version != LIVE:
        return Q(built)
    mark = Watermark.objects.filter(pk=1)
    unread = ComplaintEvent.objects.filter(
        Q(id__gt=Subquery(mark.values("last_event_id")[:1])) | Q(id__in=_gap_ids())
    )
    pending = ComplaintEvent.objects.filter(
        type=EventType.REGISTER,
        at__gte=start,
        at__lt=end,
        complaint_id__in=unread.values("complaint_id"),
    )
    # nothing unread at all (the usual case right after a catch-up) is one probe of the
    # primary key, and spares the month's own check
    return Q(built) & Q(Exists(mark)) & (~Q(Exists(unread)) | ~Q(Exists(pending)))


def _gap_ids() -> RawSQL:
    """The ids the watermark jumped over (the keys of its `gaps`), as a subquery."""
    table = connection.ops.quote_name(Watermark._meta.db_table)
    if connection.vendor == "postgresql":
        sql = f"SELECT jsonb_object_keys(gaps)::bigint FROM {table} WHERE id = 1"  # noqa: S608
    else:
        sql = (
            f"SELECT CAST(g.key AS INTEGER) FROM {table}, "  # noqa: S608 (names, not input)
            f"json_each({table}.gaps) AS g WHERE {table}.id = 1"
        )
    return RawSQL(sql, [])  # noqa: S611 (no input in it)


def drop_live() -> None:
    """Drop every live roll-up (`projection.rebuild` recomputed every fact)."""
    RollupMonth.objects.filter(version=LIVE).delete()
    MonthCount.objects.filter(version=LIVE).delete()
    MonthIndicators.objects.filter(version=LIVE).delete()


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
