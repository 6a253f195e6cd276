"""Keyset paging, newest first (or, for deadlines, soonest first): the cursor is the
(time, id) of the last row of a page.

Paging costs the same on page 1 and on page 10,000, and rows added meanwhile never shift a
page. Used by the complaint list (by registration time) and the in-app notifications (by
creation time).

A cursor Kesu did not write raises `InvalidCursor`: the REST API answers it as invalid data in
the field `cursor` (422, `kesu.api`); the pages start again from the first.
"""

import base64
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _


class InvalidCursor(ValueError):
    """A cursor that is not one of ours (edited by hand, from another list)."""

    message = _("The cursor is not valid; start again from the first page.")


def page(
    qs: QuerySet, field: str, cursor: str | None, limit: int, ascending: bool = False
) -> tuple[list, str | None]:
    """One page ordered by (`field`, id) descending (or ascending), and the next page's cursor
    (None at the end)."""
    if cursor:
        at, pk = decode(cursor)
        # The first condition bounds the index range; the second breaks ties.
        after, beyond = ("gte", "gt") if ascending else ("lte", "lt")
        qs = qs.filter(**{f"{field}__{after}": at}).filter(
            Q(**{f"{field}__{beyond}": at}) | Q(**{field: at, f"pk__{beyond}": pk})
        )
    sign = "" if ascending else "-"
    rows = list(qs.order_by(f"{sign}{field}", f"{sign}pk")[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode(getattr(rows[-1], field), rows[-1].pk)


def encode(at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        at, key = datetime.fromisoformat(stamp), int(pk)
        if at.tzinfo is None or not 0 < key < 2**63:  # what the cursors we write hold
            raise ValueError(raw)
        return at, key
    except (ValueError, UnicodeDecodeError):
        raise InvalidCursor(cursor) from None
