"""From acceptance to the cause: accept, assign, contact, visit, determine, QA's determination,
and the verbs that may come at any open stage (escalate, reclassify, note, answer, more
information, waiting for the customer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from kesu.accounts.choices import Role
from kesu.accounts.models import Department, User
from kesu.complaints.actions.frame import (
    check_owner,
    own_attachments,
    record,
    required,
    verb,
)
from kesu.complaints.authority import (
    MAX_ESCALATION_LEVEL,
    escalation_target,
)
from kesu.complaints.choices import (
    COMPANY_SIDE,
    PRODUCT_DETERMINATIONS,
    QA_DETERMINATIONS,
    Action,
    ContactMethod,
    Determination,
    EventType,
    Severity,
    State,
    Visibility,
)
from kesu.complaints.customer import Actor
from kesu.complaints.errors import ComplaintError, ErrorCode, FieldErrors
from kesu.complaints.models import (
    Complaint,
    ComplaintEvent,
)
from kesu.core import clock


@verb(Action.ACCEPT)
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
    check_owner(owner, department, errors)
    errors.check()
    c.owner, c.department = owner, department
    return record(
        c,
        EventType.ACCEPT,
        actor,
        to_state=State.ACCEPTED,
        changed=("owner", "department"),
        data={"owner": owner.pk, "department": department.pk if department else None},
        comment=comment,
    )


@verb(Action.ASSIGN)
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
    check_owner(owner, department, errors)
    errors.check()
    data = {
        "owner": owner.pk,
        "from_owner": c.owner_id,
        "department": department.pk if department else None,
    }
    c.owner, c.department = owner, department
    return record(
        c, EventType.ASSIGN, actor, changed=("owner", "department"), data=data, comment=reason
    )


@verb(Action.CONTACT)
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
    return record(
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


@verb(Action.VISIT)
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
    ids = own_attachments(c, attachments or [], "attachments", errors)
    errors.check()
    return record(
        c,
        EventType.VISIT,
        actor,
        to_state=State.INVESTIGATING,
        data={"sampled": sampled, "visited_at": when.isoformat(), "attachments": ids},
        comment=findings,
    )


@verb(Action.DETERMINE)
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
    ids = own_attachments(c, evidence or [], "evidence", errors)
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
    return record(
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


@verb(Action.QA_DETERMINE)
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
    ids = own_attachments(c, evidence or [], "evidence", errors)
    errors.check()
    c.qa_determination = determination
    if not c.root_cause:
        c.root_cause = report
    return record(
        c,
        EventType.QA_DETERMINE,
        actor,
        to_state=State.PLANNING,
        changed=("qa_determination", "root_cause"),
        data={"determination": determination, "evidence": ids},
        comment=report,
    )


@verb(Action.ESCALATE)
def escalate(c: Complaint, *, actor: User, reason: str) -> ComplaintEvent:
    """Raise the complaint to the department head, then to the executives, recording why."""
    reason = required(reason, "reason", _("Say why the complaint is escalated."))
    c.escalation_level = min(c.escalation_level + 1, MAX_ESCALATION_LEVEL)
    return record(
        c,
        EventType.ESCALATE,
        actor,
        changed=("escalation_level",),
        data={"level": c.escalation_level, "to": escalation_target(c.escalation_level)},
        comment=reason,
    )


@verb(Action.RECLASSIFY)
def reclassify(c: Complaint, *, actor: User, severity: Severity, reason: str) -> ComplaintEvent:
    """Change the confirmed severity, with the reason; the proposal is kept."""
    errors = FieldErrors()
    reason = errors.required(reason, "reason", _("Say why the severity changes."))
    if severity == c.severity:
        errors.add("severity", _("The complaint already has this severity."))
    errors.check()
    data = {"from": c.severity, "to": int(severity)}
    c.severity, c.severity_reason = severity, reason
    return record(
        c,
        EventType.RECLASSIFY,
        actor,
        changed=("severity", "severity_reason"),
        data=data,
        comment=reason,
    )


@verb(Action.ANSWER)
def answer(
    c: Complaint,
    *,
    actor: User,
    answer: str,
    method: ContactMethod = ContactMethod.PHONE,
) -> ComplaintEvent:
    """The short path of an inquiry or suggestion: answer, record, close."""
    answer = required(answer, "answer", _("Write the answer."))
    now = clock.now()
    c.closed_at = c.last_customer_update_at = now
    return record(
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


@verb(Action.NOTE)
def note(
    c: Complaint,
    *,
    actor: User,
    text: str,
    visibility: Visibility = Visibility.INTERNAL,
) -> ComplaintEvent:
    """An internal note, or a message the customer sees."""
    text = required(text, "text", _("The note is empty."))
    changed: tuple[str, ...] = ()
    now = clock.now()
    if visibility == Visibility.CUSTOMER:
        c.last_customer_update_at = now
        changed = ("last_customer_update_at",)
    return record(
        c, EventType.NOTE, actor, changed=changed, comment=text, visibility=visibility, at=now
    )


@verb(Action.ADD_INFO)
def add_info(
    c: Complaint,
    *,
    actor: Actor,
    message: str,
    visibility: Visibility = Visibility.CUSTOMER,
    data: dict[str, Any] | None = None,
) -> ComplaintEvent:
    """What the customer adds: a message from the portal or a reply by e-mail (SPEC §4).

    Kept in any state. `visibility` is internal when the sender could not be shown to be the
    customer (an e-mail from another address citing the number): staff read it, the
    customer's page does not show it.
    """
    message = required(message, "message", _("Write what you want to add."))
    return record(c, EventType.ADD_INFO, actor, comment=message, visibility=visibility, data=data)


@verb(Action.WAIT_CUSTOMER)
def wait_customer(c: Complaint, *, actor: User, reason: str) -> ComplaintEvent:
    """The complaint waits on the customer (e.g. a returned product in transit): clocks pause."""
    reason = required(reason, "reason", _("Say what the complaint is waiting for."))
    now = clock.now()
    c.waiting_since = now
    return record(
        c, EventType.WAIT_CUSTOMER, actor, changed=("waiting_since",), comment=reason, at=now
    )


@verb(Action.RESUME)
def resume(c: Complaint, *, actor: User, comment: str = "") -> ComplaintEvent:
    """The customer's part is done: paused clocks run again, their due times moved on."""
    now = clock.now()
    assert c.waiting_since is not None, "the guard lets a complaint resume only while it waits"
    data = {"waited_from": c.waiting_since.isoformat()}
    c.waiting_since = None
    return record(
        c, EventType.RESUME, actor, changed=("waiting_since",), data=data, comment=comment, at=now
    )
