"""The monthly workbook (issue #16): the 《顾客投诉分类统计表》 and its companions, for any
period, as the tables of `kesu.reports.tables`, written to xlsx or to CSV.

Sheets, in order:
1. the summary: the period and what it is compared with, the total registered and each kind,
   beside the period before (month-on-month) and the year before (year-on-year);
2. one sheet per breakdown (`BREAKDOWNS`): category (subcategories rolled up), subcategory,
   severity, kind, channel, department, each with the same comparison;
3. the 《顾客投诉分类统计表》 itself: category down, severity across, the row's total compared;
4. the indicators: `Workbook.add_stacked` of whatever tables the caller hands in
   (`indicators=`: the API, the CLI and the workspace hand in `reports.monthly.tables`'
   company and per-department tables); none, no sheet — never a sheet of made-up figures;
5. the raw list: every complaint registered in the period (by its `register` event, as the
   counts are), read from the database in chunks and written row by row.

Every figure of sheets 1–3 is a count of `kesu.statistics.counts.classified` for the same
period and scope; `scope` narrows to the complaints a reader may see (a department head's
department), as it narrows the counts.
"""

from collections.abc import Iterator, Sequence
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kesu.complaints.choices import Channel, Kind, Severity, State
from kesu.complaints.models import Complaint
from kesu.reports.tables import (
    Column,
    ColumnKind,
    Labels,
    Table,
    classified_table,
    compared,
    comparison_columns,
    crossed_table,
    period_caption,
    period_days,
)
from kesu.reports.writers import Workbook, write_csv, write_csv_zip
from kesu.statistics.counts import Dimension, classified
from kesu.statistics.periods import Period

# The sheets of one breakdown each, by code. Codes are identifiers (the API's `table=`, the
# CLI): never translated.
BREAKDOWNS: dict[str, tuple[Dimension, ...]] = {
    "category": (Dimension.CATEGORY,),
    "subcategory": (Dimension.SUBCATEGORY,),
    "severity": (Dimension.SEVERITY,),
    "kind": (Dimension.KIND,),
    "channel": (Dimension.CHANNEL,),
    "department": (Dimension.DEPARTMENT,),
}
SUMMARY, CLASSIFIED, COMPLAINTS = "summary", "classified", "complaints"
TABLE_CODES = (SUMMARY, *BREAKDOWNS, CLASSIFIED, COMPLAINTS)


def table_title(code: str) -> str:
    """A table's title for people, by its code."""
    titles = {
        SUMMARY: pgettext("report sheet", "Summary"),
        "category": _("By category"),
        "subcategory": _("By subcategory"),
        "severity": _("By severity"),
        "kind": _("By kind"),
        "channel": _("By channel"),
        "department": _("By department"),
        CLASSIFIED: _("Complaint classification table"),
        COMPLAINTS: _("Complaint list"),
    }
    return titles[code]


def report_title(period: Period) -> str:
    """The workbook's name for people (its download's file name too)."""
    return _("Customer complaint statistics %(period)s") % {"period": period}


# ------------------------------------------------------------------------------------------
# the tables


def summary_table(period: Period, scope: QuerySet[Complaint] | None, labels: Labels) -> Table:
    """The total registered, then each kind, compared."""
    by_kind = classified(period, by=(Dimension.KIND,), scope=scope)
    columns = [Column(_("Complaints registered"), width=24), *comparison_columns()]
    rows = [[_("All kinds"), *compared(by_kind.total)]]
    rows += [[labels.of(Dimension.KIND, row.key[0]), *compared(row)] for row in by_kind.rows]
    return Table(
        SUMMARY,
        table_title(SUMMARY),
        columns,
        rows,
        caption=period_caption(by_kind),
        notes=[_("Counted: complaints registered in the period, by their registration event.")],
    )


def breakdown_table(
    code: str, period: Period, scope: QuerySet[Complaint] | None, labels: Labels
) -> Table:
    result = classified(period, by=BREAKDOWNS[code], scope=scope)
    return classified_table(result, code=code, title=table_title(code), labels=labels)


def classified_form(period: Period, scope: QuerySet[Complaint] | None, labels: Labels) -> Table:
    """《顾客投诉分类统计表》: category down, severity across."""
    result = classified(period, by=(Dimension.CATEGORY, Dimension.SEVERITY), scope=scope)
    return crossed_table(
        result, code=CLASSIFIED, title=table_title(CLASSIFIED), across=list(Severity), labels=labels
    )


def complaints_columns() -> list[Column]:
    return [
        Column(_("Number"), width=16),
        Column(_("Registered at"), ColumnKind.DATETIME),
        Column(_("Customer"), width=20),
        Column(_("Category"), width=28),
        Column(_("Severity")),
        Column(_("Kind"), width=8),
        Column(_("Channel")),
        Column(_("Department")),
        Column(_("Handler")),
        Column(_("State")),
        Column(_("Closed at"), ColumnKind.DATETIME),
        Column(_("Claim amount"), ColumnKind.MONEY),
        Column(_("Title"), width=40),
    ]


