"""The classified counts (《顾客投诉分类统计表》): complaints registered in a period, by the
dimensions asked for, beside the period before (month-on-month) and a year before
(year-on-year).

"Registered in" is read from the timeline, the `register` event and its instant, not from a
column the complaint could change; the dimension is the complaint's as it stands (its category
rolled up to the top of the tree, its severity, kind, channel, department, handler — the
owner — and cause — QA's determination, else the owner's), so a later reclassification moves a
period's count between rows, never in or out of the total — until the month is frozen
(`kesu.statistics.actions`): a frozen month is counted from its snapshot, the dimensions as
they were when it was frozen or last restated, so November's table computed in March is
November's table.

Each period is one GROUP BY query over the events of its half-open bounds (outside frozen
months) joined to their complaints, and one over the snapshots of the frozen months it
touches; the cost in Python follows the number of groups, never the number of rows.
"""

import enum
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, NullIf

from kesu.complaints.choices import Channel, Determination, EventType, Kind, Severity
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.complaints.queries import categories_by_id
from kesu.core.trees import path_up
from kesu.statistics import rollups
from kesu.statistics.frozen import frozen_months, months
from kesu.statistics.models import FrozenFact, MonthCount
from kesu.statistics.periods import Period

Key = int | str | None  # one dimension's value in a row: an id, an enum member, or None


class Dimension(enum.StrEnum):
    """What a count is broken down by."""

    CATEGORY = "category"  # the top-level category: a subcategory counts under its root
    SUBCATEGORY = "subcategory"  # the complaint's own category, leaf or not
    SEVERITY = "severity"
    KIND = "kind"
    CHANNEL = "channel"
    DEPARTMENT = "department"  # the responsible department's id (None: not yet given one)
    HANDLER = "handler"  # the owner's user id (None: nobody accepted it yet)
    CAUSE = "cause"  # the determination, QA's when it had to decide (None: not determined)


_COLUMN = {
    Dimension.CATEGORY: "complaint__category_id",
    Dimension.SUBCATEGORY: "complaint__category_id",
    Dimension.SEVERITY: "complaint__severity",
    Dimension.KIND: "complaint__kind",
    Dimension.CHANNEL: "complaint__channel",
    Dimension.DEPARTMENT: "complaint__department_id",
    Dimension.HANDLER: "complaint__owner_id",
    Dimension.CAUSE: "cause_of",  # an annotation: `_CAUSE`
}
# The same dimensions in a frozen month's snapshot (the root of the category kept with it).
_FROZEN_COLUMN = {
    Dimension.CATEGORY: "category_root_id",
    Dimension.SUBCATEGORY: "category_id",
    Dimension.SEVERITY: "severity",
    Dimension.KIND: "kind",
    Dimension.CHANNEL: "channel",
    Dimension.DEPARTMENT: "department_id",
    Dimension.HANDLER: "handler_id",
    Dimension.CAUSE: "cause",
}
# QA's determination settles an undeterminable case (`Complaint.effective_determination`).
_CAUSE = Coalesce(
    NullIf(F("complaint__qa_determination"), Value("")),
    NullIf(F("complaint__determination"), Value("")),
)


@dataclass(frozen=True)
class Row:
    """One line of the table: its key (one value per dimension, in the order asked) and the
    counts of the period, the period before and the same period a year before."""

    key: tuple[Key, ...]
    count: int
    previous: int
    year_before: int

    @property
    def change(self) -> int:
        """Month-on-month (or quarter-, year-on-…): the difference to the period before."""
        return self.count - self.previous

    @property
    def change_pct(self) -> float | None:
        return _pct(self.count, self.previous)

    @property
    def year_change(self) -> int:
        """Year-on-year: the difference to the same period a year before."""
        return self.count - self.year_before

    @property
    def year_change_pct(self) -> float | None:
        return _pct(self.count, self.year_before)


@dataclass(frozen=True)
class Classified:
    """The table: the rows of every key counted in any of the three periods, and the total."""

    period: Period
    previous: Period
    year_before: Period
    by: tuple[Dimension, ...]
    rows: list[Row]
    total: Row


def classified(
    period: Period,
    *,
    by: Sequence[Dimension] = (Dimension.CATEGORY, Dimension.SEVERITY),
    scope: QuerySet[Complaint] | None = None,
) -> Classified:
    """Complaints registered in `period` counted by the dimensions `by`, with the period before
    and the year before beside each row. `scope` narrows to some complaints (for instance
    `visible_complaints(user)`); by default every complaint counts."""
    dims = tuple(Dimension(d) for d in by)
    if len(set(dims)) != len(dims):
        raise ValueError(f"a dimension is asked for twice: {', '.join(dims)}")
    previous, year_before = period.previous(), period.year_before()
    frozen = frozen_months()
    read: dict[tuple[date, date], Counter[tuple[Key, ...]]] = {}  # a year's two are one
    for p in (period, previous, year_before):
        if (p.first, p.last) not in read:
            read[(p.first, p.last)] = _counts(p, dims, scope, frozen)
    now, before, year_ago = (read[(p.first, p.last)] for p in (period, previous, year_before))
    keys = sorted(set(now) | set(before) | set(year_ago), key=_ordering(dims))
    rows = [Row(key, now[key], before[key], year_ago[key]) for key in keys]
    total = Row((), sum(now.values()), sum(before.values()), sum(year_ago.values()))
    return Classified(period, previous, year_before, dims, rows, total)


