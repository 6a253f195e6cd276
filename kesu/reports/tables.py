"""Tables: what every report file is made of (issue #16, SPEC §10).

A `Table` is a title, typed columns and rows. The rows are any iterable, a generator over a
queryset's `.iterator()` included: the writers (`kesu.reports.writers`) take one row at a time
and never hold the rows, so a year's raw list costs the memory of one chunk, not of a year.
The column's kind, not the value, says how a cell is written (a number format in a workbook,
a text in CSV), so a number is always a number and a text always a text, whatever it holds.

The statistics become tables through the adapters at the end (`classified_table`,
`crossed_table`): a label for each key (a category's name, a department's, an enum's label)
and the counts beside the period before and the year before, as `classified()` gives them.
"""

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kesu.accounts.choices import Role
from kesu.accounts.models import Department, User
from kesu.complaints.choices import Channel, Determination, Kind, Severity
from kesu.complaints.models import Category
from kesu.complaints.queries import categories_by_id
from kesu.core.trees import path_up
from kesu.statistics.counts import Classified, Dimension, Key, Row
from kesu.statistics.periods import Period, Span

HANDLER, CAUSE = "handler", "cause"  # dimensions the statistics are adding (by value)


class ColumnKind(enum.StrEnum):
    """How a column's values are written."""

    TEXT = "text"
    INTEGER = "integer"
    PERCENT = "percent"  # percentage points, as the statistics give them: 12.5 is 12.5 %
    DECIMAL = "decimal"  # one decimal place
    MONEY = "money"  # yuan, two decimal places
    DATE = "date"
    DATETIME = "datetime"  # an aware instant, written in the company's local time
    HOURS = "hours"  # a duration (a timedelta, or hours as a number), in hours


@dataclass(frozen=True)
class Column:
    header: str
    kind: ColumnKind = ColumnKind.TEXT
    width: float | None = None  # in characters; by default from the kind and the header


@dataclass
class Table:
    """`code` names the table to programs (the CSV file, the API's `table=`); `title` to
    people (the sheet, the title row); `caption` says what it covers (the period)."""

    code: str
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    totals: Sequence[Sequence[Any]] = ()  # written after the rows, set apart
    caption: str = ""
    notes: Sequence[str] = field(default_factory=tuple)  # lines written under the table


def plain(kind: ColumnKind, value: Any) -> Any:
    """`value` as the writers take it for a column of `kind`: an instant in local time
    (naive, whole seconds: a spreadsheet has no time zones), a duration in hours, a Decimal
    for money; None stays None (an empty cell)."""
    if value is None:
        return None
    match kind:
        case ColumnKind.DATETIME:
            if isinstance(value, datetime):
                return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
        case ColumnKind.HOURS:
            if isinstance(value, timedelta):
                return round(value.total_seconds() / 3600, 2)
        case ColumnKind.MONEY:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return Decimal(str(value))
        case ColumnKind.DATE:
            if isinstance(value, datetime):
                return timezone.localdate(value)
    return value


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


# ------------------------------------------------------------------------------------------
# the statistics as tables


def dimension_header(dimension: Dimension) -> str:
    headers = {
        Dimension.CATEGORY: _("Category"),
        Dimension.SUBCATEGORY: _("Subcategory"),
        Dimension.SEVERITY: _("Severity"),
        Dimension.KIND: _("Kind"),
        Dimension.CHANNEL: _("Channel"),
        Dimension.DEPARTMENT: _("Department"),
    }
    # the statistics' next dimensions (issue #16), named by value until they are members here
    more = {HANDLER: _("Handler"), CAUSE: _("Cause")}
    return headers.get(dimension) or more.get(str(dimension), str(dimension))


class Labels:
    """What people read for a key of the statistics: the category's name (a subcategory
    with its path), the department's name, the enum's label, in the active language."""

    def __init__(self) -> None:
        self.categories = categories_by_id()
        self._parents = {pk: c.parent_id for pk, c in self.categories.items()}
        self._departments: dict[int, str] | None = None
        self._people: dict[int, str] | None = None
        self._usernames: dict[int, str] | None = None

    def category(self, pk: int | None, *, path: bool = False) -> str:
        if pk is None:
            return ""
        ids = path_up(pk, self._parents)[::-1] if path else [pk]
        return " / ".join(self._name(self.categories.get(i)) for i in ids)

    @staticmethod
    def _name(category: Category | None) -> str:
        if category is None:
            return "?"
        english = translation.get_language() == "en" and category.name_en
        return category.name_en if english else category.name

    def department(self, pk: int | None) -> str:
        if pk is None:
            return _("No department yet")
        if self._departments is None:
            self._departments = dict(Department.objects.values_list("pk", "name"))
        return self._departments.get(pk, "?")

    def person(self, pk: int | None) -> str:
        """A person's name as the workspace shows it (`User.get_full_name`)."""
        if pk is None:
            return ""
        if self._people is None:
            staff = User.objects.exclude(role=Role.CUSTOMER)  # owners are staff
            self._people = {u.pk: u.get_full_name() for u in staff}
        return self._people.get(pk, "?")

    def username(self, pk: int | None) -> str | None:
        """A person's identifier (the API's key of a handler)."""
        if pk is None:
            return None
        if self._usernames is None:
            self._usernames = dict(User.objects.values_list("pk", "username"))
        return self._usernames.get(pk)

    def of(self, dimension: Dimension, key: Key) -> str:
        if dimension == Dimension.DEPARTMENT:
            return self.department(None if key is None else int(key))
        if dimension == HANDLER:
            return self.person(int(key)) if key is not None else _("Not accepted yet")
        if dimension == CAUSE:
            return str(Determination(str(key)).label) if key else _("Not determined yet")
        if key is None:
            return ""
        match dimension:
            case Dimension.CATEGORY:
                return self.category(int(key))
            case Dimension.SUBCATEGORY:
                return self.category(int(key), path=True)
            case Dimension.SEVERITY:
                return str(Severity(int(key)).label)
            case Dimension.KIND:
                return str(Kind(str(key)).label)
            case Dimension.CHANNEL:
                return str(Channel(str(key)).label)
        return str(key)


