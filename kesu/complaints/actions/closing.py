"""The end of a case: the customer's confirmation, the return visit, closing, reopening,
appeals, withdrawal, invalid complaints and merging."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import User
from kesu.complaints import satisfaction
from kesu.complaints.actions.frame import (
    record,
    required,
    verb,
)
from kesu.complaints.actions.plans import reachable
from kesu.complaints.authority import (
    can_see,
)
from kesu.complaints.choices import (
    OPEN_STATES,
    Action,
    AppealKind,
    ContactMethod,
    EventType,
    SkipReason,
    State,
    Visibility,
)
from kesu.complaints.customer import Actor, acting_user
from kesu.complaints.errors import FieldErrors, invalid, not_found
from kesu.complaints.models import (
    Complaint,
    ComplaintEvent,
    ReturnVisit,
)
from kesu.core import clock


@verb(Action.CONFIRM)
def confirm(
    c: Complaint,
    *,
    actor: Actor,
    satisfied: bool,
    method: ContactMethod,
    comment: str = "",
) -> ComplaintEvent:
    """The customer's confirmation. Not satisfied: back to planning, counted as a reopen."""
    if not satisfied:
        comment = required(comment, "comment", _("Record why the customer is not satisfied."))
        c.reopen_count += 1
    now = clock.now()
    c.last_customer_update_at = now
    return record(
        c,
        EventType.CONFIRM,
        actor,
        to_state=State.RETURN_VISIT if satisfied else State.PLANNING,
        changed=("reopen_count", "last_customer_update_at"),
        data={"satisfied": satisfied, "method": method},
        comment=comment,
        visibility=Visibility.CUSTOMER,
        at=now,
    )


@verb(Action.RETURN_VISIT)
def return_visit(
    c: Complaint,
    *,
    actor: Actor,
    method: ContactMethod,
    scale: int,
    answers: list[str],
    remarks: str = "",
) -> ComplaintEvent:
    """Record the return visit and its satisfaction score (SPEC §8)."""
    try:
        score = satisfaction.score(scale, answers)
    except ValueError as error:
        raise invalid("answers", str(error)) from None
    now = clock.now()
    visit_row = ReturnVisit.objects.create(
        complaint=c,
        method=method,
        scale=scale,
        answers=answers,
        points=score.points,
        max_points=score.max_points,
        satisfaction_pct=score.pct,
        remarks=remarks,
        visited_by=acting_user(actor),
        visited_at=now,
    )
    c.satisfaction_pct = score.pct
    return record(
        c,
        EventType.RETURN_VISIT,
        actor,
        changed=("satisfaction_pct",),
        data={"return_visit": visit_row.pk, "scale": scale, "satisfaction_pct": str(score.pct)},
        comment=remarks,
        at=now,
    )


@verb(Action.SKIP_RETURN_VISIT)
def skip_return_visit(
    c: Complaint,
    *,
    actor: User,
    reason: SkipReason,
    comment: str = "",
) -> ComplaintEvent:
    """No return visit, for one of the reasons SPEC §4 allows; the reason must hold."""
    if reason == SkipReason.ANONYMOUS and reachable(c):
        raise invalid("reason", _("The complainant is neither anonymous nor without contact."))
    if reason == SkipReason.SENSITIVE and not c.sensitive:
        raise invalid("reason", _("The complaint is not marked sensitive."))
    if reason == SkipReason.RESOLVED_ON_SPOT:
        raise invalid("reason", _("Only a complaint resolved on the spot skips for that reason."))
    c.return_visit_skip = reason
    return record(
        c,
        EventType.SKIP_RETURN_VISIT,
        actor,
        changed=("return_visit_skip",),
        data={"reason": reason},
        comment=comment,
    )


@verb(Action.CLOSE)
def close(c: Complaint, *, actor: User, comment: str = "") -> ComplaintEvent:
    """Archive the case: read-only from now on, except for appeals and reopening."""
    now = clock.now()
    c.closed_at = now
    return record(
        c,
        EventType.CLOSE,
        actor,
        to_state=State.CLOSED,
        changed=("closed_at",),
        comment=comment,
        at=now,
    )


def _reopen_fields(c: Complaint) -> tuple[str, ...]:
    c.reopen_count += 1
    c.closed_at = None
    c.satisfaction_pct = None
    c.return_visit_skip = ""
    return ("reopen_count", "closed_at", "satisfaction_pct", "return_visit_skip")


