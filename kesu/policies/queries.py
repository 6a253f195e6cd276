"""Read the policy rows, cached briefly per process; saving a row clears the cache."""

import time
from decimal import Decimal

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kesu.complaints.severity import SeverityRules
from kesu.policies.models import Policy, SeverityKeyword

_TTL_SECONDS = 30.0
_cache: dict[str, tuple[float, object]] = {}


def _cached(name: str, load):
    now = time.monotonic()
    hit = _cache.get(name)
    if hit is not None and now - hit[0] < _TTL_SECONDS:
        return hit[1]
    value = load()
    _cache[name] = (now, value)
    return value


def clear_cache(*_args, **_kwargs) -> None:
    _cache.clear()


def current_policy() -> Policy:
    return _cached("policy", Policy.current)


def severity_rules() -> SeverityRules:
    def load() -> SeverityRules:
        policy = Policy.current()
        words = tuple(SeverityKeyword.objects.filter(active=True).values_list("word", "level"))
        return SeverityRules(
            level1_claim_amount=Decimal(policy.level1_claim_amount),
            level1_channels=frozenset(policy.level1_channels or ()),
            keywords=words,
        )

    return _cached("severity_rules", load)


for _model in (Policy, SeverityKeyword):
    receiver(post_save, sender=_model)(clear_cache)
    receiver(post_delete, sender=_model)(clear_cache)
