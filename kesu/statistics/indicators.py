"""The indicators of SPEC §10 per company, department, person (or any `Dimension`) for a
period, as numerator/denominator pairs ("17/20 = 85 %"), and the complaints behind each.

They are sums over the per-complaint facts (`models.ComplaintFact`, one GROUP BY per placing
instant), brought up to date by `projection.catch_up()` first; a frozen month is read from its
snapshot (`models.FrozenFact`, the version last frozen or restated), the rest of the period
from the live facts.

Which instant places a complaint in a period (docs/statistics.md):

* **registered in the period** — acceptance on time and each clock on time, late runs
  (breaches) and escalations, repeat complaints, appeals and how they ended: what happened to
  the complaints that came in;
* **closed in the period** (only complaints that ended `closed`; withdrawn, invalid and merged
  ones are left out) — resolution, satisfaction, return visits, reopen rate, handling time,
  costs by bearer: how the complaints that were finished were finished.
"""

from __future__ import annotations

import enum
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    BigIntegerField,
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from kesu.complaints.choices import Channel, Determination, Kind, Severity
from kesu.complaints.models import Complaint
from kesu.policies.choices import ClockKind
from kesu.statistics import adherence, rollups
from kesu.statistics.counts import Dimension, Key
from kesu.statistics.frozen import frozen_months, months
from kesu.statistics.models import (
    AppealEnd,
    ComplaintFact,
    FrozenFact,
    Outcome,
    clock_columns,
)
from kesu.statistics.periods import Period
from kesu.statistics.projection import catch_up


class Placement(enum.StrEnum):
    REGISTERED = "registered_at"
    CLOSED = "closed_at"


class Part(enum.StrEnum):
    NUMERATOR = "numerator"
    DENOMINATOR = "denominator"


@dataclass(frozen=True)
class Term:
    """One side of a figure: a count of the facts matching `where`, or the sum of `column`
    over them. `where` is also what selects the complaints behind it."""

    where: Q
    column: str = ""  # empty: count the facts
    plain: bool = False  # the column is 0 wherever `where` fails: a plain SUM, no CASE

    @property
    def key(self) -> str:
        """Terms that are the same SQL are computed once."""
        return f"{self.where!r}|{self.column}|{self.plain}"

    def aggregate(self) -> Any:
        if not self.where or self.plain:  # every fact
            return Sum(self.column) if self.column else Count("pk")
        if self.column:
            return Sum(Case(When(self.where, then=F(self.column)), default=Value(0)))
        return Count(Case(When(self.where, then=Value(1)), output_field=IntegerField()))


@dataclass(frozen=True)
class Spec:
    placement: Placement
    numerator: Term
    denominator: Term


ALL = Q()
CLOSED = Q(outcome=Outcome.CLOSED)


def _clock_specs() -> dict[str, Spec]:
    specs = {}
    for kind in ClockKind:
        settled, on_time, escalated = clock_columns(kind.value)
        runs = Term(Q(**{f"{settled}__gt": 0}), settled, plain=True)
        specs[f"{kind.value}_on_time"] = Spec(
            Placement.REGISTERED, Term(Q(**{f"{on_time}__gt": 0}), on_time, plain=True), runs
        )
        specs[f"{kind.value}_late"] = Spec(
            Placement.REGISTERED,
            Term(Q(**{f"{settled}__gt": F(on_time)}), f"{kind.value}_late", plain=True),
            runs,
        )
        specs[f"{kind.value}_escalated"] = Spec(
            Placement.REGISTERED, Term(Q(**{f"{escalated}__gt": 0}), escalated, plain=True), runs
        )
    return specs


