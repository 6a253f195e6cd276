"""What was agreed with the customer and what was done, in plain words.

The customer's page shows it before asking them to confirm, and their messages (the plan is
settled, the treatment is completed, please confirm) carry it. Customer-facing facts only:
when the complaint was accepted and who is responsible (the acceptance message names them
already), how they were contacted and what was promised, the measures of the plan in force
with their deadlines and any cost the customer bears, when the measures were carried out and
when the result was checked. Never what staff wrote for themselves: the contact's and the
completion's summaries, the verification report, plan comments and expert reviews, notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kesu.complaints.choices import ContactMethod, CostBearer, CostItem, EventType
from kesu.complaints.models import Complaint, PlanStatus

_EVENTS = (EventType.ACCEPT, EventType.CONTACT, EventType.COMPLETE, EventType.VERIFY)


class FactKind(StrEnum):
    ACCEPTED = "accepted"
    CONTACTED = "contacted"
    PLAN = "plan"
    COMPLETED = "completed"
    VERIFIED = "verified"


@dataclass(frozen=True)
class Fact:
    kind: FactKind
    at: datetime
    text: str
    items: tuple[str, ...] = ()


def _local(instant: datetime) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M")


def _day(raw: str) -> str:
    try:
        return timezone.localtime(datetime.fromisoformat(raw)).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return ""


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def facts(complaint: Complaint) -> list[Fact]:
    """The facts, oldest first, in the active language."""
    last = {}
    events = complaint.events.filter(type__in=_EVENTS).only("type", "at", "data")
    for event in events.order_by("id"):
        if event.type != EventType.VERIFY or (event.data or {}).get("passed"):
            last[event.type] = event
    found: list[Fact] = []
    if accept := last.get(EventType.ACCEPT):
        owner = complaint.owner.get_full_name() if complaint.owner else ""
        if owner:
            text = _("We accepted your complaint on %(at)s; %(owner)s is responsible for it.")
        else:
            text = _("We accepted your complaint on %(at)s.")
        text %= {"at": _local(accept.at), "owner": owner}
        found.append(Fact(FactKind.ACCEPTED, accept.at, text))
    if contact := last.get(EventType.CONTACT):
        data = contact.data or {}
        text = _(
            "On %(at)s we contacted you (%(method)s) and promised to handle your complaint "
            "by %(promised)s."
        ) % {
            "at": _local(contact.at),
            "method": _label(ContactMethod, data.get("method", "")),
            "promised": _day(data.get("promised_at", "")) or "—",
        }
        found.append(Fact(FactKind.CONTACTED, contact.at, text))
    plan = (
        complaint.plans.filter(status__in=[PlanStatus.APPROVED, PlanStatus.FILED])
        .order_by("-id")
        .first()
    )
    if plan is None:
        return found
    settled = plan.decided_at or plan.proposed_at
    items = [
        _("%(measure)s (by %(deadline)s)")
        % {"measure": m.get("description", ""), "deadline": _day(m.get("deadline", ""))}
        for m in plan.measures
    ]
    items += [
        _("You bear %(share)s %% of: %(item)s")
        % {"share": line.get("share_pct"), "item": _label(CostItem, line.get("item"))}
        for line in plan.cost
        if line.get("bearer") == CostBearer.CUSTOMER and line.get("share_pct")
    ]
    text = _("The treatment plan settled on %(at)s:") % {"at": _local(settled)}
    found.append(Fact(FactKind.PLAN, settled, text, tuple(items)))
    done = last.get(EventType.COMPLETE)
    if done is None or done.at < settled:
        return found
    text = _("On %(at)s the measures were carried out.") % {"at": _local(done.at)}
    found.append(Fact(FactKind.COMPLETED, done.at, text))
    checked = last.get(EventType.VERIFY)
    if checked is not None and checked.at >= done.at:
        text = _("On %(at)s we checked the result: the work was done as agreed.") % {
            "at": _local(checked.at)
        }
        found.append(Fact(FactKind.VERIFIED, checked.at, text))
    return found


class Summary:
    """The facts as text for a message, built when the message is rendered (in its language).
    False when there is nothing to tell yet.

    Message templates are edited by administrators and rendered with everything in their
    context reachable by attribute: this object shows them its text and its truth and nothing
    else (the template engine refuses names that begin with an underscore), so that no
    template reaches the complaint, its people or their accounts through it."""

    __slots__ = ("_complaint", "_facts")

    def __init__(self, complaint: Complaint):
        self._complaint = complaint
        self._facts: dict[str, list[Fact]] = {}  # by language: read once per rendering

    def _read(self) -> list[Fact]:
        language = translation.get_language() or ""
        if language not in self._facts:
            self._facts[language] = facts(self._complaint)
        return self._facts[language]

    def __bool__(self) -> bool:
        return bool(self._read())

    def __str__(self) -> str:
        lines = [_("What we agreed and did:")]
        for fact in self._read():
            lines.append(f"- {fact.text}")
            lines += [f"  · {item}" for item in fact.items]
        return "\n".join(lines) if len(lines) > 1 else ""
