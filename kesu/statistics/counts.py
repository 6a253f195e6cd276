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
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from kesu.complaints.choices import Channel, Determination, EventType, Kind, Severity
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.complaints.queries import categories_by_id
from kesu.core.trees import path_up
from kesu.statistics.frozen import frozen_months, live_ranges, months
from kesu.statistics.models import FrozenFact
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
    now, before, year_ago = (
        _counts(p, dims, scope, frozen) for p in (period, previous, year_before)
    )
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
    """One GROUP BY query over the events of the period's days in no frozen month, and one
    over the snapshots of the frozen months it touches (if any); the groups then folded into
    the keys (a subcategory's into its root), a step per group, not per complaint."""
    counts: Counter[tuple[Key, ...]] = Counter()
    ranges = live_ranges(period, frozen)
    if ranges:
        inside = Q(pk__in=[])
        for start, end in ranges:
            inside |= Q(at__gte=start, at__lt=end)
        events = ComplaintEvent.objects.filter(inside, type=EventType.REGISTER).order_by()
        if scope is not None:
            events = events.filter(complaint__in=scope.order_by().values("pk"))
        _fold(counts, events, dims, _COLUMN)
    snapshot = Q(pk__in=[])
    for first, start, end in months(period):
        if first in frozen:
            snapshot |= Q(
                month=first, version=frozen[first], registered_at__gte=start, registered_at__lt=end
            )
    if snapshot != Q(pk__in=[]):
        rows = FrozenFact.objects.filter(snapshot).order_by()
        if scope is not None:
            rows = rows.filter(complaint_id__in=scope.order_by().values("pk"))
        _fold(counts, rows, dims, _FROZEN_COLUMN)
    return counts


def _fold(
    counts: Counter[tuple[Key, ...]],
    rows: QuerySet[Any],
    dims: tuple[Dimension, ...],
    column_of: dict[Dimension, str],
) -> None:
    """Count `rows` (events, or frozen facts) by the dimensions into `counts`."""
    columns = list(dict.fromkeys(column_of[d] for d in dims))
    position = [columns.index(column_of[d]) for d in dims]
    readers = [
        (lambda value: value) if column_of[d] == "category_root_id" else _reader(d) for d in dims
    ]
    if Dimension.CAUSE in dims and column_of is _COLUMN:
        rows = rows.annotate(cause_of=_CAUSE)
    groups: Iterable[tuple[Any, ...]] = (
        rows.values_list(*columns).annotate(n=Count("pk")) if columns else [(rows.count(),)]
    )
    for *values, n in groups:
        key = tuple(read(values[i]) for read, i in zip(readers, position, strict=True))
        if n:  # the count of no dimensions comes back even when it is zero
            counts[key] += n


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
