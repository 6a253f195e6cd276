"""The public form's defence against floods, without a CAPTCHA (issue #5).

Each accepted submission is counted twice: by network address and by the customer's phone or
e-mail (hashed with the installation's secret, so the table holds no contacts). A new
submission is refused while either count within its window has reached its limit. Counts
live in the database, so every server process sees the same numbers, and old rows are
pruned as new ones are written.

Limits are settings (KESU_PUBLIC_FORM_PER_ADDRESS, KESU_PUBLIC_FORM_PER_CONTACT, as
"count/minutes"). The address is the client's, through trusted proxies
(`kesu.core.client`). Contacts are compared in a
normal form (a phone number as it is stored, E.164 by `kesu.core.phones`; an e-mail
without its +tag), so "139-0000-0009", "+86 139 0000 0009" and "13900000009" count as one.

Checking and counting happen in one transaction that holds the keys' locks (SQLite: the
IMMEDIATE transaction; PostgreSQL: transaction-scoped advisory locks), so parallel requests
cannot all slip under the limit.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from kesu.core import phones
from kesu.portal.choices import ThrottleScope
from kesu.portal.models import Submission


@dataclass(frozen=True)
class Limit:
    count: int
    window: timedelta

    @classmethod
    def parse(cls, text: str) -> Limit:
        count, _slash, minutes = text.partition("/")
        return cls(int(count), timedelta(minutes=int(minutes or 60)))


class Throttled(Exception):
    def __init__(self, scope: ThrottleScope, retry_after: timedelta):
        super().__init__(scope)
        self.scope = scope
        self.retry_after = retry_after

    @property
    def seconds(self) -> int:
        """The wait in whole seconds, rounded up (the `Retry-After` header's)."""
        return max(1, math.ceil(self.retry_after.total_seconds()))

    @property
    def minutes(self) -> int:
        """The wait in whole minutes, rounded up (what the refusal tells the customer)."""
        return max(1, math.ceil(self.retry_after.total_seconds() / 60))


def limits() -> dict[ThrottleScope, Limit]:
    return {
        ThrottleScope.ADDRESS: Limit.parse(settings.KESU_PUBLIC_FORM_PER_ADDRESS),
        ThrottleScope.CONTACT: Limit.parse(settings.KESU_PUBLIC_FORM_PER_CONTACT),
    }


def normal_contact(contact: str) -> str:
    """One form per phone number or e-mail address."""
    contact = "".join(contact.split()).lower()
    if "@" in contact:
        local, _at, domain = contact.rpartition("@")
        return f"{local.split('+', 1)[0]}@{domain}"
    if phone := phones.normalised_or_none(contact):
        return phone
    return re.sub(r"\D", "", contact) or contact  # not a number: the form refuses it anyway


def address_key(address: str) -> list[tuple[ThrottleScope, str]]:
    return [(ThrottleScope.ADDRESS, _hash(address or "unknown"))]


def contact_keys(contacts: list[str]) -> list[tuple[ThrottleScope, str]]:
    normalised = {normal_contact(c) for c in contacts} - {""}
    return [(ThrottleScope.CONTACT, _hash(c)) for c in sorted(normalised)]


def check_and_count(
    checked: list[tuple[ThrottleScope, str]], counted: list[tuple[ThrottleScope, str]]
) -> None:
    """Raise Throttled when any of `checked` has reached its limit; otherwise record one
    submission under each of `counted`. Atomic (see the module's note)."""
    with transaction.atomic():
        _lock(checked)
        check(checked)
        count(counted)


def check(counted: list[tuple[ThrottleScope, str]]) -> None:
    """Raise Throttled when any of `counted` has reached its limit."""
    now = timezone.now()
    rules = limits()
    for scope, key in counted:
        rule = rules[scope]
        recent = list(
            Submission.objects.filter(scope=scope, key=key, at__gt=now - rule.window)
            .order_by("-at")
            .values_list("at", flat=True)[: rule.count]
        )
        if len(recent) >= rule.count:
            raise Throttled(scope, recent[-1] + rule.window - now)


def count(counted: list[tuple[ThrottleScope, str]]) -> None:
    """Record one submission under each key, and drop rows no window needs any more."""
    if not counted:
        return
    now = timezone.now()
    longest = max(rule.window for rule in limits().values())
    with transaction.atomic():
        Submission.objects.bulk_create([Submission(scope=s, key=k, at=now) for s, k in counted])
        Submission.objects.filter(at__lt=now - longest).delete()


def _lock(keys: list[tuple[ThrottleScope, str]]) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE transaction already serialises writers
    with connection.cursor() as cursor:
        for scope, key in sorted(keys):  # one order: no deadlock between two requests
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_id(scope, key)])


def _lock_id(scope: str, key: str) -> int:
    return int.from_bytes(
        hashlib.sha256(f"{scope}:{key}".encode()).digest()[:8], "big", signed=True
    )


def _hash(value: str) -> str:
    return salted_hmac("kesu.portal.throttle", value, algorithm="sha256").hexdigest()
