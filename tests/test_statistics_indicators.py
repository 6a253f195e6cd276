"""The indicators (SPEC §10) agree exactly with an independent oracle: plain Python that
recomputes every figure from the timelines of a random history driven through the real verbs
(`statistics_history`); the oracle notices planted bugs; the satisfaction formula of SPEC §8
on worked examples of both scales; the complaints behind a figure are the ones it counts."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from kesu.complaints import satisfaction
from kesu.complaints.models import Complaint, ComplaintEvent, Plan, ReturnVisit
from kesu.deadlines import engine
from kesu.deadlines.queries import company_calendar
from kesu.policies.choices import ClockKind
from kesu.statistics import facts, indicators
from kesu.statistics.counts import Dimension
from kesu.statistics.indicators import SPECS, Part, Placement, complaints
from kesu.statistics.periods import parse
from kesu.statistics.projection import rebuild
from tests.statistics_history import drive, history

ZONE = ZoneInfo("Asia/Shanghai")
FINAL = {"closed", "withdrawn", "invalid", "merged"}
# (period, its first and last local day), written out by hand
PERIODS = [
    ("2026-08", date(2026, 8, 1), date(2026, 8, 31)),
    ("2026-09", date(2026, 9, 1), date(2026, 9, 30)),
    ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("2026-09-15..2026-10-14", date(2026, 9, 15), date(2026, 10, 14)),
]
BREAKDOWNS = [(), (Dimension.DEPARTMENT,), (Dimension.HANDLER,)]


def reopening(e) -> bool:
    return e.type in ("reopen", "appeal") or (e.type == "confirm" and not e.data["satisfied"])


class World:
    """What the oracle reads, loaded once: every timeline, survey and cost split, and each
    complaint's clocks as the deadline engine replays them."""

    def __init__(self) -> None:
        self.timelines = defaultdict(list)
        for e in ComplaintEvent.objects.order_by("id"):
            self.timelines[e.complaint_id].append(e)
        self.visits = {v.pk: v for v in ReturnVisit.objects.all()}
        self.costs = dict(Plan.objects.values_list("pk", "cost"))
        self.everyone = list(Complaint.objects.all())
        self.clocks = {c.pk: engine.clocks_of(c) for c in self.everyone}