def registrations(period: Period, scope: QuerySet[Complaint] | None = None) -> QuerySet[Any]:
    """The `register` events whose instant lies in `period` (half-open bounds)."""
    events = ComplaintEvent.objects.filter(
        type=EventType.REGISTER, at__gte=period.start, at__lt=period.end
    )
    if scope is not None:
        events = events.filter(complaint__in=scope.order_by().values("pk"))
    return events.order_by()


def _counts(
    period: Period,
    dims: tuple[Dimension, ...],
    scope: QuerySet[Complaint] | None,
    frozen: dict[date, int],
) -> Counter[tuple[Key, ...]]:
    """One query: the GROUP BY over the events of the period's days in no frozen month, over
    the snapshots of the frozen months it touches, and — for the whole months whose roll-ups
    hold these dimensions and are current (`rollups.served`, decided in the query itself) —
    the sums of their `MonthCount` rows instead, all in one UNION ALL; the groups then folded
    into the keys (a subcategory's into its root), a step per group, not per complaint."""
    counts: Counter[tuple[Key, ...]] = Counter()
    none = Q(pk__in=[])
    snapshot = none
    live: list[tuple[datetime, datetime]] = []  # contiguous months joined: one range each
    spanned = months(period)
    rollable = (
        scope is None and Dimension.HANDLER not in dims and len(spanned) <= ROLLED_MONTHS_AT_MOST
    )
    legs = []
    for first, start, end in spanned:
        version = frozen.get(first)
        if rollable and rollups.whole(first, start, end):
            # a leg each for the month's rows and its roll-ups: the condition is a constant
            # of the query, so each leg reads its own index range, or nothing
            ready = rollups.served(first, version or rollups.LIVE, start, end)
            if version is None:
                legs.append(_events(_placed(start, end) & ~ready, dims, scope))
                rolled = MonthCount.objects.filter(Q(month=first, version=rollups.LIVE) & ready)
                legs.append(_grouped(rolled.order_by(), dims, _ROLLED_COLUMN, _ROLLED))
            else:
                inside = Q(month=first, version=version, registered_at__gte=start)
                legs.append(_snapshot(inside & Q(registered_at__lt=end) & ~ready, dims, scope))
                rolled = MonthCount.objects.filter(Q(month=first, version=version) & ready)
                legs.append(_grouped(rolled.order_by(), dims, _FROZEN_COLUMN, _ROLLED_SNAPSHOT))
        elif version is None:
            if live and live[-1][1] == start:
                live[-1] = (live[-1][0], end)
            else:
                live.append((start, end))
        else:
            snapshot |= Q(
                month=first, version=version, registered_at__gte=start, registered_at__lt=end
            )
    if live:
        placed = none
        for start, end in live:
            placed |= _placed(start, end)
        legs.append(_events(placed, dims, scope))
    if snapshot != none:
        legs.append(_snapshot(snapshot, dims, scope))
    if not legs:
        return counts
    readers = {
        leg: [
            (lambda value: value) if column_of[d] == "category_root_id" else _reader(d)
            for d in dims
        ]
        for leg, column_of in _LEG_COLUMNS.items()
    }
    union = legs[0].union(*legs[1:], all=True) if len(legs) > 1 else legs[0]
    for leg, *values, n in union:
        if n:  # the count of no dimensions comes back even when it is zero
            key = tuple(read(value) for read, value in zip(readers[leg], values, strict=True))
            counts[key] += n
    return counts


# A period of more months than this is read without the roll-ups: two legs a month would make
# a query too long for the database (SQLite's limit of variables), and such a period is read
# rarely. Three years: a year with the year before and the year before that.
ROLLED_MONTHS_AT_MOST = 36


def _placed(start: datetime, end: datetime) -> Q:
    """`register` events in [start, end). The complaint's `registered_at` is the same instant
    (registration writes both from one value, nothing changes them): said twice, the
    database may reach the events through the complaints' index on it."""
    return Q(
        at__gte=start,
        at__lt=end,
        complaint__registered_at__gte=start,
        complaint__registered_at__lt=end,
    )


def _events(
    where: Q, dims: tuple[Dimension, ...], scope: QuerySet[Complaint] | None
) -> QuerySet[Any]:
    events = ComplaintEvent.objects.filter(where, type=EventType.REGISTER).order_by()
    if scope is not None:
        events = events.filter(complaint__in=scope.order_by().values("pk"))
    if Dimension.CAUSE in dims:
        events = events.annotate(cause_of=_CAUSE)
    return _grouped(events, dims, _COLUMN, _EVENTS)


