"""Complaint endpoints: parse → authorise → call the action → respond.

Staff read and act on the complaints of SPEC §1's row visibility. A customer account reads
its own complaints — those its "my complaints" page in the portal opens — in the customer's
shape (`CustomerComplaint`: the portal page's facts and customer-visible timeline, nothing
staff-only); it acts on them in the portal, so its actions here are refused (403).
"""

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from kesu.accounts.choices import Role
from kesu.accounts.http import AuthenticatedHttpRequest
from kesu.accounts.models import User
from kesu.complaints import actions, payloads
from kesu.complaints.authority import (
    allowed_actions,
    can_see,
    customer_account_refusal,
    descendants,
)
from kesu.complaints.choices import (
    OPEN_STATE_LIST,
    Action,
    Channel,
    Kind,
    State,
    Visibility,
)
from kesu.complaints.errors import ComplaintError, ErrorCode, not_found
from kesu.complaints.models import Category, Complaint
from kesu.complaints.queries import (
    CUSTOMER_SEARCHED_FIELDS,
    SEARCHED_FIELDS,
    complaint_by_number,
    customer_complaints,
    keyset_page,
    narrowed,
    search_text,
    visible_complaints,
)
from kesu.complaints.schemas import (
    ACTION_SCHEMAS,
    ActionIn,
    AttachmentOut,
    ComplaintDetail,
    ComplaintForReader,
    ComplaintOut,
    PageForReader,
    PlanOut,
    QueryBound,
    QueryFlag,
    QuerySeverity,
    QueryWhole,
    RegisterIn,
)
from kesu.core import clock
from kesu.core.encoding import LocalTimeEncoder, local_instants
from kesu.core.refusals import refusals
from kesu.deadlines import engine as deadline_engine
from kesu.portal import summary
from kesu.portal.stages import STEPS, stage_of
from kesu.portal.timeline import customer_timeline

router = Router(tags=["complaints"])

# The keys of stored JSON under which Kesu writes instants (as text), by who writes them;
# the API writes them in local time like every other instant (`kesu.core.encoding`). Every
# other value there is data as it was given, people's words included, and is left alone.
EVENT_INSTANTS = frozenset(
    {
        "promised_at",  # actions.contact
        "visited_at",  # actions.visit
        "waited_from",  # actions.resume
        "due_at",  # deadlines.engine.take_step: the deadline steps of the sweep and imports
        "recorded_at",  # actions.record_past_deadline_steps: when past steps were recorded
    }
)
MEASURE_INSTANTS = frozenset({"deadline"})  # actions.Measure.as_json


def _is_customer(user: User) -> bool:
    return user.role == Role.CUSTOMER


def _visible(request: AuthenticatedHttpRequest, number: str) -> Complaint:
    """The complaint, or 404 when it does not exist or the caller may not see it (a
    customer account: one of its own complaints)."""
    if _is_customer(request.user):
        complaint = (
            customer_complaints(request.user).select_related("merged_into").filter(number=number)
        ).first()
    else:
        complaint = complaint_by_number(number)
        if complaint is not None and not can_see(request.user, complaint):
            complaint = None
    if complaint is None:
        raise not_found(number)
    return complaint


# ------------------------------------------------------------------------------ shapes


def _person(user: User | None) -> dict | None:
    return {"username": user.username, "name": user.get_full_name()} if user else None


def _named(obj) -> dict | None:
    return {"code": obj.code, "name": obj.name} if obj else None


