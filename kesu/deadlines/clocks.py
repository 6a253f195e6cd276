"""The clocks of one complaint, replayed from its timeline (SPEC §5). Pure: no ORM.

A complaint's clocks are a function of four things: its timeline, the clock rules (the
`ClockPolicy` rows), the working calendar and the present instant. Nothing about a clock is
stored except what the timeline already holds, plus two columns on the complaint row that
this module computes and the domain layer saves in the same transaction as each event:
`due_at` (the earliest due time of the running clocks, for lists and filters) and
`next_check_at` (when the sweeper next has a step to take, indexed).

How a rule runs
---------------
* It **starts** on an event named in `starts_on`, when the rule applies to the complaint
  (kind, severity, category subtree, channel, and the span of registrations a rule changed
  "for new complaints only" keeps: `registered_from`/`registered_before`) and no clock of
  its kind is already running.
* It is **met** by an event named in `stops_on`. A `repeats` rule starts again at once, unless
  that event moved the complaint to another state (progress reports while treating repeat;
  completing the treatment ends them).
* It **pauses** while the complaint waits for the customer (`wait_customer` … `resume`): the
  due time moves on by the time spent waiting, measured on the rule's basis.
* It is **cancelled** when the complaint is finished (closed, withdrawn, invalid, merged)
  without having been met.
* The sweeper's own events `deadline_warned`, `deadline_breached` and `deadline_escalated`
  mark the ladder's steps as taken, so each step happens once.

Event names in `starts_on`/`stops_on` may carry a condition: `contact:sampling_needed` (the
event's data has that key set), `propose_plan@treating` (the event left the complaint in that
state). `customer_update` matches every event the customer can see (a message, a progress
report, an answer).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from kesu.deadlines.workcal import natural_add

WORKING = "working"
NATURAL = "natural"

FINAL_STATES = frozenset({"closed", "withdrawn", "invalid", "merged"})
CUSTOMER_UPDATE = "customer_update"
WARNED, BREACHED, ESCALATED = "deadline_warned", "deadline_breached", "deadline_escalated"
PAUSE, RESUME = "wait_customer", "resume"


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    BREACHED = "breached"  # still running, past its due time
    MET = "met"
    MET_LATE = "met_late"  # met, but after its due time: the breach is kept
    CANCELLED = "cancelled"


class Calendar(Protocol):
    def add(self, start: datetime, working: timedelta) -> datetime: ...
    def add_days(self, start: datetime, days) -> datetime: ...
    def between(self, start: datetime, end: datetime) -> timedelta: ...


@dataclass(frozen=True)
class ClockRule:
    """One active `ClockPolicy` row, as the engine needs it."""

    kind: str
    limit: timedelta  # of working time or of natural time, per `basis`
    basis: str
    starts_on: frozenset[str]
    stops_on: frozenset[str]
    repeats: bool = False
    severity: int | None = None
    category_id: int | None = None
    channel: str = ""
    complaint_kind: str = ""
    rule_id: int = 0
    registered_from: datetime | None = None  # the complaints registered in this span
    registered_before: datetime | None = None

    @property
    def specificity(self) -> int:
        return sum(
            (
                self.severity is not None,
                self.category_id is not None,
                bool(self.channel),
                bool(self.complaint_kind),
            )
        )


@dataclass(frozen=True)
class Facts:
    """What the rules are matched against: the complaint as it is now."""

    kind: str
    severity: int
    channel: str
    category_ids: frozenset[int]  # the complaint's category and its ancestors
    registered_at: datetime | None = None


@dataclass(frozen=True)
class Step:
    """The escalation ladder's settings (Policy): warn at `warn_fraction` of the limit;
    after the breach, escalate to the executive `escalate_after_days` working days later."""

    warn_fraction: float = 0.8
    escalate_after_days: float = 1.0


@dataclass(frozen=True)
class EventFact:
    type: str
    at: datetime
    to_state: str = ""
    from_state: str = ""
    customer_visible: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Clock:
    """One run of one rule on one complaint."""

    rule: ClockRule
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    used: timedelta = timedelta(0)  # budget consumed before the current run segment
    segment_start: datetime | None = None  # None while paused
    paused_since: datetime | None = None
    paused_total: timedelta = timedelta(0)  # natural time spent waiting
    stopped_at: datetime | None = None  # when it was met
    cancelled_at: datetime | None = None  # when the complaint finished before it was met
    warned: bool = False
    breached: bool = False  # recorded by the sweeper
    escalation_level: int = 0  # 1 dept head (at breach), 2 executive

    @property
    def kind(self) -> str:
        return self.rule.kind

    @property
    def active(self) -> bool:
        return self.stopped_at is None and self.cancelled_at is None

    def state(self, now: datetime) -> ClockState:
        if self.cancelled_at is not None:
            return ClockState.CANCELLED
        if self.stopped_at is not None:
            late = self.breached or self.stopped_at > self.due_at
            return ClockState.MET_LATE if late else ClockState.MET
        if self.paused_since is not None:
            return ClockState.PAUSED
        if self.breached or now >= self.due_at:
            return ClockState.BREACHED
        return ClockState.RUNNING

    def was_breached(self, now: datetime) -> bool:
        """Breached at any time: for the statistics, kept after the work is done."""
        end = self.stopped_at or self.cancelled_at or now
        return self.breached or end > self.due_at

    def remaining(self, now: datetime, calendar: Calendar) -> timedelta:
        """What is left of the limit, on the rule's basis (negative once overdue)."""
        if not self.active:
            return timedelta(0)
        at = self.paused_since or now
        if self.rule.basis == WORKING:
            if at <= self.due_at:
                return calendar.between(at, self.due_at)
            return -calendar.between(self.due_at, at)
        return self.due_at - at

    def take(self, step_type: str, level: int = 0) -> None:
        """Mark a ladder step as taken (a sweeper event, replayed or just appended)."""
        self.warned = True
        if step_type in (BREACHED, ESCALATED):
            self.breached = True
            default = 1 if step_type == BREACHED else 2
            self.escalation_level = max(self.escalation_level, level or default)

    def escalate_at(self, calendar: Calendar, step: Step) -> datetime:
        return calendar.add_days(self.due_at, step.escalate_after_days)

    def next_check(self, calendar: Calendar, step: Step) -> datetime | None:
        """When the sweeper has the next step to take on this clock, if any."""
        if not self.active or self.paused_since is not None:
            return None
        if not self.warned and not self.breached:
            return self.warn_at
        if not self.breached:
            return self.due_at
        if self.escalation_level < 2:
            return self.escalate_at(calendar, step)
        return None


