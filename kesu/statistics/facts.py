"""The figures one complaint's timeline yields: `fact_of`, one pure function (no ORM).

Its inputs are the complaint as it stands (the dimensions a figure is broken down by, the
keys that make a repeat complaint), its events in the order they were written, the surveys
and cost splits the events name (rows that are written once and never changed), and what the
clocks need (the time-limit rules, the working calendar and the ladder). Everything else —
when it was registered and closed, whether the customer was satisfied, the survey's points,
the return visit, reopens, appeals, the clocks met on time or late, the escalations, the
working hours it took, who bears the costs — is read from the events.

Which events say what
---------------------
* registered: the `register` event's instant.
* closed: a complaint whose last event leaves it in a final state; the instant of the event
  that took it there (`outcome` says which: closed, withdrawn, invalid, merged). Only
  `closed` counts for the closing figures.
* a *run* of the case starts at registration and again at each reopen (`reopen`, `appeal`,
  a `confirm` the customer was not satisfied with); the closing figures read the last run:
  - resolved: the last run ended with the customer satisfied (`confirm` satisfied,
    `resolve_on_spot`, or an inquiry's `answer`);
  - survey: the last `return_visit` of the run (its points on either scale, SPEC §8);
  - return visit needed: closed by `close` (it went through the return-visit stage) and not
    skipped because the customer could not be reached (anonymous or no contact: a `verify`
    that found nobody, or `skip_return_visit` for that reason); done: a survey in the run.
* reopens: the reopening events over the whole timeline.
* appeals: the `appeal` events; how the last one ended: still open, or the outcome above.
* clocks (SPEC §5, `kesu.deadlines.clocks.replay`): a run is *settled* once it was met or
  went past its due time (a breach the sweeper recorded, or met late); *on time* when met
  before its due time and never breached; escalations are the ladder's `deadline_escalated`
  events of that clock.
* handling time: the working time (the company's calendar) from registration to closing.
* costs: the split of the last plan that went to treatment (filed, or approved), summed per
  bearer in item shares (100 = one whole item); transport and return transport apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kesu.deadlines.clocks import Calendar, ClockRule, EventFact, Facts, Step, replay

FINAL = frozenset({"closed", "withdrawn", "invalid", "merged"})
REOPENING = frozenset({"reopen", "appeal"})
LADDER = frozenset({"deadline_warned", "deadline_breached", "deadline_escalated"})
TRANSPORT_ITEMS = frozenset({"transport", "return_transport"})
NO_VISIT_POSSIBLE = "anonymous"  # SkipReason.ANONYMOUS: nobody to visit


@dataclass(frozen=True)
class Record:
    """The complaint as it stands: what its figures are broken down by."""

    id: int
    category_id: int
    category_root_id: int
    severity: int
    kind: str
    channel: str
    department_id: int | None
    handler_id: int | None
    customer_key: str = ""
    subject_key: str = ""
    clock_facts: Facts | None = None  # what the time-limit rules match (kind, severity, …)


@dataclass(frozen=True)
class Event:
    id: int
    type: str
    at: datetime
    from_state: str = ""
    to_state: str = ""
    customer_visible: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Survey:
    scale: int
    points: int
    max_points: int


@dataclass(frozen=True)
class ClockSetting:
    """What the clock replay needs besides the events."""

    rules: Sequence[ClockRule]
    calendar: Calendar
    step: Step = field(default_factory=Step)


@dataclass(frozen=True)
class ClockFigures:
    settled: int = 0
    on_time: int = 0
    escalated: int = 0


@dataclass(frozen=True)
class Fact:
    """The figures of one complaint (the columns of `models.FactColumns`)."""

    registered_at: datetime
    closed_at: datetime | None
    outcome: str
    category_id: int
    category_root_id: int
    severity: int
    kind: str
    channel: str
    department_id: int | None
    handler_id: int | None
    cause: str
    resolved: bool
    survey_scale: int
    survey_points: int
    survey_max: int
    visit_needed: bool
    visit_done: bool
    reopens: int
    handling_seconds: int | None
    costs: Mapping[str, int]
    appeals: int
    appeal_kind: str
    appeal_end: str
    customer_key: str
    subject_key: str
    last_event_id: int
    clocks: Mapping[str, ClockFigures]

    def columns(self) -> dict[str, Any]:
        """The row of `models.FactColumns` (without `repeat`, which needs the neighbours)."""
        row = {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
            if name not in ("costs", "clocks")
        }
        row.update(self.costs)
        for kind, figures in self.clocks.items():
            row[f"{kind}_settled"] = figures.settled
            row[f"{kind}_on_time"] = figures.on_time
            row[f"{kind}_escalated"] = figures.escalated
        return row


COST_COLUMNS = (
    "cost_company",
    "cost_customer",
    "cost_handler",
    "cost_transport_company",
    "cost_transport_customer",
    "cost_transport_handler",
)


def fact_of(
    record: Record,
    events: Sequence[Event],
    surveys: Mapping[int, Survey],
    plans: Mapping[int, Sequence[Mapping[str, Any]]],
    clock_setting: ClockSetting,
    clock_kinds: Sequence[str],
) -> Fact:
    """The complaint's figures from its timeline (`events`, oldest first)."""
    registered_at = next(e.at for e in events if e.type == "register")
    state = events[-1].to_state if events else ""
    closed_at = None
    satisfied: bool | None = None
    survey: Survey | None = None
    skip = ""
    reopens = appeals = 0
    appeal_kind = ""
    after_last_appeal_final = False
    determination = qa_determination = ""
    plan_id: int | None = None
    proposed: dict[int, bool] = {}  # plan id → filed without approval
    closing_type = ""
    for e in events:
        if e.to_state in FINAL and e.from_state not in FINAL:
            closed_at, closing_type = e.at, e.type
        reopening = e.type in REOPENING or (e.type == "confirm" and not e.data.get("satisfied"))
        if reopening:
            reopens += 1
            satisfied, survey, skip = None, None, ""
        match e.type:
            case "confirm" if e.data.get("satisfied"):
                satisfied = True
            case "resolve_on_spot" | "answer":
                satisfied = True
            case "return_visit":
                survey = surveys.get(int(e.data.get("return_visit", 0)))
            case "skip_return_visit":
                skip = str(e.data.get("reason", ""))
            case "verify" if e.data.get("passed") and e.data.get("customer_reachable") is False:
                skip = NO_VISIT_POSSIBLE
            case "appeal":
                appeals += 1
                appeal_kind = str(e.data.get("kind", ""))
                after_last_appeal_final = False
            case "determine":
                determination = str(e.data.get("determination", ""))
            case "qa_determine":
                qa_determination = str(e.data.get("determination", ""))
            case "propose_plan":
                proposed[int(e.data["plan"])] = bool(e.data.get("filed"))
                if e.data.get("filed"):
                    plan_id = int(e.data["plan"])
            case "approve_plan":
                plan_id = int(e.data["plan"])
        if appeals and e.to_state in FINAL:
            after_last_appeal_final = True
    outcome = state if state in FINAL else ""
    if outcome == "":
        closed_at = None
    closed = outcome == "closed"
    resolved = closed and satisfied is True
    visit_needed = closed and closing_type == "close" and skip != NO_VISIT_POSSIBLE
    handling = None
    if closed and closed_at is not None:
        worked = clock_setting.calendar.between(registered_at, closed_at)
        handling = int(worked.total_seconds())
    return Fact(
        registered_at=registered_at,
        closed_at=closed_at,
        outcome=outcome,
        category_id=record.category_id,
        category_root_id=record.category_root_id,
        severity=record.severity,
        kind=record.kind,
        channel=record.channel,
        department_id=record.department_id,
        handler_id=record.handler_id,
        cause=qa_determination or determination,
        resolved=resolved,
        survey_scale=survey.scale if closed and survey else 0,
        survey_points=survey.points if closed and survey else 0,
        survey_max=survey.max_points if closed and survey else 0,
        visit_needed=visit_needed,
        visit_done=visit_needed and survey is not None,
        reopens=reopens,
        handling_seconds=handling,
        costs=_costs(plans.get(plan_id, ()) if closed and plan_id is not None else ()),
        appeals=appeals,
        appeal_kind=appeal_kind,
        appeal_end=_appeal_end(appeals, after_last_appeal_final, outcome, resolved),
        customer_key=record.customer_key,
        subject_key=record.subject_key,
        last_event_id=max((e.id for e in events), default=0),
        clocks=_clocks(record, events, clock_setting, clock_kinds),
    )


