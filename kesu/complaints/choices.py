"""The complaint vocabulary of SPEC §2–§4, §6, §8, and the allowed-transition map."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.accounts.choices import Role


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    INQUIRY = "inquiry", _("Inquiry")


SHORT_PATH_KINDS = frozenset({Kind.SUGGESTION, Kind.INQUIRY})


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone hotline")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web form / portal")
    CHAT = "chat", _("Online chat")
    WECHAT = "wechat", _("WeChat")
    ON_SITE = "on_site", _("On site")
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    CONSUMER_ASSOCIATION = "consumer_association", _("Consumer association / 12315")
    GOVERNMENT = "government", _("Government / 12345")
    MEDIA = "media", _("Media")
    LEGAL = "legal", _("Lawyer / court")


class Severity(models.IntegerChoices):
    LEVEL_1 = 1, _("Level 1 (major)")
    LEVEL_2 = 2, _("Level 2")
    LEVEL_3 = 3, _("Level 3 (general)")


class State(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", _("Accepted")
    INVESTIGATING = "investigating", _("Investigating")
    PLANNING = "planning", _("Planning")
    PLAN_APPROVAL = "plan_approval", _("Plan approval")
    TREATING = "treating", _("Treating")
    VERIFYING = "verifying", _("Verifying")
    CONFIRMING = "confirming", _("Customer confirmation")
    RETURN_VISIT = "return_visit", _("Return visit")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    INVALID = "invalid", _("Invalid")
    MERGED = "merged", _("Merged")


FINAL_STATES = frozenset({State.CLOSED, State.WITHDRAWN, State.INVALID, State.MERGED})
OPEN_STATES = frozenset(set(State) - FINAL_STATES)
# The open states in one fixed order (for constraints and queries).
OPEN_STATE_LIST: tuple[str, ...] = tuple(s.value for s in State if s in OPEN_STATES)


class Determination(models.TextChoices):
    """Cause of a complaint. The first three are the three-way product determination."""

    DEFECT = "defect", _("Clear quality defect")
    MISUSE = "misuse", _("Clear misuse")
    UNDETERMINABLE = "undeterminable", _("Undeterminable")
    COMPANY = "company", _("Company-side cause")
    CUSTOMER = "customer", _("Customer-side cause")
    THIRD_PARTY = "third_party", _("Third-party cause")


PRODUCT_DETERMINATIONS = frozenset(
    {Determination.DEFECT, Determination.MISUSE, Determination.UNDETERMINABLE}
)
QA_DETERMINATIONS = frozenset({Determination.DEFECT, Determination.MISUSE})
COMPANY_SIDE = frozenset({Determination.DEFECT, Determination.COMPANY})


class RepairScope(models.TextChoices):
    """How much work a misuse case needs (SPEC §6)."""

    SIMPLE_ON_SITE = "simple_on_site", _("Simple on-site fix")
    COMPLEX = "complex", _("Complex work or parts")
    PART_REPLACEMENT = "part_replacement", _("Simple part replacement")


class CostItem(models.TextChoices):
    REPLACEMENT_OR_REPAIR = "replacement_or_repair", _("Replacement or repair")
    LABOUR = "labour", _("Labour")
    PARTS = "parts", _("Parts")
    TRANSPORT = "transport", _("Transport")
    RETURN_TRANSPORT = "return_transport", _("Return of the product to the company")


class CostBearer(models.TextChoices):
    COMPANY = "company", _("Company")
    CUSTOMER = "customer", _("Customer")
    HANDLER = "handler", _("Handler (penalty)")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    ON_SITE = "on_site", _("On site")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    PORTAL = "portal", _("Customer portal")
    ONLINE = "online", _("Online questionnaire")
    OTHER = "other", _("Other")


class SkipReason(models.TextChoices):
    """Why a return visit is not made (SPEC §4)."""

    RESOLVED_ON_SPOT = "resolved_on_spot", _("Resolved on the spot and confirmed")
    ANONYMOUS = "anonymous", _("Anonymous or no contact")
    SENSITIVE = "sensitive", _("Marked sensitive")


class AppealKind(models.TextChoices):
    POLICY_OR_STAFF = "policy_or_staff", _("Policy or staff matter (executive ruling)")
    QUALITY_DETERMINATION = (
        "quality_determination",
        _("Quality determination (referred to an external authority)"),
    )


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    CUSTOMER = "customer", _("Visible to the customer")


class SurveyScale(models.IntegerChoices):
    THREE = 3, _("3 options")
    FIVE = 5, _("5 options")


class Action(models.TextChoices):
    """Every verb of SPEC §4. The values are the API's action names."""

    ACCEPT = "accept", _("Accept")
    ASSIGN = "assign", _("Reassign")
    CONTACT = "contact", _("Contact the customer")
    VISIT = "visit", _("Site visit")
    DETERMINE = "determine", _("Determine the cause")
    QA_DETERMINE = "qa_determine", _("QA determination")
    PROPOSE_PLAN = "propose_plan", _("Propose a plan")
    APPROVE_PLAN = "approve_plan", _("Approve the plan")
    REJECT_PLAN = "reject_plan", _("Reject the plan")
    PROGRESS = "progress", _("Report progress")
    COMPLETE = "complete", _("Complete the treatment")
    VERIFY = "verify", _("Verify the result")
    CONFIRM = "confirm", _("Customer confirmation")
    RETURN_VISIT = "return_visit", _("Return visit")
    SKIP_RETURN_VISIT = "skip_return_visit", _("Skip the return visit")
    CLOSE = "close", _("Close")
    REOPEN = "reopen", _("Reopen")
    APPEAL = "appeal", _("Appeal")
    WITHDRAW = "withdraw", _("Withdraw")
    INVALIDATE = "invalidate", _("Mark invalid")
    MERGE = "merge", _("Merge into another complaint")
    ESCALATE = "escalate", _("Escalate")
    RECLASSIFY = "reclassify", _("Change the severity")
    RESOLVE_ON_SPOT = "resolve_on_spot", _("Resolved on the spot")
    ANSWER = "answer", _("Answer")
    NOTE = "note", _("Note or message")
    ADD_INFO = "add_info", _("Customer adds information")
    WAIT_CUSTOMER = "wait_customer", _("Wait for the customer")
    RESUME = "resume", _("Resume after waiting")