def _advance(calendar: Calendar, basis: str, start: datetime, amount: timedelta) -> datetime:
    if basis == WORKING:
        return calendar.add(start, amount)
    return natural_add(start, amount)  # on the UTC timeline: 24 h are 24 h across DST


def _elapsed(calendar: Calendar, basis: str, start: datetime, end: datetime) -> timedelta:
    if end <= start:
        return timedelta(0)
    if basis == WORKING:
        return calendar.between(start, end)
    return end - start


def _start(rule: ClockRule, at: datetime, calendar: Calendar, step: Step) -> Clock:
    due = _advance(calendar, rule.basis, at, rule.limit)
    warn = _advance(calendar, rule.basis, at, rule.limit * step.warn_fraction)
    return Clock(rule=rule, started_at=at, due_at=due, warn_at=warn, segment_start=at)


def _pause(c: Clock, at: datetime, calendar: Calendar) -> None:
    if c.paused_since is not None or c.segment_start is None:
        return
    c.used += _elapsed(calendar, c.rule.basis, c.segment_start, at)
    c.segment_start, c.paused_since = None, at


def _resume(c: Clock, at: datetime, calendar: Calendar, step: Step) -> None:
    if c.paused_since is None:
        return
    c.paused_total += max(at - c.paused_since, timedelta(0))
    c.paused_since, c.segment_start = None, at
    left = max(c.rule.limit - c.used, timedelta(0))
    c.due_at = _advance(calendar, c.rule.basis, at, left)
    warn_left = max(c.rule.limit * step.warn_fraction - c.used, timedelta(0))
    c.warn_at = _advance(calendar, c.rule.basis, at, warn_left)


def matches(name: str, event: EventFact) -> bool:
    """Whether the event satisfies one `starts_on`/`stops_on` entry."""
    if name == CUSTOMER_UPDATE:
        return event.customer_visible
    base, _, state = name.partition("@")
    base, _, key = base.partition(":")
    if base != event.type:
        return False
    if key and not event.data.get(key):
        return False
    return not state or event.to_state == state


def _any(names: Iterable[str], event: EventFact) -> bool:
    return any(matches(n, event) for n in names)


def applicable_rules(rules: Sequence[ClockRule], facts: Facts) -> dict[str, ClockRule]:
    """For each clock kind, the most specific rule that applies to the complaint."""
    chosen: dict[str, ClockRule] = {}
    for rule in rules:
        if rule.severity is not None and rule.severity != facts.severity:
            continue
        if rule.category_id is not None and rule.category_id not in facts.category_ids:
            continue
        if rule.channel and rule.channel != facts.channel:
            continue
        if rule.complaint_kind and rule.complaint_kind != facts.kind:
            continue
        if not _registered_within(rule, facts.registered_at):
            continue
        best = chosen.get(rule.kind)
        if best is None or (rule.specificity, -rule.rule_id) > (best.specificity, -best.rule_id):
            chosen[rule.kind] = rule
    return chosen


def _registered_within(rule: ClockRule, at: datetime | None) -> bool:
    """A rule changed "for new complaints only" applies by the complaint's registration."""
    if at is None:
        return rule.registered_before is None
    if rule.registered_from is not None and at < rule.registered_from:
        return False
    return rule.registered_before is None or at < rule.registered_before