def _snapshot(
    where: Q, dims: tuple[Dimension, ...], scope: QuerySet[Complaint] | None
) -> QuerySet[Any]:
    rows = FrozenFact.objects.filter(where).order_by()
    if scope is not None:
        rows = rows.filter(complaint_id__in=scope.order_by().values("pk"))
    return _grouped(rows, dims, _FROZEN_COLUMN, _SNAPSHOT)


# The legs of a period's query, and where each reads a dimension.
_EVENTS, _SNAPSHOT, _ROLLED, _ROLLED_SNAPSHOT = 0, 1, 2, 3
_ROLLED_COLUMN = {**_FROZEN_COLUMN, Dimension.CATEGORY: "category_id"}  # rolled up when read
_LEG_COLUMNS = {
    _EVENTS: _COLUMN,
    _SNAPSHOT: _FROZEN_COLUMN,
    _ROLLED: _ROLLED_COLUMN,
    _ROLLED_SNAPSHOT: _FROZEN_COLUMN,
}


def _grouped(
    rows: QuerySet[Any], dims: tuple[Dimension, ...], column_of: dict[Dimension, str], leg: int
) -> QuerySet[Any]:
    """`rows` grouped by the dimensions' columns: (leg, value per dimension…, count)."""
    names = {f"d{i}": F(column_of[d]) for i, d in enumerate(dims)}
    count = Sum("n") if rows.model is MonthCount else Count("pk")
    return rows.annotate(leg=Value(leg), **names).values_list("leg", *names).annotate(n=count)


_COUNTED = (
    Dimension.SUBCATEGORY,
    Dimension.SEVERITY,
    Dimension.KIND,
    Dimension.CHANNEL,
    Dimension.DEPARTMENT,
    Dimension.CAUSE,
)


def month_groups(bounds: Period, version: int) -> Iterable[tuple[dict[str, Any], int]]:
    """A whole month's registrations per combination of `rollups.COUNT_COLUMNS` (and, from a
    snapshot, the category's root): the rows of its `MonthCount`."""
    if version == rollups.LIVE:
        events = (
            ComplaintEvent.objects.filter(
                _placed(bounds.start, bounds.end), type=EventType.REGISTER
            )
            .order_by()
            .annotate(cause_of=_CAUSE)
        )
        columns = [_COLUMN[d] for d in _COUNTED]
        for *values, n in events.values_list(*columns).annotate(n=Count("pk")):
            yield dict(zip(rollups.COUNT_COLUMNS, values, strict=True)), n
        return
    rows = FrozenFact.objects.filter(
        month=bounds.first,
        version=version,
        registered_at__gte=bounds.start,
        registered_at__lt=bounds.end,
    ).order_by()
    columns = [*rollups.COUNT_COLUMNS, "category_root_id"]
    for *values, n in rows.values_list(*columns).annotate(n=Count("pk")):
        yield dict(zip(columns, values, strict=True)), n


def _reader(dimension: Dimension) -> Callable[[Any], Key]:
    """How a column's raw value becomes the row's key for `dimension`."""
    match dimension:
        case Dimension.CATEGORY:
            parents = {pk: c.parent_id for pk, c in categories_by_id().items()}
            return lambda pk: path_up(pk, parents)[-1]
        case Dimension.SEVERITY:
            return Severity
        case Dimension.KIND:
            return Kind
        case Dimension.CHANNEL:
            return Channel
        case Dimension.CAUSE:
            return lambda value: Determination(value) if value else None
    return lambda value: value


def _ordering(dims: tuple[Dimension, ...]) -> Callable[[tuple[Key, ...]], tuple[Any, ...]]:
    """Rows in the order of the paper form: categories as the tree orders them, the enums in
    their order, departments by id; an empty value last."""
    categories = categories_by_id()
    orders: dict[Dimension, list[Key]] = {
        Dimension.SEVERITY: list(Severity),
        Dimension.KIND: list(Kind),
        Dimension.CHANNEL: list(Channel),
        Dimension.CAUSE: list(Determination),
    }

    def place(dimension: Dimension, value: Key) -> tuple[Any, ...]:
        if value is None:
            return (1,)
        if dimension in (Dimension.CATEGORY, Dimension.SUBCATEGORY):
            category = categories.get(int(value))
            return (0, category.sort_order if category else 0, value)
        if dimension in orders:
            return (0, orders[dimension].index(value), value)
        return (0, value)

    return lambda key: tuple(place(d, v) for d, v in zip(dims, key, strict=True))


def _pct(now: int, then: int) -> float | None:
    """The change in percent of `then`; none when there was nothing to compare with."""
    if not then:
        return None
    return round(100 * (now - then) / then, 1)