# Every figure: what counts over what (the closing ones over complaints that ended closed:
# `_Source.placed`). A plain term sums a column that is 0 where its condition fails.
SPECS: dict[str, Spec] = {
    "registered": Spec(Placement.REGISTERED, Term(ALL), Term(ALL)),
    "closed": Spec(Placement.CLOSED, Term(ALL), Term(ALL)),
    **_clock_specs(),
    "resolution": Spec(Placement.CLOSED, Term(Q(resolved=True)), Term(ALL)),
    "satisfaction": Spec(
        Placement.CLOSED,
        Term(Q(survey_max__gt=0), "survey_points"),
        Term(Q(survey_max__gt=0), "survey_max"),
    ),
    **{
        f"satisfaction_{scale}": Spec(
            Placement.CLOSED,
            Term(Q(survey_scale=scale), "survey_points"),
            Term(Q(survey_scale=scale), "survey_max"),
        )
        for scale in (3, 5)
    },
    "satisfaction_full": Spec(  # the surveys that reached full marks, of those made
        Placement.CLOSED,
        Term(Q(survey_max__gt=0, survey_points=F("survey_max"))),
        Term(Q(survey_max__gt=0)),
    ),
    "return_visit": Spec(Placement.CLOSED, Term(Q(visit_done=True)), Term(Q(visit_needed=True))),
    # process adherence, row 104 (`adherence`: what each means)
    "process_followed": Spec(Placement.CLOSED, Term(adherence.PROCESS_FOLLOWED), Term(ALL)),
    "standard_met": Spec(Placement.CLOSED, Term(adherence.STANDARD_MET), Term(adherence.SURVEYED)),
    "reopen": Spec(Placement.CLOSED, Term(Q(reopens__gt=0)), Term(ALL)),
    "handling_hours": Spec(  # the average: working seconds ÷ complaints (÷ 3600 when shown)
        Placement.CLOSED,
        Term(Q(handling_seconds__isnull=False), "handling_seconds"),
        Term(Q(handling_seconds__isnull=False)),
    ),
    **{
        f"cost_{column}": Spec(Placement.CLOSED, Term(Q(**{f"cost_{column}__gt": 0})), Term(ALL))
        for column in (
            "company",
            "customer",
            "handler",
            "transport_company",
            "transport_customer",
            "transport_handler",
        )
    },
    **{
        f"cost_{column}_shares": Spec(
            Placement.CLOSED,
            Term(Q(**{f"cost_{column}__gt": 0}), f"cost_{column}"),
            Term(ALL),
        )
        for column in ("company", "customer", "handler")
    },
    "repeat": Spec(Placement.REGISTERED, Term(Q(repeat=True)), Term(ALL)),
    "appealed": Spec(Placement.REGISTERED, Term(Q(appeals__gt=0)), Term(ALL)),
    **{
        f"appeal_{end.value}": Spec(
            Placement.REGISTERED, Term(Q(appeal_end=end.value)), Term(Q(appeals__gt=0))
        )
        for end in AppealEnd
        if end.value
    },
    **{
        f"appeal_{kind}": Spec(
            Placement.REGISTERED, Term(Q(appeal_kind=kind)), Term(Q(appeals__gt=0))
        )
        for kind in ("policy_or_staff", "quality_determination")
    },
}
ACCEPTANCE = f"{ClockKind.DISPATCH.value}_on_time"  # accepted within the dispatch limit

_LABELS = {
    "registered": _("Registered"),
    "closed": _("Closed"),
    "resolution": _("Resolution (closed with the customer satisfied)"),
    "satisfaction": _("Satisfaction"),
    "satisfaction_3": _("Satisfaction, 3-option surveys"),
    "satisfaction_5": _("Satisfaction, 5-option surveys"),
    "satisfaction_full": _("Surveys with full marks"),
    "return_visit": _("Return visits made"),
    "process_followed": _("Process followed (on time, no reopen, visited)"),
    "standard_met": _("Service standard met (survey at the standard)"),
    "reopen": _("Reopened"),
    "handling_hours": _("Average handling time (working hours)"),
    "cost_company": _("Company bears a cost"),
    "cost_customer": _("Customer bears a cost"),
    "cost_handler": _("Handler penalised"),
    "cost_transport_company": _("Company bears transport"),
    "cost_transport_customer": _("Customer bears transport"),
    "cost_transport_handler": _("Handler bears transport (penalty)"),
    "cost_company_shares": _("Company's shares of cost items (%)"),
    "cost_customer_shares": _("Customer's shares of cost items (%)"),
    "cost_handler_shares": _("Handler's penalty shares (%)"),
    "repeat": _("Repeat complaints"),
    "appealed": _("Appealed"),
    "appeal_open": _("Appeals still open"),
    "appeal_resolved": _("Appeals closed, the customer satisfied"),
    "appeal_unresolved": _("Appeals closed, the customer not satisfied"),
    "appeal_other": _("Appeals ended withdrawn, invalid or merged"),
    "appeal_policy_or_staff": _("Appeals on policy or staff"),
    "appeal_quality_determination": _("Appeals on the quality determination"),
}
_CLOCK_LABELS = {
    "on_time": _("%(clock)s: on time"),
    "late": _("%(clock)s: late (breached)"),
    "escalated": _("%(clock)s: escalated"),
}


