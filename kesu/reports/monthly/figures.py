"""What the monthly quality report (《月度客户投诉分析报告》) says, gathered for one period and
one scope: the statistics' aggregate figures and a few bounded lists, nothing else.

Every number comes from `kesu.statistics` (`classified`, `indicators`, `pareto`, `trend`) for
the same period and scope, so the report agrees with the statistics page and the workbook. The
lists (repeat complaints, cases with a late time limit) are capped at `LIST_CAP` rows and say
how many more there are: the cost of the report follows the number of groups of the
aggregates and the cap, never the number of complaints.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from kesu.complaints.choices import EventType
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.policies.choices import ClockKind
from kesu.reports.choices import ReportEventType
from kesu.reports.models import MonthlyReport, ReportEvent
from kesu.statistics.counts import Classified, Dimension, Key, Row, classified
from kesu.statistics.indicators import SPECS, Indicators, Ratio, indicators
from kesu.statistics.models import ComplaintFact, clock_columns
from kesu.statistics.periods import Period, Span
from kesu.statistics.trends import MonthCount, ParetoRow, pareto, trend

LIST_CAP = 20  # rows of each list; the rest is counted ("and N more")
CAUSES_SHOWN = 10

T = TypeVar("T")


@dataclass(frozen=True)
class Capped(Generic[T]):
    """The first rows of a list and how many there are in all."""

    items: list[T]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


@dataclass(frozen=True)
class RepeatCase:
    number: str
    registered_at: datetime
    customer: str
    subject: str
    title: str
    earlier: str  # the number of the same customer's earlier complaint on it ("" if unknown)
    earlier_at: datetime | None


@dataclass(frozen=True)
class LateCase:
    number: str
    registered_at: datetime
    clocks: list[str]  # the kinds of the clocks that ran late (ClockKind values)
    first_due: datetime | None  # the earliest due time that was missed
    owner: str
    department: str


@dataclass(frozen=True)
class Commentary:
    """QA's commentary and the report's state (a month has one; other periods none)."""

    report: MonthlyReport | None
    written_by: str
    written_at: datetime | None


@dataclass
class MonthlyFigures:
    period: Period
    company: Indicators
    by_category: Classified
    crossed: Classified  # category × severity: the 《顾客投诉分类统计表》
    trend: list[MonthCount]
    causes: list[ParetoRow]
    departments: dict[tuple[Key, ...], Indicators]
    repeats: Capped[RepeatCase]
    late: Capped[LateCase]
    commentary: Commentary

    @property
    def registered(self) -> int:
        return self.by_category.total.count


def empty_indicators() -> Indicators:
    """The figures of a period with nothing in it: every ratio 0/0."""
    return Indicators((), {name: Ratio(0, 0) for name in SPECS}, None)


def time_limits_met(figures: Indicators) -> Ratio:
    """The runs of every clock that ended on time, of all settled runs."""
    ratios = [figures.on_time(kind.value) for kind in ClockKind]
    return Ratio(sum(r.numerator for r in ratios), sum(r.denominator for r in ratios))


def breaches(figures: Indicators) -> Ratio:
    """The runs of every clock that went past their due time, of all settled runs."""
    ratios = [figures.late(kind.value) for kind in ClockKind]
    return Ratio(sum(r.numerator for r in ratios), sum(r.denominator for r in ratios))


def escalations(figures: Indicators) -> Ratio:
    ratios = [figures.escalated(kind.value) for kind in ClockKind]
    return Ratio(sum(r.numerator for r in ratios), sum(r.denominator for r in ratios))


def gather(period: Period, scope: QuerySet[Complaint] | None = None) -> MonthlyFigures:
    """Everything the report shows for `period` over `scope` (None: every complaint)."""
    company = indicators(period, scope=scope).get((), empty_indicators())
    crossed = classified(period, by=(Dimension.CATEGORY, Dimension.SEVERITY), scope=scope)
    return MonthlyFigures(
        period=period,
        company=company,
        by_category=rolled_up(crossed),
        crossed=crossed,
        trend=trend(period, scope=scope),
        causes=pareto(classified(period, by=(Dimension.CAUSE,), scope=scope))[:CAUSES_SHOWN],
        departments=indicators(period, by=(Dimension.DEPARTMENT,), scope=scope),
        repeats=repeat_cases(period, scope),
        late=late_cases(period, scope),
        commentary=commentary_of(period),
    )


def rolled_up(crossed: Classified) -> Classified:
    """The table by the first dimension of a table by two: each row the sum of its cells in
    each period (what `classified` by that one dimension counts, without counting again)."""
    sums: dict[Key, list[int]] = {}
    for row in crossed.rows:  # in the first dimension's order
        counts = sums.setdefault(row.key[0], [0, 0, 0])
        for index, n in enumerate((row.count, row.previous, row.year_before)):
            counts[index] += n
    rows = [Row((key,), *counts) for key, counts in sums.items()]
    return replace(crossed, by=crossed.by[:1], rows=rows)


def _customer(anonymous: bool, name: str, organisation: str) -> str:
    if anonymous:
        return _("Anonymous")
    return " ".join(part for part in (name, organisation) if part)


def _placed(period: Period, scope: QuerySet[Complaint] | None, where: Q) -> QuerySet[Any]:
    """The live facts of the complaints registered in the period that match `where`, in the
    order of the registration index. The lists name complaints as they stand now; the counts
    beside them are the statistics' (a frozen month's from its snapshot)."""
    facts = ComplaintFact.objects.filter(
        where, registered_at__gte=period.start, registered_at__lt=period.end
    )
    if scope is not None:
        facts = facts.filter(complaint_id__in=scope.order_by().values("pk"))
    return facts.order_by("registered_at", "pk")


# The partial `fact_repeat` index's condition as a literal: SQLite uses a partial index only
# when the query repeats its condition literally, which a bound parameter is not (as
# `complaints.queries.with_phone` does for the phone index).
_REPEAT_INDEXED = RawSQL(
    'NOT ("statistics_complaintfact"."customer_key" = \'\') '
    'AND NOT ("statistics_complaintfact"."subject_key" = \'\')',
    (),
    BooleanField(),
)


def repeat_cases(period: Period, scope: QuerySet[Complaint] | None) -> Capped[RepeatCase]:
    """The repeat complaints registered in the period, oldest first, each with the same
    customer's latest earlier complaint on the same product or project (the one that made it
    a repeat: the statistics' `repeat` fact, `customer_key` and `subject_key`)."""
    facts = _placed(period, scope, Q(repeat=True))
    rows = list(
        facts.values_list(
            "customer_key",
            "subject_key",
            "complaint__number",
            "registered_at",
            "complaint__anonymous",
            "complaint__complainant_name",
            "complaint__complainant_org",
            "complaint__product_model",
            "complaint__project_name",
            "complaint__title",
        )[:LIST_CAP]
    )
    cases = []
    for customer_key, subject_key, number, at, anonymous, name, org, model, project, title in rows:
        earlier = None
        if customer_key and subject_key:
            before = ComplaintFact.objects.filter(
                _REPEAT_INDEXED,
                customer_key=customer_key,
                subject_key=subject_key,
                registered_at__lt=at,
            )
            if scope is not None:  # never name a complaint the reader may not see
                before = before.filter(complaint_id__in=scope.order_by().values("pk"))
            earlier = (
                before.order_by("-registered_at")
                .values_list("complaint__number", "registered_at")
                .first()
            )
        cases.append(
            RepeatCase(
                number=number,
                registered_at=at,
                customer=_customer(anonymous, name, org),
                subject=" ".join(p for p in (model, project) if p),
                title=title,
                earlier=earlier[0] if earlier else "",
                earlier_at=earlier[1] if earlier else None,
            )
        )
    total = facts.count() if len(cases) == LIST_CAP else len(cases)
    return Capped(cases, total)


