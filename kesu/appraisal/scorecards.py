"""考核 scorecards: each department or person of a period scored on the statistics' indicators
against the targets and weights of `models.Target`, ranked, with the complaints behind every
deduction.

The figures are the statistics layer's (`kesu.statistics.indicators`: frozen months as frozen,
the rest live), one GROUP BY per placing instant for every department or person at once; the
arithmetic is `scoring`. A deduction is defended by its incidents (`incidents`): the complaints
the figure failed on — accepted late, a time limit breached, closed without the customer
satisfied, a survey short of full marks, a return visit not made, reopened, a repeat.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kesu.accounts.choices import Role
from kesu.accounts.models import Department, User
from kesu.appraisal.choices import LOWER_IS_BETTER, Level, Measure
from kesu.appraisal.models import Target
from kesu.appraisal.scoring import Figure, Line, ranked, score
from kesu.complaints.models import Complaint
from kesu.policies.choices import ClockKind
from kesu.statistics.counts import Dimension
from kesu.statistics.indicators import ACCEPTANCE, Indicators, Part, complaints, indicators
from kesu.statistics.periods import Period

BY = {Level.DEPARTMENT: Dimension.DEPARTMENT, Level.PERSON: Dimension.HANDLER}
# The clocks of handling (every clock but dispatch, which is acceptance on time).
HANDLING_CLOCKS = tuple(kind.value for kind in ClockKind if kind != ClockKind.DISPATCH)
# Who is scored as a person: whoever owns complaints.
SCORED_ROLES = (Role.HANDLER, Role.DEPT_HEAD)


@dataclass(frozen=True)
class Scorecard:
    level: Level
    subject_id: int
    name: str
    lines: tuple[Line, ...]
    score: Decimal | None
    rank: int | None = None

    @property
    def deduction(self) -> Decimal:
        return sum((line.deduction for line in self.lines), Decimal("0.0"))


def figure(measure: Measure, figures: Indicators | None) -> Figure:
    """The numerator and denominator of `measure` in one key's indicators (0/0 when the
    department or person had nothing in the period)."""
    if figures is None:
        return Figure(0, 0)
    if measure == Measure.HANDLING_ON_TIME:
        ratios = [figures.on_time(clock) for clock in HANDLING_CLOCKS]
        return Figure(sum(r.numerator for r in ratios), sum(r.denominator for r in ratios))
    ratio = figures[ACCEPTANCE if measure == Measure.ACCEPTANCE_ON_TIME else measure.value]
    return Figure(ratio.numerator, ratio.denominator)


def targets(level: Level) -> list[Target]:
    """The active targets of `level`, in the order of `Measure` (timeliness first)."""
    order = list(Measure)
    found = Target.objects.filter(level=level, active=True)
    return sorted(found, key=lambda t: order.index(Measure(t.measure)))


def scorecards(
    period: Period,
    level: Level,
    *,
    scope: QuerySet[Complaint] | None = None,
    only: Collection[int] | None = None,
) -> list[Scorecard]:
    """Every active department (or person who owns complaints) of `level`, best first, with
    the rank; those with nothing to score in the period last, unranked. `scope`: the
    complaints the figures count (None: all); `only`: the departments or people who get a
    card (None: everyone), ranked among themselves."""
    applied = targets(level)
    figures = indicators(period, by=(BY[level],), scope=scope)
    cards = [
        _card(level, subject_id, name, applied, figures.get((subject_id,)))
        for subject_id, name in _subjects(level, figures)
        if only is None or subject_id in only
    ]
    return [
        Scorecard(c.level, c.subject_id, c.name, c.lines, c.score, rank)
        for rank, c in ranked(cards, lambda c: c.score)
    ]


def incidents(
    period: Period,
    level: Level,
    subject_id: int,
    measure: Measure,
    *,
    scope: QuerySet[Complaint] | None = None,
) -> QuerySet[Complaint]:
    """The complaints behind `measure`'s deduction on one scorecard: those the figure failed
    on (for a ceiling, those counted against it)."""
    found = Complaint.objects.none()
    for name, part, minus in failing(measure):
        found |= _side(period, level, subject_id, name, part, scope, minus)
    return found


def failing(measure: Measure) -> list[tuple[str, Part, str]]:
    """The statistics' figures whose complaints fail `measure`: (figure, side, less the
    complaints of this figure's numerator, or ""), each a link of the figure drill-down.

    Acceptance and the time limits fail on a late run of a clock (a complaint can be
    accepted twice, once late); resolution, satisfaction and return visits on the
    complaints counted below the line and not above it; reopened and repeat complaints on
    those counted above it."""
    if measure in LOWER_IS_BETTER:
        return [(measure.value, Part.NUMERATOR, "")]
    if measure == Measure.ACCEPTANCE_ON_TIME:
        return [(f"{ClockKind.DISPATCH.value}_late", Part.NUMERATOR, "")]
    if measure == Measure.HANDLING_ON_TIME:
        return [(f"{clock}_late", Part.NUMERATOR, "") for clock in HANDLING_CLOCKS]
    name = "satisfaction_full" if measure == Measure.SATISFACTION else measure.value
    return [(name, Part.DENOMINATOR, name)]


@dataclass(frozen=True)
class Incident:
    """One complaint behind a deduction and why it counts against the figure."""

    complaint: Complaint
    reasons: tuple[str, ...]


def incident_list(
    period: Period,
    level: Level,
    subject_id: int,
    measure: Measure,
    *,
    scope: QuerySet[Complaint] | None = None,
) -> list[Incident]:
    """`incidents` with the reasons, oldest number first (a breach names its clocks)."""
    reasons: dict[int, list[str]] = {}
    for name, part, minus in failing(measure):
        why = _reason(measure, name)
        for pk in _side(period, level, subject_id, name, part, scope, minus).values_list(
            "pk", flat=True
        ):
            reasons.setdefault(pk, []).append(why)
    found = Complaint.objects.filter(pk__in=reasons).select_related("owner").order_by("pk")
    return [Incident(c, tuple(reasons[c.pk])) for c in found]


_WHY = {
    Measure.ACCEPTANCE_ON_TIME: _("Accepted late"),
    Measure.RESOLUTION: _("Closed without the customer satisfied"),
    Measure.SATISFACTION: _("The survey fell short of full marks"),
    Measure.RETURN_VISIT: _("No return visit made"),
    Measure.REOPEN: _("Reopened"),
    Measure.REPEAT: _("A repeat complaint"),
}


def _reason(measure: Measure, figure_name: str) -> str:
    if measure == Measure.HANDLING_ON_TIME:
        clock = ClockKind(figure_name.removesuffix("_late"))
        return str(_("Time limit breached: %(clock)s")) % {"clock": clock.label}
    return str(_WHY[measure])


def _side(
    period: Period,
    level: Level,
    subject_id: int,
    name: str,
    part: Part,
    scope: QuerySet[Complaint] | None,
    minus: str = "",
) -> QuerySet[Complaint]:
    by, key = (BY[level],), (subject_id,)
    found = complaints(name, period, key=key, by=by, part=part, scope=scope)
    if minus:
        above = complaints(minus, period, key=key, by=by, part=Part.NUMERATOR, scope=scope)
        found = found.exclude(pk__in=above.values("pk"))
    return found


def _card(
    level: Level, subject_id: int, name: str, applied: list[Target], figures: Indicators | None
) -> Scorecard:
    lines = tuple(
        Line(
            t.measure,
            figure(Measure(t.measure), figures),
            t.target_pct,
            t.weight,
            t.measure in LOWER_IS_BETTER,
        )
        for t in applied
    )
    return Scorecard(level, subject_id, name, lines, score(lines))


def _subjects(level: Level, figures: dict) -> Sequence[tuple[int, str]]:
    """Who gets a scorecard: the active departments, or the active people who own complaints,
    and anyone the period's figures name besides (a person who has left still answers for
    their month)."""
    named = {key[0] for key in figures if key and key[0] is not None}
    if level == Level.DEPARTMENT:
        rows = Department.objects.filter(pk__in=named) | Department.objects.filter(active=True)
        return [(d.pk, d.name) for d in rows.distinct().order_by("pk")]
    people = User.objects.filter(pk__in=named) | User.objects.filter(
        is_active=True, role__in=SCORED_ROLES
    )
    return [(u.pk, u.get_full_name() or u.username) for u in people.distinct().order_by("pk")]