def label(figure: str) -> str:
    """The figure's name in the user's language."""
    if figure == ACCEPTANCE:
        return str(_("Accepted on time"))
    if figure in _LABELS:
        return str(_LABELS[figure])
    for kind in ClockKind:
        for suffix, words in _CLOCK_LABELS.items():
            if figure == f"{kind.value}_{suffix}":
                return str(words) % {"clock": kind.label}
    raise KeyError(figure)


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def pct(self) -> float | None:
        """numerator ÷ denominator × 100 to one decimal; none when there is nothing to
        divide by."""
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    def __str__(self) -> str:
        pct = self.pct
        return f"{self.numerator}/{self.denominator}" + ("" if pct is None else f" = {pct} %")


@dataclass(frozen=True)
class Indicators:
    """The figures of one key (a department, a person, … or `()` for the company)."""

    key: tuple[Key, ...]
    figures: Mapping[str, Ratio]
    handling_p90_seconds: int | None

    def __getitem__(self, name: str) -> Ratio:
        return self.figures[name]

    @property
    def acceptance_on_time(self) -> Ratio:
        return self.figures[ACCEPTANCE]

    @property
    def resolution(self) -> Ratio:
        return self.figures["resolution"]

    @property
    def satisfaction(self) -> Ratio:
        """Points ÷ maximum points (3 × questions answered), both scales (SPEC §8)."""
        return self.figures["satisfaction"]

    @property
    def return_visit(self) -> Ratio:
        return self.figures["return_visit"]

    @property
    def reopen(self) -> Ratio:
        return self.figures["reopen"]

    @property
    def repeat(self) -> Ratio:
        return self.figures["repeat"]

    @property
    def handling_avg_hours(self) -> float | None:
        mean = self.figures["handling_hours"]
        if not mean.denominator:
            return None
        return round(mean.numerator / mean.denominator / 3600, 2)

    @property
    def handling_p90_hours(self) -> float | None:
        if self.handling_p90_seconds is None:
            return None
        return round(self.handling_p90_seconds / 3600, 2)

    def on_time(self, clock: str) -> Ratio:
        return self.figures[f"{clock}_on_time"]

    def late(self, clock: str) -> Ratio:
        """The runs of the clock that went past their due time (breaches), of those settled."""
        return self.figures[f"{clock}_late"]

    def escalated(self, clock: str) -> Ratio:
        return self.figures[f"{clock}_escalated"]


_FACT_COLUMN = {
    Dimension.CATEGORY: "category_root_id",
    Dimension.SUBCATEGORY: "category_id",
    Dimension.SEVERITY: "severity",
    Dimension.KIND: "kind",
    Dimension.CHANNEL: "channel",
    Dimension.DEPARTMENT: "department_id",
    Dimension.HANDLER: "handler_id",
    Dimension.CAUSE: "cause",
}
_READ: dict[Dimension, Callable[[Any], Key]] = {
    Dimension.SEVERITY: Severity,
    Dimension.KIND: Kind,
    Dimension.CHANNEL: Channel,
    Dimension.CAUSE: lambda v: Determination(v) if v else None,
}


