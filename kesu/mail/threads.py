"""Message-IDs that tie mail to a complaint, so that replies come back to it.

Every message Kesu sends about a complaint has the id `<kesu.{number}.{n}.{sig}@{domain}>`
and refers to the complaint's thread root `<kesu.{number}.{sig}@{domain}>`; a customer's
mail client copies them into In-Reply-To and References. `sig` is an HMAC of the number
(keyed by the installation's secret), so an id that names a complaint proves the sender
received our mail about it: a reply found this way is trusted as the customer's, while a
complaint number merely typed into a subject is trusted only from the customer's address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_OURS = re.compile(r"^kesu\.(?P<number>[^.@]+)\.(?:(?P<n>\d+)\.)?(?P<sig>[0-9a-f]{12})@")


def domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    return sender.rpartition("@")[2].strip("> ") or "localhost"


def _sig(number: str) -> str:
    return salted_hmac("kesu.mail.thread", number, algorithm="sha256").hexdigest()[:12]


def thread_root(number: str) -> str:
    return f"<kesu.{number}.{_sig(number)}@{domain()}>"


def message_id(number: str, n: int) -> str:
    return f"<kesu.{number}.{n}.{_sig(number)}@{domain()}>"


def numbers_in(ids: Iterable[str]) -> list[str]:
    """The complaint numbers named by our own ids among `ids` (forgeries are left out)."""
    found = []
    for raw in ids:
        match = _OURS.match(raw.strip("<> "))
        if match and constant_time_compare(match["sig"], _sig(match["number"])):
            found.append(match["number"])
    return found