def record(c: Complaint) -> dict[str, Any]:
    return {
        "number": c.number,
        "kind": c.kind,
        "channel": c.channel,
        "state": c.state,
        "state_label": str(State(c.state).label),
        "version": c.version,
        "title": c.title,
        "description": c.description,
        "occurred_at": c.occurred_at,
        "occurred_place": c.occurred_place,
        "demand": c.demand,
        "claim_amount": c.claim_amount,
        "complainant": {
            "name": c.complainant_name,
            "organisation": c.complainant_org,
            "phone": c.complainant_phone,
            "email": c.complainant_email,
            "address": c.complainant_address,
            "anonymous": c.anonymous,
        },
        "product": {
            "model": c.product_model,
            "batch_no": c.batch_no,
            "order_no": c.order_no,
            "ship_date": c.ship_date,
            "arrival_date": c.arrival_date,
            "quantity": c.quantity,
        },
        "project": {"name": c.project_name, "location": c.project_location},
        "category": _named(c.category),
        "severity": c.severity,
        "severity_proposed": c.severity_proposed,
        "severity_reason": c.severity_reason,
        "department": _named(c.department),
        "owner": _person(c.owner),
        "read_back": c.read_back,
        "sensitive": c.sensitive,
        "determination": c.determination,
        "qa_determination": c.qa_determination,
        "root_cause": c.root_cause,
        "registered_at": c.registered_at,
        "registered_by": _person(c.registered_by),
        "promised_at": c.promised_at,
        "last_customer_update_at": c.last_customer_update_at,
        "closed_at": c.closed_at,
        "due_at": c.due_at,
        "waiting_since": c.waiting_since,
        "escalation_level": c.escalation_level,
        "reopen_count": c.reopen_count,
        "return_visit_skip": c.return_visit_skip,
        "satisfaction_pct": c.satisfaction_pct,
        "merged_into": c.merged_into.number if c.merged_into else None,
    }


def detail(c: Complaint, user: User) -> dict[str, Any]:
    if _is_customer(user):
        return customer_detail(c)
    events = list(c.events.select_related("actor").order_by("id"))
    return {
        **record(c),
        "allowed_actions": allowed_actions(c, user),
        "deadlines": deadline_engine.deadlines(c, events),
        "timeline": [
            {
                "id": e.id,
                "type": e.type,
                "type_label": str(e.get_type_display()),
                "at": e.at,
                "actor": _person(e.actor),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "visibility": e.visibility,
                "comment": e.comment,
                "data": local_instants(e.data, EVENT_INSTANTS),
            }
            for e in events
        ],
        "attachments": list(c.attachments.all()),
        "plans": [_plan(p) for p in c.plans.all()],
        "return_visits": list(c.return_visits.all()),
    }


def _plan(plan) -> dict[str, Any]:
    """PlanOut's fields; the measures' deadlines (text in stored JSON) as every instant."""
    out = {name: getattr(plan, name) for name in PlanOut.model_fields}
    out["measures"] = [local_instants(m, MEASURE_INSTANTS) for m in plan.measures]
    return out


def _customer_facts(c: Complaint) -> dict[str, Any]:
    stage = stage_of(c.state)
    return {
        "number": c.number,
        "kind": c.kind,
        "state": c.state,
        "state_label": str(State(c.state).label),
        "stage": stage,
        "stage_label": str(STEPS[stage]),
        "title": c.title,
        "registered_at": c.registered_at,
        "closed_at": c.closed_at,
    }


def customer_detail(c: Complaint) -> dict[str, Any]:
    """What the portal's page of the complaint shows its customer, and nothing more."""
    return {
        **_customer_facts(c),
        "description": c.description,
        "promised_at": c.promised_at,
        "merged_into": c.merged_into.number if c.merged_into else None,
        "timeline": customer_timeline(c),
        "agreed": [vars(fact) for fact in summary.facts(c)],
        "attachments": list(c.attachments.filter(visibility=Visibility.CUSTOMER)),
    }


# ------------------------------------------------------------------------------ register


@router.post(
    "/complaints",
    response={201: ComplaintOut, 200: ComplaintOut, **refusals(403, 413, 422)},
    summary="Register a complaint",
)
def register(request: AuthenticatedHttpRequest, payload: RegisterIn):
    """Registers a complaint, suggestion or inquiry. The severity is proposed from the record
    (`severity_proposed`); send `severity` with `severity_reason` to override it.
    With an `Idempotency-Key` header (at most 200 characters), a retried request returns the
    complaint the first one made (200 instead of 201) and never registers it twice."""
    key = payloads.idempotency_key(request.headers.get("Idempotency-Key", ""), "Idempotency-Key")
    new = payloads.new_complaint(payload)
    complaint, created = actions.register(
        new,
        actor=request.user,
        severity=payload.severity,
        severity_reason=payload.severity_reason,
        idempotency_key=key,
    )
    # Rendered directly: the shape is ComplaintOut (a test checks), without validating it again.
    return JsonResponse(
        record(complaint),
        status=201 if created else 200,
        encoder=LocalTimeEncoder,
        json_dumps_params={"ensure_ascii": False},
    )


