"""Registration: a new complaint, its number and first clocks; the import's archive (its past
deadline steps: `ladder`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.accounts.choices import Role
from kesu.accounts.models import Department, User
from kesu.complaints import limits, numbering
from kesu.complaints.actions import frame
from kesu.complaints.actions.frame import lock, record
from kesu.complaints.actions.ladder import record_past_steps
from kesu.complaints.choices import (
    Channel,
    EventType,
    Kind,
    Severity,
    State,
)
from kesu.complaints.errors import ComplaintError, ErrorCode, FieldErrors, invalid
from kesu.complaints.models import (
    Category,
    Complaint,
    ComplaintEvent,
    IdempotencyKey,
)
from kesu.complaints.queries import category_default_department
from kesu.complaints.severity import SeverityProposal, propose_severity
from kesu.core import clock
from kesu.core.rows import PreparedInsert
from kesu.deadlines import engine as deadlines
from kesu.policies.queries import current_policy, severity_rules

# ------------------------------------------------------------------------------------------
# registration


@dataclass
class NewComplaint:
    """The record as the caller knows it at registration, already in domain types."""

    channel: Channel
    title: str
    description: str
    category: Category
    kind: Kind = Kind.COMPLAINT
    occurred_at: datetime | None = None
    occurred_place: str = ""
    demand: str = ""
    claim_amount: Decimal | None = None
    complainant_name: str = ""
    complainant_org: str = ""
    complainant_phone: str = ""
    complainant_email: str = ""
    complainant_address: str = ""
    anonymous: bool = False
    product_model: str = ""
    batch_no: str = ""
    order_no: str = ""
    ship_date: date | None = None
    arrival_date: date | None = None
    quantity: Decimal | None = None
    project_name: str = ""
    project_location: str = ""
    department: Department | None = None
    accused: User | None = None
    read_back: bool = False
    sensitive: bool = False
    extra_event_data: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """A hash of the request, to tell a retried request from a different one."""
        payload = {
            k: (v.pk if hasattr(v, "pk") else v)
            for k, v in self.__dict__.items()
            if k != "extra_event_data"
        }
        raw = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()


REGISTERING_ROLES = frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.QA, Role.ADMIN})


def may_register(user: User) -> bool:
    return getattr(user, "role", None) in REGISTERING_ROLES


def register(
    new: NewComplaint,
    *,
    actor: User | None,
    severity: Severity | None = None,
    severity_reason: str = "",
    idempotency_key: str = "",
    number: str = "",
    registered_at: datetime | None = None,
    announce: bool | None = None,
) -> tuple[Complaint, bool]:
    """Register a complaint; returns (complaint, created).

    With an `idempotency_key`, the same key from the same person returns the complaint the
    first request made (created=False). `number` and `registered_at` keep the original
    values of a complaint moved from an older register (imports). `announce`: whether those
    it concerns are told; by default yes, unless it comes with a past `registered_at`
    (history), and never inside `unannounced()`.
    """
    if actor is not None and not may_register(actor):
        raise ComplaintError(ErrorCode.ROLE_NOT_ALLOWED, _("Your role may not register."))
    importing = registered_at is not None  # moved from an older register: history, not news
    errors = FieldErrors()
    _validate_new(new, errors, importing=importing)
    proposal = propose_for(new)
    chosen = Severity(severity) if severity is not None else proposal.level
    if chosen != proposal.level and not severity_reason.strip():
        errors.add(
            "severity_reason",
            _("Give a reason when the severity differs from the proposed “%(level)s”.")
            % {"level": proposal.level.label},
        )
    errors.check()
    keyed = bool(idempotency_key) and actor is not None
    fingerprint = new.fingerprint() if keyed else ""
    # A retry usually finds its first answer here, before any write lock is taken.
    if keyed and (replay := _idempotent_replay(actor, idempotency_key, fingerprint)):
        return replay, False
    try:
        rows = _prepare(new, actor, proposal, chosen, severity_reason, registered_at)
        key_row = None
        if keyed:  # IdempotencyKey has no save() work either
            at = rows[0].instance.registered_at
            key_row = PreparedInsert(
                IdempotencyKey(
                    user=actor, key=idempotency_key, request_hash=fingerprint, created_at=at
                )
            )
        with transaction.atomic():
            told = not importing if announce is None else announce
            complaint = _insert(*rows, number, announce=told)
            if key_row is not None:
                # A concurrent twin fails here on the unique index and rolls back its whole
                # registration, number included; it then returns the first one's complaint.
                key_row.set(complaint=complaint).execute()
    except IntegrityError:
        if not keyed or not (replay := _idempotent_replay(actor, idempotency_key, fingerprint)):
            raise
        return replay, False
    return complaint, True


def propose_for(new: NewComplaint) -> SeverityProposal:
    """The severity Kesu proposes for this record (SPEC §3)."""
    return propose_severity(
        severity_rules(),
        kind=new.kind,
        channel=new.channel,
        category_default=new.category.default_severity,
        claim_amount=new.claim_amount,
        texts=(new.title, new.description, new.demand),
    )


def _idempotent_replay(actor: User | None, key: str, fingerprint: str) -> Complaint | None:
    if actor is None:  # only a person's requests are keyed
        return None
    seen = IdempotencyKey.objects.filter(user=actor, key=key).values_list(
        "request_hash", "complaint_id"
    )[:1]
    if not seen:
        return None
    request_hash, complaint_id = seen[0]
    if request_hash != fingerprint:
        raise ComplaintError(
            ErrorCode.IDEMPOTENCY_MISMATCH,
            _("This Idempotency-Key was already used for a different request."),
        )
    return Complaint.objects.get(pk=complaint_id)


def registered_before(actor: User, key: str, new: NewComplaint) -> Complaint | None:
    """The complaint an earlier request with this idempotency key registered, if any."""
    return _idempotent_replay(actor, key, new.fingerprint()) if key else None


_TEXT_LIMITS = {
    name: limit
    for name, limit in limits.COMPLAINT_TEXT.items()
    if name in NewComplaint.__dataclass_fields__
}


def _validate_new(new: NewComplaint, errors: FieldErrors, *, importing: bool = False) -> None:
    """Every fault of the record, into `errors` (the caller refuses them all at once)."""
    for name, limit in _TEXT_LIMITS.items():
        value = getattr(new, name)
        if isinstance(value, str) and (refusal := limits.too_long(value, limit)):
            errors.add(name, refusal)
    if not new.title.strip():
        errors.add("title", _("The title is required."))
    if not new.description.strip():
        errors.add("description", _("The description is required."))
    if not new.category.active and not importing:  # old registers keep retired categories
        errors.add("category", _("This category is no longer in use."))
    if not new.anonymous and not (
        new.complainant_name.strip()
        or new.complainant_phone.strip()
        or new.complainant_email.strip()
    ):
        errors.add(
            "complainant",
            _("Give the complainant's name, phone or e-mail, or mark the complaint anonymous."),
        )
    if new.claim_amount is not None and new.claim_amount < 0:
        errors.add("claim_amount", _("The claimed amount cannot be negative."))
    if new.ship_date and new.arrival_date and new.arrival_date < new.ship_date:
        errors.add("arrival_date", _("The arrival date is before the ship date."))


def _prepare(
    new: NewComplaint,
    actor: User | None,
    proposal: SeverityProposal,
    chosen: Severity,
    severity_reason: str,
    registered_at: datetime | None,
) -> tuple[PreparedInsert[Complaint], PreparedInsert[ComplaintEvent]]:
    """The complaint row and its `register` event, built before any lock is taken: everything
    but the number and the event's link to its complaint, which the transaction decides."""
    at = registered_at or clock.now()
    fields = {k: v for k, v in new.__dict__.items() if k != "extra_event_data"}
    fields["department"] = new.department or category_default_department(new.category)
    complaint = Complaint(
        **fields,
        state=State.REGISTERED,
        severity=chosen,
        severity_proposed=proposal.level,
        severity_reason=severity_reason,
        registered_at=at,
        registered_by=actor,
    )
    # The proposal itself is on the row; the event keeps why, when more than the category spoke.
    data: dict[str, Any] = {}
    if any(not reason.startswith("category:") for reason in proposal.reasons):
        data["basis"] = proposal.reasons
    data.update(new.extra_event_data)
    event = ComplaintEvent(
        type=EventType.REGISTER, actor=actor, at=at, to_state=State.REGISTERED, data=data
    )
    # The first clocks depend on the record and the event, not on the number.
    deadlines.reschedule(complaint, [deadlines.fact(event)])
    # Complaint and ComplaintEvent have no save() work, auto_now fields or save signals, so
    # the precompiled INSERT writes exactly what create() would, with less time in the lock.
    return PreparedInsert(complaint), PreparedInsert(event)


