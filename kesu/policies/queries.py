"""Read the policy rows, cached briefly per process (see kesu.core.memo)."""

from decimal import Decimal

from kesu.complaints.severity import SeverityRules
from kesu.core.memo import forget_on_change, memo
from kesu.policies.models import Policy, SeverityKeyword


def current_policy() -> Policy:
    return memo("policy:current", Policy.current)


def severity_rules() -> SeverityRules:
    def load() -> SeverityRules:
        policy = Policy.current()
        words = tuple(SeverityKeyword.objects.filter(active=True).values_list("word", "level"))
        return SeverityRules(
            level1_claim_amount=Decimal(policy.level1_claim_amount),
            level1_channels=frozenset(policy.level1_channels or ()),
            keywords=words,
        )

    return memo("policy:severity_rules", load)


forget_on_change("policy:", Policy, SeverityKeyword)
