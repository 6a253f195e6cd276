"""The customer's private links as staff handle them: send a new one, revoke them.

Each verb locks the complaint row first and records one timeline event per link revoked or
sent (`link_revoked`, `link_sent`: quiet, the version stays), announced through the frame; the
sent link's notification carries the link. The links themselves, their tokens and how a link
is found, are `kesu.portal.links`'.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import User
from kesu.complaints.actions.frame import announce, append, lock, visible
from kesu.complaints.authority import customer_account_refusal
from kesu.complaints.choices import EventType
from kesu.complaints.errors import invalid
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.core import clock
from kesu.portal import links
from kesu.portal.models import CustomerLink


def send_customer_link(complaint: Complaint | str, *, actor: User) -> CustomerLink:
    """Staff send the customer a new link (by e-mail and SMS, at the complaint's contacts)
    without ever seeing it; the old ones stop working. One event per link revoked, one for the
    link sent, whose notification carries the link."""
    with transaction.atomic():
        c = _locked(complaint, actor)
        if not links.reachable_by_message(c):
            raise invalid(
                "contact", _("The customer has no e-mail address or phone to send it to.")
            )
        link = _renew(c, actor)
        announce(c, append(c, EventType.LINK_SENT, actor, data={"link": link.pk}))
    _remember(complaint, link)
    return link


def renew_customer_link(complaint: Complaint | str, *, actor: User) -> CustomerLink:
    """A new link in place of the old ones (lost, or forwarded to the wrong person), sent to
    nobody: they stop working; the customer account that kept them keeps the new one."""
    with transaction.atomic():
        link = _renew(_locked(complaint, actor), actor)
    _remember(complaint, link)
    return link


def revoke_customer_links(complaint: Complaint | str, *, actor: User) -> list[ComplaintEvent]:
    """Every working link of the complaint leads nowhere from now on (one event each)."""
    with transaction.atomic():
        c = _locked(complaint, actor)
        return _revoke(c, links.working_links(c), actor)


def revoke_customer_link(link: CustomerLink, *, actor: User) -> ComplaintEvent | None:
    """The link leads nowhere from now on (one event). Idempotent: None if it already did."""
    with transaction.atomic():
        c = _locked(link.complaint, actor)
        events = _revoke(c, [link], actor)
    return events[0] if events else None


def _locked(complaint: Complaint | str, actor: User) -> Complaint:
    """Lock the row; staff who may see the complaint handle its links (a customer account
    acts in the portal, never on the links themselves)."""
    c = lock(complaint)
    if (refused := customer_account_refusal(actor)) is not None:
        raise refused
    visible(c, actor)
    return c


def _renew(c: Complaint, actor: User) -> CustomerLink:
    """On the locked row: revoke the working links, issue the new one to the account that
    kept the newest."""
    newest = CustomerLink.objects.filter(complaint=c).order_by("-id").first()
    _revoke(c, links.working_links(c), actor)
    link = links.issue(c, account=newest.account if newest else None)
    links.remember(c, link)
    return link


def _revoke(c: Complaint, revoked: list[CustomerLink], actor: User) -> list[ComplaintEvent]:
    """On the locked row: each link that still worked stops, with its event."""
    now = clock.now()
    events = []
    for link in revoked:
        if links.revoke(link, at=now):
            event = append(c, EventType.LINK_REVOKED, actor, at=now, data={"link": link.pk})
            announce(c, event)
            events.append(event)
    return events


def _remember(complaint: Complaint | str, link: CustomerLink) -> None:
    """The caller's copy of the complaint carries the new link (`links.current`)."""
    if isinstance(complaint, Complaint):
        links.remember(complaint, link)