def _insert(
    complaint_row: PreparedInsert[Complaint],
    event_row: PreparedInsert[ComplaintEvent],
    number: str,
    *,
    announce: bool,
) -> Complaint:
    """Inside the registering transaction: the number, then the two rows."""
    complaint, event = complaint_row.instance, event_row.instance
    policy = current_policy()
    if number:
        if Complaint.objects.filter(number=number).exists():
            raise invalid(
                "number", _("Complaint number %(number)s already exists.") % {"number": number}
            )
        if (parsed := numbering.parse_number(policy.number_pattern, number)) is not None:
            numbering.reserve_at_least(*parsed)  # later numbers of that month come after it
    else:
        local = timezone.localtime(complaint.registered_at)
        prefix = numbering.prefix_for(policy.number_pattern, local)
        number = numbering.format_number(
            policy.number_pattern, local, numbering.next_sequence(prefix)
        )
    complaint_row.set(number=number).execute()
    event_row.set(complaint=complaint).execute()
    if announce:
        frame.announce(complaint, event)
    return complaint


IMPORTABLE_FINAL_STATES = (State.CLOSED, State.WITHDRAWN, State.INVALID)


def archive_imported(
    complaint: Complaint,
    *,
    actor: User | None,
    state: State,
    closed_at: datetime,
    owner: User | None = None,
    comment: str = "",
) -> ComplaintEvent:
    """A complaint moved from an older register that was already finished there.

    Called right after `register` for the same row; keeps the original closing time so the
    statistics of past months stay true. Appends one event.
    """
    if state not in IMPORTABLE_FINAL_STATES:
        raise invalid(
            "state",
            _("Imported complaints are either open (registered) or closed, withdrawn or invalid."),
        )
    if closed_at < complaint.registered_at:
        raise invalid("closed_at", _("The closing time is before the registration time."))
    if closed_at > timezone.now():  # the real clock: an import cannot close in the future
        raise invalid("closed_at", _("The closing time is in the future."))
    with transaction.atomic():
        c = lock(complaint)
        if c.state != State.REGISTERED:
            raise ComplaintError(
                ErrorCode.WRONG_STATE, _("Only a just-imported complaint can be archived this way.")
            )
        # A time limit that ran out before the old register closed it was breached: its
        # steps go on the timeline before the closing, so the clocks, the timeline and the
        # on-time rate all say so.
        record_past_steps(c, until=closed_at)
        c.closed_at = closed_at
        c.owner = owner or c.owner
        event = record(
            c,
            EventType.IMPORT_ARCHIVED,
            actor,
            to_state=state,
            changed=("closed_at", "owner"),
            comment=comment,
            at=closed_at,
        )
    complaint.refresh_from_db()
    return event
