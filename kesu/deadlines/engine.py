"""Between the pure clocks and the tables: replay a complaint's timeline, keep its schedule.

The domain layer calls `reschedule` inside the transaction of every event it appends, so
`Complaint.due_at` and `Complaint.next_check_at` always agree with the timeline. A new
complaint's first schedule is computed just before its registering transaction, from the
record and the `register` event that the transaction then writes unchanged.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from kesu.complaints.authority import escalation_target
from kesu.complaints.choices import EventType
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.core import clock
from kesu.core.encoding import local_instant
from kesu.core.language import in_company_language
from kesu.deadlines.clocks import (
    BREACHED,
    ESCALATED,
    WARNED,
    Clock,
    ClockRule,
    DueStep,
    EventFact,
    past_steps,
    replay,
    schedule,
)
from kesu.deadlines.queries import clock_rules, company_calendar, facts_of, ladder
from kesu.policies.choices import ClockKind

STEP_EVENT_TYPES = {
    WARNED: EventType.DEADLINE_WARNED,
    BREACHED: EventType.DEADLINE_BREACHED,
    ESCALATED: EventType.DEADLINE_ESCALATED,
}

_FIELDS = ("type", "at", "from_state", "to_state", "customer_visible", "data")


def fact(event: ComplaintEvent) -> EventFact:
    return EventFact(
        type=event.type,
        at=event.at,
        from_state=event.from_state,
        to_state=event.to_state,
        customer_visible=event.customer_visible,
        data=event.data or {},
    )


def _fact_from_row(row: tuple) -> EventFact:
    type_, at, from_state, to_state, customer_visible, data = row
    return EventFact(
        type=type_,
        at=at,
        from_state=from_state,
        to_state=to_state,
        customer_visible=bool(customer_visible),
        data=data or {},
    )


def history(complaint_id: int) -> list[EventFact]:
    """The complaint's timeline as the clocks read it, oldest first."""
    rows = ComplaintEvent.objects.filter(complaint_id=complaint_id).order_by("id")
    return [_fact_from_row(r) for r in rows.values_list(*_FIELDS)]


def histories(complaint_ids: Iterable[int]) -> dict[int, list[EventFact]]:
    """The timelines of several complaints in one query."""
    out: dict[int, list[EventFact]] = {}
    rows = ComplaintEvent.objects.filter(complaint_id__in=list(complaint_ids)).order_by("id")
    for row in rows.values_list("complaint_id", *_FIELDS):
        out.setdefault(row[0], []).append(_fact_from_row(row[1:]))
    return out


def clocks_of(
    complaint: Complaint,
    events: Sequence[EventFact] | None = None,
    rules: Sequence[ClockRule] | None = None,
) -> list[Clock]:
    """Every clock run of the complaint, replayed from its timeline (under `rules`, by default
    the active time limits)."""
    if events is None:
        events = history(complaint.pk)
    if rules is None:
        rules = clock_rules()
    return replay(events, rules, facts_of(complaint), company_calendar(), ladder())


def reschedule(complaint: Complaint, events: Sequence[EventFact]) -> tuple[str, ...]:
    """Set the complaint's `due_at` and `next_check_at` from its timeline (`events`, which
    include the event being appended); returns the names of the fields that changed."""
    return apply_schedule(complaint, clocks_of(complaint, events))


def apply_schedule(complaint: Complaint, clocks: Sequence[Clock]) -> tuple[str, ...]:
    """Set `due_at` and `next_check_at` from clocks already replayed."""
    plan = schedule(clocks, company_calendar(), ladder())
    changed = []
    for name, value in (("due_at", plan.due_at), ("next_check_at", plan.next_check_at)):
        value = whole_second_up(value)
        if getattr(complaint, name) != value:
            setattr(complaint, name, value)
            changed.append(name)
    return tuple(changed)


def steps_before(complaint: Complaint, until: datetime) -> tuple[list[Clock], list[DueStep]]:
    """The complaint's clocks, replayed from its timeline, and the ladder steps that fell due
    before `until` and are not taken yet (`clocks.past_steps`)."""
    clocks = clocks_of(complaint)
    return clocks, past_steps(clocks, until, company_calendar(), ladder())


@dataclass(frozen=True)
class TakenStep:
    """What the timeline records of one ladder step: the event's type and data."""

    type: str
    data: dict[str, Any]


def take_step(complaint: Complaint, taken: DueStep, **extra: Any) -> TakenStep:
    """One ladder step taken: `{"clock", "due_at"}`, with `"level"` and `"to"` for a breach or
    an escalation, and any `extra` data, for the event the actions append
    (`actions.record_deadline_steps`). Marks the step taken on its clock and raises the
    complaint's escalation level, so the schedule computed next counts it."""
    data: dict[str, Any] = {"clock": taken.clock.kind, "due_at": taken.clock.due_at.isoformat()}
    if taken.level:
        data["level"] = taken.level
        data["to"] = escalation_target(taken.level)
        complaint.escalation_level = max(complaint.escalation_level, taken.level)
    data.update(extra)
    taken.clock.take(taken.type, taken.level)
    return TakenStep(STEP_EVENT_TYPES[taken.type], data)


