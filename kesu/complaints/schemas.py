"""The shapes of the REST API: validated at the edge into domain types (pydantic).

The OpenAPI document is made from these shapes, so they say exactly what the endpoints take:
a boolean is `true` or `false` (not 1, not "yes"), a whole number is a JSON integer, an
instant is RFC 3339 text with its offset (not a number of seconds, not a naive time), text a
domain action needs is required. The workspace's HTML forms validate with the same shapes;
their numbers arrive as text, which `FROM_FORM` (the validation context they pass) accepts.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from kesu.complaints import limits
from kesu.complaints.choices import (
    Action,
    AppealKind,
    Channel,
    ContactMethod,
    CostBearer,
    CostItem,
    Determination,
    Kind,
    RepairScope,
    Severity,
    SkipReason,
    State,
    SurveyScale,
    Visibility,
)
from kesu.core import phones
from kesu.core.encoding import in_range
from kesu.deadlines.clocks import ClockState
from kesu.policies.choices import ClockKind, TimeBasis

# ------------------------------------------------------------------------------ strict types

FROM_FORM = {"form": True}  # validation context of an HTML form: its numbers arrive as text
MAX_ID = 2**63 - 1  # the largest row id (and version) either database stores

_WHOLE = re.compile(r"[+-]?\d+")
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _from_form(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("form"))


def _whole_number(value: Any, info: ValidationInfo) -> Any:
    """A JSON integer; from a form, the digits of one."""
    if isinstance(value, str) and _from_form(info):
        return _query_whole(value.strip())
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise PydanticCustomError("int_type", "Input should be a valid integer")


def _query_whole(value: Any) -> Any:
    """A query string's whole number: its digits, nothing else (not 1.0, not 1e3)."""
    if isinstance(value, str):
        if _WHOLE.fullmatch(value):
            return int(value)
        raise PydanticCustomError("int_parsing", "Input should be a valid integer")
    return value


def _flag(value: Any) -> Any:
    """`true` or `false`: not 1, not "yes"."""
    if value is None or isinstance(value, bool):
        return value
    raise PydanticCustomError("bool_type", "Input should be a valid boolean")


def _query_flag(value: Any) -> Any:
    """A query string's `true` or `false`."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise PydanticCustomError("bool_parsing", "Input should be a valid boolean")


def _instant(value: Any) -> Any:
    """RFC 3339 text with its offset (2026-11-21T09:30:00+08:00), or a datetime from Python."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, str):
        if _RFC3339.fullmatch(value):
            return value
        if _NAIVE.fullmatch(value):
            raise ValueError(_("Give the time zone, e.g. 2026-11-21T09:30:00+08:00."))
        raise PydanticCustomError("datetime_parsing", "Input should be a valid datetime")
    raise PydanticCustomError("datetime_type", "Input should be a valid datetime")


def _day(value: Any) -> Any:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value):
        return value
    raise PydanticCustomError("date_parsing", "Input should be a valid date")


def _amount(value: Any) -> Any:
    """A JSON number, or the text of a decimal number; never true or false."""
    if isinstance(value, bool):
        raise PydanticCustomError("decimal_type", "Input should be a valid decimal")
    return value


def _aware(value: datetime | None) -> datetime | None:
    """An aware instant, in UTC: PostgreSQL takes offsets of at most 15:59 (RFC 3339 allows
    23:59), and UTC is what both databases store. One that not every zone can write (within a
    day of the years 1 and 9999) is out of range."""
    if value is None:
        return value
    if value.tzinfo is None:
        raise ValueError(_("Give the time zone, e.g. 2026-11-21T09:30:00+08:00."))
    if not in_range(value):
        raise ValueError(_("The date is out of range."))
    return value.astimezone(UTC)


