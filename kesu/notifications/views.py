"""The bell: a person's in-app notifications in the workspace (list, mark read).

Thin: `actions` reads and marks; the pages only draw. Every page of the workspace shows the
unread count (`templatetags.bell`: one capped count on the partial `notification_unread`
index); the panel under the bell and the full list are fetched when asked for.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kesu.accounts.http import AuthenticatedHttpRequest
from kesu.core import keyset
from kesu.core.htmx import htmx_endpoint
from kesu.notifications import actions

PANEL_SIZE = 8
PAGE_SIZE = 50


def _latest(request: AuthenticatedHttpRequest, size: int):
    return list(
        actions.inbox(request.user)
        .select_related("complaint")
        .only("pk", "subject", "body", "created_at", "read_at", "complaint__number")
        .order_by("-created_at", "-id")[:size]
    )


@htmx_endpoint()
@login_required
def panel(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The latest notifications, for the panel that opens under the bell (htmx)."""
    return render(
        request,
        "notifications/_bell_panel.html",
        {"rows": _latest(request, PANEL_SIZE), "unread": actions.unread_count(request.user)},
    )


@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """All of them, newest first, a page at a time (keyset: the `cursor` of the last row)."""
    qs = actions.inbox(request.user).select_related("complaint")
    qs = qs.only("pk", "subject", "body", "created_at", "read_at", "complaint__number")
    try:
        rows, cursor = keyset.page(qs, "created_at", request.GET.get("cursor"), PAGE_SIZE)
    except keyset.InvalidCursor:  # a cursor we did not write: start again
        rows, cursor = keyset.page(qs, "created_at", None, PAGE_SIZE)
    context = {"rows": rows, "cursor": cursor, "unread": actions.unread_count(request.user)}
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def read_one(request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
    """Mark it read and open what it is about: its complaint, or the list."""
    actions.mark_read(request.user, notification_id)
    found = actions.inbox(request.user).filter(pk=notification_id).select_related("complaint")
    n = found.only("complaint__number").first()
    if n is not None and n.complaint is not None:
        return redirect("complaint", number=n.complaint.number)
    return redirect("notifications")


@login_required
@require_POST
def read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    actions.mark_read(request.user)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect(reverse("notifications"))
