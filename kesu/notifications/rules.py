"""Who is told what, when a timeline event is appended (SPEC §7).

`on_event` is called by the domain layer inside the transaction that appended the event
(every action, registration, and the deadline sweeper). It only writes outbox rows (one
INSERT); delivery happens after the commit (`tasks.queue_delivery`). Nothing here may fail
the action: an error is logged and the action goes on without its notifications.

event → who (message):
- register, quality category (or one below it) → executives (quality_notice)
- register at level 1, reclassify to level 1 → executives, also by SMS; webhook
  (level1_notice)
- accept → the owner (owner_assigned); the customer (customer_accepted); webhook (dispatched)
- assign → the new owner (owner_assigned)
- propose_plan when filed (level 3, no approval), approve_plan → customer (customer_plan)
- progress, complete, return_visit → customer (customer_progress, customer_completed,
  customer_return_visit); verify passed → customer (customer_confirm); confirm satisfied →
  customer (customer_survey); register by web form or e-mail → customer, by e-mail only
  (customer_received, naming the files that were not accepted), except mail the intake
  marked `no_answer` (it came through a list or bulk distribution, or from a robot) or
  `acknowledgement_limited` (the address had the public form's number per contact already)
- anything the customer did themselves (portal, e-mail) → the owner, or the heads while there
  is none (customer_wrote)
- escalate, deadline_escalated → level 1 the department heads, level 2 the executives;
  webhook (escalation, breach_escalation)
- deadline_warned → the owner, or the department heads while there is none
  (owner_deadline_warning)
- deadline_breached → the owner (owner_deadline_breach); department heads and webhook
  (deadline_breach)

Staff are reached in the app and by e-mail (when they have an address); the customer by
e-mail and SMS at the contacts of the complaint, never when anonymous, with the link to
their private page — but no e-mail at all to the address of a complaint registered from mail
that must not be answered (`no_answer`: it may be a list's, where the private link would
reach every member) until a member of staff sends the customer a new link on purpose
(`customer_mail_held`); webhooks are the active
ones of the complaint's department. Department heads are the active heads of the complaint's
department, or, when it has none, of the nearest department above it.

Ladder steps recorded after the fact (an import of old open complaints, whose limits ran out
before they came into Kesu) are not announced one by one: `digest_recorded_steps` writes one
message per person who would have been told, saying how many complaints and breaches.

Never notified: the actor about their own action; the person complained about (`accused`) —
and, because a department's group chat may include that person, no webhook carries a
complaint that names one. One event gives each person or address one message per channel
(a level-1 quality complaint: the level-1 notice only), and handling an event twice adds
nothing (unique index). History written after the fact (imports, demo data) is not passed
here: the domain layer decides that (`actions.frame.announce`, `actions.unannounced`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints.authority import MAX_ESCALATION_LEVEL, ancestors
from kesu.complaints.choices import Channel, EventType, Severity, State
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.complaints.queries import categories_by_id, category_ancestors, departments_by_code
from kesu.core.language import company_language
from kesu.core.memo import forget_on_change, memo
from kesu.notifications.choices import NotificationChannel, NotificationState, TemplateCode
from kesu.notifications.models import DepartmentWebhook, Notification
from kesu.notifications.tasks import queue_delivery
from kesu.notifications.templates import (
    Rendered,
    customer_context,
    overdue_url,
    render,
    staff_context,
)
from kesu.portal import links
from kesu.portal.summary import Summary

logger = logging.getLogger(__name__)


class Audience(StrEnum):
    EXECUTIVES = "executives"
    EXECUTIVES_URGENT = "executives_urgent"  # also by SMS
    HEADS = "heads"
    OWNER = "owner"
    OWNER_OR_HEADS = "owner_or_heads"
    CUSTOMER = "customer"
    CUSTOMER_EMAIL = "customer_email"  # by e-mail only
    WEBHOOK = "webhook"


Rule = tuple[Audience, TemplateCode]

RULES: dict[str, tuple[Rule, ...]] = {
    EventType.ACCEPT: (
        (Audience.OWNER, TemplateCode.OWNER_ASSIGNED),
        (Audience.CUSTOMER, TemplateCode.CUSTOMER_ACCEPTED),
        (Audience.WEBHOOK, TemplateCode.DISPATCHED),
    ),
    EventType.ASSIGN: ((Audience.OWNER, TemplateCode.OWNER_ASSIGNED),),
    EventType.APPROVE_PLAN: ((Audience.CUSTOMER, TemplateCode.CUSTOMER_PLAN),),
    EventType.PROGRESS: ((Audience.CUSTOMER, TemplateCode.CUSTOMER_PROGRESS),),
    EventType.COMPLETE: ((Audience.CUSTOMER, TemplateCode.CUSTOMER_COMPLETED),),
    EventType.RETURN_VISIT: ((Audience.CUSTOMER, TemplateCode.CUSTOMER_RETURN_VISIT),),
    EventType.LINK_SENT: ((Audience.CUSTOMER, TemplateCode.CUSTOMER_LINK),),
    EventType.DEADLINE_WARNED: ((Audience.OWNER_OR_HEADS, TemplateCode.OWNER_DEADLINE_WARNING),),
    EventType.DEADLINE_BREACHED: (
        (Audience.OWNER, TemplateCode.OWNER_DEADLINE_BREACH),
        (Audience.HEADS, TemplateCode.DEADLINE_BREACH),
        (Audience.WEBHOOK, TemplateCode.DEADLINE_BREACH),
    ),
}
LEVEL1_RULES: tuple[Rule, ...] = (
    (Audience.EXECUTIVES_URGENT, TemplateCode.LEVEL1_NOTICE),
    (Audience.WEBHOOK, TemplateCode.LEVEL1_NOTICE),
)
# The customer registered it themselves: they are told the number and their private link.
SELF_SERVICE_CHANNELS = frozenset({Channel.WEB, Channel.EMAIL})
QUALITY_RULES: tuple[Rule, ...] = ((Audience.EXECUTIVES, TemplateCode.QUALITY_NOTICE),)
ESCALATION_TEMPLATES = {
    EventType.ESCALATE: TemplateCode.ESCALATION,
    EventType.DEADLINE_ESCALATED: TemplateCode.BREACH_ESCALATION,
}


def rules_for(complaint, event) -> list[Rule]:
    """The (audience, message) pairs `event` calls for, most important first."""
    rules = list(RULES.get(event.type, ()))
    data = event.data or {}
    if data.get("by") == "customer":  # the customer wrote, confirmed, appealed, withdrew
        rules.append((Audience.OWNER_OR_HEADS, TemplateCode.CUSTOMER_WROTE))
    if event.type == EventType.REGISTER:
        # The form showed the link already. Mail through a list or bulk distribution is
        # never answered by itself (RFC 3834): the list would receive the private link.
        if (
            complaint.channel in SELF_SERVICE_CHANNELS
            and not data.get("no_answer")
            and not data.get("acknowledgement_limited")  # this address had its share
        ):
            rules.append((Audience.CUSTOMER_EMAIL, TemplateCode.CUSTOMER_RECEIVED))
        if complaint.severity == Severity.LEVEL_1:
            rules += LEVEL1_RULES
        if is_quality(complaint):
            rules += QUALITY_RULES
    elif event.type == EventType.RECLASSIFY and data.get("to") == Severity.LEVEL_1:
        rules += LEVEL1_RULES
    elif event.type == EventType.PROPOSE_PLAN and data.get("filed"):
        rules.append((Audience.CUSTOMER, TemplateCode.CUSTOMER_PLAN))  # level 3: no approval
    elif event.type == EventType.VERIFY and event.to_state == State.CONFIRMING:
        rules.append((Audience.CUSTOMER, TemplateCode.CUSTOMER_CONFIRM))
    elif event.type == EventType.CONFIRM and event.to_state == State.RETURN_VISIT:
        if not complaint.sensitive:  # SPEC §4: no return visit for a sensitive complaint
            rules.append((Audience.CUSTOMER, TemplateCode.CUSTOMER_SURVEY))
    elif event.type in ESCALATION_TEMPLATES:
        template = ESCALATION_TEMPLATES[event.type]
        to_executives = data.get("level", 0) >= MAX_ESCALATION_LEVEL  # authority's ladder
        audience = Audience.EXECUTIVES if to_executives else Audience.HEADS
        rules += [(audience, template), (Audience.WEBHOOK, template)]
    return rules


def on_event(complaint, event) -> None:
    """Queue the notifications that `event` on `complaint` calls for."""
    on_events([(complaint, event)])


def on_events(pairs: Iterable[tuple[Complaint, ComplaintEvent]]) -> None:
    """`on_event` for many events at once (the sweeper's batch): one INSERT for them all."""
    rows: list[Notification] = []
    try:
        called = [(c, e, r) for c, e in pairs if (r := rules_for(c, e))]
        owners = _owners(c for c, _e, _r in called)
    except Exception:
        logger.exception("notifications not written")
        return
    for complaint, event, rules in called:
        try:
            wanted = list(_screen(complaint, event, _resolve(complaint, event, rules, owners)))
            if wanted:
                rows += _rows(complaint, event, wanted, owners)
        except Exception:
            logger.exception("notifications for event %s of %s not written", event.pk, complaint)
    if not rows:
        return
    try:
        ids = _insert(rows)
    except Exception:
        logger.exception("notifications not written")
        return
    if ids:
        transaction.on_commit(partial(queue_delivery, ids))


def _insert(rows: list[Notification]) -> list[int]:
    """Write the rows, each at most once (the unique index decides); returns the ids that
    wait for delivery. Each attempt is a savepoint: if the outbox cannot be written, the
    action still commits."""
    try:
        # The usual case, an event handled the first time: one INSERT … RETURNING id.
        with transaction.atomic():
            Notification.objects.bulk_create(rows)
        return [row.pk for row in rows if row.state == NotificationState.PENDING]
    except IntegrityError:  # handled before (a replay, a racing sweeper): add what is missing
        pass
    for row in rows:
        row.pk = None
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        outgoing = {row.event_id for row in rows if row.state == NotificationState.PENDING}
        if not outgoing:
            return []
        return list(
            Notification.objects.filter(
                event__in=outgoing, state=NotificationState.PENDING
            ).values_list("pk", flat=True)
        )


def is_quality(complaint) -> bool:
    """The category, or one above it, asks for the quality notice of SPEC §7."""
    by_id = categories_by_id()
    return any(
        by_id[pk].quality_notice for pk in category_ancestors(complaint.category_id) if pk in by_id
    )


# ------------------------------------------------------------------------------------------
# people


@dataclass(frozen=True)
class Person:
    pk: int
    email: str
    phone: str


@dataclass(frozen=True)
class Staff:
    """The people rules address by role, and the department tree (cached, see memo)."""

    executives: tuple[Person, ...]
    heads: dict[int, tuple[Person, ...]]  # department id → its active heads

    def heads_for(self, department_id: int | None) -> tuple[Person, ...]:
        """The department's heads; if it has none, the nearest department above it."""
        if department_id is None:
            return ()
        for pk in ancestors(department_id):
            if found := self.heads.get(pk):
                return found
        return ()


def _load_staff() -> Staff:
    executives: list[Person] = []
    heads: dict[int, list[Person]] = {}
    rows = User.objects.filter(
        is_active=True, role__in=[Role.EXECUTIVE, Role.DEPT_HEAD]
    ).values_list("pk", "role", "department_id", "email", "phone")
    for pk, role, department_id, email, phone in rows.order_by("pk"):
        person = Person(pk, email, phone)
        if role == Role.EXECUTIVE:
            executives.append(person)
        elif department_id is not None:
            heads.setdefault(department_id, []).append(person)
    return Staff(executives=tuple(executives), heads={k: tuple(v) for k, v in heads.items()})


def staff() -> Staff:
    return memo("notify:staff", _load_staff)


def _webhooks_by_department() -> dict[int, tuple[tuple[int, str], ...]]:
    found: dict[int, list[tuple[int, str]]] = {}
    for pk, department_id, url in DepartmentWebhook.objects.filter(active=True).values_list(
        "pk", "department_id", "url"
    ):
        found.setdefault(department_id, []).append((pk, url))
    return {k: tuple(v) for k, v in found.items()}


forget_on_change("notify:staff", User)
forget_on_change("notify:webhooks", DepartmentWebhook)


# ------------------------------------------------------------------------------------------
# from rules to rows


@dataclass(frozen=True)
class Wanted:
    template: TemplateCode
    channel: NotificationChannel
    recipient: int | None = None
    address: str = ""
    webhook: int | None = None

    @property
    def to_customer(self) -> bool:
        """Staff are users and webhooks are hooks; the customer is a bare address. Their
        message leaves out internal comments and staff links, and carries their own link."""
        return self.recipient is None and self.webhook is None


STAFF_CHANNELS = (NotificationChannel.IN_APP, NotificationChannel.EMAIL)
URGENT_CHANNELS = (NotificationChannel.IN_APP, NotificationChannel.EMAIL, NotificationChannel.SMS)


def _to_people(
    people: Iterable[Person], template: TemplateCode, channels=STAFF_CHANNELS
) -> Iterator[Wanted]:
    for person in people:
        for channel in channels:
            if channel == NotificationChannel.IN_APP:
                yield Wanted(template, channel, person.pk)
            elif channel == NotificationChannel.EMAIL and person.email:
                yield Wanted(template, channel, person.pk, person.email)
            elif channel == NotificationChannel.SMS and person.phone:
                yield Wanted(template, channel, person.pk, person.phone)


def _owners(complaints: Iterable[Complaint]) -> dict[int, User]:
    """The owners of `complaints`: those the caller has loaded, the others in one query."""
    found: dict[int, User] = {}
    missing: set[int] = set()
    for c in complaints:
        if c.owner_id is None:
            continue
        if Complaint.owner.is_cached(c) and c.owner is not None:
            found[c.owner_id] = c.owner
        else:
            missing.add(c.owner_id)
    if missing:
        found.update({u.pk: u for u in User.objects.filter(pk__in=missing)})
    return found


def _owner(complaint, owners: dict[int, User]) -> tuple[Person, ...]:
    owner = owners.get(complaint.owner_id) if complaint.owner_id else None
    if owner is None or not owner.is_active:
        return ()
    return (Person(owner.pk, owner.email, owner.phone),)


# The events that decide whether e-mail to the customer is held (`customer_mail_held`).
_MAIL_HOLD_EVENTS = (EventType.REGISTER, EventType.LINK_SENT)


def customer_mail_held(complaint, events: Sequence[ComplaintEvent] | None = None) -> str:
    """Why no automatic e-mail goes to the customer's address ("" when it goes): the complaint
    was registered from mail that must not be answered (its register event's `no_answer`:
    a list, a bulk or automatic distribution, a robot sender), and nobody has sent the
    customer a link on purpose since. `events`: the complaint's timeline in order, when the
    caller has it; otherwise one indexed query."""
    if complaint.channel != Channel.EMAIL or not complaint.complainant_email:
        return ""
    if events is None:
        last = list(
            complaint.events.filter(type__in=_MAIL_HOLD_EVENTS)
            .order_by("-id")
            .only("type", "data")[:1]
        )
    else:
        last = [e for e in reversed(events) if e.type in _MAIL_HOLD_EVENTS][:1]
    return _held_by(last[0]) if last else ""


def acknowledgement_limited(events: Sequence[ComplaintEvent]) -> dict | None:
    """The limit that kept the acknowledgement from an e-mail's sender ({count, minutes}),
    from the register event among `events`; None when it was not withheld for that."""
    register = next((e for e in events if e.type == EventType.REGISTER), None)
    return (register.data or {}).get("acknowledgement_limited") if register else None


def _held_by(event: ComplaintEvent) -> str:
    if event.type == EventType.REGISTER:
        return str((event.data or {}).get("no_answer", ""))
    return ""  # staff sent a link on purpose: they judged the address


def _mail_held(complaint, event: ComplaintEvent) -> bool:
    if event.type in _MAIL_HOLD_EVENTS:  # the event decides by itself
        return complaint.channel == Channel.EMAIL and bool(_held_by(event))
    return bool(customer_mail_held(complaint))


def _resolve(
    complaint, event: ComplaintEvent, rules: list[Rule], owners: dict[int, User]
) -> Iterator[Wanted]:
    for audience, template in rules:
        if audience == Audience.EXECUTIVES:
            yield from _to_people(staff().executives, template)
        elif audience == Audience.EXECUTIVES_URGENT:
            yield from _to_people(staff().executives, template, URGENT_CHANNELS)
        elif audience == Audience.HEADS:
            yield from _to_people(staff().heads_for(complaint.department_id), template)
        elif audience == Audience.OWNER:
            yield from _to_people(_owner(complaint, owners), template)
        elif audience == Audience.OWNER_OR_HEADS:
            people = _owner(complaint, owners) or staff().heads_for(complaint.department_id)
            yield from _to_people(people, template)
        elif audience in (Audience.CUSTOMER, Audience.CUSTOMER_EMAIL):
            if complaint.anonymous:
                continue
            if complaint.complainant_email and not _mail_held(complaint, event):
                yield Wanted(
                    template, NotificationChannel.EMAIL, address=complaint.complainant_email
                )
            if complaint.complainant_phone and audience == Audience.CUSTOMER:
                yield Wanted(template, NotificationChannel.SMS, address=complaint.complainant_phone)
        elif audience == Audience.WEBHOOK:
            if complaint.accused_id is not None or complaint.department_id is None:
                continue  # the group chat may include the person complained about
            hooks = memo("notify:webhooks", _webhooks_by_department)
            for pk, url in hooks.get(complaint.department_id, ()):
                yield Wanted(template, NotificationChannel.WEBHOOK, address=url, webhook=pk)


def _screen(complaint, event, wanted: Iterable[Wanted]) -> Iterator[Wanted]:
    """Not the actor, never the accused; one message per person or address and channel."""
    barred = {complaint.accused_id, event.actor_id} - {None}
    seen: set[tuple] = set()
    for w in wanted:
        if w.recipient in barred:
            continue
        key = (w.channel, w.recipient, w.address)
        if key in seen:
            continue
        seen.add(key)
        yield w


def _department_name(department_id: int | None) -> str:
    if department_id is None:
        return ""
    found = next((d for d in departments_by_code().values() if d.pk == department_id), None)
    return found.name if found else ""


def _rows(complaint, event, wanted: list[Wanted], owners: dict[int, User]) -> list[Notification]:
    language = company_language()
    owner = owners.get(complaint.owner_id) if complaint.owner_id else None
    context = staff_context(
        complaint,
        event,
        department_name=_department_name(complaint.department_id),
        owner_name=owner.get_full_name() if owner else "",
    )
    for_customer = context
    if any(w.to_customer for w in wanted):
        # The customer's first link is made here when their first message needs it; in a
        # savepoint, so that a failure costs the link, never the action (PostgreSQL would
        # otherwise refuse the rest of the transaction).
        with transaction.atomic():
            link = links.current(complaint, new=event.type == EventType.REGISTER)
        for_customer = customer_context(
            context, event, link=links.url(link) if link else "", summary=Summary(complaint)
        )
    rendered = {}
    now = timezone.now()
    rows = []
    for w in wanted:
        key = (w.template, w.to_customer)
        if key not in rendered:
            rendered[key] = render(w.template, for_customer if w.to_customer else context, language)
        rows.append(_row(w, rendered[key], now, complaint=complaint, event=event))
    return rows


# ------------------------------------------------------------------------------------------
# steps recorded after the fact: one digest per person

DIGEST_LISTED = 20  # the numbers a digest names; the rest are counted


@dataclass
class _Digest:
    numbers: dict[str, None] = field(default_factory=dict)  # in order, once each
    addresses: dict[NotificationChannel, str] = field(default_factory=dict)


def digest_recorded_steps(pairs: Sequence[tuple[Complaint, ComplaintEvent]]) -> int:
    """One message per person for ladder steps recorded after the fact, instead of one per
    step: how many of the complaints they would have heard about were already past their
    time limits, and which. Staff only, by the staff channels (in the app, e-mail); the
    rules decide who (the same people the steps would have told). Returns how many people
    were told. Like `on_events`, it never fails its caller."""
    try:
        rows, people = _digest_rows(pairs)
        ids = _insert(rows) if rows else []
    except Exception:
        logger.exception("digest of recorded deadline steps not written")
        return 0
    if ids:
        transaction.on_commit(partial(queue_delivery, ids))
    return people


def _digest_rows(
    pairs: Sequence[tuple[Complaint, ComplaintEvent]],
) -> tuple[list[Notification], int]:
    owners = _owners(c for c, _e in pairs)
    breaches: dict[str, int] = {}
    digests: dict[int, _Digest] = {}
    for complaint, event in pairs:
        if event.type == EventType.DEADLINE_BREACHED:
            breaches[complaint.number] = breaches.get(complaint.number, 0) + 1
        rules = rules_for(complaint, event)
        for w in _screen(complaint, event, _resolve(complaint, event, rules, owners)):
            if w.recipient is None or w.channel not in STAFF_CHANNELS:
                continue
            digest = digests.setdefault(w.recipient, _Digest())
            digest.numbers[complaint.number] = None
            digest.addresses[w.channel] = w.address
    now, language = timezone.now(), company_language()
    rows = []
    for recipient, digest in digests.items():
        text = render(
            TemplateCode.PAST_STEPS_DIGEST,
            _digest_context(list(digest.numbers), breaches),
            language,
        )
        for channel, address in digest.addresses.items():
            wanted = Wanted(TemplateCode.PAST_STEPS_DIGEST, channel, recipient, address)
            rows.append(_row(wanted, text, now))
    return rows, len(digests)


def _row(
    wanted: Wanted,
    text: Rendered,
    now,
    *,
    complaint: Complaint | None = None,
    event: ComplaintEvent | None = None,
) -> Notification:
    """The outbox row of one wanted message (about an event of a complaint, or about none: a
    digest, a report): in the app it is delivered as it is written; by e-mail, SMS or webhook
    it waits for the delivery task."""
    in_app = wanted.channel == NotificationChannel.IN_APP
    return Notification(
        channel=wanted.channel,
        template=wanted.template,
        complaint=complaint,
        event=event,
        recipient_id=wanted.recipient,
        webhook_id=wanted.webhook,
        address=wanted.address,
        language=text.language,
        subject=text.subject,
        body=text.body,
        state=NotificationState.SENT if in_app else NotificationState.PENDING,
        sent_at=now if in_app else None,
        next_attempt_at=None if in_app else now,
        created_at=now,
    )


def tell_people(
    people: Iterable[Person], template: TemplateCode, context: dict[str, object]
) -> int:
    """A message about no one complaint (a report, a monthly summary) to `people`, in the app
    and by e-mail, in the company's language. Called inside the caller's transaction: the rows
    are written with it and delivered after its commit. The caller makes it happen once (this
    writes what it is asked to); returns how many people were told."""
    people = tuple(people)
    now, text = timezone.now(), render(template, context, company_language())
    rows = [_row(w, text, now) for w in _to_people(people, template)]
    if rows:
        Notification.objects.bulk_create(rows)
        ids = [row.pk for row in rows if row.state == NotificationState.PENDING]
        if ids:
            transaction.on_commit(partial(queue_delivery, ids))
    return len(people)


def tell_executives(template: TemplateCode, context: dict[str, object]) -> int:
    """`tell_people` to every active executive (the general manager and the management
    representative, SPEC §1): the monthly report."""
    return tell_people(staff().executives, template, context)


def active_heads(department_id: int) -> tuple[Person, ...]:
    """The department's own active heads (none: nobody; not those of the departments above)."""
    return staff().heads.get(department_id, ())


def _digest_context(numbers: list[str], breaches: dict[str, int]) -> dict[str, object]:
    return {
        "count": len(numbers),
        "breached": sum(breaches.get(n, 0) for n in numbers),
        "numbers": ", ".join(numbers[:DIGEST_LISTED]),
        "rest": max(0, len(numbers) - DIGEST_LISTED),
        "url": overdue_url(),
    }