Flag = Annotated[bool, BeforeValidator(_flag)]
MaybeFlag = Annotated[bool | None, BeforeValidator(_flag)]
QueryFlag = Annotated[bool | None, BeforeValidator(_query_flag)]
QueryWhole = Annotated[int, BeforeValidator(_query_whole)]
Id = Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=MAX_ID)]
Version = Annotated[Annotated[int, Field(ge=1, le=MAX_ID)] | None, BeforeValidator(_whole_number)]
AwareDatetime = Annotated[datetime, BeforeValidator(_instant), AfterValidator(_aware)]
MaybeAwareDatetime = Annotated[datetime | None, BeforeValidator(_instant), AfterValidator(_aware)]


def _instant_or_day(value: Any) -> Any:
    """A query's instant (RFC 3339 with its offset) or a whole day (2026-11-21)."""
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:  # 2026-02-30
            raise PydanticCustomError("date_parsing", "Input should be a valid date") from None
    value = _instant(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.upper())
        except ValueError:  # the hour 24
            raise PydanticCustomError(
                "datetime_parsing", "Input should be a valid datetime"
            ) from None
    return value


def _aware_or_day(value: datetime | date | None) -> datetime | date | None:
    if isinstance(value, datetime):
        return _aware(value)
    if value is not None and not in_range(value):
        raise ValueError(_("The date is out of range."))
    return value


# A bound of a list filter: an instant with its offset, or a date meaning that whole local day.
QueryBound = Annotated[
    datetime | date | None, BeforeValidator(_instant_or_day), AfterValidator(_aware_or_day)
]
QuerySeverity = Annotated[Severity | None, BeforeValidator(_query_whole)]
Day = Annotated[date | None, BeforeValidator(_day)]


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


# What people write when they act (`limits.ACTION_TEXT`).
Text = Annotated[str, MaxChars(limits.ACTION_TEXT)]
# Text the action cannot do without (blank is refused too: whitespace is stripped first).
Said = Annotated[str, Field(min_length=1), MaxChars(limits.ACTION_TEXT)]


def _phone(value: str) -> str:
    try:
        return phones.normalise(value)
    except phones.InvalidPhone as error:
        raise ValueError(str(error)) from None


# Any way of writing a number is taken; the stored form is E.164 (kesu.core.phones).
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
    anonymous: Flag = False

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
    ship_date: Day = None
    arrival_date: Day = None
    quantity: Annotated[Decimal | None, BeforeValidator(_amount)] = Field(
        None, ge=0, max_digits=12, decimal_places=2
    )


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
    occurred_at: MaybeAwareDatetime = None
    occurred_place: Annotated[str, MaxChars(limits.OCCURRED_PLACE)] = ""
    demand: Annotated[str, MaxChars(limits.DEMAND)] = ""
    claim_amount: Annotated[Decimal | None, BeforeValidator(_amount)] = Field(
        None, ge=0, max_digits=14, decimal_places=2
    )
    complainant: ComplainantIn = Field(default_factory=ComplainantIn)
    product: ProductIn = Field(default_factory=ProductIn)
    project: ProjectIn = Field(default_factory=ProjectIn)
    department: str | None = Field(None, description="department code; default: the category's")
    accused: str | None = Field(None, description="username of the staff member complained about")
    severity: Annotated[Severity | None, BeforeValidator(_whole_number)] = Field(
        None, description="omit to take the proposed level"
    )
    severity_reason: Annotated[str, MaxChars(limits.SEVERITY_REASON)] = Field(
        "", description="required when `severity` differs from the proposed level"
    )
    read_back: Flag = False
    sensitive: Flag = False


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


# ------------------------------------------------------------------------------ customer's view


class CustomerEventOut(Schema):
    """One row of the timeline as the customer's page shows it."""

    at: datetime
    type: str
    title: str = Field(description="what happened, in the customer's words")
    text: str
    mine: bool = Field(description="sent or done by the customer")


class AgreedFactOut(Schema):
    """One fact of what was agreed with the customer and done, as their page tells it."""

    kind: str = Field(description="accepted, contacted, plan, completed or verified")
    at: datetime
    text: str = Field(description="in plain words, in the language of the request")
    items: list[str] = Field(description="the plan's measures and the customer's cost share")