@dataclass(frozen=True)
class Move:
    """How a change of the time limits moves one running clock of one open complaint."""

    complaint: Complaint
    clock: str
    before: datetime | None  # None: the clock does not run under the old limits
    after: datetime | None  # None: it no longer runs under the new ones

    @property
    def label(self) -> str:
        return str(ClockKind(self.clock).label)


def _running(clocks: Iterable[Clock]) -> dict[str, datetime]:
    return {c.kind: c.due_at for c in clocks if c.stopped_at is None and c.cancelled_at is None}


def _moves_of(complaint, events, before, after) -> tuple[list[Clock], list[Move]]:
    old = _running(clocks_of(complaint, events, before))
    new_clocks = clocks_of(complaint, events, after)
    new = _running(new_clocks)
    moves = [
        Move(complaint, kind, old.get(kind), new.get(kind))
        for kind in sorted(old.keys() | new.keys())
        if old.get(kind) != new.get(kind)
    ]
    return new_clocks, moves


def moves(
    candidates: Iterable[Complaint],
    before: Sequence[ClockRule],
    after: Sequence[ClockRule],
    chunk: int = 500,
) -> Iterator[Move]:
    """The running clocks of `candidates` whose due time differs between the two sets of
    rules, replayed from each timeline (read `chunk` complaints at a time)."""
    batch: list[Complaint] = []
    for complaint in candidates:
        batch.append(complaint)
        if len(batch) == chunk:
            yield from _batch_moves(batch, before, after)
            batch = []
    if batch:
        yield from _batch_moves(batch, before, after)


def _batch_moves(batch, before, after) -> Iterator[Move]:
    timelines = histories(c.pk for c in batch)
    for complaint in batch:
        yield from _moves_of(complaint, timelines.get(complaint.pk, []), before, after)[1]


def _due_text(at: datetime | None, missing: str) -> str:
    return date_format(timezone.localtime(at), "Y-m-d H:i") if at else missing


def _moves_text(its_moves: Sequence[Move]) -> str:
    """What the timeline says of the moves, in words: a lazy str, translated when it is read
    into the company's language."""
    return lazy(
        lambda: "\n".join(
            _("%(clock)s: due %(before)s → %(after)s")
            % {
                "clock": m.label,
                "before": _due_text(m.before, _("not running")),
                "after": _due_text(m.after, _("no longer runs")),
            }
            for m in its_moves
        ),
        str,
    )()


def moved_clocks(
    complaints: Sequence[Complaint], before: Sequence[ClockRule], after: Sequence[ClockRule]
) -> Iterator[tuple[Complaint, list[Clock], list[Move]]]:
    """A change of the time limits read against open complaints: each complaint whose running
    clocks move, its clocks under the new rules and the moves (`actions.move_due_times`
    records them)."""
    timelines = histories(c.pk for c in complaints)
    for complaint in complaints:
        new_clocks, its_moves = _moves_of(complaint, timelines.get(complaint.pk, []), before, after)
        if its_moves:
            yield complaint, new_clocks, its_moves


def time_limit_change(its_moves: Sequence[Move], rule_id: int) -> tuple[dict[str, Any], str]:
    """The data and the comment of a complaint's `time_limit_changed` event: the clocks' due
    times before and after."""
    data = {
        "rule": rule_id,
        "clocks": [
            {
                "clock": m.clock,
                # written as the API writes instants (nested keys are not rewritten)
                "from": local_instant(m.before) if m.before else None,
                "to": local_instant(m.after) if m.after else None,
            }
            for m in its_moves
        ],
    }
    return data, in_company_language(_moves_text(its_moves))  # internal: staff read it


def whole_second_up(at: datetime | None) -> datetime | None:
    """The schedule columns keep whole seconds; rounding up, the sweeper is never early."""
    if at is None or not at.microsecond:
        return at
    return at.replace(microsecond=0) + timedelta(seconds=1)


def _hours(amount: timedelta) -> float:
    return round(amount.total_seconds() / 3600, 2)


def deadlines(complaint: Complaint, events: Sequence[ComplaintEvent]) -> list[dict[str, Any]]:
    """The complaint's clocks as the API and the complaint page show them, replayed from the
    timeline the caller has already loaded."""
    now = clock.now()
    calendar = company_calendar()
    out = []
    for run in clocks_of(complaint, [fact(e) for e in events]):
        paused = run.paused_total + (now - run.paused_since if run.paused_since else timedelta())
        out.append(
            {
                "clock": run.kind,
                "label": str(ClockKind(run.kind).label),
                "basis": run.rule.basis,
                "limit_hours": _hours(run.rule.limit),
                "state": run.state(now),
                "started_at": run.started_at,
                "due_at": run.due_at,
                "warn_at": run.warn_at,
                "remaining_hours": _hours(run.remaining(now, calendar)),
                "paused_since": run.paused_since,
                "paused_hours": _hours(paused),
                "met_at": run.stopped_at,
                "cancelled_at": run.cancelled_at,
                "breached": run.was_breached(now),
                "warned": run.warned,
                "escalation_level": run.escalation_level,
            }
        )
    return out
