"""The staff workspace: thin views over the domain's queries and actions."""

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from kesu.accounts.choices import Role
from kesu.accounts.http import AuthenticatedHttpRequest
from kesu.accounts.models import User
from kesu.complaints import actions, intake, payloads
from kesu.complaints.attachments import may_attach, refused_files
from kesu.complaints.authority import (
    allowed_actions,
    can_see,
    customer_account_refusal,
    decided_by,
    refusal,
)
from kesu.complaints.choices import (
    Action,
    Channel,
    CostBearer,
    CostItem,
    Kind,
    Severity,
    State,
    Visibility,
)
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Complaint, Plan
from kesu.complaints.queries import (
    categories_by_code,
    complaint_by_number,
)
from kesu.complaints.schemas import ACTION_SCHEMAS, FROM_FORM, RegisterIn
from kesu.complaints.severity import severity_reason_text
from kesu.core import clock
from kesu.core import views as core_views
from kesu.core.htmx import htmx_endpoint
from kesu.deadlines import engine as deadline_engine
from kesu.notifications.rules import acknowledgement_limited, customer_mail_held
from kesu.portal import links
from kesu.workspace import action_forms, register_form
from kesu.workspace.dashboard import dashboard_for
from kesu.workspace.inbox import (
    TAB_LABELS,
    Sort,
    capped_count,
    complaints_in,
    deadline_of,
    drilled_terms,
    listing,
    page_of,
    tabs_for,
)
from kesu.workspace.inbox_views import complaint_page_tools, inbox_page_tools

PAGE_SIZE = 25


class LoginView(auth_views.LoginView):
    template_name = "workspace/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        role = getattr(self.request.user, "role", None)
        if role == Role.CUSTOMER:
            return reverse("portal:my")  # customers have their own pages
        if role == Role.EXECUTIVE:
            return reverse("home")  # executives oversee: the overview, not a work list
        return super().get_default_redirect_url()


@htmx_endpoint("GET", "cursor=")  # 加载更多: the next rows
@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    now = clock.now()
    shown = listing(user, request.GET, now)  # as its export reads the same query
    tabs, tab, q, filters = shown.tabs, shown.tab, shown.q, shown.filters
    rows, cursor = page_of(
        shown.complaints.select_related("category", "owner"),
        filters.sort,
        request.GET.get("cursor"),
        PAGE_SIZE,
    )
    context = {
        "tab": tab,
        "tabs": [(t, TAB_LABELS[t]) for t in tabs],
        "q": q,
        "filters": filters,
        "kept": filters.query(),
        "rows": [(c, deadline_of(c, now), decided_by(c, user)) for c in rows],
        "cursor": cursor,
        "states": State.choices,
        "categories": [c for c in categories_by_code().values() if c.active],
        "severities": Severity.choices,
        "sorts": [(Sort.NEWEST, _("Newest first")), (Sort.DUE, _("Nearest deadline first"))],
    }
    if not request.htmx:
        context.update(inbox_page_tools(request, tab, q, filters))
        if filters.drilled:  # from a statistics figure: say which, and how many match
            matching = capped_count(shown.complaints)
            context.update(
                drilled=drilled_terms(filters),
                matching=matching,
                matching_n=int(matching.rstrip("+")),
            )
    template = "workspace/_inbox_rows.html" if request.htmx else "workspace/inbox.html"
    return render(request, template, context)


@htmx_endpoint()
@login_required
def inbox_counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The tabs' counts, fetched by the inbox after it has shown its first page (htmx): each
    is a capped count, and together they cost more than the page itself."""
    now = clock.now()
    user = request.user
    counts = {t.value: capped_count(complaints_in(user, t, now)) for t in tabs_for(user)}
    return render(request, "workspace/_inbox_counts.html", {"counts": counts})


def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: where the work stands, each figure a link into the inbox. Visitors who
    are not logged in get the page that says where things are."""
    if not request.user.is_authenticated:
        return core_views.home(request)
    board = dashboard_for(request.user, clock.now())
    return render(
        request, "workspace/dashboard.html", {"board": board, "severities": Severity.choices}
    )


def _complaint_or_refusal(
    request: AuthenticatedHttpRequest, number: str
) -> Complaint | HttpResponse:
    """The complaint, or the page that says it does not exist (404) or is not yours (403)."""
    complaint = complaint_by_number(number)
    if complaint is None:
        raise Http404(number)
    if not can_see(request.user, complaint):
        return render(request, "workspace/403.html", {"number": number}, status=403)
    return complaint


def _with_rows(plans: list[Plan]) -> list[tuple[Plan, list[dict], list[dict]]]:
    """Plans, each with its measures and cost lines spelt out for people."""
    owner_ids = {m["owner"] for plan in plans for m in plan.measures}
    names = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=owner_ids)}
    return [
        (
            plan,
            [
                {
                    "description": m["description"],
                    "owner": names.get(m["owner"], ""),
                    "deadline": datetime.fromisoformat(m["deadline"]),
                }
                for m in plan.measures
            ],
            [
                {
                    "item": CostItem(line["item"]).label,
                    "bearer": CostBearer(line["bearer"]).label,
                    "share_pct": line["share_pct"],
                }
                for line in plan.cost
            ],
        )
        for plan in plans
    ]