CHUNK = 2000  # complaints read per round trip of the raw list


RAW_FIELDS = (
    "number",
    "registered_at",
    "anonymous",
    "complainant_name",
    "complainant_org",
    "category_id",
    "severity",
    "kind",
    "channel",
    "department_id",
    "owner_id",
    "state",
    "closed_at",
    "claim_amount",
    "title",
)


def registered_complaints(period: Period, scope: QuerySet[Complaint] | None) -> QuerySet[Any]:
    """The raw list's values of the complaints registered in the period, oldest first.

    The counts' rule, the instant of the `register` event, is read from `registered_at`,
    which `actions.register` writes from the same value and nothing changes. The rows come
    in the order of its index (registered_at, then the row id the index carries), so the
    database streams them instead of sorting them (SQLite took 100 MiB to sort 100,000 wide
    rows, bench/reports.py), and as tuples, not models: names are looked up in small maps."""
    complaints = Complaint.objects.all() if scope is None else scope
    return (
        complaints.filter(registered_at__gte=period.start, registered_at__lt=period.end)
        .order_by("registered_at", "pk")
        .values_list(*RAW_FIELDS)
    )


def complaint_rows(values: QuerySet[Any], labels: Labels) -> Iterator[list[Any]]:
    """One row per complaint, read in chunks: never the whole list in memory."""
    anonymous = _("Anonymous")
    names = {
        **{s.value: str(s.label) for s in Severity},
        **{k.value: str(k.label) for k in (*Kind, *Channel, *State)},
    }
    categories: dict[int, str] = {}
    for (
        number,
        registered_at,
        is_anonymous,
        name,
        organisation,
        category,
        severity,
        kind,
        channel,
        department,
        owner,
        state,
        closed_at,
        claim_amount,
        title,
    ) in values.iterator(chunk_size=CHUNK):
        if category not in categories:
            categories[category] = labels.category(category, path=True)
        yield [
            number,
            registered_at,
            anonymous if is_anonymous else " ".join(p for p in (name, organisation) if p),
            categories[category],
            names[severity],
            names[kind],
            names[channel],
            labels.department(department) if department else "",
            labels.person(owner),
            names[state],
            closed_at,
            claim_amount,
            title,
        ]


def complaints_table(period: Period, scope: QuerySet[Complaint] | None, labels: Labels) -> Table:
    return Table(
        COMPLAINTS,
        table_title(COMPLAINTS),
        complaints_columns(),
        complaint_rows(registered_complaints(period, scope), labels),
        caption=_("Period: %(period)s") % {"period": period_days(period)},
    )


def table(code: str, period: Period, scope: QuerySet[Complaint] | None) -> Table:
    """One table of the workbook by its code (`TABLE_CODES`)."""
    labels = Labels()
    if code == SUMMARY:
        return summary_table(period, scope, labels)
    if code == CLASSIFIED:
        return classified_form(period, scope, labels)
    if code == COMPLAINTS:
        return complaints_table(period, scope, labels)
    return breakdown_table(code, period, scope, labels)


def tables(period: Period, scope: QuerySet[Complaint] | None = None) -> Iterator[Table]:
    """The workbook's tables in order, each computed when it is reached."""
    for code in TABLE_CODES:
        yield table(code, period, scope)


# ------------------------------------------------------------------------------------------
# the files


def write_monthly_xlsx(
    period: Period,
    stream: IO[bytes] | str,
    *,
    scope: QuerySet[Complaint] | None = None,
    indicators: Sequence[Table] = (),
) -> None:
    """The workbook; `indicators` (tables of the indicators, when there are) go on one sheet
    before the raw list."""
    with Workbook() as book:
        for each in tables(period, scope):
            if each.code == COMPLAINTS:
                book.add_stacked(_("Indicators"), indicators)
            book.add(each)
        book.save(stream)


def write_monthly_csv(
    period: Period,
    stream: IO[bytes],
    *,
    scope: QuerySet[Complaint] | None = None,
    indicators: Sequence[Table] = (),
) -> list[str]:
    """A zip of one CSV per table (the indicators' too); returns the file names."""

    def ordered() -> Iterator[Table]:
        for each in tables(period, scope):
            if each.code == COMPLAINTS:
                yield from indicators
            yield each

    return write_csv_zip(ordered(), stream)


def write_one_xlsx(
    code: str, period: Period, stream: IO[bytes], *, scope: QuerySet[Complaint] | None = None
) -> int:
    """A workbook of one table of the monthly workbook; returns how many rows."""
    with Workbook() as book:
        count = book.add(table(code, period, scope))
        book.save(stream)
    return count


def write_one_csv(
    code: str, period: Period, stream: IO[bytes], *, scope: QuerySet[Complaint] | None = None
) -> int:
    """One table of the workbook as a CSV file; returns how many rows."""
    return write_csv(table(code, period, scope), stream)
