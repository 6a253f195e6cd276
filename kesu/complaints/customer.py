"""The complainant as an actor: the customer acting on their own complaint (SPEC §1, §4, §8).

A customer is not a member of staff and usually has no account. They act through a private
link of the portal, a customer account the link was bound to, or a reply by e-mail. The
portal and the e-mail intake check which complaint that is, then hand the domain a
`CustomerActor` for exactly that complaint: `authority.can_see` lets it see that complaint
and no other, and the actions record it on the timeline as the customer (the event's actor
is the customer's account when there is one, else empty, and its data says `by: customer`
and by which way).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints.choices import ContactMethod


class Actor(Protocol):
    """Whoever takes an action: a member of staff (`accounts.models.User`) or the complainant
    (`CustomerActor`). The guard reads the role; the timeline records the account."""

    @property
    def pk(self) -> Any: ...

    @property
    def role(self) -> str: ...

    @property
    def is_active(self) -> bool: ...

    def get_full_name(self) -> str: ...


@dataclass(frozen=True)
class CustomerActor:
    """The complainant of complaint `complaint_id`, acting by `via` (portal or e-mail)."""

    complaint_id: int
    via: ContactMethod = ContactMethod.PORTAL
    account: User | None = None  # a customer account the private link was bound to

    role = Role.CUSTOMER
    is_active = True

    @property
    def pk(self) -> int | None:
        return self.account.pk if self.account is not None else None

    def get_full_name(self) -> str:
        return self.account.get_full_name() if self.account is not None else ""


def acting_user(actor: Actor | None) -> User | None:
    """The account to record as the actor of an event or a row."""
    if actor is None or isinstance(actor, User):
        return actor
    if isinstance(actor, CustomerActor):
        return actor.account
    raise TypeError(f"{actor!r} is neither a member of staff nor the complainant")


def actor_data(actor: Actor | None) -> dict[str, str]:
    """What the timeline adds about a customer actor (nothing for staff)."""
    if isinstance(actor, CustomerActor):
        return {"by": "customer", "via": str(actor.via)}
    return {}