def _appeal_end(appeals: int, ended: bool, outcome: str, resolved: bool) -> str:
    if not appeals:
        return ""
    if not ended or not outcome:
        return "open"
    if outcome == "closed":
        return "resolved" if resolved else "unresolved"
    return "other"


def _costs(lines: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    out = dict.fromkeys(COST_COLUMNS, 0)
    for line in lines:
        bearer, share = str(line.get("bearer", "")), int(line.get("share_pct", 0))
        if bearer not in ("company", "customer", "handler"):
            continue
        out[f"cost_{bearer}"] += share
        if line.get("item") in TRANSPORT_ITEMS:
            out[f"cost_transport_{bearer}"] += share
    return out


def _clocks(
    record: Record, events: Sequence[Event], setting: ClockSetting, kinds: Sequence[str]
) -> dict[str, ClockFigures]:
    figures = {kind: [0, 0, 0] for kind in kinds}
    if record.clock_facts is not None:
        facts = [
            EventFact(e.type, e.at, e.to_state, e.from_state, e.customer_visible, e.data)
            for e in events
        ]
        for run in replay(facts, setting.rules, record.clock_facts, setting.calendar, setting.step):
            if run.kind not in figures:
                continue
            late = run.breached or (run.stopped_at is not None and run.stopped_at > run.due_at)
            if run.stopped_at is not None or late:
                figures[run.kind][0] += 1
            if run.stopped_at is not None and not late:
                figures[run.kind][1] += 1
    for e in events:
        if e.type == "deadline_escalated" and e.data.get("clock") in figures:
            figures[str(e.data["clock"])][2] += 1
    return {kind: ClockFigures(*counts) for kind, counts in figures.items()}
