"""What the monthly quality report (《月度客户投诉分析报告》) says, gathered for one period and
one scope: the statistics' aggregate figures and a few bounded lists, nothing else.

Every number comes from `kesu.statistics` (`classified`, `indicators`, `pareto`, `trend`) for
the same period and scope, so the report agrees with the statistics page and the workbook. The
lists (repeat complaints, cases with a late time limit) are capped at `LIST_CAP` rows and say
how many more there are: the cost of the report follows the number of groups of the
aggregates and the cap, never the number of complaints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kesu.complaints.choices import EventType
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.policies.choices import ClockKind
from kesu.reports.choices import ReportEventType
from kesu.reports.models import MonthlyReport, ReportEvent
from kesu.statistics.counts import Classified, Dimension, Key, classified
from kesu.statistics.indicators import SPECS, Indicators, Ratio, complaints, indicators
from kesu.statistics.models import ComplaintFact
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
    names: dict[int, str] = field(default_factory=dict)  # people by id

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
    return MonthlyFigures(
        period=period,
        company=company,
        by_category=classified(period, by=(Dimension.CATEGORY,), scope=scope),
        crossed=classified(period, by=(Dimension.CATEGORY, Dimension.SEVERITY), scope=scope),
        trend=trend(period, scope=scope),
        causes=pareto(classified(period, by=(Dimension.CAUSE,), scope=scope))[:CAUSES_SHOWN],
        departments=indicators(period, by=(Dimension.DEPARTMENT,), scope=scope),
        repeats=repeat_cases(period, scope, company.repeat.numerator),
        late=late_cases(period, scope),
        commentary=commentary_of(period),
    )


def _customer(anonymous: bool, name: str, organisation: str) -> str:
    if anonymous:
        return _("Anonymous")
    return " ".join(part for part in (name, organisation) if part)


def repeat_cases(period: Period, scope: QuerySet[Complaint] | None, total: int) -> Capped:
    """The repeat complaints registered in the period, oldest first, each with the same
    customer's latest earlier complaint on the same product or project (the one that made it
    a repeat: the statistics' `repeat` fact, `customer_key` and `subject_key`)."""
    rows = list(
        complaints("repeat", period, scope=scope)
        .order_by("registered_at", "pk")
        .values_list(
            "pk",
            "number",
            "registered_at",
            "anonymous",
            "complainant_name",
            "complainant_org",
            "product_model",
            "project_name",
            "title",
        )[:LIST_CAP]
    )
    keys = {
        pk: (customer, subject)
        for pk, customer, subject in ComplaintFact.objects.filter(
            pk__in=[row[0] for row in rows]
        ).values_list("pk", "customer_key", "subject_key")
    }
    cases = []
    for pk, number, at, anonymous, name, org, model, project, title in rows:
        customer_key, subject_key = keys.get(pk, ("", ""))
        earlier = None
        if customer_key and subject_key:
            earlier = (
                ComplaintFact.objects.filter(
                    customer_key=customer_key, subject_key=subject_key, registered_at__lt=at
                )
                .order_by("-registered_at")
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
    return Capped(cases, max(total, len(cases)))


def late_cases(period: Period, scope: QuerySet[Complaint] | None) -> Capped:
    """The complaints registered in the period with a time limit that ran late (the
    breaches the key figures count), oldest first, with the clocks that did and their owner
    and department."""
    found: QuerySet[Complaint] | None = None
    for kind in ClockKind:
        late = complaints(f"{kind.value}_late", period, scope=scope)
        found = late if found is None else found | late
    assert found is not None
    total = found.count()
    rows = list(
        found.order_by("registered_at", "pk").values_list(
            "pk",
            "number",
            "registered_at",
            "owner__name",
            "owner__username",
            "department__name",
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
