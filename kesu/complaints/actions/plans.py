"""The plan and its treatment: propose, approve or reject, progress, complete, verify, and the
complaint resolved on the spot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints import costs
from kesu.complaints.actions.frame import (
    own_attachments,
    record,
    required,
    verb,
)
from kesu.complaints.choices import (
    Action,
    ContactMethod,
    Determination,
    EventType,
    RepairScope,
    Severity,
    SkipReason,
    State,
    Visibility,
)
from kesu.complaints.errors import ComplaintError, ErrorCode, FieldErrors
from kesu.complaints.models import (
    Complaint,
    ComplaintEvent,
    Plan,
    PlanStatus,
)
from kesu.core import clock
from kesu.core.language import in_company_language
from kesu.policies.queries import current_policy


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


@verb(Action.PROPOSE_PLAN)
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
    return record(
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


@verb(Action.APPROVE_PLAN)
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
        expert_review = required(
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
    return record(
        c,
        EventType.APPROVE_PLAN,
        actor,
        to_state=State.TREATING,
        data={"plan": plan.pk},
        comment=comment,
        at=now,
    )


@verb(Action.REJECT_PLAN)
def reject_plan(c: Complaint, *, actor: User, reason: str = "") -> ComplaintEvent:
    """Back to planning, with the reason."""
    reason = required(reason, "reason", _("Say why the plan is rejected."))
    plan = _current_plan(c)
    now = clock.now()
    plan.status, plan.decided_by, plan.decided_at = PlanStatus.REJECTED, actor, now
    plan.decision_comment = reason
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    return record(
        c,
        EventType.REJECT_PLAN,
        actor,
        to_state=State.PLANNING,
        data={"plan": plan.pk},
        comment=reason,
        at=now,
    )


@verb(Action.PROGRESS)
def progress(
    c: Complaint,
    *,
    actor: User,
    message: str,
    method: ContactMethod = ContactMethod.PHONE,
) -> ComplaintEvent:
    """Progress reported to the customer (at least every few working days while treating)."""
    message = required(message, "message", _("Write what the customer was told."))
    now = clock.now()
    c.last_customer_update_at = now
    return record(
        c,
        EventType.PROGRESS,
        actor,
        changed=("last_customer_update_at",),
        data={"method": method},
        comment=message,
        visibility=Visibility.CUSTOMER,
        at=now,
    )


@verb(Action.COMPLETE)
def complete(c: Complaint, *, actor: User, summary: str) -> ComplaintEvent:
    """The measures are carried out; the result goes to verification."""
    summary = required(summary, "summary", _("Summarise what was done."))
    return record(c, EventType.COMPLETE, actor, to_state=State.VERIFYING, comment=summary)


@verb(Action.VERIFY)
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
    ids = own_attachments(c, attachments or [], "attachments", errors)
    errors.check()
    target = State.CONFIRMING if passed else State.TREATING
    changed: tuple[str, ...] = ()
    if passed and not reachable(c):
        # Nobody to confirm with or to visit: the verification stands in for the confirmation,
        # and the return visit is skipped for that reason (SPEC §4).
        target, c.return_visit_skip = State.RETURN_VISIT, SkipReason.ANONYMOUS
        changed = ("return_visit_skip",)
    return record(
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


@verb(Action.RESOLVE_ON_SPOT)
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
    return record(
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
