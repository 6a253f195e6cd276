"""Severity proposal from the record (SPEC §3). Pure: no database, no clock."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from kesu.complaints.choices import Kind, Severity


@dataclass(frozen=True)
class SeverityRules:
    level1_claim_amount: Decimal
    level1_channels: frozenset[str]
    keywords: tuple[tuple[str, int], ...]  # (word, level)


@dataclass(frozen=True)
class SeverityProposal:
    level: Severity
    reasons: list[str] = field(default_factory=list)


def propose_severity(
    rules: SeverityRules,
    *,
    kind: str,
    channel: str,
    category_default: int,
    claim_amount: Decimal | None,
    texts: Iterable[str],
) -> SeverityProposal:
    """The most severe level any rule points to, with the reasons (machine-readable codes).

    Reasons look like ``channel:media``, ``claim:60000``, ``keyword:受伤``, ``category:2``.
    """
    if kind != Kind.COMPLAINT:
        return SeverityProposal(Severity.LEVEL_3, [f"kind:{kind}"])
    level = int(category_default)
    reasons = [f"category:{level}"]
    if channel in rules.level1_channels:
        level = 1
        reasons.append(f"channel:{channel}")
    if claim_amount is not None and claim_amount >= rules.level1_claim_amount:
        level = 1
        reasons.append(f"claim:{claim_amount}")
    text = "\n".join(t for t in texts if t).casefold()
    for word, word_level in rules.keywords:
        if word.casefold() in text:
            reasons.append(f"keyword:{word}")
            level = min(level, word_level)
    return SeverityProposal(Severity(level), reasons)


def severity_reason_text(reason: str) -> str:
    """A reason code of `propose_severity` in words, for people."""
    from django.utils.translation import gettext as _

    from kesu.complaints.choices import Channel

    kind, _sep, value = reason.partition(":")
    if kind == "category":
        return _("the category's default is level %(level)s") % {"level": value}
    if kind == "channel":
        label = Channel(value).label if value in Channel.values else value
        return _("came through %(channel)s") % {"channel": label}
    if kind == "claim":
        return _("claims ¥%(amount)s") % {"amount": value}
    if kind == "keyword":
        return _("mentions “%(word)s”") % {"word": value}
    if kind == "kind":
        return _("not a complaint")
    return reason
