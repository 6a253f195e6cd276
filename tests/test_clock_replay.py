"""The clocks are pure (SPEC §5): their strings are the enums' values, and `replay` turns a
timeline into clocks without the database (no `db` fixture here: pytest-django refuses any
query, which the first test proves)."""

import ast
import inspect
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from kesu.complaints.choices import FINAL_STATES, EventType, State
from kesu.deadlines import clocks
from kesu.deadlines.clocks import (
    BREACHED,
    ClockRule,
    ClockState,
    EventFact,
    Facts,
    Step,
    replay,
    schedule,
)
from kesu.deadlines.workcal import WorkingCalendar, default_week
from kesu.policies.choices import ClockKind, TimeBasis
from kesu.policies.models import ClockPolicy

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Each named string of clocks.py and the enum value it stands for.
PINNED = {
    "WORKING": TimeBasis.WORKING,
    "NATURAL": TimeBasis.NATURAL,
    "WARNED": EventType.DEADLINE_WARNED,
    "BREACHED": EventType.DEADLINE_BREACHED,
    "ESCALATED": EventType.DEADLINE_ESCALATED,
    "PAUSE": EventType.WAIT_CUSTOMER,
    "RESUME": EventType.RESUME,
}
# Literals that are no enum's: the pseudo-event of any customer-visible event, the
# separators of a rule's event name ("contact:sampling_needed", "propose_plan@treating"),
# the keys of a ladder step's data (engine.take_step writes them) and empty defaults.
NOT_ENUMS = {"customer_update", "@", ":", "clock", "level", ""}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_no_test_here_reaches_the_database():
    with pytest.raises(RuntimeError, match="Database access not allowed"):
        connection.ensure_connection()


def test_every_string_of_the_clocks_is_a_value_of_its_enum():
    for name, member in PINNED.items():
        assert getattr(clocks, name) == member.value, name
    assert set(TimeBasis.values) == {clocks.WORKING, clocks.NATURAL}
    assert set(clocks.FINAL_STATES) == {state.value for state in FINAL_STATES}
    # the pseudo-event is no event type, and the clock rules accept it by that name
    assert clocks.CUSTOMER_UPDATE not in EventType.values
    ClockPolicy(starts_on=["register"], stops_on=[clocks.CUSTOMER_UPDATE]).clean()
    # and no other string hides in the module: each literal is an enum's value or named above
    known = (
        {member.value for member in PINNED.values()}
        | set(State.values)
        | set(ClockState)
        | NOT_ENUMS
    )
    assert set(_literals(clocks)) - known == set()


def _literals(module) -> list[str]:
    """The module's string literals, docstrings left out."""
    tree = ast.parse(inspect.getsource(module))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
        and ast.get_docstring(node) is not None
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


# ------------------------------------------------------------------------------ replay

CALENDAR = WorkingCalendar(time_zone=SHANGHAI, week=default_week())
DISPATCH = ClockRule(
    kind=ClockKind.DISPATCH,
    limit=timedelta(hours=2),
    basis=TimeBasis.WORKING,
    starts_on=frozenset({EventType.REGISTER.value}),
    stops_on=frozenset({EventType.ACCEPT.value}),
    rule_id=1,
)
FIRST_CONTACT = ClockRule(
    kind=ClockKind.FIRST_CONTACT,
    limit=timedelta(hours=24),
    basis=TimeBasis.NATURAL,
    starts_on=frozenset({EventType.REGISTER.value}),
    stops_on=frozenset({EventType.CONTACT.value}),
    rule_id=2,
)
FACTS = Facts(kind="complaint", severity=2, channel="phone", category_ids=frozenset({1}))


def event(type_: str, at: datetime, to_state: str = "", **data) -> EventFact:
    """A timeline row as `engine.history` reads it: plain strings."""
    return EventFact(type=type_, at=at, to_state=to_state, from_state="", data=data)


def test_replay_starts_pauses_breaches_meets_and_cancels_the_clocks():
    # given a complaint registered on a Friday at 17:00, 30 minutes before the end of the day
    timeline = [event("register", local(2026, 11, 27, 17, 0), "registered")]
    dispatch, first_contact = replay(timeline, [DISPATCH, FIRST_CONTACT], FACTS, CALENDAR)
    # 2 working hours: 17:00–17:30 on Friday, then 08:30–10:00 on Monday; 24 natural hours
    assert dispatch.due_at == local(2026, 11, 30, 10, 0)
    assert first_contact.due_at == local(2026, 11, 28, 17, 0)
    assert schedule([dispatch, first_contact], CALENDAR).due_at == local(2026, 11, 28, 17, 0)

    # when it waits 12 hours for the customer, the natural clock moves on by the wait, the
    # working one by none (the wait was after hours)
    timeline += [
        event("wait_customer", local(2026, 11, 27, 18, 0)),
        event("resume", local(2026, 11, 28, 6, 0)),
    ]
    dispatch, first_contact = replay(timeline, [DISPATCH, FIRST_CONTACT], FACTS, CALENDAR)
    assert first_contact.due_at == local(2026, 11, 29, 5, 0)
    assert dispatch.due_at == local(2026, 11, 30, 10, 0)
    assert first_contact.paused_total == timedelta(hours=12)

    # the sweeper's breach, then the acceptance in time, then the close before any contact
    timeline += [
        event(BREACHED, local(2026, 11, 29, 5, 0), clock="first_contact", level=1),
        event("accept", local(2026, 11, 30, 9, 0), "accepted"),
        event("close", local(2026, 11, 30, 11, 0), "closed"),
    ]
    dispatch, first_contact = replay(timeline, [DISPATCH, FIRST_CONTACT], FACTS, CALENDAR)
    now = local(2026, 11, 30, 12, 0)
    assert dispatch.state(now) == ClockState.MET
    assert first_contact.state(now) == ClockState.CANCELLED
    assert first_contact.escalation_level == 1 and first_contact.was_breached(now)
    assert schedule([dispatch, first_contact], CALENDAR).next_check_at is None


def test_a_repeating_clock_runs_again_after_each_report_until_the_treatment_ends():
    progress = ClockRule(
        kind=ClockKind.PROGRESS_UPDATE,
        limit=timedelta(days=3),
        basis=TimeBasis.NATURAL,
        starts_on=frozenset({"approve_plan@treating"}),
        stops_on=frozenset({"progress", "complete"}),
        repeats=True,
    )
    timeline = [
        event("approve_plan", local(2026, 12, 1, 9, 0), "treating"),
        event("progress", local(2026, 12, 3, 9, 0)),  # keeps the state: another run
        event("complete", local(2026, 12, 5, 9, 0), "verifying"),  # moves on: none
    ]

    runs = replay(timeline, [progress], FACTS, CALENDAR, Step(warn_fraction=0.5))

    assert [(r.started_at, r.stopped_at) for r in runs] == [
        (local(2026, 12, 1, 9, 0), local(2026, 12, 3, 9, 0)),
        (local(2026, 12, 3, 9, 0), local(2026, 12, 5, 9, 0)),
    ]
    assert runs[0].warn_at == local(2026, 12, 2, 21, 0)  # half of 3 days
