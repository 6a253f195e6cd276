"""The shapes of the REST API: validated at the edge into domain types (pydantic)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import core_schema

from kesu.complaints import limits, phones
from kesu.complaints.choices import (
    Action,
    AppealKind,
    Channel,
    ContactMethod,
    Determination,
    Kind,
    RepairScope,
    Severity,
    SkipReason,
    State,
    SurveyScale,
    Visibility,
)
from kesu.deadlines.clocks import ClockState
from kesu.policies.choices import ClockKind, TimeBasis


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError(_("Give the time zone, e.g. 2026-11-21T09:30:00+08:00."))
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
Text = Annotated[str, Field(max_length=10000)]


@dataclass(frozen=True)
class MaxChars:
    """A text limit of `kesu.complaints.limits`: refused with the limit and the actual length
    (pydantic's own `max_length` says only the limit), shown as `maxLength` in the OpenAPI
    schema, and read as `max_length` by the workspace's forms."""

    max_length: int

    def __get_pydantic_core_schema__(self, source, handler):
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema, handler):
        json_schema = handler(schema)
        json_schema["maxLength"] = self.max_length
        return json_schema

    def _check(self, value: str) -> str:
        if (refusal := limits.too_long(value, self.max_length)) is not None:
            raise ValueError(refusal)
        return value


def _phone(value: str) -> str:
    try:
        return phones.normalise(value)
    except phones.InvalidPhone as error:
        raise ValueError(str(error)) from None


# Any way of writing a number is taken; the stored form is E.164 (kesu.complaints.phones).
Phone = Annotated[
    str,
    MaxChars(limits.PHONE),
    AfterValidator(_phone),
    Field(description="e.g. 139 0000 0009, 010-1234 5678, +44 20 7946 0958; kept as E.164"),
]


