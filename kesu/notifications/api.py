"""The caller's in-app notifications: list, mark one read, mark all read."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from django.db.models import F
from django.http import Http404
from ninja import Field, Path, Query, Router, Schema

from kesu.accounts.http import AuthenticatedHttpRequest
from kesu.complaints.schemas import MAX_ID, QueryFlag, QueryWhole
from kesu.core import keyset
from kesu.core.refusals import refusals
from kesu.notifications import actions

if TYPE_CHECKING:
    from kesu.notifications.models import NumberedNotification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    template: str
    subject: str
    body: str
    complaint: str | None = Field(None, description="the complaint's number")
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    results: list[NotificationOut]
    next: str | None = Field(None, description="URL of the next page, absent on the last")


class NotificationFilters(Schema):
    unread: QueryFlag = Field(None, description="true: only the notifications not read yet")
    limit: QueryWhole = Field(25, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200, description="`next` gives it")


class ReadAllOut(Schema):
    marked: int


def _inbox(request: AuthenticatedHttpRequest):
    """The caller's in-app notifications, each with its complaint's number (not its row)."""
    return actions.inbox(request.user).annotate(number=F("complaint__number"))


def _out(n: "NumberedNotification") -> dict:
    return {
        "id": n.pk,
        "template": n.template,
        "subject": n.subject,
        "body": n.body,
        "complaint": n.number,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@router.get(
    "/notifications",
    response={200: NotificationPage, **refusals(422)},
    summary="My notifications, newest first",
)
def list_notifications(request: AuthenticatedHttpRequest, filters: Query[NotificationFilters]):
    """The caller's in-app notifications, newest first, with cursor paging (`next`)."""
    qs = _inbox(request)
    if filters.unread:
        qs = qs.filter(read_at__isnull=True)
    rows, cursor = keyset.page(qs, "created_at", filters.cursor, filters.limit)
    next_url = None
    if cursor is not None:
        params = request.GET.copy()
        params["cursor"] = cursor
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return {"results": [_out(n) for n in rows], "next": next_url}


@router.post(
    "/notifications/read_all",
    response={200: ReadAllOut, **refusals(403)},
    summary="Mark all my notifications read",
)
def read_all(request: AuthenticatedHttpRequest):
    return {"marked": actions.mark_read(request.user)}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **refusals(403, 404, 422)},
    summary="Mark one notification read",
)
def read_one(
    request: AuthenticatedHttpRequest, notification_id: Path[Annotated[int, Field(ge=1, le=MAX_ID)]]
):
    """Marks it read (once: reading it again keeps the first time)."""
    actions.mark_read(request.user, notification_id)
    n = _inbox(request).filter(pk=notification_id).first()
    if n is None:
        raise Http404
    return _out(n)
