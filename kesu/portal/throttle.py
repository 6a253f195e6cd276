"""The public form's defence against floods, without a CAPTCHA (issue #5).

Each accepted submission is counted twice: by network address and by the customer's phone or
e-mail (hashed with the installation's secret, so the table holds no contacts). A new
submission is refused while either count within its window has reached its limit. Counts
live in the database, so every server process sees the same numbers, and old rows are
pruned as new ones are written.

Limits are settings (KESU_PUBLIC_FORM_PER_ADDRESS, KESU_PUBLIC_FORM_PER_CONTACT, as
"count/minutes").
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

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
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after.total_seconds() / 60))


def limits() -> dict[ThrottleScope, Limit]:
    return {
        ThrottleScope.ADDRESS: Limit.parse(settings.KESU_PUBLIC_FORM_PER_ADDRESS),
        ThrottleScope.CONTACT: Limit.parse(settings.KESU_PUBLIC_FORM_PER_CONTACT),
    }


def keys(address: str, contacts: list[str]) -> list[tuple[ThrottleScope, str]]:
    found = [(ThrottleScope.ADDRESS, _hash(address or "unknown"))]
    for contact in contacts:
        normalised = "".join(contact.split()).lower()
        if normalised:
            found.append((ThrottleScope.CONTACT, _hash(normalised)))
    return found


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
    now = timezone.now()
    longest = max(rule.window for rule in limits().values())
    with transaction.atomic():
        Submission.objects.bulk_create([Submission(scope=s, key=k, at=now) for s, k in counted])
        Submission.objects.filter(at__lt=now - longest).delete()


def _hash(value: str) -> str:
    return hashlib.sha256(salted_hmac("kesu.portal.throttle", value).digest()).hexdigest()
