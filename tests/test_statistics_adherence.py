"""Process adherence (row 104, `kesu.statistics.adherence`): 服务流程执行准确率 and
服务标准达标率 agree exactly with plain Python that recomputes them from the events of a random
history driven through the real verbs (the clocks from the deadline engine's replay), per
company and per person, for months, a quarter and the year; each side of both figures links to
exactly the complaints it counts; the history reaches both outcomes of each; on a worked
history each condition (a skipped visit, a reopen, a survey below 80 %) decides."""

from collections import defaultdict
from datetime import date, datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from kesu.complaints.choices import AppealKind, Determination, Kind, Severity
from kesu.complaints.models import Complaint, ComplaintEvent, ReturnVisit
from kesu.deadlines import engine
from kesu.statistics import indicators
from kesu.statistics.adherence import STANDARD_PCT
from kesu.statistics.counts import Dimension
from kesu.statistics.indicators import Part, complaints
from kesu.statistics.periods import parse
from tests.statistics_history import SHANGHAI, drive, history

FINAL = {"closed", "withdrawn", "invalid", "merged"}
PERIODS = [
    ("2026-08", date(2026, 8, 1), date(2026, 8, 31)),
    ("2026-09", date(2026, 9, 1), date(2026, 9, 30)),
    ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
]
FIGURES = ("process_followed", "standard_met")


def reopening(e) -> bool:
    return e.type in ("reopen", "appeal") or (e.type == "confirm" and not e.data["satisfied"])


def recompute(first: date, last: date, by: tuple) -> dict:
    """Both figures per key, from the timelines alone."""
    timelines = defaultdict(list)
    for e in ComplaintEvent.objects.order_by("id"):
        timelines[e.complaint_id].append(e)
    visits = {v.pk: v for v in ReturnVisit.objects.all()}
    out: dict = defaultdict(lambda: {f: [0, 0] for f in FIGURES})
    for c in Complaint.objects.all():
        events = timelines[c.pk]
        ends = [e for e in events if e.to_state in FINAL and e.from_state not in FINAL]
        if events[-1].to_state != "closed":
            continue
        if not first <= ends[-1].at.astimezone(SHANGHAI).date() <= last:
            continue
        key = tuple({Dimension.HANDLER: c.owner_id}[d] for d in by)
        start = max([i for i, e in enumerate(events) if reopening(e)], default=0)
        run = events[start:]
        surveys = [visits[e.data["return_visit"]] for e in run if e.type == "return_visit"]
        survey = surveys[-1] if surveys else None
        unreachable = any(
            (e.type == "skip_return_visit" and e.data["reason"] == "anonymous")
            or (e.type == "verify" and e.data["passed"] and not e.data["customer_reachable"])
            for e in run
        )
        visit_owed = ends[-1].type == "close" and not unreachable and survey is None
        late = any(
            r.breached or (r.stopped_at is not None and r.stopped_at > r.due_at)
            for r in engine.clocks_of(c)
        )
        followed = not late and not any(reopening(e) for e in events) and not visit_owed
        out[key]["process_followed"][0] += int(followed)
        out[key]["process_followed"][1] += 1
        if survey is not None:
            reached = 100 * survey.points >= STANDARD_PCT * survey.max_points
            out[key]["standard_met"][0] += int(reached)
            out[key]["standard_met"][1] += 1
    return {k: {f: tuple(v) for f, v in figures.items()} for k, figures in out.items()}


def layer(text: str, by: tuple) -> dict:
    found = indicators.indicators(parse(text), by=by)
    return {
        k: {f: (i[f].numerator, i[f].denominator) for f in FIGURES}
        for k, i in found.items()
        if i["closed"].denominator  # keys with something closed in the period
    }


@pytest.mark.slow
@pytest.mark.django_db
@hypothesis_settings(
    max_examples=1,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@given(scripts=history)
def test_adherence_agrees_with_a_recomputation_from_the_events(people, scripts):
    with transaction.atomic():
        drive(people, scripts)
        for text, first, last in PERIODS:
            for by in ((), (Dimension.HANDLER,)):
                assert layer(text, by) == recompute(first, last, by), (text, by)
        year = indicators.indicators(parse("2026"))[()]
        for figure in FIGURES:  # the history reaches both outcomes of each figure
            ratio = year[figure]
            assert 0 < ratio.numerator < ratio.denominator, (figure, ratio)
            for part, value in (
                (Part.NUMERATOR, ratio.numerator),
                (Part.DENOMINATOR, ratio.denominator),
            ):
                behind = complaints(figure, parse("2026"), part=part)
                assert behind.count() == value, (figure, part)
        # per person: the complaints behind each side are that person's, as many as counted
        for key, found in indicators.indicators(parse("2026-Q4"), by=(Dimension.HANDLER,)).items():
            for figure in FIGURES:
                behind = complaints(figure, parse("2026-Q4"), key=key, by=(Dimension.HANDLER,))
                assert behind.count() == found[figure].numerator
                assert {c.owner_id for c in behind} <= {key[0]}
        transaction.set_rollback(True)


def script(**overrides) -> dict:
    """One complaint handled promptly all the way to closing, never reopened."""
    return {
        "at": datetime(2026, 10, 12, 10, tzinfo=SHANGHAI),
        "kind": Kind.COMPLAINT,
        "category": 0,
        "severity": Severity.LEVEL_3,
        "phone": 0,
        "model": 2,
        "sensitive": False,
        "owner": 0,
        "reach": 40,
        "spot": 1,
        "ends": "",
        "unsatisfied_first": False,
        "skip_visit": 1,
        "scale": 5,
        "answers": [0, 0, 0],  # 很满意 × 3: 9 of 9 points
        "reopen": 3,
        "appeal_kind": AppealKind.POLICY_OR_STAFF,
        "cause": Determination.CUSTOMER,
        "returned": False,
        "handler_could": True,
        "delays": [0.2] * 40,
        **overrides,
    }


@pytest.mark.django_db
def test_each_condition_of_the_figures_decides_on_a_worked_history(people):
    made = drive(
        people,
        [
            script(),  # followed, standard met
            script(sensitive=True, skip_visit=0),  # the visit owed was skipped: not followed
            script(unsatisfied_first=True),  # the customer was not satisfied once: a reopen
            script(answers=[1, 1, 2]),  # 满意, 满意, 一般: 5 of 9 points, below 80 %
            script(answers=[0, 0, 1]),  # 8 of 9 points: 88.9 %, at the standard
        ],
    )
    period = parse("2026-10")
    company = indicators.indicators(period)[()]
    assert company["closed"].numerator == 5
    followed = set(complaints("process_followed", period).values_list("number", flat=True))
    assert followed == {made[0].number, made[3].number, made[4].number}
    met = set(complaints("standard_met", period).values_list("number", flat=True))
    surveyed = complaints("standard_met", period, part=Part.DENOMINATOR)
    assert met == {made[0].number, made[2].number, made[4].number}
    assert made[1].number not in set(surveyed.values_list("number", flat=True))
    assert layer("2026-10", ()) == recompute(date(2026, 10, 1), date(2026, 10, 31), ())
