"""The deadline ladder's events (warned, breached, escalated) and moved time limits, written in
batches: one statement for the rows' new schedules, one INSERT for the events, one for their
notifications (a query per row cost 0.5 s per 1,000 rows on PostgreSQL).

The deadlines engine computes (the clocks replayed from each timeline, the steps due, the
moves); these verbs write what it found, each event with the version rule of the frame
(`bump_version`: an escalation, or a breach that raises the escalation level, raises the
version; a warning leaves it). The
callers hold the transaction and the row locks (the sweeper's batch: `FOR UPDATE SKIP
LOCKED`; a time-limit change: the open complaints by id), except `record_past_deadline_steps`,
which locks its one complaint itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from kesu.complaints.actions.frame import announce_all, bump_version, event_of, lock
from kesu.complaints.choices import EventType
from kesu.complaints.customer import Actor
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.core import clock
from kesu.core.rows import update_columns
from kesu.deadlines import engine as deadlines
from kesu.deadlines.clocks import ClockRule, DueStep, due_steps
from kesu.deadlines.queries import company_calendar, ladder

Appended = list[tuple[Complaint, ComplaintEvent]]


def record_deadline_steps(locked: Sequence[Complaint], now: datetime) -> Appended:
    """On rows the caller has locked (the sweeper's batch): take every ladder step due at
    `now`, replayed from each timeline read inside the lock (a step already taken is an
    event there, so it is taken once), save the schedules it leaves and announce the events.
    Returns the events appended, with their complaints."""
    calendar, step = company_calendar(), ladder()
    timelines = deadlines.histories(c.pk for c in locked)
    appended: Appended = []
    rescheduled: list[Complaint] = []
    for complaint in locked:
        clocks = deadlines.clocks_of(complaint, timelines.get(complaint.pk, []))
        events = [
            _step_event(complaint, taken, now) for taken in due_steps(clocks, now, calendar, step)
        ]
        changed = deadlines.apply_schedule(complaint, clocks)  # the steps just taken count
        if events or changed:
            rescheduled.append(complaint)
        appended += [(complaint, e) for e in events]
    _write(rescheduled, ("due_at", "next_check_at", "escalation_level", "version"), appended)
    announce_all(appended)
    return appended


def move_due_times(
    complaints: Sequence[Complaint],
    before: Sequence[ClockRule],
    after: Sequence[ClockRule],
    *,
    actor: Actor,
    at: datetime,
    rule_id: int,
) -> list[deadlines.Move]:
    """A change of the time limits applied to open complaints the caller has locked: each
    complaint whose running clocks move gets one `time_limit_changed` event (the clocks' due
    times before and after) and its new schedule. Returns the moves made."""
    moved: list[deadlines.Move] = []
    rescheduled: list[Complaint] = []
    appended: Appended = []
    for complaint, new_clocks, its_moves in deadlines.moved_clocks(complaints, before, after):
        moved += its_moves
        data, comment = deadlines.time_limit_change(its_moves, rule_id)
        bumped = bump_version(complaint, EventType.TIME_LIMIT_CHANGED)
        event = event_of(
            complaint, EventType.TIME_LIMIT_CHANGED, actor, at=at, data=data, comment=comment
        )
        appended.append((complaint, event))
        if deadlines.apply_schedule(complaint, new_clocks) or bumped:
            rescheduled.append(complaint)
    _write(rescheduled, ("due_at", "next_check_at", "version"), appended)
    announce_all(appended)
    return moved


def record_past_deadline_steps(
    complaint: Complaint, *, until: datetime | None = None
) -> list[ComplaintEvent]:
    """The deadline ladder's steps (warn, breach, escalate) that fell due before an open
    complaint with a history from elsewhere came into Kesu (`until`, default now): one moved
    from an older register by the import, or a demo complaint told in the past.

    Called right after `register` in the same transaction, so the sweeper never finds the
    complaint without them. They are appended as the sweeper appends its steps, each at the
    moment it fell due and marked `recorded_at`, and nobody is told of each: the importer
    sends one digest per person instead (`notifications.rules.digest_recorded_steps`), the
    demo none.
    """
    with transaction.atomic():
        c = lock(complaint)
        events = record_past_steps(c, until=until or clock.now())
    complaint.refresh_from_db()
    return events


def record_past_steps(c: Complaint, *, until: datetime) -> list[ComplaintEvent]:
    """Inside the caller's transaction, on the locked row: append the steps that fell due
    before `until`, with the schedule and escalation level they leave; told to nobody
    (`record_past_deadline_steps`)."""
    clocks, steps = deadlines.steps_before(c, until)
    if not steps:
        return []
    recorded_at = clock.now().isoformat()
    events = [_step_event(c, s, s.at or until, recorded_at=recorded_at) for s in steps]
    scheduled = deadlines.apply_schedule(c, clocks)
    c.save(update_fields=["escalation_level", *scheduled, "version"])
    ComplaintEvent.objects.bulk_create(events)
    return events


def _step_event(complaint: Complaint, due: DueStep, at: datetime, **extra: Any) -> ComplaintEvent:
    """Take a ladder step: its event (not saved), nobody's doing, with the frame's version rule;
    a step that raised the escalation level changed the record, whatever its type."""
    level = complaint.escalation_level
    taken = deadlines.take_step(complaint, due, **extra)
    bump_version(complaint, taken.type, changed=complaint.escalation_level != level)
    return event_of(complaint, taken.type, None, at=at, data=taken.data)


def _write(rows: list[Complaint], columns: tuple[str, ...], appended: Appended) -> None:
    """One statement for the rows' columns, one INSERT for the events."""
    update_columns(rows, columns)
    ComplaintEvent.objects.bulk_create([e for _c, e in appended])