def indicators(
    period: Period,
    *,
    by: Sequence[Dimension] = (),
    scope: QuerySet[Complaint] | None = None,
) -> dict[tuple[Key, ...], Indicators]:
    """Every figure of `SPECS` for each key of the dimensions `by` (none: the company).

    The whole months whose roll-ups hold the breakdown (`rollups`: by company, department,
    person, or department and person, with no scope) are read from their `MonthIndicators`
    rows; the rest of the period from the facts."""
    dims = tuple(Dimension(d) for d in by)
    if len(set(dims)) != len(dims):
        raise ValueError(f"a dimension is asked for twice: {', '.join(dims)}")
    catch_up()
    columns = [_FACT_COLUMN[d] for d in dims]
    sums: dict[tuple[Key, ...], dict[str, list[int]]] = defaultdict(
        lambda: {name: [0, 0] for name in SPECS}
    )
    durations: dict[tuple[Key, ...], Counter[int]] = defaultdict(Counter)
    frozen = frozen_months()
    rolled: set[tuple[date, int]] = set()
    if scope is None and set(dims) <= _ROLLED_DIMENSIONS:
        candidates = [
            (first, frozen.get(first, rollups.LIVE))
            for first, start, end in months(period)
            if rollups.whole(first, start, end)
        ]
        rolled = rollups.indicator_months(candidates, term_keys())
    if rolled:
        for row in rollups.indicator_rows(rolled):
            key = tuple(row[_FACT_COLUMN[d]] for d in dims)
            for name, spec in SPECS.items():
                if spec.placement == row["placement"]:
                    sums[key][name][0] += row["sums"][spec.numerator.key]
                    sums[key][name][1] += row["sums"][spec.denominator.key]
            durations[key].update(rollups.counter(row["durations"]))
    sources = _sources(period, scope, frozen, {first for first, _version in rolled})
    for source in sources:
        for placement in Placement:
            names, aliases, annotations = _terms(placement)
            placed = _with_late(source.placed(placement))
            rows: Iterable[Mapping[str, Any]] = (
                placed.values(*columns).annotate(**annotations).order_by()
                if columns
                else [placed.aggregate(**annotations)]  # the company: no GROUP BY at all
            )
            for row in rows:
                key = _key(dims, row)
                for name in names:
                    spec = SPECS[name]
                    sums[key][name][0] += row[aliases[spec.numerator.key]] or 0
                    sums[key][name][1] += row[aliases[spec.denominator.key]] or 0
        closed = source.placed(Placement.CLOSED).filter(handling_seconds__isnull=False)
        if connection.vendor == "postgresql" and len(sources) == 1 and not rolled:
            ranked: Iterable[Mapping[str, Any]] = (  # the database ranks them
                closed.values(*columns).annotate(p90=P90("handling_seconds")).order_by()
                if columns
                else [closed.aggregate(p90=P90("handling_seconds"))]
            )
            for row in ranked:
                if row["p90"] is not None:
                    durations[_key(dims, row)][row["p90"]] += 1
            continue
        for row in closed.values(*columns, "handling_seconds").order_by():
            durations[_key(dims, row)][row["handling_seconds"]] += 1
    return {
        key: Indicators(
            key,
            {name: Ratio(n, d) for name, (n, d) in figures.items()},
            _nearest_p90(durations.get(key, Counter())),
        )
        for key, figures in sorted(sums.items(), key=lambda item: _order(item[0]))
        if figures["registered"][1] or figures["closed"][1]  # the company's empty period
    }


# The breakdowns the monthly roll-ups hold (`MonthIndicators`: per department and person).
_ROLLED_DIMENSIONS = {Dimension.DEPARTMENT, Dimension.HANDLER}


def _terms(placement: Placement) -> tuple[list[str], dict[str, str], dict[str, Any]]:
    """The figures placed by `placement`, each distinct term's column alias, and the
    aggregates (terms that are the same SQL computed once)."""
    names = [n for n, s in SPECS.items() if s.placement == placement]
    aliases: dict[str, str] = {}  # a term's SQL → its column in the result
    annotations = {}
    for name in names:
        for term in (SPECS[name].numerator, SPECS[name].denominator):
            if term.key not in aliases:
                aliases[term.key] = f"t{len(aliases)}"
                annotations[aliases[term.key]] = term.aggregate()
    return names, aliases, annotations


def term_keys() -> set[str]:
    """What a month's roll-ups must have summed to serve the figures: each term by placing
    instant (a figure placed otherwise, or a new one, makes them be built again)."""
    return {
        f"{spec.placement.value}|{term.key}"
        for spec in SPECS.values()
        for term in (spec.numerator, spec.denominator)
    }


def month_sums(
    bounds: Period, version: int
) -> tuple[list[str], dict[tuple[str, Any, Any], tuple[dict[str, int], Counter[int]]]]:
    """A whole month's `MonthIndicators` rows: per placing instant, department and person,
    every term summed (by its key) and the handling times closed in it (seconds → how many);
    from the live facts (version 0) or the month's snapshot."""
    first = bounds.first
    if version == rollups.LIVE:
        source = _Source(
            ComplaintFact.objects.all(),
            {
                p: Q(**{f"{p.value}__gte": bounds.start, f"{p.value}__lt": bounds.end})
                for p in Placement
            },
        )
    else:
        source = _Source(
            FrozenFact.objects.filter(month=first, version=version),
            {
                p: Q(**{f"{p.value}__gte": bounds.start, f"{p.value}__lt": bounds.end})
                for p in Placement
            },
        )
    groups: dict[tuple[str, Any, Any], tuple[dict[str, int], Counter[int]]] = {}
    for placement in Placement:
        _names, aliases, annotations = _terms(placement)
        placed = _with_late(source.placed(placement))
        for row in placed.values("department_id", "handler_id").annotate(**annotations).order_by():
            groups[(placement.value, row["department_id"], row["handler_id"])] = (
                {key: row[alias] or 0 for key, alias in aliases.items()},
                Counter(),
            )
    closed = source.placed(Placement.CLOSED).filter(handling_seconds__isnull=False)
    for department, handler, seconds in closed.values_list(
        "department_id", "handler_id", "handling_seconds"
    ).order_by():
        groups[(Placement.CLOSED.value, department, handler)][1][seconds] += 1
    return sorted(term_keys()), groups