def _late_runs() -> Q:
    """A fact with a run of any clock that went past its due time."""
    late = Q(pk__in=[])
    for kind in ClockKind:
        settled, on_time, _escalated = clock_columns(kind.value)
        late |= Q(**{f"{settled}__gt": F(on_time)})
    return late


def late_cases(period: Period, scope: QuerySet[Complaint] | None) -> Capped[LateCase]:
    """The complaints registered in the period with a time limit that ran late (the
    breaches the key figures count), oldest first, with the clocks that did and their owner
    and department."""
    facts = _placed(period, scope, _late_runs())
    rows = list(
        facts.values_list(
            "complaint_id",
            "complaint__number",
            "registered_at",
            "complaint__owner__name",
            "complaint__owner__username",
            "complaint__department__name",
        )[:LIST_CAP]
    )
    clocks: dict[int, list[tuple[datetime, str]]] = {}
    breached = ComplaintEvent.objects.filter(
        complaint_id__in=[row[0] for row in rows], type=EventType.DEADLINE_BREACHED
    ).order_by("id")
    for complaint_id, at, data in breached.values_list("complaint_id", "at", "data"):
        clocks.setdefault(complaint_id, []).append((at, str((data or {}).get("clock", ""))))
    cases = []
    for pk, number, at, name, username, department in rows:
        runs = clocks.get(pk, [])
        kinds = list(dict.fromkeys(kind for _at, kind in runs if kind))
        cases.append(
            LateCase(
                number=number,
                registered_at=at,
                clocks=kinds,
                first_due=min((when for when, _kind in runs), default=None),
                owner=name or username or "",
                department=department or "",
            )
        )
    total = facts.count() if len(cases) == LIST_CAP else len(cases)
    return Capped(cases, total)


def commentary_of(period: Period) -> Commentary:
    """The month's report record, if any, and who last wrote its commentary."""
    if period.span != Span.MONTH:
        return Commentary(None, "", None)
    report = MonthlyReport.objects.filter(period=str(period)).select_related("issued_by").first()
    if report is None:
        return Commentary(None, "", None)
    last = (
        ReportEvent.objects.filter(report=report, type=ReportEventType.COMMENTED)
        .select_related("actor")
        .order_by("-id")
        .first()
    )
    if last is None:
        return Commentary(report, "", None)
    who = last.actor.get_full_name() or last.actor.username if last.actor else ""
    return Commentary(report, who, last.at)