def oracle(
    world: World, first: date, last: date, by: tuple, only: set | None = None
) -> tuple[dict, dict]:
    """Every figure of every key, and the 90th percentile of the handling time, straight from
    the events (the clocks from the deadline engine's replay of each timeline)."""

    def inside(at) -> bool:
        return first <= at.astimezone(ZONE).date() <= last

    timelines, visits, costs = world.timelines, world.visits, world.costs
    calendar = company_calendar()
    everyone = world.everyone
    figures: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    durations: dict = defaultdict(list)

    def add(key, name, n, d) -> None:
        figures[key][name][0] += n
        figures[key][name][1] += d

    for c in everyone:
        if only is not None and c.department_id not in only:
            continue
        events = timelines[c.pk]
        key = tuple(
            {Dimension.DEPARTMENT: c.department_id, Dimension.HANDLER: c.owner_id}[d] for d in by
        )
        registered = events[0].at
        finished = [e for e in events if e.to_state in FINAL and e.from_state not in FINAL]
        state = events[-1].to_state
        if inside(registered):
            add(key, "registered", 1, 1)
            for kind in ClockKind:
                runs = [r for r in world.clocks[c.pk] if r.kind == kind]
                late = [r for r in runs if r.breached or (r.stopped_at and r.stopped_at > r.due_at)]
                settled = len([r for r in runs if r.stopped_at or r in late])
                on_time = len([r for r in runs if r.stopped_at and r not in late])
                escalated = len(
                    [
                        e
                        for e in events
                        if e.type == "deadline_escalated" and e.data["clock"] == kind
                    ]
                )
                add(key, f"{kind}_on_time", on_time, settled)
                add(key, f"{kind}_late", settled - on_time, settled)
                add(key, f"{kind}_escalated", escalated, settled)
            add(key, "repeat", int(is_repeat(c, everyone, timelines)), 1)
            appeals = [i for i, e in enumerate(events) if e.type == "appeal"]
            add(key, "appealed", int(bool(appeals)), 1)
            if appeals:
                last_appeal = events[appeals[-1]]
                ended = state in FINAL and any(e in finished for e in events[appeals[-1] :])
                end = "open"
                if ended:
                    end = "other"
                    if state == "closed":
                        end = "resolved" if resolved(events) else "unresolved"
                for name in ("open", "resolved", "unresolved", "other"):
                    add(key, f"appeal_{name}", int(end == name), 1)
                for kind in ("policy_or_staff", "quality_determination"):
                    add(key, f"appeal_{kind}", int(last_appeal.data["kind"] == kind), 1)
            else:
                for name in ("open", "resolved", "unresolved", "other"):
                    add(key, f"appeal_{name}", 0, 0)
                for kind in ("policy_or_staff", "quality_determination"):
                    add(key, f"appeal_{kind}", 0, 0)
        else:
            for name in SPECS:
                if SPECS[name].placement == Placement.REGISTERED:
                    add(key, name, 0, 0)
        if state != "closed" or not inside(finished[-1].at):
            for name in SPECS:
                if SPECS[name].placement == Placement.CLOSED:
                    add(key, name, 0, 0)
            continue
        closed_at, closing = finished[-1].at, finished[-1].type
        add(key, "closed", 1, 1)
        ok = resolved(events)
        add(key, "resolution", int(ok), 1)
        last_run = events[max([i for i, e in enumerate(events) if reopening(e)], default=0) :]
        surveys = [visits[e.data["return_visit"]] for e in last_run if e.type == "return_visit"]
        survey = surveys[-1] if surveys else None
        for name, scale in (("satisfaction", None), ("satisfaction_3", 3), ("satisfaction_5", 5)):
            if survey and scale in (None, survey.scale):
                add(key, name, int(survey.points), int(survey.max_points))
            else:
                add(key, name, 0, 0)
        full = survey is not None and survey.points == survey.max_points
        add(key, "satisfaction_full", int(full), int(survey is not None))
        unreachable = any(
            (e.type == "skip_return_visit" and e.data["reason"] == "anonymous")
            or (e.type == "verify" and e.data["passed"] and not e.data["customer_reachable"])
            for e in last_run
        )
        needed = closing == "close" and not unreachable
        add(key, "return_visit", int(needed and survey is not None), int(needed))
        # process adherence (kesu.statistics.adherence): no late run of any clock, no reopen,
        # the visit made where needed; a survey at 80 % of its maximum
        late_runs = [
            r
            for r in world.clocks[c.pk]
            if r.kind in ClockKind.values
            and (r.breached or (r.stopped_at and r.stopped_at > r.due_at))
        ]
        followed = (
            not late_runs
            and not any(reopening(e) for e in events)
            and (not needed or survey is not None)
        )
        add(key, "process_followed", int(followed), 1)
        met = survey is not None and survey.points * 100 >= survey.max_points * 80
        add(key, "standard_met", int(met), int(survey is not None))
        add(key, "reopen", int(any(reopening(e) for e in events)), 1)
        seconds = int(calendar.between(registered, closed_at).total_seconds())
        add(key, "handling_hours", seconds, 1)
        durations[key].append(seconds)
        treated = [
            e.data["plan"]
            for e in events
            if e.type == "approve_plan" or (e.type == "propose_plan" and e.data["filed"])
        ]
        lines = costs[treated[-1]] if treated else []
        for bearer in ("company", "customer", "handler"):
            share = sum(line["share_pct"] for line in lines if line["bearer"] == bearer)
            transport = sum(
                line["share_pct"]
                for line in lines
                if line["bearer"] == bearer and line["item"] in ("transport", "return_transport")
            )
            add(key, f"cost_{bearer}", int(share > 0), 1)
            add(key, f"cost_transport_{bearer}", int(transport > 0), 1)
            add(key, f"cost_{bearer}_shares", share, 1)
    p90s = {}
    for key, values in durations.items():
        values.sort()
        p90s[key] = values[-(-9 * len(values) // 10) - 1]  # nearest rank: ⌈0.9 n⌉
    return (
        {
            k: {n: tuple(v) for n, v in f.items()}
            for k, f in figures.items()
            if f["registered"][1] or f["closed"][1]
        },
        p90s,
    )


def resolved(events) -> bool:
    """The last run of the case ended with the customer satisfied."""
    for e in reversed(events):
        if reopening(e):
            return False
        if e.type in ("resolve_on_spot", "answer") or (e.type == "confirm" and e.data["satisfied"]):
            return True
    return False


def is_repeat(c, everyone, timelines) -> bool:
    """The same customer (phone) about the same product, registered up to 90 days before."""
    model = " ".join(c.product_model.split()).lower()
    if c.anonymous or not c.complainant_phone or not model:
        return False
    at = timelines[c.pk][0].at
    return any(
        o.complainant_phone == c.complainant_phone
        and " ".join(o.product_model.split()).lower() == model
        and (timelines[o.pk][0].at, o.pk) < (at, c.pk)
        and at - timelines[o.pk][0].at <= timedelta(days=90)
        for o in everyone
        if o.pk != c.pk and not o.anonymous
    )


def layer(text: str, by: tuple) -> tuple[dict, dict]:
    found = indicators.indicators(parse(text), by=by)
    return (
        {
            k: {n: (r.numerator, r.denominator) for n, r in i.figures.items()}
            for k, i in found.items()
        },
        {k: i.handling_p90_seconds for k, i in found.items() if i.handling_p90_seconds is not None},
    )


def disagreements(world: World) -> list:
    out = []
    for text, first, last in PERIODS:
        for by in BREAKDOWNS:
            if layer(text, by) != oracle(world, first, last, by):
                out.append((text, by))
    return out


@pytest.mark.slow
@pytest.mark.django_db
@hypothesis_settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # shrinking a history of hundreds takes minutes
    suppress_health_check=list(HealthCheck),
)
@given(scripts=history)
def test_the_indicators_agree_with_an_oracle_over_the_events(people, scripts):
    with transaction.atomic():
        drive(people, scripts)
        world = World()
        for text, first, last in PERIODS:
            for by in BREAKDOWNS:
                mine, theirs = layer(text, by), oracle(world, first, last, by)
                assert mine[1] == theirs[1], (text, by)
                for key in mine[0].keys() | theirs[0].keys():
                    assert mine[0].get(key) == theirs[0].get(key), (text, by, key)
        # a head of two departments sees their complaints' figures only
        two = {people.handler_east.department_id, people.handler_quality.department_id}
        scoped = Complaint.objects.filter(department__in=two)
        for text, first, last in PERIODS[2:4]:
            found = indicators.indicators(parse(text), by=(Dimension.HANDLER,), scope=scoped)
            mine = (
                {
                    k: {n: (r.numerator, r.denominator) for n, r in i.figures.items()}
                    for k, i in found.items()
                },
                {
                    k: i.handling_p90_seconds
                    for k, i in found.items()
                    if i.handling_p90_seconds is not None
                },
            )
            assert mine == oracle(world, first, last, (Dimension.HANDLER,), only=two), text
        # every counted figure links to exactly the complaints it counts, per person too
        for by in ((), (Dimension.HANDLER,)):
            for key, found in indicators.indicators(parse("2026-10"), by=by).items():
                for name, spec in SPECS.items():
                    for part, term, value in (
                        (Part.NUMERATOR, spec.numerator, found[name].numerator),
                        (Part.DENOMINATOR, spec.denominator, found[name].denominator),
                    ):
                        if not term.column:
                            behind = complaints(name, parse("2026-10"), key=key, by=by, part=part)
                            assert behind.count() == value, (name, key, part)
        # the history reaches every kind of figure the oracle checks
        year = indicators.indicators(parse("2026"))[()]
        for name in (
            "resolution",
            "satisfaction_3",
            "satisfaction_5",
            "return_visit",
            "reopen",
            "dispatch_late",
            "first_contact_escalated",
            "appealed",
            "repeat",
            "cost_handler",
        ):
            assert year[name].numerator > 0, name
        # planted bugs: the oracle notices each
        with pytest.MonkeyPatch.context() as mp:
            mp.setitem(
                SPECS,
                "resolution",
                SPECS["resolution"].__class__(
                    Placement.REGISTERED,
                    SPECS["resolution"].numerator,
                    SPECS["resolution"].denominator,
                ),
            )
            assert disagreements(world), "resolution placed by registration went unnoticed"
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(facts, "REOPENING", frozenset({"reopen"}))  # an appeal forgotten
            rebuild()
            assert disagreements(world), "an appeal not counted as a reopen went unnoticed"
        transaction.set_rollback(True)


# SPEC §8's formula, worked by hand: points ÷ (3 × questions answered) × 100


@pytest.mark.parametrize(
    ("scale", "answers", "points", "maximum", "pct"),
    [
        (3, ["satisfied", "satisfied", "satisfied"], 9, 9, "100.0"),
        (3, ["satisfied", "neutral", "dissatisfied"], 5, 9, "55.6"),  # 3 + 2 + 0
        (3, ["neutral"], 2, 3, "66.7"),
        (5, ["very_satisfied", "satisfied", "neutral"], 6, 9, "66.7"),  # 3 + 2 + 1
        (5, ["dissatisfied", "very_dissatisfied"], -1, 6, "-16.7"),  # 0 − 1
        (5, ["satisfied", "satisfied"], 4, 6, "66.7"),
    ],
)
def test_the_satisfaction_formula_on_worked_examples(scale, answers, points, maximum, pct):
    score = satisfaction.score(scale, answers)
    assert (score.points, score.max_points, score.pct) == (points, maximum, Decimal(pct))


def test_a_period_s_satisfaction_is_the_points_over_the_maximum_on_both_scales(people):
    """Two closed complaints, one surveyed on each scale: 5/9 and 6/9 make 11/18 = 61.1 %."""
    from tests.statistics_history import SHANGHAI, drive

    base = {
        "kind": "complaint",
        "category": 0,
        "severity": 3,
        "phone": 0,
        "model": 2,
        "sensitive": False,
        "owner": 0,
        "reach": 40,
        "spot": 5,
        "ends": "",
        "unsatisfied_first": False,
        "skip_visit": 3,
        "reopen": 3,
        "appeal_kind": "policy_or_staff",
        "cause": "customer",
        "returned": False,
        "handler_could": False,
        "delays": [1] * 40,
    }
    from datetime import datetime

    drive(
        people,
        [
            {
                **base,
                "at": datetime(2026, 9, 1, 9, tzinfo=SHANGHAI),
                "scale": 3,
                "answers": [0, 1, 2],
            },
            {
                **base,
                "at": datetime(2026, 9, 2, 9, tzinfo=SHANGHAI),
                "scale": 5,
                "answers": [0, 1, 2],
            },
        ],
    )
    figures = indicators.indicators(parse("2026-09"))[()]
    assert (figures.satisfaction.numerator, figures.satisfaction.denominator) == (11, 18)
    assert figures.satisfaction.pct == 61.1
    assert str(figures["satisfaction_3"]) == "5/9 = 55.6 %"
    assert str(figures["satisfaction_5"]) == "6/9 = 66.7 %"
    behind = complaints("satisfaction_5", parse("2026-09"), part=Part.DENOMINATOR)
    assert behind.count() == 1


def test_every_figure_has_a_name_in_both_languages():
    from django.utils import translation

    for figure in SPECS:
        with translation.override("en"):
            english = indicators.label(figure)
        with translation.override("zh-hans"):
            chinese = indicators.label(figure)
        assert english and chinese and english != chinese, figure
    with translation.override("zh-hans"):
        assert indicators.label("first_contact_late") == "首次联系客户：超时（逾期）"
