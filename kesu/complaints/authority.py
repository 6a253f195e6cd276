"""Who may take which action on which complaint. Guards return a refusal; actions raise it.

The order of the checks fixes the HTTP status a caller sees: a role that never takes the
action gets 403; a kind or state that does not allow it, 409; a person outside the
complaint's department, or below the authority its severity needs, 403.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kesu.accounts.choices import SEES_EVERYTHING, Role
from kesu.accounts.models import Department, User
from kesu.complaints.choices import (
    TRANSITIONS,
    Action,
    Determination,
    Severity,
)
from kesu.complaints.customer import Actor, CustomerActor
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Complaint
from kesu.core.memo import forget_on_change, memo
from kesu.core.trees import path_up, subtree

MAX_ESCALATION_LEVEL = 2  # 1: department head, 2: executive


def escalation_target(level: int) -> str:
    """Who a complaint escalated to `level` is raised to (recorded in the event's `to`)."""
    return "executive" if level >= MAX_ESCALATION_LEVEL else "dept_head"


def department_scope(user: User) -> frozenset[int]:
    """Departments whose complaints `user` works on: a dept_head's own and those below it."""
    cached = getattr(user, "_kesu_department_scope", None)
    if cached is not None:
        return cached
    scope: frozenset[int] = frozenset()
    if user.department_id is not None:
        if user.role == Role.DEPT_HEAD:
            scope = descendants(user.department_id)
        else:
            scope = frozenset({user.department_id})
    user._kesu_department_scope = scope  # type: ignore[attr-defined]  # kept for the request
    return scope


def _department_edges() -> tuple[tuple[int, int | None], ...]:
    """(department, parent) pairs: the tree, cached (see kesu.core.memo)."""
    return memo(
        "departments:edges", lambda: tuple(Department.objects.values_list("pk", "parent_id"))
    )


def descendants(root: int) -> frozenset[int]:
    """A department and the departments below it."""
    return subtree(root, _department_edges())


def ancestors(department_id: int) -> list[int]:
    """A department and the departments above it, nearest first."""
    return path_up(department_id, dict(_department_edges()))


forget_on_change("departments:", Department)


def can_see(user: Actor, complaint: Complaint) -> bool:
    if not user.is_active:
        return False
    if user.role == Role.CUSTOMER or not isinstance(user, User):
        # a CustomerActor: their own complaint, nothing else (a customer account: none)
        return isinstance(user, CustomerActor) and user.complaint_id == complaint.pk
    if complaint.accused_id == user.pk and user.role not in (Role.EXECUTIVE, Role.ADMIN):
        return False
    if user.role in SEES_EVERYTHING:
        return True
    return user.role in (Role.HANDLER, Role.DEPT_HEAD) and works_on(user, complaint)


def works_on(user: Actor, complaint: Complaint) -> bool:
    """Handlers and heads: they own it, or it belongs to a department in their scope (a
    handler's own department; a head's department and those below it)."""
    if isinstance(user, User) and user.role in (Role.HANDLER, Role.DEPT_HEAD):
        return complaint.owner_id == user.pk or complaint.department_id in department_scope(user)
    return user.role in (Role.INTAKE, Role.QA)


def customer_account_refusal(user: Actor) -> ComplaintError | None:
    """A customer account acts on its complaint in the portal, where it is the complainant
    of that complaint (a `CustomerActor`); never as itself, through the API or any other way."""
    if user.role == Role.CUSTOMER and not isinstance(user, CustomerActor):
        return ComplaintError(
            ErrorCode.ROLE_NOT_ALLOWED,
            _("A customer acts on a complaint from its page in the portal."),
        )
    return None


def refusal(complaint: Complaint, action: Action, user: Actor) -> ComplaintError | None:
    """Why `user` may not take `action` on `complaint` now, or None when they may."""
    if (refused := customer_account_refusal(user)) is not None:
        return refused
    transition = TRANSITIONS[action]
    if user.role not in transition.roles:
        return ComplaintError(
            ErrorCode.ROLE_NOT_ALLOWED,
            _("Your role may not take the action “%(action)s”.") % {"action": action.label},
        )
    if complaint.kind not in transition.kinds:
        return ComplaintError(
            ErrorCode.WRONG_KIND,
            _("The action “%(action)s” does not apply to this kind of record (%(kind)s).")
            % {"action": action.label, "kind": complaint.get_kind_display()},
        )
    if complaint.state not in transition.sources:
        return ComplaintError(
            ErrorCode.WRONG_STATE,
            _("The action “%(action)s” is not possible while the complaint is “%(state)s”.")
            % {"action": action.label, "state": complaint.get_state_display()},
        )
    if (precondition := _precondition(complaint, action)) is not None:
        return ComplaintError(ErrorCode.WRONG_STATE, precondition)
    return _authority(complaint, action, user)


def _precondition(complaint: Complaint, action: Action):
    awaiting_qa = (
        complaint.determination == Determination.UNDETERMINABLE and not complaint.qa_determination
    )
    if action == Action.QA_DETERMINE and not awaiting_qa:
        return _("Only a case determined as undeterminable goes to QA for determination.")
    if action == Action.DETERMINE and awaiting_qa:
        return _("The case is waiting for QA's determination.")
    if action in (Action.RETURN_VISIT, Action.SKIP_RETURN_VISIT) and (
        complaint.return_visit_settled
    ):
        return _("The return visit has already been recorded or skipped.")
    if action == Action.CLOSE and not complaint.return_visit_settled:
        return _("Record the return visit, or skip it with a reason, before closing.")
    if action == Action.ESCALATE and complaint.escalation_level >= MAX_ESCALATION_LEVEL:
        return _("The complaint is already escalated to the executives.")
    if action == Action.WAIT_CUSTOMER and complaint.waiting_since is not None:
        return _("The complaint is already waiting for the customer.")
    if action == Action.RESUME and complaint.waiting_since is None:
        return _("The complaint is not waiting for the customer.")
    return None


# Who takes a decision, by action and "is level 1": what `_authority` answers everyone else.
DECIDED_BY = {
    Action.APPROVE_PLAN: {
        True: _("A level-1 plan is decided by an executive."),
        False: _("A level-2 plan is decided by the head of the responsible department."),
    },
    Action.VERIFY: {
        True: _("A level-1 result is verified by QA."),
        False: _("This result is verified by the owner's team."),
    },
}


def _heads(user: Actor, complaint: Complaint) -> bool:
    """A department head whose scope holds the complaint's department."""
    return (
        isinstance(user, User)
        and user.role == Role.DEPT_HEAD
        and complaint.department_id in department_scope(user)
    )


def _authority(complaint: Complaint, action: Action, user: Actor) -> ComplaintError | None:
    def no(message) -> ComplaintError:
        return ComplaintError(ErrorCode.NOT_AUTHORISED, message)

    if not can_see(user, complaint):
        return no(_("You may not work on this complaint."))
    if action in (Action.APPROVE_PLAN, Action.REJECT_PLAN):
        if complaint.severity == Severity.LEVEL_1:
            if user.role != Role.EXECUTIVE:
                return no(DECIDED_BY[Action.APPROVE_PLAN][True])  # rejecting it too
        elif not _heads(user, complaint):
            return no(DECIDED_BY[Action.APPROVE_PLAN][False])
        return None
    if action == Action.VERIFY:
        if complaint.severity == Severity.LEVEL_1:
            if user.role != Role.QA:
                return no(DECIDED_BY[Action.VERIFY][True])
            return None
        if user.role == Role.QA or not works_on(user, complaint):
            return no(DECIDED_BY[Action.VERIFY][False])
        return None
    if user.role == Role.CUSTOMER and action == Action.RETURN_VISIT and complaint.sensitive:
        return no(_("This complaint takes no return visit."))  # SPEC §4: sensitive
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and not works_on(user, complaint):
        return no(_("This complaint belongs to another department."))
    return None


def allowed_actions(complaint: Complaint, user: Actor) -> list[Action]:
    return [action for action in Action if refusal(complaint, action, user) is None]


def decision_filter(action: Action, user: User) -> Q | None:
    """The complaints on which `user` may take the decision `action`, as a filter over the
    complaints they see (None: never) — `refusal` checked in the database, the same checks in
    the same order: role, kind, state, precondition, authority. The inbox's decision tabs
    are these filters; tests/test_inbox_decisions.py holds them to `allowed_actions`, so a
    change of `_authority` or `_precondition` that is not made here too fails there."""
    transition = TRANSITIONS[action]
    if user.role not in transition.roles:
        return None
    where = Q(kind__in=transition.kinds, state__in=transition.sources)
    owns = Q(owner=user) | Q(department__in=department_scope(user))
    if action == Action.QA_DETERMINE:
        return where & Q(determination=Determination.UNDETERMINABLE, qa_determination="")
    if action == Action.APPROVE_PLAN:
        if user.role == Role.EXECUTIVE:
            return where & Q(severity=Severity.LEVEL_1)
        return where & ~Q(severity=Severity.LEVEL_1) & Q(department__in=department_scope(user))
    if action == Action.VERIFY:
        if user.role == Role.QA:
            return where & Q(severity=Severity.LEVEL_1)
        return where & ~Q(severity=Severity.LEVEL_1) & owns
    raise ValueError(action)


def decided_by(complaint: Complaint, user: Actor) -> str | None:
    """Who must act next, in words, when the complaint waits on a decision `user` may not
    take (a level-1 plan shown to a head: "decided by an executive"); None otherwise."""
    awaiting_qa = _precondition(complaint, Action.DETERMINE)
    if awaiting_qa is not None and complaint.state in TRANSITIONS[Action.QA_DETERMINE].sources:
        return None if user.role == Role.QA else str(awaiting_qa)
    for action in (Action.APPROVE_PLAN, Action.VERIFY):
        if complaint.state in TRANSITIONS[action].sources:
            if refusal(complaint, action, user) is None:
                return None
            return str(DECIDED_BY[action][complaint.severity == Severity.LEVEL_1])
    return None