def _complaint_context(request: AuthenticatedHttpRequest, c: Complaint) -> dict:
    events = list(c.events.select_related("actor").order_by("id"))
    return {
        "c": c,
        "deadlines": [d for d in deadline_engine.deadlines(c, events) if d["state"] != "cancelled"],
        "timeline": reversed(events),
        "attachments": list(c.attachments.all()),
        "refused_files": refused_files(events),
        "plans": _with_rows(list(c.plans.select_related("decided_by").order_by("-id"))),
        "return_visits": list(c.return_visits.order_by("-id")),
        "allowed": allowed_actions(c, request.user),
        "decided_by": decided_by(c, request.user),
        **complaint_page_tools(),
        "customer_link": _customer_link(c),
        "customer_mail_held": customer_mail_held(c, events),
        "acknowledgement_limited": acknowledgement_limited(events),
        "may_attach": may_attach(c),
        "visibilities": Visibility.choices,
    }


def _customer_link(c: Complaint) -> dict:
    """Whether the customer has a working link — never the link itself: staff send it."""
    link = links.working(c)
    return {"since": link.created_at if link else None, "sendable": links.reachable_by_message(c)}


@login_required
@require_POST
def customer_link(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Staff send the customer a new private link (the old ones stop working) or revoke it.
    Staff never see the link: whoever holds it acts as the customer."""
    found = _complaint_or_refusal(request, number)
    if isinstance(found, HttpResponse):
        return found
    try:
        if request.POST.get("do") == "revoke":
            actions.revoke_customer_links(found, actor=request.user)
            messages.success(request, _("The customer's link no longer works."))
        else:
            actions.send_customer_link(found, actor=request.user)
            messages.success(
                request,
                _("A new private link was sent to the customer; the old one no longer works."),
            )
    except ComplaintError as refused:  # nowhere to send it, or not theirs to handle
        messages.error(request, str(refused.message))
    return redirect("complaint", number=number)


@login_required
def complaint_page(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    found = _complaint_or_refusal(request, number)
    if isinstance(found, HttpResponse):
        return found
    return render(request, "workspace/complaint.html", _complaint_context(request, found))


@htmx_endpoint("GET", "scale=3")  # the survey's scale redraws the form
@login_required
def complaint_action(request: AuthenticatedHttpRequest, number: str, action: str) -> HttpResponse:
    """The form one action needs, on the complaint's page; posting it takes the action."""
    found = _complaint_or_refusal(request, number)
    if isinstance(found, HttpResponse):
        return found
    try:
        chosen = Action(action)
    except ValueError:
        raise Http404(action) from None
    status, errors, stale, usable = 200, {}, [], True
    data: QueryDict | None = None
    if request.method == "POST":
        data = request.POST
        try:
            payload = ACTION_SCHEMAS[chosen].model_validate(
                action_forms.payload_of(chosen, data), context=FROM_FORM
            )
            payloads.perform(chosen, number, payload, request.user)
        except ValidationError as error:
            status, errors = 422, action_forms.validation_errors(error)
            errors = action_forms.missing_too(chosen, found, data, errors)
        except ComplaintError as error:
            status, errors = error.status, action_forms.domain_errors(error)
            if (current := complaint_by_number(number)) is None:  # none is ever deleted
                raise Http404(number) from None
            found = current  # as it is now, after the refusal
            if error.code == ErrorCode.STALE_VERSION:  # the form now shows, and acts on, the new
                stale = action_forms.what_changed(
                    found, data.get("expected_version", ""), data.get("seen_event", "")
                )
                usable, errors = refusal(found, chosen, request.user) is None, {}
                data = data.copy()
                data["expected_version"] = str(found.version)
                data["seen_event"] = str(action_forms.newest_event(found))
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": chosen.label})
            after = complaint_by_number(number)
            if after is not None and can_see(request.user, after):
                return redirect("complaint", number=number)
            return redirect("inbox")
    else:
        data = request.GET or None  # htmx re-draws the form as it is filled (the survey scale)
        if (refused := refusal(found, chosen, request.user)) is not None:
            status, errors = refused.status, action_forms.domain_errors(refused)
    context = _complaint_context(request, found)
    context["form"] = action_forms.build(chosen, found, request.user, data, errors)
    context["form"].stale, context["form"].usable = stale, usable
    return render(request, "workspace/complaint.html", context, status=status)


@login_required
def attachment(
    request: AuthenticatedHttpRequest, number: str, attachment_id: int
) -> HttpResponse | FileResponse:
    found = _complaint_or_refusal(request, number)
    if isinstance(found, HttpResponse):
        return found
    item = found.attachments.filter(pk=attachment_id).first()
    if item is None:
        raise Http404(attachment_id)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(item.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_upload(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Files added on the complaint's page after registration: judged and stored by the same
    action as the API's upload (`actions.attach_files`, one event each); all or none."""
    found = _complaint_or_refusal(request, number)
    if isinstance(found, HttpResponse):
        return found
    files = request.FILES.getlist("files")
    try:
        visibility = Visibility(request.POST.get("visibility") or Visibility.INTERNAL)
    except ValueError:
        visibility = Visibility.INTERNAL
    if not files:
        messages.error(request, _("Choose at least one file."))
        return redirect(reverse("complaint", args=[number]) + "#files")
    try:
        if (refused := customer_account_refusal(request.user)) is not None:
            raise refused
        actions.attach_files(found, files, actor=request.user, visibility=visibility)
    except ComplaintError as error:
        detail = error.fields.get("files") or error.message
        messages.error(request, _("No file was added: %(reason)s") % {"reason": detail})
    else:
        messages.success(
            request,
            ngettext("%(n)d file added.", "%(n)d files added.", len(files)) % {"n": len(files)},
        )
    return redirect(reverse("complaint", args=[number]) + "#files")


# ------------------------------------------------------------------------------ registration


@login_required
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The hotline clerk's form: one page, keyboard first, assisted as it is typed."""
    if not actions.may_register(request.user):
        return render(request, "workspace/403.html", {"register": True}, status=403)
    status, errors = 200, {}
    duplicates: list[Complaint] = []
    values = request.POST if request.method == "POST" else QueryDict(mutable=True)
    if request.method == "POST":
        try:
            payload = RegisterIn.model_validate(
                register_form.payload_of(request.POST), context=FROM_FORM
            )
            new = payloads.new_complaint(payload)
            on_the_spot = None
            if "resolved_on_the_spot" in request.POST:
                on_the_spot = intake.OnTheSpot(
                    solution=request.POST.get("solution", ""),
                    customer_confirmed="customer_confirmed" in request.POST,
                )
            complaint, _created = intake.register_call(
                new,
                actor=request.user,
                severity=payload.severity,
                severity_reason=payload.severity_reason,
                files=request.FILES.getlist("files"),
                on_the_spot=on_the_spot,
                idempotency_key=payloads.idempotency_key(
                    request.POST.get("idempotency_key", ""), "idempotency_key"
                ),
                duplicate_confirmed="confirm_duplicate" in request.POST,
            )
        except ValidationError as error:
            status = 422
            errors = register_form.form_errors(action_forms.validation_errors(error))
        except ComplaintError as error:
            status = error.status
            errors = register_form.form_errors(action_forms.domain_errors(error))
            duplicates = error.duplicates if isinstance(error, intake.Duplicates) else []
        else:
            messages.success(
                request,
                _("Registered as %(number)s (%(severity)s).")
                % {"number": complaint.number, "severity": complaint.get_severity_display()},
            )
            return redirect("complaint", number=complaint.number)
    else:
        values["channel"] = "phone"
        values["kind"] = "complaint"
    context = {
        "v": values,
        "errors": errors,
        "error_summary": register_form.error_summary(errors),
        "lost_files": [f.name for f in request.FILES.getlist("files")] if errors else [],
        "duplicates": duplicates,
        "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
        "categories": [c for c in categories_by_code().values() if c.active],
        "departments": action_forms.department_choices(),
        "kinds": Kind.choices,
        "channels": Channel.choices,
        "severities": Severity.choices,
        **_assist(values, request.user),
    }
    return render(request, "workspace/register.html", context, status=status)


def _assist(values: QueryDict, user: User) -> dict:
    """What the form's words so far suggest, and who the caller is."""
    texts = [values.get(k, "") for k in ("title", "description", "demand")]
    category = categories_by_code().get(values.get("category", ""))
    # a category the form took from an earlier suggestion still follows the words
    chosen = category if values.get("category_chosen") or "category_chosen" not in values else None
    try:
        claim = Decimal(values.get("claim_amount", "") or "x")
    except InvalidOperation:
        claim = None
    suggestion = intake.suggest(
        texts=texts,
        kind=values.get("kind") or Kind.COMPLAINT,
        channel=values.get("channel") or Channel.PHONE,
        category=chosen,
        claim_amount=claim,
    )
    return {
        "suggestion": suggestion,
        "chosen_category": chosen,
        "suggested_category": None if chosen else suggestion.category,
        "reasons": [severity_reason_text(r) for r in suggestion.severity.reasons],
        "earlier": list(
            intake.earlier_complaints(
                user,
                values.get("complainant.phone", ""),
                values.get("complainant.name", ""),
            )
        ),
    }


@htmx_endpoint("POST")
@login_required
@require_POST
def register_assist(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The assist panel (htmx): earlier complaints of the caller, the suggested category and
    the proposed severity, for the form as typed so far. Posted: a long description does not
    fit in an address, and names and phones stay out of access logs."""
    if not actions.may_register(request.user):
        return HttpResponse(status=403)
    return render(request, "workspace/_register_assist.html", _assist(request.POST, request.user))
