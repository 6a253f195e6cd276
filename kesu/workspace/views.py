"""The staff workspace: thin views over the domain's queries and actions."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kesu.complaints.queries import keyset_page, search_text
from kesu.core import clock
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