@verb(Action.REOPEN)
def reopen(
    c: Complaint,
    *,
    actor: User,
    reason: str,
    to_state: State = State.PLANNING,
) -> ComplaintEvent:
    """Reopen a closed case at planning (or back at investigation)."""
    errors = FieldErrors()
    reason = errors.required(reason, "reason", _("Say why the case is reopened."))
    if to_state not in (State.PLANNING, State.INVESTIGATING):
        errors.add("to_state", _("A case reopens at investigation or planning."))
    errors.check()
    return record(
        c, EventType.REOPEN, actor, to_state=to_state, changed=_reopen_fields(c), comment=reason
    )


@verb(Action.APPEAL)
def appeal(
    c: Complaint,
    *,
    actor: Actor,
    kind: AppealKind,
    reason: str,
    authority: str = "",
) -> ComplaintEvent:
    """The customer disputes the result; the case reopens at planning.
    Policy/staff matters go to an executive; a disputed quality determination is recorded as
    referred to an external authority."""
    errors = FieldErrors()
    reason = errors.required(reason, "reason", _("Record what the customer disputes."))
    if kind == AppealKind.QUALITY_DETERMINATION:
        authority = errors.required(
            authority,
            "authority",
            _("Name the external authority the quality dispute is referred to."),
        )
    errors.check()
    changed = _reopen_fields(c)
    return record(
        c,
        EventType.APPEAL,
        actor,
        to_state=State.PLANNING,
        changed=changed,
        data={
            "kind": kind,
            "authority": authority,
            "ruling_by": "executive" if kind == AppealKind.POLICY_OR_STAFF else "external",
        },
        comment=reason,
    )


def _finish(
    c: Complaint,
    event_type: str,
    actor: Actor,
    to_state: State,
    comment: str,
    data: dict | None = None,
) -> ComplaintEvent:
    now = clock.now()
    c.closed_at = now
    return record(
        c,
        event_type,
        actor,
        to_state=to_state,
        changed=("closed_at",),
        comment=comment,
        data=data,
        at=now,
    )


@verb(Action.WITHDRAW)
def withdraw(c: Complaint, *, actor: Actor, reason: str) -> ComplaintEvent:
    """The customer withdraws the complaint."""
    reason = required(reason, "reason", _("Record why the customer withdraws."))
    return _finish(c, EventType.WITHDRAW, actor, State.WITHDRAWN, reason)


@verb(Action.INVALIDATE)
def invalidate(c: Complaint, *, actor: User, explanation: str) -> ComplaintEvent:
    """Not a valid complaint (a misunderstanding), explained to the customer."""
    explanation = required(
        explanation, "explanation", _("Record what was explained to the customer.")
    )
    return _finish(c, EventType.INVALIDATE, actor, State.INVALID, explanation)


def _referenced(found: Complaint | None, number: str, actor: User, field: str) -> Complaint:
    """Another complaint an action names (`field`): the caller must be allowed to read it.
    One they may not see is answered exactly as one that does not exist, so the answer never
    tells whether a number exists elsewhere."""
    if found is None or not can_see(actor, found):
        raise invalid(field, _("Complaint %(number)s does not exist.") % {"number": number})
    return found


def _lock_both(complaint: Complaint | str, *, into: str, **_kwargs: Any) -> Complaint:
    """Merge's locks: both rows, in number order, so two opposite merges cannot deadlock."""
    number = complaint if isinstance(complaint, str) else complaint.number
    if into == number:
        raise invalid("into", _("A complaint cannot be merged into itself."))
    locked = {
        row.number: row
        for row in Complaint.objects.select_for_update()
        .filter(number__in=sorted({number, into}))
        .order_by("number")
    }
    if number not in locked:
        raise not_found(number)
    return locked[number]


@verb(Action.MERGE, locking=_lock_both)
def merge(c: Complaint, *, actor: User, into: str, comment: str = "") -> ComplaintEvent:
    """A duplicate: merge it into another open complaint. Both timelines record it."""
    found = Complaint.objects.filter(number=into).first()  # locked by `_lock_both`
    target = _referenced(found, into, actor, "into")
    if target.state not in OPEN_STATES:
        raise invalid("into", _("Complaint %(number)s is no longer open.") % {"number": into})
    now = clock.now()
    c.merged_into, c.closed_at = target, now
    event = record(
        c,
        EventType.MERGE,
        actor,
        to_state=State.MERGED,
        changed=("merged_into", "closed_at"),
        data={"into": target.number},
        comment=comment,
        at=now,
    )
    record(target, EventType.MERGED_IN, actor, data={"from": c.number}, comment=comment, at=now)
    return event