# The field of an action whose words go to the customer (a note's: when it is shown to them).
# The complaint page offers the reply templates (常用回复) on these fields.
TO_CUSTOMER_FIELD: dict[Action, str] = {
    Action.NOTE: "text",
    Action.PROGRESS: "message",
    Action.ANSWER: "answer",
    Action.INVALIDATE: "explanation",
}


# Timeline event types: every action under its own name, plus what is not an action.
EventType = models.TextChoices(  # type: ignore[call-overload]  # the functional API: untyped
    "EventType",
    [
        ("REGISTER", ("register", _("Registered"))),
        ("ATTACH", ("attach", _("Attachment added"))),
        *((action.name, (action.value, action.label)) for action in Action),
        ("MERGED_IN", ("merged_in", _("Another complaint merged into this one"))),
        ("IMPORT_ARCHIVED", ("import_archived", _("Imported as already finished"))),
        ("LINK_SENT", ("link_sent", _("New customer link sent"))),
        ("LINK_REVOKED", ("link_revoked", _("Customer link revoked"))),
        # the deadline ladder of SPEC §5, appended by the sweeper (kesu.deadlines.sweep)
        ("DEADLINE_WARNED", ("deadline_warned", _("Time limit nearly reached"))),
        ("DEADLINE_BREACHED", ("deadline_breached", _("Time limit breached"))),
        ("DEADLINE_ESCALATED", ("deadline_escalated", _("Breach escalated"))),
        # an administrator's change of a time limit moved this complaint's due times
        ("TIME_LIMIT_CHANGED", ("time_limit_changed", _("Time limit changed"))),
    ],
)

# Events that leave the complaint's version as it was (`actions.frame.bump_version`): they
# change nothing a form is drawn from, so a form drawn before them is not refused for them.
QUIET_EVENTS = frozenset(
    {
        EventType.LINK_SENT,
        EventType.LINK_REVOKED,
        EventType.TIME_LIMIT_CHANGED,
        EventType.DEADLINE_WARNED,
        EventType.DEADLINE_BREACHED,
    }
)


@dataclass(frozen=True)
class Transition:
    """Where an action may start, where it leads (None: stays), who may take it."""

    sources: frozenset[State]
    target: State | None
    roles: frozenset[Role]
    kinds: frozenset[Kind] = frozenset({Kind.COMPLAINT})


_ALL_KINDS = frozenset(Kind)
_WORKERS = frozenset({Role.HANDLER, Role.DEPT_HEAD})
_OPEN = OPEN_STATES