# ------------------------------------------------------------------------------ list


class ListFilters(Schema):
    state: list[State] = Field([], description="one or more states (repeat the parameter)")
    open: QueryFlag = Field(None, description="true: only open complaints; false: only finished")
    kind: Kind | None = None
    severity: QuerySeverity = None
    category: str | None = Field(
        None, max_length=40, description="category code, includes its sub-categories"
    )
    department: str | None = Field(
        None, max_length=40, description="department code, includes sub-departments"
    )
    owner: str | None = Field(None, max_length=150, description="username, or `me`")
    channel: Channel | None = None
    q: str | None = Field(
        None,
        max_length=100,
        description="number, or words in the text (a customer account: in the title and "
        "description)",
    )
    registered_from: QueryBound = Field(
        None,
        description="registered at or after this instant (with its offset), or from the "
        "start of this day (local time)",
    )
    registered_to: QueryBound = Field(
        None,
        description="registered at or before this instant (with its offset), or by the end "
        "of this day (local time)",
    )
    overdue: QueryFlag = Field(
        None, description="true: a running time limit is past its due time; false: none is"
    )
    due_before: QueryBound = Field(
        None,
        description="a running time limit is due before this instant (with its offset), or "
        "before this day begins (local time)",
    )
    limit: QueryWhole = Field(25, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200, description="`next` gives it")


def _bound(value: datetime | date | None, *, end_of_day: bool = False) -> datetime | None:
    """A filter's instant; a whole day is its local start (or, for an upper bound, end)."""
    if value is None or isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.max if end_of_day else time.min))


# Facets of staff work a customer's list cannot be narrowed by (their answer would tell
# what the customer's page does not show).
STAFF_FILTERS = ("severity", "category", "department", "owner", "channel", "overdue", "due_before")


@router.get(
    "/complaints",
    response={200: PageForReader, **refusals(422)},
    summary="List complaints",
)
def list_complaints(request: AuthenticatedHttpRequest, filters: Query[ListFilters]):
    """Complaints visible to the caller, newest registration first, with cursor paging.
    A customer account gets its own complaints in the customer's shape, cannot narrow
    them by the facets of staff work (severity, category, department, owner, channel,
    deadlines), and searches only what its view shows (number, title, description)."""
    f = filters
    customer = _is_customer(request.user)
    if customer:
        if staff_only := [name for name in STAFF_FILTERS if getattr(f, name) is not None]:
            message = _("Customers cannot narrow their complaints by this.")
            raise ComplaintError(
                ErrorCode.INVALID, _("The data is not valid."), dict.fromkeys(staff_only, message)
            )
        qs = customer_complaints(request.user)
    else:
        qs = visible_complaints(request.user)
    if f.open:
        qs = qs.filter(state__in=OPEN_STATE_LIST)
    elif f.open is False:
        qs = qs.filter(closed_at__isnull=False)
    qs = narrowed(
        qs,
        states=f.state,
        category=payloads.category(f.category) if f.category else None,
        severity=f.severity,
        registered_from=_bound(f.registered_from),
        registered_to=_bound(f.registered_to, end_of_day=True),
    )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if (department := payloads.department(f.department)) is not None:
        qs = qs.filter(department__in=descendants(department.pk))
    if f.owner:
        owner = request.user if f.owner == "me" else payloads.user(f.owner, "owner")
        qs = qs.filter(owner=owner)
    if f.overdue:
        qs = qs.filter(due_at__lte=clock.now(), closed_at__isnull=True)
    elif f.overdue is False:
        qs = qs.filter(Q(due_at__isnull=True) | Q(due_at__gt=clock.now()))
    if f.due_before:
        qs = qs.filter(due_at__lt=_bound(f.due_before))
    if f.q:
        qs = search_text(qs, f.q, CUSTOMER_SEARCHED_FIELDS if customer else SEARCHED_FIELDS)
    if customer:
        rows, cursor = keyset_page(qs, f.cursor, f.limit)
        return {"results": [_customer_facts(c) for c in rows], "next": _next(request, cursor)}
    rows, cursor = keyset_page(
        qs.select_related("category", "department", "owner"), f.cursor, f.limit
    )
    return {
        "results": [
            {
                "number": c.number,
                "kind": c.kind,
                "channel": c.channel,
                "state": c.state,
                "title": c.title,
                "complainant_name": c.complainant_name,
                "category": _named(c.category),
                "severity": c.severity,
                "department": _named(c.department),
                "owner": _person(c.owner),
                "registered_at": c.registered_at,
                "due_at": c.due_at,
            }
            for c in rows
        ],
        "next": _next(request, cursor),
    }


