"""考核 scorecards: each department or person of a period scored on the statistics' indicators
against the targets and weights of `models.Target`, ranked, with the complaints behind every
deduction.

The figures are the statistics layer's (`kesu.statistics.indicators`: frozen months as frozen,
the rest live), one GROUP BY per placing instant for every department or person at once; the
arithmetic is `scoring`. A deduction is defended by its incidents (`incidents`): the complaints
the figure failed on — accepted late, a time limit breached, closed without the customer
satisfied, a survey short of full marks, a return visit not made, reopened, a repeat.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

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
        return sum((line.deduction for line in self.lines), Decimal(0))


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
    return list(Target.objects.filter(level=level, active=True).order_by("measure"))


def scorecards(
    period: Period, level: Level, *, scope: QuerySet[Complaint] | None = None
) -> list[Scorecard]:
    """Every active department (or person who owns complaints) of `level`, best first, with
    the rank; those with nothing to score in the period last, unranked."""
    applied = targets(level)
    figures = indicators(period, by=(BY[level],), scope=scope)
    cards = [
        _card(level, subject_id, name, applied, figures.get((subject_id,)))
        for subject_id, name in _subjects(level, figures)
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
    by, key = (BY[level],), (subject_id,)

    def side(name: str, part: Part) -> QuerySet[Complaint]:
        return complaints(name, period, key=key, by=by, part=part, scope=scope)

    if measure in LOWER_IS_BETTER:
        return side(measure.value, Part.NUMERATOR)
    if measure == Measure.HANDLING_ON_TIME:
        late = Complaint.objects.none()
        for clock in HANDLING_CLOCKS:
            late |= side(f"{clock}_late", Part.NUMERATOR)
        return late
    name = {
        Measure.ACCEPTANCE_ON_TIME: ACCEPTANCE,
        Measure.SATISFACTION: "satisfaction_full",  # a survey short of full marks
    }.get(measure, measure.value)
    return side(name, Part.DENOMINATOR).exclude(pk__in=side(name, Part.NUMERATOR).values("pk"))


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
