"""Private customer links: issue, find, revoke (SPEC §1: a customer sees only own complaints).

The token mechanics only: staff send and revoke links through the actions
(`actions.send_customer_link`, `actions.revoke_customer_links`), which record the events.

A link is `/t/<id>-<mac>/`: the row id in base 36 and 26 characters (130 bits) of an HMAC of
the id and the row's random nonce, keyed by the installation's secret. Guessing one is
hopeless, the database alone does not give them away, and any message can carry the current
link without storing it. `find` answers the same "not found" for a wrong mac, a revoked link
and an unknown id, so a probe learns nothing; a link of a complaint finished longer ago than
`Policy.customer_link_days` is `Expired`, which the page says in words.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from kesu.accounts.models import User
from kesu.complaints.models import Complaint
from kesu.core import clock
from kesu.core.rows import insert_row
from kesu.policies.queries import current_policy
from kesu.portal.models import CustomerLink

_SALT = "kesu.portal.link"
_MAC_CHARS = 26


class LinkNotFound(Exception):
    """No such link, a wrong mac, or a revoked link: the same answer for all three."""


class Expired(Exception):
    """The complaint was finished longer ago than the policy keeps links open."""


def token(link: CustomerLink) -> str:
    ident = _base36(link.pk)
    return f"{ident}-{_mac(ident, link.nonce)}"


def url(link: CustomerLink) -> str:
    from django.urls import reverse

    return settings.KESU_BASE_URL + reverse("portal:track", args=[token(link)])


def issue(complaint: Complaint, *, account: User | None = None) -> CustomerLink:
    """A new private link to `complaint`. Not a timeline event: a link changes nothing about
    the complaint (revoking one is recorded: `actions.revoke_customer_links`)."""
    link = CustomerLink(
        complaint=complaint,
        nonce=secrets.token_hex(16),
        account=account,
        created_at=clock.now(),
    )
    # CustomerLink's save() adds nothing and it has no auto_now fields or save signals: the
    # precompiled INSERT of the registration path writes what create() would.
    insert_row(link)
    return link


_UNSET = object()


def current(complaint: Complaint, *, new: bool = False) -> CustomerLink | None:
    """The newest link that still works; a first one for a complaint that never had one
    (`new`: the complaint is being registered, so it has none, and nothing is looked up);
    None once staff revoked the links (messages then carry none until staff send a new
    one). Kept on the instance: registration asks twice in one transaction."""
    kept = getattr(complaint, "_kesu_link", _UNSET)
    link = kept if isinstance(kept, CustomerLink) else None
    if kept is _UNSET or (link is not None and link.revoked_at is not None):
        link = None if new else working(complaint)
        if link is None and (new or not CustomerLink.objects.filter(complaint=complaint).exists()):
            link = issue(complaint)
        remember(complaint, link)
    return link


def remember(complaint: Complaint, link: CustomerLink | None) -> None:
    """Keep `link` on the instance as the complaint's current one (`current` reads it)."""
    complaint._kesu_link = link  # type: ignore[attr-defined]  # a cache on the instance, not a field


def revoke(link: CustomerLink, *, at: datetime) -> bool:
    """The row: the link leads nowhere from `at` on; False if it already did. No timeline
    event: staff revoke links through `actions.revoke_customer_links`, which records it."""
    if not CustomerLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=at):
        return False
    link.revoked_at = at
    return True


def reachable_by_message(complaint: Complaint) -> bool:
    return not complaint.anonymous and bool(
        complaint.complainant_email or complaint.complainant_phone
    )


def _working(complaint: Complaint) -> QuerySet[CustomerLink]:
    return CustomerLink.objects.filter(complaint=complaint, revoked_at__isnull=True).order_by("-id")


def working_links(complaint: Complaint) -> list[CustomerLink]:
    """The complaint's links that still work, newest first."""
    return list(_working(complaint))


def working(complaint: Complaint) -> CustomerLink | None:
    """The newest link that still works."""
    return _working(complaint).first()


def find(raw: str) -> CustomerLink:
    """The working link written as `raw`, with its complaint loaded; raises LinkNotFound or
    Expired."""
    ident, _sep, mac = raw.partition("-")
    try:
        pk = int(ident, 36)
    except ValueError:
        raise LinkNotFound from None
    link = (
        CustomerLink.objects.select_related("complaint", "account")
        .filter(pk=pk, revoked_at__isnull=True)
        .first()
    )
    if link is None or not constant_time_compare(mac, _mac(ident, link.nonce)):
        raise LinkNotFound
    closed_at = link.complaint.closed_at
    if closed_at is not None:
        open_until = closed_at + timedelta(days=current_policy().customer_link_days)
        if timezone.now() > open_until:
            raise Expired
    return link


def save_to_account(link: CustomerLink, account: User) -> None:
    """Keep the link in a customer account (`/my/` lists them). A link already saved to
    another account stays there."""
    if link.account_id is None:
        CustomerLink.objects.filter(pk=link.pk, account__isnull=True).update(account=account)
        link.account = account


def for_account(account: User):
    """The account's links that still work, newest complaint first."""
    return (
        CustomerLink.objects.filter(account=account, revoked_at__isnull=True)
        .select_related("complaint")
        .order_by("-complaint__registered_at")
    )


def _mac(ident: str, nonce: str) -> str:
    digest = salted_hmac(_SALT, f"{ident}:{nonce}", algorithm="sha256").digest()
    return base64.b32encode(digest).decode().lower()[:_MAC_CHARS]


def _base36(n: int) -> str:
    chars = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = chars[r] + out
        if n == 0:
            return out