def replay(
    events: Iterable[EventFact],
    rules: Sequence[ClockRule],
    facts: Facts,
    calendar: Calendar,
    step: Step = Step(),
) -> list[Clock]:
    """Every clock run the timeline gives rise to, in the order they started."""
    applicable = applicable_rules(rules, facts)
    clocks: list[Clock] = []
    current: dict[str, Clock] = {}  # the active run of each kind
    waiting_since: datetime | None = None
    for event in events:
        kind_of_step = (
            event.data.get("clock") if event.type in (WARNED, BREACHED, ESCALATED) else None
        )
        if kind_of_step is not None:
            c = current.get(kind_of_step)
            if c is not None:
                c.take(event.type, int(event.data.get("level", 0)))
            continue
        # met: stops first, then repeats restart on an event that kept the state
        for kind, c in list(current.items()):
            if _any(c.rule.stops_on, event):
                if c.paused_since is not None:
                    _resume(c, event.at, calendar, step)
                c.stopped_at = event.at
                del current[kind]
                stays = not event.to_state or event.to_state == event.from_state
                if c.rule.repeats and stays and event.to_state not in FINAL_STATES:
                    current[kind] = _begin(c.rule, event.at, calendar, step, clocks)
        if event.type == PAUSE:
            waiting_since = event.at
            for c in current.values():
                _pause(c, event.at, calendar)
        elif event.type == RESUME:
            waiting_since = None
            for c in current.values():
                _resume(c, event.at, calendar, step)
        if event.to_state in FINAL_STATES:
            for c in current.values():
                if c.paused_since is not None:
                    _resume(c, event.at, calendar, step)
                c.cancelled_at, c.segment_start = event.at, None
            current.clear()
            continue
        for kind, rule in applicable.items():
            if kind not in current and _any(rule.starts_on, event):
                c = _begin(rule, event.at, calendar, step, clocks)
                current[kind] = c
                if waiting_since is not None:
                    _pause(c, event.at, calendar)
    return clocks


def _begin(
    rule: ClockRule, at: datetime, calendar: Calendar, step: Step, clocks: list[Clock]
) -> Clock:
    c = _start(rule, at, calendar, step)
    clocks.append(c)
    return c


@dataclass(frozen=True)
class Schedule:
    """The two columns the complaint row keeps for lists and for the sweeper."""

    due_at: datetime | None
    next_check_at: datetime | None


def schedule(clocks: Iterable[Clock], calendar: Calendar, step: Step = Step()) -> Schedule:
    due: datetime | None = None
    check: datetime | None = None
    for c in clocks:
        if not c.active:
            continue
        if c.paused_since is None and (due is None or c.due_at < due):
            due = c.due_at
        nxt = c.next_check(calendar, step)
        if nxt is not None and (check is None or nxt < check):
            check = nxt
    return Schedule(due, check)


@dataclass(frozen=True)
class DueStep:
    """One step of the ladder: taken now by the sweeper, or recorded after the fact."""

    clock: Clock
    type: str  # WARNED, BREACHED or ESCALATED
    level: int = 0
    at: datetime | None = None  # the moment it fell due (past_steps)


def due_steps(
    clocks: Iterable[Clock], now: datetime, calendar: Calendar, step: Step
) -> list[DueStep]:
    """The ladder's steps whose time has come, in order; a late sweep takes several at once."""
    out: list[DueStep] = []
    for c in clocks:
        if not c.active or c.paused_since is not None:
            continue
        if not c.warned and not c.breached and now >= c.warn_at and now < c.due_at:
            out.append(DueStep(c, WARNED))
        if not c.breached and now >= c.due_at:
            out.append(DueStep(c, BREACHED, 1))
        if c.escalation_level < 2 and now >= c.escalate_at(calendar, step):
            out.append(DueStep(c, ESCALATED, 2))
    return out


def past_steps(
    clocks: Iterable[Clock], until: datetime, calendar: Calendar, step: Step
) -> list[DueStep]:
    """The ladder's steps whose moment came before `until`, with that moment, oldest first:
    what a sweeper running all along would have taken, for history written after the fact
    (a complaint moved from an older register). Each clock counts up to its own end — met,
    cancelled or paused — so a complaint closed in time has no step, and one closed late
    has its breach. Steps already taken are left out."""
    out: list[DueStep] = []
    for c in clocks:
        end = min(
            moment
            for moment in (until, c.stopped_at, c.cancelled_at, c.paused_since)
            if moment is not None
        )
        if not c.warned and not c.breached and c.warn_at < min(end, c.due_at):
            out.append(DueStep(c, WARNED, at=c.warn_at))
        if not c.breached and c.due_at < end:
            out.append(DueStep(c, BREACHED, 1, at=c.due_at))
        escalate_at = c.escalate_at(calendar, step)
        if c.escalation_level < 2 and escalate_at < end:
            out.append(DueStep(c, ESCALATED, 2, at=escalate_at))
    return sorted(out, key=lambda s: s.at or until)