class Strict(BaseModel):
    """Input: a plain pydantic model. ninja's `Schema` adds a wrapping validator that reads
    attributes of ORM objects, which input never is; it made validating a registration
    cost 88 µs instead of 6."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ------------------------------------------------------------------------------ register


class ComplainantIn(Strict):
    name: Annotated[str, MaxChars(limits.COMPLAINANT_NAME)] = ""
    organisation: Annotated[str, MaxChars(limits.COMPLAINANT_ORG)] = ""
    phone: Phone = ""
    email: Annotated[str, MaxChars(limits.EMAIL)] = ""
    address: Annotated[str, MaxChars(limits.ADDRESS)] = ""
    anonymous: bool = False

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise ValueError(_("This is not a valid e-mail address.")) from None
        return value


class ProductIn(Strict):
    model: Annotated[str, MaxChars(limits.PRODUCT_MODEL)] = ""
    batch_no: Annotated[str, MaxChars(limits.BATCH_NO)] = ""
    order_no: Annotated[str, MaxChars(limits.ORDER_NO)] = ""
    ship_date: date | None = None
    arrival_date: date | None = None
    quantity: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class ProjectIn(Strict):
    name: Annotated[str, MaxChars(limits.PROJECT_NAME)] = ""
    location: Annotated[str, MaxChars(limits.PROJECT_LOCATION)] = ""


class RegisterIn(Strict):
    kind: Kind = Kind.COMPLAINT
    channel: Channel
    title: Annotated[str, MaxChars(limits.TITLE)] = Field(..., min_length=1)
    description: Annotated[str, MaxChars(limits.DESCRIPTION)] = Field(..., min_length=1)
    category: str = Field(
        ..., min_length=1, max_length=40, description="category code, see GET /categories"
    )
    occurred_at: AwareDatetime | None = None
    occurred_place: Annotated[str, MaxChars(limits.OCCURRED_PLACE)] = ""
    demand: Annotated[str, MaxChars(limits.DEMAND)] = ""
    claim_amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    complainant: ComplainantIn = Field(default_factory=ComplainantIn)
    product: ProductIn = Field(default_factory=ProductIn)
    project: ProjectIn = Field(default_factory=ProjectIn)
    department: str | None = Field(None, description="department code; default: the category's")
    accused: str | None = Field(None, description="username of the staff member complained about")
    severity: Severity | None = Field(None, description="omit to take the proposed level")
    severity_reason: Annotated[str, MaxChars(limits.SEVERITY_REASON)] = ""
    read_back: bool = False
    sensitive: bool = False


# ------------------------------------------------------------------------------ output


class PersonOut(Schema):
    username: str
    name: str


class NamedOut(Schema):
    code: str
    name: str


class ComplaintOut(Schema):
    number: str
    kind: Kind
    channel: Channel
    state: State
    state_label: str
    version: int
    title: str
    description: str
    occurred_at: datetime | None
    occurred_place: str
    demand: str
    claim_amount: Decimal | None
    complainant: dict[str, Any]
    product: dict[str, Any]
    project: dict[str, Any]
    category: NamedOut
    severity: int
    severity_proposed: int
    severity_reason: str
    department: NamedOut | None
    owner: PersonOut | None
    read_back: bool
    sensitive: bool
    determination: str
    qa_determination: str
    root_cause: str
    registered_at: datetime
    registered_by: PersonOut | None
    promised_at: datetime | None
    last_customer_update_at: datetime | None
    closed_at: datetime | None
    due_at: datetime | None = Field(None, description="earliest due time of the running clocks")
    waiting_since: datetime | None = Field(
        None, description="set while the complaint waits for the customer (clocks paused)"
    )
    escalation_level: int
    reopen_count: int
    return_visit_skip: str
    satisfaction_pct: Decimal | None
    merged_into: str | None


class ComplaintListItem(Schema):
    number: str
    kind: Kind
    channel: Channel
    state: State
    title: str
    complainant_name: str
    category: NamedOut
    severity: int
    department: NamedOut | None
    owner: PersonOut | None
    registered_at: datetime
    due_at: datetime | None


class ComplaintPage(Schema):
    results: list[ComplaintListItem]
    next: str | None = Field(None, description="URL of the next page, absent on the last")


class EventOut(Schema):
    id: int
    type: str
    type_label: str
    at: datetime
    actor: PersonOut | None
    from_state: str
    to_state: str
    visibility: Visibility
    comment: str
    data: dict[str, Any]


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    visibility: Visibility
    uploaded_at: datetime


class PlanOut(Schema):
    id: int
    status: str
    measures: list[dict[str, Any]]
    cost_proposed: list[dict[str, Any]]
    cost: list[dict[str, Any]]
    cost_reason: str
    in_warranty: bool | None
    proposed_at: datetime
    decided_at: datetime | None
    decision_comment: str
    expert_review: str


class ReturnVisitOut(Schema):
    id: int
    method: str
    scale: int
    answers: list[str]
    points: Decimal
    max_points: Decimal
    satisfaction_pct: Decimal
    remarks: str
    visited_at: datetime


class DeadlineOut(Schema):
    """One run of one time limit (SPEC §5)."""

    clock: ClockKind
    label: str
    basis: TimeBasis
    limit_hours: float = Field(description="the limit, in working or natural hours per `basis`")
    state: ClockState
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    remaining_hours: float = Field(description="negative once overdue; on the clock's basis")
    paused_since: datetime | None
    paused_hours: float = Field(description="natural hours spent waiting for the customer")
    met_at: datetime | None
    cancelled_at: datetime | None
    breached: bool = Field(description="breached at some time; kept after the work is done")
    warned: bool
    escalation_level: int


class ComplaintDetail(ComplaintOut):
    allowed_actions: list[Action]
    deadlines: list[DeadlineOut]
    timeline: list[EventOut]
    attachments: list[AttachmentOut]
    plans: list[PlanOut]
    return_visits: list[ReturnVisitOut]


class ErrorOut(Schema):
    code: str
    detail: str
    errors: list[dict[str, str]] = []


# ------------------------------------------------------------------------------ actions


class ActionIn(Strict):
    expected_version: int | None = Field(
        None,
        description="the version you saw; refused with 409 if someone changed it since",
    )


class AcceptIn(ActionIn):
    owner: str = Field(..., description="username of the owner")
    department: str | None = Field(None, description="department code; default: the owner's")
    comment: Text = ""


class AssignIn(ActionIn):
    owner: str
    department: str | None = None
    reason: Text = ""


class ContactIn(ActionIn):
    method: ContactMethod = ContactMethod.PHONE
    promised_at: AwareDatetime = Field(..., description="the handling deadline promised")
    summary: Text = ""
    sampling_needed: bool = Field(False, description="product samples must be taken on site")


class VisitIn(ActionIn):
    findings: Text = ""
    sampled: bool = False
    visited_at: AwareDatetime | None = None
    attachments: list[int] = []


class DetermineIn(ActionIn):
    determination: Determination
    root_cause: Text = ""
    responsible_department: str | None = None
    responsible_person: str = Field("", max_length=100)
    evidence: list[int] = Field([], description="ids of attachments that show the cause")


class QaDetermineIn(ActionIn):
    determination: Determination
    report: Text = ""
    evidence: list[int] = []


class MeasureIn(Strict):
    description: str = Field(..., max_length=2000)
    owner: str = Field(..., description="username")
    deadline: AwareDatetime


class CostLineIn(Strict):
    item: str
    bearer: str
    share_pct: int
    rule: str = "manual"
    penalty: bool = False


class ProposePlanIn(ActionIn):
    measures: list[MeasureIn]
    in_warranty: bool | None = None
    repair_scope: RepairScope | None = None
    returned_to_company: bool = False
    handler_could_determine: bool = False
    cost: list[CostLineIn] | None = Field(None, description="omit to take the proposed split")
    cost_reason: Text = ""


class ApprovePlanIn(ActionIn):
    comment: Text = ""
    expert_review: Text = Field("", description="required for level 1")


class ReasonIn(ActionIn):
    reason: Text = ""


class ProgressIn(ActionIn):
    message: Text = ""
    method: ContactMethod = ContactMethod.PHONE


class CompleteIn(ActionIn):
    summary: Text = ""


class VerifyIn(ActionIn):
    passed: bool
    report: Text = ""
    attachments: list[int] = []


class ConfirmIn(ActionIn):
    satisfied: bool
    method: ContactMethod = ContactMethod.PHONE
    comment: Text = ""


class ReturnVisitIn(ActionIn):
    method: ContactMethod = ContactMethod.PHONE
    scale: SurveyScale
    answers: list[str] = Field(..., min_length=1, max_length=50)
    remarks: Text = ""


class SkipReturnVisitIn(ActionIn):
    reason: SkipReason
    comment: Text = ""


class CommentIn(ActionIn):
    comment: Text = ""


class ReopenIn(ActionIn):
    reason: Text = ""
    to_state: State = State.PLANNING


class AppealIn(ActionIn):
    kind: AppealKind
    reason: Text = ""
    authority: str = Field("", max_length=200)


class InvalidateIn(ActionIn):
    explanation: Text = ""


class MergeIn(ActionIn):
    into: str = Field(..., max_length=32, description="number of the complaint to merge into")
    comment: Text = ""


class ReclassifyIn(ActionIn):
    severity: Severity
    reason: Text = ""


class ResolveOnSpotIn(ActionIn):
    solution: Text = ""
    customer_confirmed: bool


class AnswerIn(ActionIn):
    answer: Text = ""
    method: ContactMethod = ContactMethod.PHONE


class NoteIn(ActionIn):
    text: Text = ""
    visibility: Visibility = Visibility.INTERNAL


class AddInfoIn(ActionIn):
    """Only the customer takes this action (portal, e-mail); staff get 403 from the API."""

    message: Text = ""


ACTION_SCHEMAS: dict[Action, type[ActionIn]] = {
    Action.ACCEPT: AcceptIn,
    Action.ASSIGN: AssignIn,
    Action.CONTACT: ContactIn,
    Action.VISIT: VisitIn,
    Action.DETERMINE: DetermineIn,
    Action.QA_DETERMINE: QaDetermineIn,
    Action.PROPOSE_PLAN: ProposePlanIn,
    Action.APPROVE_PLAN: ApprovePlanIn,
    Action.REJECT_PLAN: ReasonIn,
    Action.PROGRESS: ProgressIn,
    Action.COMPLETE: CompleteIn,
    Action.VERIFY: VerifyIn,
    Action.CONFIRM: ConfirmIn,
    Action.RETURN_VISIT: ReturnVisitIn,
    Action.SKIP_RETURN_VISIT: SkipReturnVisitIn,
    Action.CLOSE: CommentIn,
    Action.REOPEN: ReopenIn,
    Action.APPEAL: AppealIn,
    Action.WITHDRAW: ReasonIn,
    Action.INVALIDATE: InvalidateIn,
    Action.MERGE: MergeIn,
    Action.ESCALATE: ReasonIn,
    Action.RECLASSIFY: ReclassifyIn,
    Action.RESOLVE_ON_SPOT: ResolveOnSpotIn,
    Action.ANSWER: AnswerIn,
    Action.NOTE: NoteIn,
    Action.WAIT_CUSTOMER: ReasonIn,
    Action.RESUME: CommentIn,
    Action.ADD_INFO: AddInfoIn,
}
assert set(ACTION_SCHEMAS) == set(Action)
