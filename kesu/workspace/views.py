"""The staff workspace: thin views over the domain's queries and actions."""

from urllib.parse import quote

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kesu.complaints.authority import allowed_actions, can_see
from kesu.complaints.models import Complaint
from kesu.complaints.queries import complaint_by_number, keyset_page, search_text
from kesu.core import clock
from kesu.deadlines import engine as deadline_engine
from kesu.workspace.inbox import TAB_LABELS, Tab, capped_count, complaints_in, deadline_of, tabs_for

PAGE_SIZE = 25


class LoginView(auth_views.LoginView):
    template_name = "workspace/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    tabs = tabs_for(user)
    try:
        tab = Tab(request.GET.get("tab", Tab.MINE))
    except ValueError:
        tab = Tab.MINE
    if tab not in tabs:
        tab = Tab.MINE
    now = clock.now()
    q = request.GET.get("q", "").strip()[:100]
    qs = complaints_in(user, tab, now)
    if q:
        qs = search_text(qs, q)
    rows, cursor = keyset_page(
        qs.select_related("category", "owner"), request.GET.get("cursor"), PAGE_SIZE
    )
    context = {
        "tab": tab,
        "tabs": [(t, TAB_LABELS[t], capped_count(complaints_in(user, t, now))) for t in tabs],
        "q": q,
        "rows": [(c, deadline_of(c, now)) for c in rows],
        "cursor": cursor,
    }
    template = "workspace/_inbox_rows.html" if request.htmx else "workspace/inbox.html"
    return render(request, template, context)


def _complaint_or_refusal(request: HttpRequest, number: str) -> Complaint | HttpResponse:
    """The complaint, or the page that says it does not exist (404) or is not yours (403)."""
    complaint = complaint_by_number(number)
    if complaint is None:
        raise Http404(number)
    if not can_see(request.user, complaint):
        return render(request, "workspace/403.html", {"number": number}, status=403)
    return complaint


@login_required
def complaint_page(request: HttpRequest, number: str) -> HttpResponse:
    found = _complaint_or_refusal(request, number)
    if isinstance(found, HttpResponse):
        return found
    events = list(found.events.select_related("actor").order_by("id"))
    context = {
        "c": found,
        "deadlines": [
            d for d in deadline_engine.deadlines(found, events) if d["state"] != "cancelled"
        ],
        "timeline": reversed(events),
        "attachments": list(found.attachments.all()),
        "allowed": allowed_actions(found, request.user),
    }
    return render(request, "workspace/complaint.html", context)


@login_required
def attachment(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
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