def _nearest_p90(counted: Counter[int]) -> int | None:
    """`p90` of the multiset `counted` (value → how many)."""
    total = sum(counted.values())
    if not total:
        return None
    rank, seen = math.ceil(0.9 * total), 0
    for value in sorted(counted):
        seen += counted[value]
        if seen >= rank:
            return value
    return None  # not reached


class P90(Aggregate):
    """PostgreSQL's 90th percentile, nearest rank (`percentile_disc`): `p90` in the database."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(0.9) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = BigIntegerField()


def p90(values: Iterable[int]) -> int | None:
    """The 90th percentile, nearest rank: the smallest value at or above 90 % of them."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def complaints(
    figure: str,
    period: Period,
    *,
    key: tuple[Key, ...] = (),
    by: Sequence[Dimension] = (),
    part: Part = Part.NUMERATOR,
    scope: QuerySet[Complaint] | None = None,
) -> QuerySet[Complaint]:
    """The complaints behind one side of a figure of one key: what a figure links to."""
    spec = SPECS[figure]
    term = spec.numerator if part == Part.NUMERATOR else spec.denominator
    dims = tuple(Dimension(d) for d in by)
    where = Q()
    for dimension, value in zip(dims, key, strict=True):
        column = _FACT_COLUMN[dimension]
        where &= Q(**{f"{column}__isnull": True}) if value is None else Q(**{column: value})
    catch_up()
    found = Q(pk__in=[])
    for source in _sources(period, scope):
        rows = source.placed(spec.placement).filter(where)
        found |= Q(pk__in=rows.filter(term.where).values("complaint_id"))
    return Complaint.objects.filter(found)


@dataclass(frozen=True)
class _Source:
    """Facts to read and, per placing instant, the rows whose instant falls in the period."""

    rows: QuerySet[Any]
    bounds: Mapping[Placement, Q]

    def placed(self, placement: Placement) -> QuerySet[Any]:
        rows = self.rows.filter(self.bounds[placement])
        return rows.filter(CLOSED) if placement == Placement.CLOSED else rows


def _sources(
    period: Period,
    scope: QuerySet[Complaint] | None,
    frozen: dict[date, int] | None = None,
    rolled: set[date] | frozenset[date] = frozenset(),
) -> list[_Source]:
    """The live facts for the days of `period` in no frozen month, and the snapshots of the
    frozen months it touches, each for the days of the period within it; not the months
    read from their roll-ups (`rolled`)."""
    frozen = frozen_months() if frozen is None else frozen
    live: dict[Placement, Q] = {p: Q(pk__in=[]) for p in Placement}
    snapshot: dict[Placement, Q] = {p: Q(pk__in=[]) for p in Placement}
    any_live = any_frozen = False
    for first, start, end in months(period):
        if first in rolled:
            continue
        version = frozen.get(first)
        for placement in Placement:
            inside = Q(**{f"{placement.value}__gte": start, f"{placement.value}__lt": end})
            if version is None:
                live[placement] |= inside
            else:
                snapshot[placement] |= Q(month=first, version=version) & inside
        any_live |= version is None
        any_frozen |= version is not None
    sources = []
    scoped = Q() if scope is None else Q(complaint_id__in=scope.order_by().values("pk"))
    if any_live:
        sources.append(_Source(ComplaintFact.objects.filter(scoped), live))
    if any_frozen:
        sources.append(_Source(FrozenFact.objects.filter(scoped), snapshot))
    return sources


def _with_late(rows: QuerySet[Any]) -> QuerySet[Any]:
    """Each clock's late runs (settled − on time), which its `_late` figure sums."""
    late = {}
    for kind in ClockKind:
        settled, on_time, _escalated = clock_columns(kind.value)
        late[f"{kind.value}_late"] = F(settled) - F(on_time)
    return rows.annotate(**late)


def _key(dims: tuple[Dimension, ...], row: Mapping[str, Any]) -> tuple[Key, ...]:
    return tuple(
        _READ.get(d, lambda v: v)(row[_FACT_COLUMN[d]])
        if row[_FACT_COLUMN[d]] is not None
        else None
        for d in dims
    )


def _order(key: tuple[Key, ...]) -> tuple[Any, ...]:
    return tuple((1,) if v is None else (0, v) for v in key)