class CustomerListItem(Schema):
    """A complaint in a customer account's list: what its "my complaints" page shows."""

    number: str
    kind: Kind
    state: State
    state_label: str
    stage: int = Field(
        ge=0,
        le=4,
        description="0 received · 1 being handled · 2 waiting for the customer's "
        "confirmation · 3 the customer's feedback · 4 finished",
    )
    stage_label: str
    title: str
    registered_at: datetime
    closed_at: datetime | None


class CustomerComplaintPage(Schema):
    results: list[CustomerListItem]
    next: str | None = Field(None, description="URL of the next page, absent on the last")


class CustomerComplaint(CustomerListItem):
    """A complaint as its customer reads it (a customer account): the portal page's facts,
    the messages meant for them and what they did, their files — nothing staff-only."""

    description: str
    promised_at: datetime | None
    merged_into: str | None = Field(description="handled together with this complaint")
    timeline: list[CustomerEventOut]
    agreed: list[AgreedFactOut] = Field(
        description="what was agreed and done: acceptance, contact, plan, completion, check"
    )
    attachments: list[AttachmentOut] = Field(description="files shared with the customer")


def _reader(value: Any) -> str:
    """Whose shape an answer is in: the customer's has a stage (a page: its rows do). Asked
    of the dict a view returns (validation), and of the validated answer (serialisation)."""
    if isinstance(value, dict):
        rows = value.get("results")
        probe = value if rows is None else (rows[0] if rows else {})
        return "customer" if isinstance(probe, dict) and "stage" in probe else "staff"
    return "customer" if isinstance(value, (CustomerComplaintPage, CustomerListItem)) else "staff"


class _EitherInTheDocument:
    """The document says `anyOf`: an empty page is in both shapes."""

    def __get_pydantic_json_schema__(self, schema, handler):
        json_schema = handler(schema)
        if "oneOf" in json_schema:
            json_schema["anyOf"] = json_schema.pop("oneOf")
        return json_schema


# What staff or a customer account reads. The answer is validated in its reader's shape alone
# (a union tried in full validated every staff page twice: 0.8 ms instead of 0.5 for 25 rows).
PageForReader = Annotated[
    Annotated[ComplaintPage, Tag("staff")] | Annotated[CustomerComplaintPage, Tag("customer")],
    Discriminator(_reader),
    _EitherInTheDocument(),
]
ComplaintForReader = Annotated[
    Annotated[ComplaintDetail, Tag("staff")] | Annotated[CustomerComplaint, Tag("customer")],
    Discriminator(_reader),
    _EitherInTheDocument(),
]


# ------------------------------------------------------------------------------ actions


class ActionIn(Strict):
    expected_version: Version = Field(
        None, description="the version you saw; refused with 409 if someone changed it since"
    )


class AcceptIn(ActionIn):
    owner: str = Field(..., min_length=1, max_length=150, description="username of the owner")
    department: str | None = Field(None, description="department code; default: the owner's")
    comment: Text = ""


class AssignIn(ActionIn):
    owner: str = Field(..., min_length=1, max_length=150, description="username of the new owner")
    department: str | None = Field(None, description="department code; default: the owner's")
    reason: Said


class ContactIn(ActionIn):
    method: ContactMethod = ContactMethod.PHONE
    promised_at: AwareDatetime = Field(..., description="the handling deadline promised")
    summary: Said = Field(..., description="what was agreed with the customer")
    sampling_needed: Flag = Field(False, description="product samples must be taken on site")


class VisitIn(ActionIn):
    findings: Said
    sampled: Flag = False
    visited_at: MaybeAwareDatetime = Field(None, description="default: now; never in the future")
    attachments: list[Id] = Field([], description="ids of attachments of this complaint")


