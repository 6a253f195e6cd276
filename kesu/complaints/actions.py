"""The only code that changes a complaint. One function per verb of SPEC §4.

Every function takes the acting user as the keyword `actor`, runs in one transaction, locks the
complaint row first (`select_for_update`; on SQLite the IMMEDIATE transaction serialises
writers instead), checks the guard of `authority.refusal`, changes the row and appends exactly
one timeline event (merge also appends one to the complaint it merges into). Bad data raises
`ComplaintError(INVALID)` before anything is written.
"""

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
from django.utils.translation import ngettext_lazy

from kesu.accounts.choices import Role
from kesu.accounts.models import Department, User
from kesu.complaints import costs, limits, numbering, satisfaction
from kesu.complaints.authority import (
    MAX_ESCALATION_LEVEL,
    can_see,
    department_scope,
    descendants,
    escalation_target,
    refusal,
)
from kesu.complaints.choices import (
    COMPANY_SIDE,
    OPEN_STATES,
    PRODUCT_DETERMINATIONS,
    QA_DETERMINATIONS,
    Action,
    AppealKind,
    Channel,
    ContactMethod,
    Determination,
    EventType,
    Kind,
    RepairScope,
    Severity,
    SkipReason,
    State,
    Visibility,
)
from kesu.complaints.customer import acting_user, actor_data
from kesu.complaints.errors import ComplaintError, ErrorCode, FieldErrors, invalid
from kesu.complaints.models import (
    Category,
    Complaint,
    ComplaintEvent,
    IdempotencyKey,
    Plan,
    PlanStatus,
    ReturnVisit,
)
from kesu.complaints.queries import category_default_department
from kesu.complaints.severity import SeverityProposal, propose_severity
from kesu.core import clock
from kesu.core.language import in_company_language
from kesu.core.rows import PreparedInsert
from kesu.deadlines import engine as deadlines
from kesu.notifications import rules as notification_rules
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
    announce: bool = True,
) -> tuple[Complaint, bool]:
    """Register a complaint; returns (complaint, created).

    With an `idempotency_key`, the same key from the same person returns the complaint the
    first request made (created=False). `number` and `registered_at` keep the original
    values of a complaint moved from an older register (imports).
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
            complaint = _insert(*rows, number, announce=announce and not importing)
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


def _idempotent_replay(actor: User, key: str, fingerprint: str) -> Complaint | None:
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


def _prepare(new, actor, proposal, chosen, severity_reason, registered_at):
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
    complaint_row: PreparedInsert, event_row: PreparedInsert, number: str, *, announce: bool
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
        _announce(complaint, event)
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
        c = _lock(complaint)
        if c.state != State.REGISTERED:
            raise ComplaintError(
                ErrorCode.WRONG_STATE, _("Only a just-imported complaint can be archived this way.")
            )
        # A time limit that ran out before the old register closed it was breached: its
        # steps go on the timeline before the closing, so the clocks, the timeline and the
        # on-time rate all say so.
        _record_past_steps(c, until=closed_at)
        c.closed_at = closed_at
        c.owner = owner or c.owner
        event = _record(
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
        c = _lock(complaint)
        events = _record_past_steps(c, until=until or clock.now())
    complaint.refresh_from_db()
    return events


def _record_past_steps(c: Complaint, *, until: datetime) -> list[ComplaintEvent]:
    """Inside the caller's transaction, on the locked row: append the steps that fell due
    before `until`, with the schedule and escalation level they leave."""
    clocks, steps = deadlines.steps_before(c, until)
    if not steps:
        return []
    recorded_at = clock.now().isoformat()
    events = [deadlines.take_step(c, s, s.at or until, recorded_at=recorded_at) for s in steps]
    scheduled = deadlines.apply_schedule(c, clocks)
    c.version += 1
    c.save(update_fields=["escalation_level", *scheduled, "version"])
    ComplaintEvent.objects.bulk_create(events)
    return events


# ------------------------------------------------------------------------------------------
# the frame every action shares


def _lock(complaint: Complaint | str) -> Complaint:
    """Lock and re-read the complaint row: the first lock every action takes."""
    number = complaint if isinstance(complaint, str) else complaint.number
    try:
        return Complaint.objects.select_for_update().get(number=number)
    except Complaint.DoesNotExist:
        raise ComplaintError(
            ErrorCode.NOT_FOUND, _("Complaint %(number)s does not exist.") % {"number": number}
        ) from None


def _guard(complaint: Complaint, action: Action, actor: User, expected_version: int | None) -> None:
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


def _record(
    complaint: Complaint,
    event_type: str,
    actor: User | None,
    *,
    to_state: State | None = None,
    changed: tuple[str, ...] = (),
    data: dict[str, Any] | None = None,
    comment: str = "",
    visibility: Visibility = Visibility.INTERNAL,
    at: datetime | None = None,
) -> ComplaintEvent:
    """Save the changed fields, bump the version and append the event."""
    from_state = complaint.state
    if to_state is not None:
        complaint.state = to_state
    if complaint.state not in OPEN_STATES and complaint.waiting_since is not None:
        complaint.waiting_since = None  # a finished complaint waits for nobody
        changed = (*changed, "waiting_since")
    complaint.version += 1
    event = ComplaintEvent(
        complaint=complaint,
        type=event_type,
        actor=acting_user(actor),
        at=at or clock.now(),
        from_state=from_state,
        to_state=complaint.state,
        visibility=visibility,
        comment=comment,
        data={**(data or {}), **actor_data(actor)},
    )
    # the clocks replay the timeline with this event on its end (kesu.deadlines)
    scheduled = deadlines.reschedule(
        complaint, [*deadlines.history(complaint.pk), deadlines.fact(event)]
    )
    complaint.save(update_fields=[*changed, *scheduled, "state", "version"])
    event.save()
    _announce(complaint, event)
    return event


def _announce(complaint: Complaint, event: ComplaintEvent) -> None:
    """Queue who is told (SPEC §7), unless the event is history written after the fact."""
    if not clock.backdated():
        notification_rules.on_event(complaint, event)


def _action(action: Action):
    """Wrap a verb: one transaction, lock, guard; the body changes and records."""

    def wrap(body):
        def run(
            complaint: Complaint | str,
            *,
            actor: User,
            expected_version: int | None = None,
            **kwargs,
        ) -> ComplaintEvent:
            with transaction.atomic():
                locked = _lock(complaint)
                _guard(locked, action, actor, expected_version)
                event = body(locked, actor=actor, **kwargs)
            if isinstance(complaint, Complaint):
                complaint.refresh_from_db()
            return event

        run.__name__ = body.__name__
        run.__doc__ = body.__doc__
        run.action = action  # type: ignore[attr-defined]
        return run

    return wrap


def _required(value: str, name: str, message) -> str:
    """For a verb with one field to check; verbs with several gather them (`FieldErrors`)."""
    if not (value or "").strip():
        raise invalid(name, message)
    return value.strip()


def _check_owner(owner: User, department: Department | None, errors: FieldErrors) -> None:
    """The owner is an active handler or head, inside the department (or heading it)."""
    if not owner.is_active or owner.role not in (Role.HANDLER, Role.DEPT_HEAD):
        errors.add("owner", _("The owner must be an active handler or department head."))
        return
    if department is None:
        return
    inside = owner.department_id in descendants(department.pk)
    if not inside and department.pk not in department_scope(owner):
        errors.add("owner", _("The owner does not belong to that department."))


# ------------------------------------------------------------------------------------------
# the verbs


@_action(Action.ACCEPT)
def accept(
    c: Complaint,
    *,
    actor: User,
    owner: User,
    department: Department | None = None,
    comment: str = "",
) -> ComplaintEvent:
    """Set the owner and the responsible department; the owner then contacts the customer."""
    if actor.role == Role.HANDLER and owner.pk != actor.pk:
        raise ComplaintError(
            ErrorCode.NOT_AUTHORISED, _("A handler may accept a complaint only for themself.")
        )
    department = department or owner.department or c.department
    errors = FieldErrors()
    _check_owner(owner, department, errors)
    errors.check()
    c.owner, c.department = owner, department
    return _record(
        c,
        EventType.ACCEPT,
        actor,
        to_state=State.ACCEPTED,
        changed=("owner", "department"),
        data={"owner": owner.pk, "department": department.pk if department else None},
        comment=comment,
    )


@_action(Action.ASSIGN)
def assign(
    c: Complaint,
    *,
    actor: User,
    owner: User,
    department: Department | None = None,
    reason: str = "",
) -> ComplaintEvent:
    """Hand the complaint to another owner (and department)."""
    errors = FieldErrors()
    reason = errors.required(reason, "reason", _("Say why the complaint changes hands."))
    department = department or owner.department or c.department
    _check_owner(owner, department, errors)
    errors.check()
    data = {
        "owner": owner.pk,
        "from_owner": c.owner_id,
        "department": department.pk if department else None,
    }
    c.owner, c.department = owner, department
    return _record(
        c, EventType.ASSIGN, actor, changed=("owner", "department"), data=data, comment=reason
    )


@_action(Action.CONTACT)
def contact(
    c: Complaint,
    *,
    actor: User,
    method: ContactMethod,
    promised_at: datetime,
    summary: str = "",
    sampling_needed: bool = False,
) -> ComplaintEvent:
    """The owner reached the customer, confirmed the problem and promised a deadline.

    `sampling_needed`: product samples must be taken on site, which starts that time limit."""
    errors = FieldErrors()
    summary = errors.required(summary, "summary", _("Record what was agreed with the customer."))
    if promised_at <= c.registered_at:
        errors.add("promised_at", _("The promised deadline must be after registration."))
    errors.check()
    now = clock.now()
    c.promised_at, c.last_customer_update_at = promised_at, now
    return _record(
        c,
        EventType.CONTACT,
        actor,
        to_state=State.INVESTIGATING,
        changed=("promised_at", "last_customer_update_at"),
        data={
            "method": method,
            "promised_at": promised_at.isoformat(),
            **({"sampling_needed": True} if sampling_needed else {}),
        },
        comment=summary,
        at=now,
    )


@_action(Action.VISIT)
def visit(
    c: Complaint,
    *,
    actor: User,
    findings: str,
    sampled: bool = False,
    visited_at: datetime | None = None,
    attachments: list[int] | None = None,
) -> ComplaintEvent:
    """A site visit or sampling record."""
    errors = FieldErrors()
    findings = errors.required(findings, "findings", _("Record what the visit found."))
    when = visited_at or clock.now()
    if when > clock.now():
        errors.add("visited_at", _("A visit cannot be recorded in the future."))
    ids = _own_attachments(c, attachments or [], "attachments", errors)
    errors.check()
    return _record(
        c,
        EventType.VISIT,
        actor,
        to_state=State.INVESTIGATING,
        data={"sampled": sampled, "visited_at": when.isoformat(), "attachments": ids},
        comment=findings,
    )


@_action(Action.DETERMINE)
def determine(
    c: Complaint,
    *,
    actor: User,
    determination: Determination,
    root_cause: str = "",
    responsible_department: Department | None = None,
    responsible_person: str = "",
    evidence: list[int] | None = None,
) -> ComplaintEvent:
    """The cause. Product complaints take one of three results; undeterminable goes to QA."""
    product = c.category.product_determination
    errors = FieldErrors()
    if product and determination not in PRODUCT_DETERMINATIONS:
        errors.add(
            "determination",
            _(
                "A product-quality complaint is determined as a clear quality defect, clear misuse "
                "or undeterminable."
            ),
        )
    if not product and determination in PRODUCT_DETERMINATIONS:
        errors.add(
            "determination",
            _("Only product-quality complaints take the three-way product determination."),
        )
    undeterminable = determination == Determination.UNDETERMINABLE
    if not undeterminable:
        root_cause = errors.required(root_cause, "root_cause", _("Record the root cause."))
    ids = _own_attachments(c, evidence or [], "evidence", errors)
    if (product or determination in COMPANY_SIDE) and not ids:
        errors.add(
            "evidence",
            _(
                "Evidence (photos) is required for a product-quality complaint and for every "
                "company-side cause: attach it to the complaint and list it here."
            ),
        )
    errors.check()
    c.determination = determination
    c.root_cause = root_cause
    c.responsible_department = responsible_department
    c.responsible_person = responsible_person
    return _record(
        c,
        EventType.DETERMINE,
        actor,
        to_state=State.INVESTIGATING if undeterminable else State.PLANNING,
        changed=("determination", "root_cause", "responsible_department", "responsible_person"),
        data={
            "determination": determination,
            "evidence": ids,
            "responsible_department": responsible_department.pk if responsible_department else None,
            "responsible_person": responsible_person,
        },
        comment=root_cause,
    )


@_action(Action.QA_DETERMINE)
def qa_determine(
    c: Complaint,
    *,
    actor: User,
    determination: Determination,
    report: str,
    evidence: list[int] | None = None,
) -> ComplaintEvent:
    """QA settles an undeterminable product: defect or misuse."""
    errors = FieldErrors()
    if determination not in QA_DETERMINATIONS:
        errors.add("determination", _("QA determines a clear quality defect or clear misuse."))
    report = errors.required(report, "report", _("QA's determination needs its report."))
    ids = _own_attachments(c, evidence or [], "evidence", errors)
    errors.check()
    c.qa_determination = determination
    if not c.root_cause:
        c.root_cause = report
    return _record(
        c,
        EventType.QA_DETERMINE,
        actor,
        to_state=State.PLANNING,
        changed=("qa_determination", "root_cause"),
        data={"determination": determination, "evidence": ids},
        comment=report,
    )


@dataclass(frozen=True)
class Measure:
    description: str
    owner: User
    deadline: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "owner": self.owner.pk,
            "deadline": self.deadline.isoformat(),
            "done": False,
        }


@_action(Action.PROPOSE_PLAN)
def propose_plan(
    c: Complaint,
    *,
    actor: User,
    measures: list[Measure],
    in_warranty: bool | None = None,
    repair_scope: RepairScope | str = "",
    returned_to_company: bool = False,
    handler_could_determine: bool = False,
    cost: list[dict] | None = None,
    cost_reason: str = "",
) -> ComplaintEvent:
    """Measures with owners and deadlines, and the cost split. Level 3 plans are filed."""
    if not c.effective_determination:
        raise ComplaintError(ErrorCode.WRONG_STATE, _("Determine the cause before planning."))
    errors = FieldErrors()
    if not measures:
        errors.add("measures", _("A plan needs at least one measure."))
    for index, measure in enumerate(measures):
        if not measure.description.strip():
            errors.add(f"measures.{index}.description", _("Describe the measure."))
        if measure.deadline <= c.registered_at:
            errors.add(f"measures.{index}.deadline", _("The deadline must be after registration."))
        if not measure.owner.is_active or measure.owner.role == Role.CUSTOMER:
            errors.add(f"measures.{index}.owner", _("The owner must be an active colleague."))
    facts = costs.CostFacts(
        determination=c.effective_determination,
        returned_to_company=returned_to_company,
        initially_undeterminable=c.determination == Determination.UNDETERMINABLE,
        repair_scope=repair_scope,
        in_warranty=in_warranty,
        handler_could_determine=handler_could_determine,
        handler_penalty_pct=current_policy().handler_transport_penalty_pct,
    )
    proposed = costs.as_json(costs.propose_cost_split(facts))
    final = proposed
    if cost is not None and cost != proposed:
        for field, message in costs.validate_split(cost).items():
            errors.add(f"cost.{field}", message)
        cost_reason = errors.required(
            cost_reason, "cost_reason", _("Give a reason for changing the proposed cost split.")
        )
        final = cost
    errors.check()
    needs_approval = c.severity in (Severity.LEVEL_1, Severity.LEVEL_2)
    now = clock.now()
    plan = Plan.objects.create(
        complaint=c,
        status=PlanStatus.PROPOSED if needs_approval else PlanStatus.FILED,
        measures=[m.as_json() for m in measures],
        cost_proposed=proposed,
        cost=final,
        cost_reason=cost_reason,
        in_warranty=in_warranty,
        proposed_by=actor,
        proposed_at=now,
    )
    return _record(
        c,
        EventType.PROPOSE_PLAN,
        actor,
        to_state=State.PLAN_APPROVAL if needs_approval else State.TREATING,
        data={"plan": plan.pk, "filed": not needs_approval, "cost_adjusted": final is not proposed},
        comment=cost_reason,
        at=now,
    )


def _current_plan(c: Complaint) -> Plan:
    plan = c.plans.filter(status=PlanStatus.PROPOSED).order_by("-id").first()
    if plan is None:  # the state machine makes this unreachable; say so loudly if it is not
        raise ComplaintError(ErrorCode.WRONG_STATE, _("There is no plan waiting for approval."))
    return plan


@_action(Action.APPROVE_PLAN)
def approve_plan(
    c: Complaint,
    *,
    actor: User,
    comment: str = "",
    expert_review: str = "",
) -> ComplaintEvent:
    """Level 1: after the technical/quality/safety expert review, an executive approves.
    Level 2: the department head approves."""
    if c.severity == Severity.LEVEL_1:
        expert_review = _required(
            expert_review,
            "expert_review",
            _("A level-1 plan needs the technical, quality and safety expert review."),
        )
    plan = _current_plan(c)
    now = clock.now()
    plan.status, plan.decided_by, plan.decided_at = PlanStatus.APPROVED, actor, now
    plan.decision_comment, plan.expert_review = comment, expert_review
    plan.save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment", "expert_review"]
    )
    return _record(
        c,
        EventType.APPROVE_PLAN,
        actor,
        to_state=State.TREATING,
        data={"plan": plan.pk},
        comment=comment,
        at=now,
    )


@_action(Action.REJECT_PLAN)
def reject_plan(c: Complaint, *, actor: User, reason: str = "") -> ComplaintEvent:
    """Back to planning, with the reason."""
    reason = _required(reason, "reason", _("Say why the plan is rejected."))
    plan = _current_plan(c)
    now = clock.now()
    plan.status, plan.decided_by, plan.decided_at = PlanStatus.REJECTED, actor, now
    plan.decision_comment = reason
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    return _record(
        c,
        EventType.REJECT_PLAN,
        actor,
        to_state=State.PLANNING,
        data={"plan": plan.pk},
        comment=reason,
        at=now,
    )


@_action(Action.PROGRESS)
def progress(
    c: Complaint,
    *,
    actor: User,
    message: str,
    method: ContactMethod = ContactMethod.PHONE,
) -> ComplaintEvent:
    """Progress reported to the customer (at least every few working days while treating)."""
    message = _required(message, "message", _("Write what the customer was told."))
    now = clock.now()
    c.last_customer_update_at = now
    return _record(
        c,
        EventType.PROGRESS,
        actor,
        changed=("last_customer_update_at",),
        data={"method": method},
        comment=message,
        visibility=Visibility.CUSTOMER,
        at=now,
    )


@_action(Action.COMPLETE)
def complete(c: Complaint, *, actor: User, summary: str) -> ComplaintEvent:
    """The measures are carried out; the result goes to verification."""
    summary = _required(summary, "summary", _("Summarise what was done."))
    return _record(c, EventType.COMPLETE, actor, to_state=State.VERIFYING, comment=summary)


@_action(Action.VERIFY)
def verify(
    c: Complaint,
    *,
    actor: User,
    passed: bool,
    report: str,
    attachments: list[int] | None = None,
) -> ComplaintEvent:
    """Level 1 by QA with a verification report; level 2/3 by the owner's team.
    A failed verification sends the work back to treating."""
    errors = FieldErrors()
    report = errors.required(report, "report", _("The verification needs its report."))
    ids = _own_attachments(c, attachments or [], "attachments", errors)
    errors.check()
    target = State.CONFIRMING if passed else State.TREATING
    changed: tuple[str, ...] = ()
    if passed and not reachable(c):
        # Nobody to confirm with or to visit: the verification stands in for the confirmation,
        # and the return visit is skipped for that reason (SPEC §4).
        target, c.return_visit_skip = State.RETURN_VISIT, SkipReason.ANONYMOUS
        changed = ("return_visit_skip",)
    return _record(
        c,
        EventType.VERIFY,
        actor,
        to_state=target,
        changed=changed,
        data={"passed": passed, "attachments": ids, "customer_reachable": reachable(c)},
        comment=report,
    )


def reachable(c: Complaint) -> bool:
    """Whether there is a customer to confirm with and visit: not anonymous, some contact."""
    return not c.anonymous and bool(
        c.complainant_phone or c.complainant_email or c.complainant_address
    )


@_action(Action.CONFIRM)
def confirm(
    c: Complaint,
    *,
    actor: User,
    satisfied: bool,
    method: ContactMethod,
    comment: str = "",
) -> ComplaintEvent:
    """The customer's confirmation. Not satisfied: back to planning, counted as a reopen."""
    if not satisfied:
        comment = _required(comment, "comment", _("Record why the customer is not satisfied."))
        c.reopen_count += 1
    now = clock.now()
    c.last_customer_update_at = now
    return _record(
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


@_action(Action.RETURN_VISIT)
def return_visit(
    c: Complaint,
    *,
    actor: User,
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
    return _record(
        c,
        EventType.RETURN_VISIT,
        actor,
        changed=("satisfaction_pct",),
        data={"return_visit": visit_row.pk, "scale": scale, "satisfaction_pct": str(score.pct)},
        comment=remarks,
        at=now,
    )


@_action(Action.SKIP_RETURN_VISIT)
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
    return _record(
        c,
        EventType.SKIP_RETURN_VISIT,
        actor,
        changed=("return_visit_skip",),
        data={"reason": reason},
        comment=comment,
    )


@_action(Action.CLOSE)
def close(c: Complaint, *, actor: User, comment: str = "") -> ComplaintEvent:
    """Archive the case: read-only from now on, except for appeals and reopening."""
    now = clock.now()
    c.closed_at = now
    return _record(
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


@_action(Action.REOPEN)
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
    return _record(
        c, EventType.REOPEN, actor, to_state=to_state, changed=_reopen_fields(c), comment=reason
    )


@_action(Action.APPEAL)
def appeal(
    c: Complaint,
    *,
    actor: User,
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
    return _record(
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
    actor: User,
    to_state: State,
    comment: str,
    data: dict | None = None,
) -> ComplaintEvent:
    now = clock.now()
    c.closed_at = now
    return _record(
        c,
        event_type,
        actor,
        to_state=to_state,
        changed=("closed_at",),
        comment=comment,
        data=data,
        at=now,
    )


@_action(Action.WITHDRAW)
def withdraw(c: Complaint, *, actor: User, reason: str) -> ComplaintEvent:
    """The customer withdraws the complaint."""
    reason = _required(reason, "reason", _("Record why the customer withdraws."))
    return _finish(c, EventType.WITHDRAW, actor, State.WITHDRAWN, reason)


@_action(Action.INVALIDATE)
def invalidate(c: Complaint, *, actor: User, explanation: str) -> ComplaintEvent:
    """Not a valid complaint (a misunderstanding), explained to the customer."""
    explanation = _required(
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


def merge(
    complaint: Complaint | str,
    *,
    actor: User,
    into: str,
    comment: str = "",
    expected_version: int | None = None,
) -> ComplaintEvent:
    """A duplicate: merge it into another open complaint. Both timelines record it."""
    number = complaint if isinstance(complaint, str) else complaint.number
    if into == number:
        raise invalid("into", _("A complaint cannot be merged into itself."))
    with transaction.atomic():
        # Lock order: both rows, in number order, so two opposite merges cannot deadlock.
        locked = {
            row.number: row
            for row in Complaint.objects.select_for_update()
            .filter(number__in=sorted({number, into}))
            .order_by("number")
        }
        if number not in locked:
            raise ComplaintError(
                ErrorCode.NOT_FOUND, _("Complaint %(number)s does not exist.") % {"number": number}
            )
        c = locked[number]
        _guard(c, Action.MERGE, actor, expected_version)
        target = _referenced(locked.get(into), into, actor, "into")
        if target.state not in OPEN_STATES:
            raise invalid("into", _("Complaint %(number)s is no longer open.") % {"number": into})
        now = clock.now()
        c.merged_into, c.closed_at = target, now
        event = _record(
            c,
            EventType.MERGE,
            actor,
            to_state=State.MERGED,
            changed=("merged_into", "closed_at"),
            data={"into": target.number},
            comment=comment,
            at=now,
        )
        _record(
            target, EventType.MERGED_IN, actor, data={"from": c.number}, comment=comment, at=now
        )
    if isinstance(complaint, Complaint):
        complaint.refresh_from_db()
    return event


merge.action = Action.MERGE  # type: ignore[attr-defined]


@_action(Action.ESCALATE)
def escalate(c: Complaint, *, actor: User, reason: str) -> ComplaintEvent:
    """Raise the complaint to the department head, then to the executives, recording why."""
    reason = _required(reason, "reason", _("Say why the complaint is escalated."))
    c.escalation_level = min(c.escalation_level + 1, MAX_ESCALATION_LEVEL)
    return _record(
        c,
        EventType.ESCALATE,
        actor,
        changed=("escalation_level",),
        data={"level": c.escalation_level, "to": escalation_target(c.escalation_level)},
        comment=reason,
    )


@_action(Action.RECLASSIFY)
def reclassify(c: Complaint, *, actor: User, severity: Severity, reason: str) -> ComplaintEvent:
    """Change the confirmed severity, with the reason; the proposal is kept."""
    errors = FieldErrors()
    reason = errors.required(reason, "reason", _("Say why the severity changes."))
    if severity == c.severity:
        errors.add("severity", _("The complaint already has this severity."))
    errors.check()
    data = {"from": c.severity, "to": int(severity)}
    c.severity, c.severity_reason = severity, reason
    return _record(
        c,
        EventType.RECLASSIFY,
        actor,
        changed=("severity", "severity_reason"),
        data=data,
        comment=reason,
    )


@_action(Action.RESOLVE_ON_SPOT)
def resolve_on_spot(
    c: Complaint,
    *,
    actor: User,
    solution: str,
    customer_confirmed: bool,
) -> ComplaintEvent:
    """Resolved on the spot to the customer's satisfaction: level 3, closed at once."""
    errors = FieldErrors()
    solution = errors.required(solution, "solution", _("Record how it was resolved."))
    if not customer_confirmed:
        errors.add(
            "customer_confirmed",
            _("Only a complaint the customer confirms as resolved is closed on the spot."),
        )
    errors.check()
    now = clock.now()
    data = {"severity_from": c.severity}
    c.severity = Severity.LEVEL_3
    c.severity_reason = in_company_language(_("Resolved on the spot"))
    c.return_visit_skip = SkipReason.RESOLVED_ON_SPOT
    c.closed_at = now
    c.last_customer_update_at = now
    return _record(
        c,
        EventType.RESOLVE_ON_SPOT,
        actor,
        to_state=State.CLOSED,
        changed=(
            "severity",
            "severity_reason",
            "return_visit_skip",
            "closed_at",
            "last_customer_update_at",
        ),
        data=data,
        comment=solution,
        visibility=Visibility.CUSTOMER,
        at=now,
    )


@_action(Action.ANSWER)
def answer(
    c: Complaint,
    *,
    actor: User,
    answer: str,
    method: ContactMethod = ContactMethod.PHONE,
) -> ComplaintEvent:
    """The short path of an inquiry or suggestion: answer, record, close."""
    answer = _required(answer, "answer", _("Write the answer."))
    now = clock.now()
    c.closed_at = c.last_customer_update_at = now
    return _record(
        c,
        EventType.ANSWER,
        actor,
        to_state=State.CLOSED,
        changed=("closed_at", "last_customer_update_at"),
        data={"method": method},
        comment=answer,
        visibility=Visibility.CUSTOMER,
        at=now,
    )


@_action(Action.NOTE)
def note(
    c: Complaint,
    *,
    actor: User,
    text: str,
    visibility: Visibility = Visibility.INTERNAL,
) -> ComplaintEvent:
    """An internal note, or a message the customer sees."""
    text = _required(text, "text", _("The note is empty."))
    changed: tuple[str, ...] = ()
    now = clock.now()
    if visibility == Visibility.CUSTOMER:
        c.last_customer_update_at = now
        changed = ("last_customer_update_at",)
    return _record(
        c, EventType.NOTE, actor, changed=changed, comment=text, visibility=visibility, at=now
    )


@_action(Action.ADD_INFO)
def add_info(
    c: Complaint,
    *,
    actor: User,
    message: str,
    visibility: Visibility = Visibility.CUSTOMER,
    data: dict[str, Any] | None = None,
) -> ComplaintEvent:
    """What the customer adds: a message from the portal or a reply by e-mail (SPEC §4).

    Kept in any state. `visibility` is internal when the sender could not be shown to be the
    customer (an e-mail from another address citing the number): staff read it, the
    customer's page does not show it.
    """
    message = _required(message, "message", _("Write what you want to add."))
    return _record(c, EventType.ADD_INFO, actor, comment=message, visibility=visibility, data=data)


@_action(Action.WAIT_CUSTOMER)
def wait_customer(c: Complaint, *, actor: User, reason: str) -> ComplaintEvent:
    """The complaint waits on the customer (e.g. a returned product in transit): clocks pause."""
    reason = _required(reason, "reason", _("Say what the complaint is waiting for."))
    now = clock.now()
    c.waiting_since = now
    return _record(
        c, EventType.WAIT_CUSTOMER, actor, changed=("waiting_since",), comment=reason, at=now
    )


@_action(Action.RESUME)
def resume(c: Complaint, *, actor: User, comment: str = "") -> ComplaintEvent:
    """The customer's part is done: paused clocks run again, their due times moved on."""
    now = clock.now()
    data = {"waited_from": c.waiting_since.isoformat()}
    c.waiting_since = None
    return _record(
        c, EventType.RESUME, actor, changed=("waiting_since",), data=data, comment=comment, at=now
    )


def _own_attachments(
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


ACTIONS = {
    fn.action: fn
    for fn in (
        accept,
        assign,
        contact,
        visit,
        determine,
        qa_determine,
        propose_plan,
        approve_plan,
        reject_plan,
        progress,
        complete,
        verify,
        confirm,
        return_visit,
        skip_return_visit,
        close,
        reopen,
        appeal,
        withdraw,
        invalidate,
        merge,
        escalate,
        reclassify,
        resolve_on_spot,
        answer,
        note,
        wait_customer,
        resume,
        add_info,
    )
}
assert set(ACTIONS) == set(Action), "every action of the state machine has its function"