def comparison_columns() -> list[Column]:
    """The counts of a row beside the period before and the year before."""
    return [
        Column(_("This period"), ColumnKind.INTEGER),
        Column(_("Period before"), ColumnKind.INTEGER),
        Column(pgettext("statistics", "Change"), ColumnKind.INTEGER),
        Column(_("Change (%)"), ColumnKind.PERCENT),
        Column(_("Year before"), ColumnKind.INTEGER),
        Column(_("Year-on-year change"), ColumnKind.INTEGER),
        Column(_("Year-on-year (%)"), ColumnKind.PERCENT),
    ]


def compared(row: Row) -> list[Any]:
    return [
        row.count,
        row.previous,
        row.change,
        row.change_pct,
        row.year_before,
        row.year_change,
        row.year_change_pct,
    ]


def period_days(period: Period) -> str:
    """A period as people read it: a month, quarter or year with its days; a range of days
    as its days alone."""
    days = {"first": period.first.isoformat(), "last": period.last.isoformat()}
    if period.span == Span.DAYS:
        return _("%(first)s to %(last)s") % days
    return _("%(period)s (%(first)s to %(last)s)") % {"period": period, **days}


def period_caption(result: Classified) -> str:
    """The period, its days, and what it is compared with."""
    return _("Period: %(period)s; compared with %(previous)s and, a year before, %(year)s") % {
        "period": period_days(result.period),
        "previous": period_days(result.previous),
        "year": period_days(result.year_before),
    }


def classified_table(
    result: Classified, *, code: str, title: str, labels: Labels | None = None
) -> Table:
    """One row per key of `result`, a column per dimension, then the counts compared; the
    total under them."""
    labels = labels or Labels()
    dims = result.by
    columns = [Column(dimension_header(d), width=24) for d in dims] + comparison_columns()
    rows = [
        [labels.of(d, k) for d, k in zip(dims, row.key, strict=True)] + compared(row)
        for row in result.rows
    ]
    total = [_("Total")] + [""] * (len(dims) - 1) + compared(result.total) if dims else []
    return Table(
        code,
        title,
        columns,
        rows,
        totals=[total] if total else [],
        caption=period_caption(result),
    )


def crossed_table(
    result: Classified,
    *,
    code: str,
    title: str,
    across: Sequence[Key],
    labels: Labels | None = None,
) -> Table:
    """The paper form's layout of a count by two dimensions: a row per value of the first,
    a column per value of the second (`across`, in the form's order), then the row's total
    compared with the period before and the year before. Every cell is a count of
    `result`; a row's total is the sum of its cells in each period."""
    labels = labels or Labels()
    if len(result.by) != 2:
        raise ValueError("a crossed table counts by two dimensions")
    down, side = result.by
    cells: dict[Key, dict[Key, int]] = {}
    sums: dict[Key, list[int]] = {}
    for row in result.rows:
        first, second = row.key
        cells.setdefault(first, {})[second] = row.count
        totals = sums.setdefault(first, [0, 0, 0])
        for i, n in enumerate((row.count, row.previous, row.year_before)):
            totals[i] += n
    columns = [Column(dimension_header(down), width=24)]
    columns += [Column(labels.of(side, value), ColumnKind.INTEGER) for value in across]
    columns += comparison_columns()

    def line(label: str, counts: Callable[[Key], int], total: Row) -> list[Any]:
        return [label, *(counts(value) for value in across), *compared(total)]

    rows = [
        line(
            labels.of(down, first),
            lambda value, first=first: cells.get(first, {}).get(value, 0),  # type: ignore[misc]
            Row((first,), *sums[first]),
        )
        for first in sums
    ]
    per_value = {value: sum(cells[f].get(value, 0) for f in cells) for value in across}
    total = line(_("Total"), per_value.__getitem__, result.total)
    return Table(code, title, columns, rows, totals=[total], caption=period_caption(result))
