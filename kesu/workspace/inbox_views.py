"""The inbox's tools (thin views over kesu.workspace.inbox_tools): bulk actions, export of
the list, saved views, and the freshness polls of the inbox and of the complaint page."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kesu.accounts.http import AuthenticatedHttpRequest
from kesu.complaints.authority import can_see
from kesu.complaints.choices import Action, Visibility
from kesu.complaints.models import Complaint
from kesu.complaints.queries import visible_complaints
from kesu.core import clock
from kesu.core.htmx import NOTICE, htmx_endpoint
from kesu.workspace import inbox_tools
from kesu.workspace.action_forms import staff_choices
from kesu.workspace.inbox import Filters, Tab, listing

POLL_STOP = 286  # htmx stops polling on this status: once told, the person reloads
POLL_SECONDS = 5  # how often the inbox and the complaint page ask whether anything changed


def _inbox_url(query: str) -> str:
    return f"{reverse('inbox')}?{query}" if query else reverse("inbox")


def inbox_page_tools(request: AuthenticatedHttpRequest, tab: Tab, q: str, filters: Filters) -> dict:
    """What the inbox page adds around its rows: saved views, export, the bulk form."""
    user = request.user
    views = inbox_tools.saved_views_for(user)
    current = next((v for v in views if str(v.pk) == request.GET.get("view")), None)
    bulk = inbox_tools.bulk_actions_for(user)
    return {
        "current_query": inbox_tools.inbox_query(tab, q, filters),
        "saved_views": views,
        "current_view": current,
        "may_share": inbox_tools.may_share(user),
        "bulk_actions": bulk,
        "assign_choices": staff_choices() if Action.ASSIGN in bulk else [],
        "visibilities": Visibility.choices,
        "poll_seconds": POLL_SECONDS,
    }


def complaint_page_tools() -> dict:
    return {"poll_seconds": POLL_SECONDS}


@login_required
@require_GET
def inbox_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The inbox's list as it is filtered and sorted, as .xlsx or .csv (`kesu export`'s
    columns)."""
    shown = listing(request.user, request.GET, clock.now())
    try:
        return inbox_tools.export_response(
            shown.complaints, request.GET.get("format"), order=shown.filters.sort.order
        )
    except inbox_tools.ExportRefused as error:
        messages.error(request, str(error))
        back = request.GET.copy()
        back.pop("format", None)
        return redirect(_inbox_url(back.urlencode()))


def _posted_only(view):
    """A form's target reached by GET (the login's `next` after a session ended mid-form)
    goes back to the inbox instead of answering 405."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return redirect("inbox")
        return view(request, *args, **kwargs)

    return wrapper


@login_required
@_posted_only
def inbox_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One action on every ticked row, each complaint judged and taken on its own."""
    back = inbox_tools.normalised_query(request.POST.get("back", ""))  # goes into Location
    rows = inbox_tools.picked(request.POST.getlist("pick"))
    chosen = request.POST.get("do", "")
    if not rows:
        messages.error(request, _("Tick the complaints first."))
        return redirect(_inbox_url(back))
    if chosen == "export":
        numbers = [number for number, _version in rows]
        complaints = visible_complaints(request.user).filter(number__in=numbers)
        sort = Filters.from_query(QueryDict(back)).sort  # in the order the inbox showed them
        try:
            return inbox_tools.export_response(
                complaints, request.POST.get("format", "xlsx"), order=sort.order
            )
        except inbox_tools.ExportRefused as error:
            messages.error(request, str(error))
            return redirect(_inbox_url(back))
    allowed = {a.value: a for a in inbox_tools.bulk_actions_for(request.user)}
    if chosen not in allowed:
        messages.error(request, _("Choose what to do with the ticked complaints."))
        return redirect(_inbox_url(back))
    action: Action = allowed[chosen]
    fields = inbox_tools.bulk_fields(action, request.POST)
    problems = inbox_tools.check_fields(action, fields)
    if problems:
        for problem in problems:
            messages.error(
                request,
                _("%(action)s was not done on any complaint: %(problem)s")
                % {"action": action.label, "problem": problem},
            )
        return redirect(_inbox_url(back))
    results = inbox_tools.apply_bulk(action, fields, rows, request.user)
    context = {
        "action": action,
        "results": results,
        "done": sum(r.done for r in results),
        "refused": sum(not r.done for r in results),
        "back": _inbox_url(back),
    }
    return render(request, "workspace/inbox_bulk.html", context)


@login_required
@_posted_only
def inbox_save_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = inbox_tools.normalised_query(request.POST.get("query", ""))  # goes into Location
    try:
        view = inbox_tools.save_view(
            request.user, request.POST.get("name", ""), query, "share" in request.POST
        )
    except ValueError as error:
        messages.error(request, str(error))
        return redirect(_inbox_url(query))
    messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
    return redirect(_inbox_url(f"{view.query}&view={view.pk}".lstrip("&")))


@login_required
@_posted_only
def inbox_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if inbox_tools.delete_view(request.user, pk):
        messages.success(request, _("The view was deleted."))
    return redirect("inbox")


def _logged_out(request: HttpRequest) -> HttpResponse:
    """A poll from a page whose session ended: say so where the notice goes, and stop.
    Never a redirect to the login page: that would take the person away from what they typed."""
    return render(request, "workspace/_fresh.html", {"logged_out": True}, status=POLL_STOP)


@htmx_endpoint("GET", "seen=1:1", expired=NOTICE)
@require_GET
def inbox_fresh(request: HttpRequest) -> HttpResponse:
    """The inbox's poll: 204 while nothing it shows changed; else which rows did."""
    user = request.user
    if not user.is_authenticated:
        return _logged_out(request)
    changes = inbox_tools.changed_rows(user, request.GET.getlist("seen"))
    if not changes:
        return HttpResponse(status=204)
    return render(request, "workspace/_fresh.html", {"changes": changes}, status=POLL_STOP)


@htmx_endpoint("GET", "v=1", expired=NOTICE)
@require_GET
def complaint_fresh(request: HttpRequest, number: str) -> HttpResponse:
    """The complaint page's poll: one read of the row by its unique number; 204 while its
    version is the one the page shows, else what changed and who changed it."""
    user = request.user
    if not user.is_authenticated:
        return _logged_out(request)
    found = (
        Complaint.objects.filter(number=number)
        .only("pk", "version", "state", "owner_id", "department_id", "accused_id")
        .first()
    )
    seen = request.GET.get("v", "")
    if found is None or not can_see(user, found) or str(found.version) == seen:
        return HttpResponse(status=204)
    last = found.events.select_related("actor").order_by("-id").first()
    mine = last is not None and last.actor_id == user.pk
    context = {"complaint": found, "last": last, "mine": mine}
    return render(request, "workspace/_fresh.html", context, status=POLL_STOP)