# The state machine of SPEC §4. Actions whose target depends on the payload (determine,
# propose_plan, verify, confirm, reopen) name their usual target; the action decides.
TRANSITIONS: dict[Action, Transition] = {
    Action.ACCEPT: Transition(
        frozenset({State.REGISTERED}),
        State.ACCEPTED,
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD}),
        _ALL_KINDS,  # an inquiry may be dispatched to a department that answers it
    ),
    Action.ASSIGN: Transition(
        _OPEN - {State.REGISTERED},
        None,
        frozenset({Role.INTAKE, Role.DEPT_HEAD}),
        _ALL_KINDS,
    ),
    Action.CONTACT: Transition(
        frozenset({State.ACCEPTED, State.INVESTIGATING}),
        State.INVESTIGATING,
        _WORKERS,
    ),
    # Investigation may start before the customer is reached (an anonymous complaint never is).
    Action.VISIT: Transition(
        frozenset({State.ACCEPTED, State.INVESTIGATING}), State.INVESTIGATING, _WORKERS
    ),
    Action.DETERMINE: Transition(
        frozenset({State.ACCEPTED, State.INVESTIGATING}), State.PLANNING, _WORKERS
    ),
    Action.QA_DETERMINE: Transition(
        frozenset({State.INVESTIGATING}),
        State.PLANNING,
        frozenset({Role.QA}),
    ),
    Action.PROPOSE_PLAN: Transition(frozenset({State.PLANNING}), State.PLAN_APPROVAL, _WORKERS),
    Action.APPROVE_PLAN: Transition(
        frozenset({State.PLAN_APPROVAL}),
        State.TREATING,
        frozenset({Role.DEPT_HEAD, Role.EXECUTIVE}),
    ),
    Action.REJECT_PLAN: Transition(
        frozenset({State.PLAN_APPROVAL}),
        State.PLANNING,
        frozenset({Role.DEPT_HEAD, Role.EXECUTIVE}),
    ),
    Action.PROGRESS: Transition(frozenset({State.TREATING}), None, _WORKERS),
    Action.COMPLETE: Transition(frozenset({State.TREATING}), State.VERIFYING, _WORKERS),
    Action.VERIFY: Transition(
        frozenset({State.VERIFYING}),
        State.CONFIRMING,
        _WORKERS | {Role.QA},
    ),
    Action.CONFIRM: Transition(
        frozenset({State.CONFIRMING}),
        State.RETURN_VISIT,
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.CUSTOMER}),
    ),
    Action.RETURN_VISIT: Transition(
        frozenset({State.RETURN_VISIT}),
        None,
        # the customer answers the survey from the portal link (SPEC §8)
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.QA, Role.CUSTOMER}),
    ),
    Action.SKIP_RETURN_VISIT: Transition(
        frozenset({State.RETURN_VISIT}),
        None,
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.QA}),
    ),
    Action.CLOSE: Transition(
        frozenset({State.RETURN_VISIT}),
        State.CLOSED,
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.QA}),
    ),
    Action.REOPEN: Transition(
        frozenset({State.CLOSED}),
        State.PLANNING,
        frozenset({Role.DEPT_HEAD, Role.QA, Role.EXECUTIVE}),
    ),
    Action.APPEAL: Transition(
        frozenset({State.CONFIRMING, State.RETURN_VISIT, State.CLOSED}),
        State.PLANNING,
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.CUSTOMER}),
    ),
    Action.WITHDRAW: Transition(
        _OPEN,
        State.WITHDRAWN,
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.CUSTOMER}),
        _ALL_KINDS,
    ),
    Action.INVALIDATE: Transition(
        _OPEN,
        State.INVALID,
        frozenset({Role.HANDLER, Role.DEPT_HEAD, Role.QA}),
        _ALL_KINDS,
    ),
    Action.MERGE: Transition(
        _OPEN,
        State.MERGED,
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.QA}),
        _ALL_KINDS,
    ),
    Action.ESCALATE: Transition(
        _OPEN,
        None,
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.QA}),
        _ALL_KINDS,
    ),
    Action.RECLASSIFY: Transition(
        _OPEN - {State.PLAN_APPROVAL},
        None,
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.QA}),
    ),
    Action.RESOLVE_ON_SPOT: Transition(
        frozenset({State.REGISTERED}),
        State.CLOSED,
        frozenset({Role.INTAKE, Role.HANDLER}),
    ),
    Action.ANSWER: Transition(
        frozenset({State.REGISTERED, State.ACCEPTED}),
        State.CLOSED,
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD}),
        SHORT_PATH_KINDS,
    ),
    # Clocks pause while the complaint waits on the customer (SPEC §5) and resume after.
    Action.WAIT_CUSTOMER: Transition(
        _OPEN,
        None,
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.QA}),
        _ALL_KINDS,
    ),
    Action.RESUME: Transition(
        _OPEN,
        None,
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.QA}),
        _ALL_KINDS,
    ),
    Action.NOTE: Transition(
        _OPEN,
        None,
        frozenset({Role.INTAKE, Role.HANDLER, Role.DEPT_HEAD, Role.QA, Role.EXECUTIVE}),
        _ALL_KINDS,
    ),
    # What the customer writes or sends (portal, e-mail reply) is kept in every state, a
    # closed case included: it changes nothing but the timeline, and nothing is dropped.
    Action.ADD_INFO: Transition(frozenset(State), None, frozenset({Role.CUSTOMER}), _ALL_KINDS),
}