def _next(request: HttpRequest, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    params = request.GET.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


# ------------------------------------------------------------------------------ detail


@router.get(
    "/complaints/{number}",
    response={200: ComplaintForReader, **refusals(404)},
    summary="A complaint with its timeline and the caller's allowed actions",
)
def get_complaint(request: AuthenticatedHttpRequest, number: str):
    """Staff: the record, its deadlines, its whole timeline and what the caller may do now.
    A customer account: its own complaint as the portal shows it (`CustomerComplaint`)."""
    return detail(_visible(request, number), request.user)


# ------------------------------------------------------------------------------ actions


def _make_action_endpoint(action: Action, schema: type[ActionIn]) -> Callable[..., Any]:
    function = actions.ACTIONS[action]

    def endpoint(
        request: AuthenticatedHttpRequest,
        number: str,
        payload: schema,  # type: ignore[valid-type]  # ninja reads each action's schema here
    ) -> dict[str, Any]:
        _visible(request, number)
        if (refused := customer_account_refusal(request.user)) is not None:
            raise refused
        payloads.perform(action, number, payload, request.user)
        # The caller saw the complaint when acting; if the action took it out of their sight
        # (a reassignment to another region), they still get the record of what they did.
        if (after := complaint_by_number(number)) is None:  # none is ever deleted
            raise not_found(number)
        return detail(after, request.user)

    endpoint.__name__ = f"action_{action.value}"
    endpoint.__doc__ = function.__doc__
    return endpoint


for _action, _schema in ACTION_SCHEMAS.items():
    router.post(
        f"/complaints/{{number}}/actions/{_action.value}",
        response={200: ComplaintDetail, **refusals(403, 404, 409, 413, 422)},
        summary=_action.value.replace("_", " ").capitalize(),  # the docs speak English
        operation_id=f"action_{_action.value}",
        tags=["actions"],
    )(_make_action_endpoint(_action, _schema))


# ------------------------------------------------------------------------------ files


@router.post(
    "/complaints/{number}/attachments",
    response={201: AttachmentOut, **refusals(403, 404, 409, 413, 415, 422)},
    summary="Attach a file (photo, document, audio)",
)
def upload_attachment(
    request: AuthenticatedHttpRequest,
    number: str,
    file: File[UploadedFile],
    visibility: Form[Visibility] = Visibility.INTERNAL,
):
    _visible(request, number)
    if (refused := customer_account_refusal(request.user)) is not None:
        raise refused
    (attachment,) = actions.attach_files(number, [file], actor=request.user, visibility=visibility)
    return Status(201, attachment)


# ------------------------------------------------------------------------------ reference


class CategoryOut(Schema):
    code: str
    name: str
    name_en: str
    parent: str | None
    default_department: str | None
    default_severity: int
    product_determination: bool
    active: bool


@router.get("/categories", response={200: list[CategoryOut], **refusals()}, tags=["reference"])
def list_categories(request: HttpRequest):
    return [
        {
            "code": c.code,
            "name": c.name,
            "name_en": c.name_en,
            "parent": c.parent.code if c.parent else None,
            "default_department": c.default_department.code if c.default_department else None,
            "default_severity": c.default_severity,
            "product_determination": c.product_determination,
            "active": c.active,
        }
        for c in Category.objects.select_related("parent", "default_department")
    ]
