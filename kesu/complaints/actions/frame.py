"""The frame every verb shares: lock the row, guard the transition, record the event, announce.

A verb is a function of the locked complaint, decorated with `@verb(Action.X)`: the decorator
opens the transaction, locks and re-reads the row, checks the expected version and the guard of
`authority.refusal`, then runs the body, which changes the row and calls `record` once. The
verbs that are not actions of the state machine (`files`, `links`, the deadline `ladder`) use
the same `event_of`, `bump_version` and `announce` (`append` for one event, the ladder's batch
writes for many; `lock` and `visible`, except where the caller holds the row locks, as the
sweeper does), so every event gets the same version rule and reaches the notification rules
the same way (a file's event, as before, reaches nobody: `files` says why; the steps of history
recorded after the fact are told to nobody).
Nothing else in Kesu writes timeline events (tests/test_one_writer.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Concatenate, Generic, ParamSpec

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from kesu.accounts.choices import Role
from kesu.accounts.models import Department, User
from kesu.complaints.authority import can_see, department_scope, descendants, refusal
from kesu.complaints.choices import OPEN_STATES, QUIET_EVENTS, Action, State, Visibility
from kesu.complaints.customer import Actor, acting_user, actor_data
from kesu.complaints.errors import ComplaintError, ErrorCode, FieldErrors, invalid, not_found
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.core import clock
from kesu.deadlines import engine as deadlines
from kesu.notifications import rules as notification_rules


def lock(complaint: Complaint | str) -> Complaint:
    """Lock and re-read the complaint row: the first lock every action takes."""
    number = complaint if isinstance(complaint, str) else complaint.number
    try:
        return Complaint.objects.select_for_update().get(number=number)
    except Complaint.DoesNotExist:
        raise not_found(number) from None


def guard(complaint: Complaint, action: Action, actor: Actor, expected_version: int | None) -> None:
    """Refuse a stale form (another change came first) and a transition the actor may not take."""
    if expected_version is not None and complaint.version != expected_version:
        raise ComplaintError(
            ErrorCode.STALE_VERSION,
            _(
                "Someone else changed this complaint first (version %(now)s, you had "
                "%(yours)s). Reload it and try again."
            )
            % {"now": complaint.version, "yours": expected_version},
        )
    if (refused := refusal(complaint, action, actor)) is not None:
        raise refused


def visible(complaint: Complaint, actor: Actor) -> None:
    """On the locked row: one the actor may not see is refused as one that does not exist, so
    the answer never tells whether a number exists (the verbs outside the state machine; the
    guard does it for the others)."""
    if not can_see(actor, complaint):
        raise not_found(complaint.number)


def event_of(
    complaint: Complaint,
    event_type: str,
    actor: Actor | None,
    *,
    at: datetime | None = None,
    data: dict[str, Any] | None = None,
    comment: str = "",
    visibility: Visibility = Visibility.INTERNAL,
    from_state: str | None = None,
) -> ComplaintEvent:
    """The timeline event (not saved) of `actor` doing `event_type` on the complaint as it is
    now; what the customer did is marked so (`customer.actor_data`)."""
    return ComplaintEvent(
        complaint=complaint,
        type=event_type,
        actor=acting_user(actor),
        at=at or clock.now(),
        from_state=complaint.state if from_state is None else from_state,
        to_state=complaint.state,
        customer_visible=Visibility(visibility) == Visibility.CUSTOMER,
        comment=comment,
        data={**(data or {}), **actor_data(actor)},
    )


def bump_version(
    complaint: Complaint, event_type: str, *, changed: bool = False
) -> tuple[str, ...]:
    """Raise the version for an event that changes what a form was drawn from; the quiet ones
    (`choices.QUIET_EVENTS`) leave it, so a warning does not refuse the form being written,
    unless this one `changed` the record all the same (a breach that raised the escalation
    level: who decides, and where an escalation goes). Returns the field to save."""
    if event_type in QUIET_EVENTS and not changed:
        return ()
    complaint.version += 1
    return ("version",)


def record(
    complaint: Complaint,
    event_type: str,
    actor: Actor | None,
    *,
    to_state: State | None = None,
    changed: tuple[str, ...] = (),
    data: dict[str, Any] | None = None,
    comment: str = "",
    visibility: Visibility = Visibility.INTERNAL,
    at: datetime | None = None,
) -> ComplaintEvent:
    """On the locked row: save the changed fields, bump the version, append the event with the
    schedule it leaves, and announce it."""
    from_state = complaint.state
    if to_state is not None:
        complaint.state = to_state
    if complaint.state not in OPEN_STATES and complaint.waiting_since is not None:
        complaint.waiting_since = None  # a finished complaint waits for nobody
        changed = (*changed, "waiting_since")
    version = bump_version(complaint, event_type)
    event = event_of(
        complaint,
        event_type,
        actor,
        at=at,
        data=data,
        comment=comment,
        visibility=visibility,
        from_state=from_state,
    )
    # the clocks replay the timeline with this event on its end (kesu.deadlines)
    scheduled = deadlines.reschedule(
        complaint, [*deadlines.history(complaint.pk), deadlines.fact(event)]
    )
    complaint.save(update_fields=[*changed, *scheduled, "state", *version])
    event.save()
    announce(complaint, event)
    return event


def append(
    complaint: Complaint,
    event_type: str,
    actor: Actor | None,
    *,
    data: dict[str, Any] | None = None,
    visibility: Visibility = Visibility.INTERNAL,
    at: datetime | None = None,
) -> ComplaintEvent:
    """On the locked row, for a verb outside the state machine that leaves the state as it is
    (a file added, a customer link sent or revoked): the version by `bump_version` and the
    event. The schedule is left as it was (`record` replays the clocks); the verb says whether
    anyone is told (`announce`)."""
    if version := bump_version(complaint, event_type):
        complaint.save(update_fields=version)
    event = event_of(complaint, event_type, actor, at=at, data=data, visibility=visibility)
    event.save()
    return event


_told: ContextVar[bool] = ContextVar("kesu_actions_told", default=True)


@contextmanager
def unannounced() -> Iterator[None]:
    """Inside the block nobody is told of what the actions record: history written after the
    fact (the demo's stories). Said explicitly, apart from the clock (`clock.as_of`)."""
    token = _told.set(False)
    try:
        yield
    finally:
        _told.reset(token)


def announce(complaint: Complaint, event: ComplaintEvent) -> None:
    """Queue who is told of the event (SPEC §7), unless inside `unannounced`."""
    if _told.get():
        notification_rules.on_event(complaint, event)


def announce_all(pairs: list[tuple[Complaint, ComplaintEvent]]) -> None:
    """`announce` for a batch (one INSERT for the batch's notifications)."""
    if pairs and _told.get():
        notification_rules.on_events(pairs)


P = ParamSpec("P")
Body = Callable[Concatenate[Complaint, P], ComplaintEvent]


class Verb(Generic[P]):
    """A verb of the state machine: `verb(complaint, actor=…, …)` runs the body in one
    transaction on the locked row after the guard. `using(expected_version=…)` is the same
    verb refusing a form drawn from another version."""

    def __init__(
        self,
        action: Action,
        body: Body[P],
        *,
        expected_version: int | None = None,
        locking: Callable[..., Complaint] | None = None,
    ) -> None:
        functools.update_wrapper(self, body)
        self.action = action
        self.body = body
        self.expected_version = expected_version
        self.locking = locking

    def using(self, *, expected_version: int | None) -> Verb[P]:
        return Verb(self.action, self.body, expected_version=expected_version, locking=self.locking)

    def __call__(
        self, complaint: Complaint | str, /, *args: P.args, **kwargs: P.kwargs
    ) -> ComplaintEvent:
        actor: Actor = kwargs["actor"]  # type: ignore[assignment]  # every body takes `actor`
        with transaction.atomic():
            if self.locking is not None:
                locked = self.locking(complaint, *args, **kwargs)
            else:
                locked = lock(complaint)
            guard(locked, self.action, actor, self.expected_version)
            event = self.body(locked, *args, **kwargs)
        if isinstance(complaint, Complaint):
            complaint.refresh_from_db()
        return event


def verb(
    action: Action, *, locking: Callable[..., Complaint] | None = None
) -> Callable[[Body[P]], Verb[P]]:
    """Make the body a `Verb` of `action`. `locking` takes the row locks in place of `lock`
    (merge locks two rows in a fixed order) and returns the complaint acted on."""

    def wrap(body: Body[P]) -> Verb[P]:
        return Verb(action, body, locking=locking)

    return wrap


def required(value: str, name: str, message: Any) -> str:
    """For a verb with one field to check; verbs with several gather them (`FieldErrors`)."""
    if not (value or "").strip():
        raise invalid(name, message)
    return value.strip()


def check_owner(owner: User, department: Department | None, errors: FieldErrors) -> None:
    """The owner is an active handler or head, inside the department (or heading it)."""
    if not owner.is_active or owner.role not in (Role.HANDLER, Role.DEPT_HEAD):
        errors.add("owner", _("The owner must be an active handler or department head."))
        return
    if department is None:
        return
    inside = owner.department_id in descendants(department.pk)
    if not inside and department.pk not in department_scope(owner):
        errors.add("owner", _("The owner does not belong to that department."))


def own_attachments(
    c: Complaint, ids: list[int], field_name: str, errors: FieldErrors
) -> list[int]:
    """The ids, each an attachment of this complaint; those that are not are named, all of
    them, as a fault of `field_name`."""
    if not ids:
        return []
    found = set(c.attachments.filter(pk__in=ids).values_list("pk", flat=True))
    if missing := [str(pk) for pk in ids if pk not in found]:
        message = ngettext_lazy(
            "Attachment %(ids)s does not belong to this complaint.",
            "Attachments %(ids)s do not belong to this complaint.",
            "count",
        ) % {"ids": ", ".join(missing), "count": len(missing)}
        errors.add(field_name, message)
    return list(ids)