class DetermineIn(ActionIn):
    determination: Determination
    root_cause: Text = Field("", description="required unless the result is undeterminable")
    responsible_department: str | None = None
    responsible_person: Annotated[str, MaxChars(limits.RESPONSIBLE_PERSON)] = ""
    evidence: list[Id] = Field(
        [],
        description="ids of attachments that show the cause: required for a product-quality "
        "complaint and for every company-side cause",
    )


class QaDetermineIn(ActionIn):
    determination: Determination = Field(..., description="defect or misuse")
    report: Said
    evidence: list[Id] = []


class MeasureIn(Strict):
    description: Annotated[str, Field(min_length=1), MaxChars(limits.MEASURE)]
    owner: str = Field(..., min_length=1, max_length=150, description="username")
    deadline: AwareDatetime = Field(..., description="after the registration")


class CostLineIn(Strict):
    item: CostItem
    bearer: CostBearer
    share_pct: Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=100)]
    rule: str = Field("manual", max_length=100)
    penalty: Flag = False


class ProposePlanIn(ActionIn):
    measures: list[MeasureIn] = Field(..., min_length=1, max_length=50)
    in_warranty: MaybeFlag = None
    repair_scope: RepairScope | None = None
    returned_to_company: Flag = False
    handler_could_determine: Flag = False
    cost: list[CostLineIn] | None = Field(
        None,
        max_length=50,
        description="omit to take the proposed split; each item's shares add up to 100",
    )
    cost_reason: Text = Field("", description="required when `cost` differs from the proposal")


class ApprovePlanIn(ActionIn):
    comment: Text = ""
    expert_review: Text = Field(
        "", description="the technical, quality and safety expert review: required for level 1"
    )


class ReasonIn(ActionIn):
    reason: Said


class ProgressIn(ActionIn):
    message: Said = Field(..., description="what the customer was told")
    method: ContactMethod = ContactMethod.PHONE


class CompleteIn(ActionIn):
    summary: Said


class VerifyIn(ActionIn):
    passed: Flag
    report: Said
    attachments: list[Id] = []


class ConfirmIn(ActionIn):
    satisfied: Flag
    method: ContactMethod = ContactMethod.PHONE
    comment: Text = Field("", description="why not: required when `satisfied` is false")


class ReturnVisitIn(ActionIn):
    method: ContactMethod = ContactMethod.PHONE
    scale: Annotated[SurveyScale, BeforeValidator(_whole_number)]
    answers: list[str] = Field(..., min_length=1, max_length=50)
    remarks: Text = ""


class SkipReturnVisitIn(ActionIn):
    reason: SkipReason
    comment: Text = ""


class CommentIn(ActionIn):
    comment: Text = ""


class ReopenIn(ActionIn):
    reason: Said
    to_state: State = Field(State.PLANNING, description="planning or investigating")


class AppealIn(ActionIn):
    kind: AppealKind
    reason: Said = Field(..., description="what the customer disputes")
    authority: Annotated[str, MaxChars(limits.AUTHORITY)] = Field(
        "", description="the external authority: required for a disputed quality determination"
    )


class InvalidateIn(ActionIn):
    explanation: Said = Field(..., description="what was explained to the customer")


class MergeIn(ActionIn):
    into: Annotated[str, MaxChars(limits.NUMBER)] = Field(
        ..., description="number of the complaint to merge into"
    )
    comment: Text = ""


class ReclassifyIn(ActionIn):
    severity: Annotated[Severity, BeforeValidator(_whole_number)]
    reason: Said


class ResolveOnSpotIn(ActionIn):
    solution: Said
    customer_confirmed: Flag = Field(..., description="must be true")


class AnswerIn(ActionIn):
    answer: Said
    method: ContactMethod = ContactMethod.PHONE


class NoteIn(ActionIn):
    text: Said
    visibility: Visibility = Visibility.INTERNAL


class AddInfoIn(ActionIn):
    """Only the customer takes this action (portal, e-mail); staff get 403 from the API."""

    message: Said


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
