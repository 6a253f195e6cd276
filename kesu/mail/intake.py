"""E-mail becomes complaints and messages (issues #5 and #13, SPEC §2 channel e-mail).

`receive(raw, source=…)` is the one entry: the IMAP poller, the SMTP listener and a mailbox
file call it with the raw bytes; an administrator's decisions about kept mail (`retry`,
`register_anyway`, `dismiss`, each with its `actor`) take the same path in the message's own
row, keeping where and when it came. For one message:

1. Parse (`kesu.mail.parse`). Bytes that cannot be read are kept whole in the quarantine.
2. Seen before? The Message-ID (or, without one, a key of the message's content, the same
   whether it came by SMTP with CRLF or from a mailbox file with LF) with the content key
   beside it is unique in `InboundMail`: one index-only probe, whatever the number of mails
   already taken. Two deliveries racing each other meet at that unique index; the second
   takes nothing. A different message under a Message-ID already taken is quarantined.
3. Not registered, but kept: automatic mail (out-of-office replies, bounces, our own mail
   coming back, Outlook recall notices — a recall of mail that made or joined a complaint
   is noted on it for staff) and mail the receiving server judged spam or forged
   (`settings.KESU_MAIL_VERDICTS`, held for staff review) make no complaint and get no answer;
   their raw bytes and the reason stay in `InboundMail`, where an administrator can download
   them, process them again, register them anyway, or dismiss them as not a customer's:
   who decided, when, and what the record said before stay on it (and, when the decision
   registers the mail, in the event's data; its registration time is the mail's arrival).
4. A reply to a complaint becomes the customer's message on that complaint, the quoted
   earlier mail stripped. It is found by our Message-IDs in In-Reply-To/References, by the
   customer's own earlier mail in the thread, by a complaint number in the subject, by a
   later mail that referred to this one and arrived first (only onto the complaint of this
   mail's own sender: someone else's "+1" to it does not swallow it), or — for replies with
   no In-Reply-To or References at all, like QQ Mail's "回复：" chains — by the same subject
   topic from the complaint's own customer within `Policy.mail_thread_window_days`, onto a
   complaint still open. It is trusted as the customer's (shown on their page) when our
   signed id is referenced or the sender is the complaint's address; otherwise it is kept
   for staff only. An address given back from a list's headers (Reply-To, X-Original-From)
   or a From naming several people is never trusted and never threaded by subject: the
   event keeps the real From and the list. When quote stripping cut anything, the event
   keeps the whole text too.
5. Anything else registers a new complaint, channel e-mail, with its files; the customer
   gets an acknowledgement with their private link (notifications), threaded to their mail —
   unless the mail came through a list or bulk distribution, or was written by a program or
   sent from a robot address (RFC 3834): it is registered, marked `no_answer` in the
   register event, and no automatic e-mail goes to its address until staff send the
   customer a link on purpose, so that a private link never goes to a list. One address
   gets at most the public form's number of acknowledgements per window (forged-sender
   spam); the rest are registered unanswered (`acknowledgement_limited`).

Files Kesu does not accept are named with their reason on the complaint (register or
add_info event data); the raw message is then kept too. Each message is one transaction: its
record, the complaint or message, and the files. A failure inside it rolls back and
quarantines the raw bytes with the error — a database refusal too (a value no column takes:
it would refuse the same message at every delivery). Only a database that is busy or down
(OperationalError, InterfaceError) lets the error through, so that the mail server or the
mailbox delivers the message again later.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints import actions, intake, limits
from kesu.complaints.attachments import HEAD_BYTES, judge_file
from kesu.complaints.choices import FINAL_STATES, Channel, ContactMethod, Visibility
from kesu.complaints.customer import CustomerActor
from kesu.complaints.errors import ComplaintError
from kesu.complaints.models import Complaint
from kesu.complaints.numbering import numbers_in_text
from kesu.complaints.queries import surviving
from kesu.core.language import in_company_language
from kesu.mail import parse, threads
from kesu.mail.choices import (
    NOT_REGISTERED,
    OVERRIDABLE,
    MailOutcome,
    MailReview,
    MailSource,
    NotTaken,
)
from kesu.mail.models import InboundMail, MailReference
from kesu.policies.queries import current_policy
from kesu.portal import throttle
from kesu.portal.choices import ThrottleScope

logger = logging.getLogger(__name__)

_NATURE_OUTCOME = {
    parse.Nature.AUTO_REPLY: MailOutcome.AUTO_REPLY,
    parse.Nature.BOUNCE: MailOutcome.BOUNCE,
    parse.Nature.LOOP: MailOutcome.LOOP,
    parse.Nature.RECALL: MailOutcome.RECALL,
}
_REFERENCES_KEPT = 20  # of one message, for mail that arrives after its answer
_SEEN_KEPT = 20  # different messages under one Message-ID compared with a new one
# A reply's whole text beside its stripped message, when quote stripping cut something (a
# longer one keeps its raw message too).
WHOLE_TEXT_KEPT = limits.DESCRIPTION
_EMPTY_BRACKETS_RE = re.compile(r"[\[【(（<《]\s*[\]】)）>》]")


@dataclass(frozen=True)
class Received:
    outcome: MailOutcome | NotTaken
    number: str = ""  # the complaint it made or joined


def receive(raw: bytes, *, source: MailSource) -> Received:
    """Take one message; never raises for a bad message (it is quarantined instead)."""
    try:
        mail = _parse(raw)
    except parse.MailParseError as error:
        return _quarantine(raw, source, parse.raw_key(raw), str(error))
    key, content = _key(mail.message_id), _content(mail)
    seen = _seen(key)
    if seen:
        if content in seen or "" in seen:  # "": taken before content keys were kept
            return Received(NotTaken.DUPLICATE)
        reused = "the same Message-ID as an earlier message, with different content"
        return _quarantine(raw, source, key, reused, mail)
    record = InboundMail(
        message_id=key,
        content_key=content,
        received_at=timezone.now(),
        source=source,
        sender=mail.sender_email[:254],
        subject=mail.subject[:300],
    )
    try:
        with transaction.atomic():
            return _take(record, mail, raw)
    except IntegrityError:
        if InboundMail.objects.filter(message_id=key, content_key=content).exists():
            return Received(NotTaken.DUPLICATE)  # a twin delivery won the race
        logger.exception("mail %s could not be stored", key)
        return _quarantine(raw, source, key, "could not be stored")
    except (OperationalError, InterfaceError):
        raise  # the database is busy or down: the mail server delivers again later
    except Exception as error:  # whatever else went wrong, even in the database, is kept
        logger.exception("mail %s could not be taken in", key)
        return _quarantine(raw, source, key, f"{type(error).__name__}: {error}", mail)


def retry(record: InboundMail, *, actor: User) -> Received:
    """`actor` processes a message Kesu did not register again (after a fix, or a change of
    configuration); it leaves the list of kept mail when it is taken in this time."""
    return _review(record, actor=actor, review=MailReview.PROCESSED_AGAIN)


def register_anyway(record: InboundMail, *, actor: User) -> Received:
    """`actor` overrides Kesu: a message judged automatic or held for review is taken in as a
    person's mail (a reply to its complaint, or a new complaint)."""
    return _review(record, actor=actor, review=MailReview.REGISTERED_ANYWAY)


def dismiss(record: InboundMail, *, actor: User) -> bool:
    """`actor` judges a message Kesu did not register not to be a customer's: it stays, raw
    bytes and all, but no longer waits for anyone (the held count leaves it out)."""
    with transaction.atomic():
        locked = _reviewable(record, MailReview.DISMISSED)
        if locked is None:
            return False
        _mark(locked, MailReview.DISMISSED, actor)
        locked.save(update_fields=[*_REVIEW_FIELDS])
    return True


_REVIEWABLE = {
    MailReview.PROCESSED_AGAIN: NOT_REGISTERED,
    MailReview.REGISTERED_ANYWAY: OVERRIDABLE,
    MailReview.DISMISSED: NOT_REGISTERED,
}
_REVIEW_FIELDS = ("review", "reviewed_by", "reviewed_at", "before_review")


def _reviewable(record: InboundMail, review: MailReview) -> InboundMail | None:
    """`record` locked, when it still waits for this decision: not registered, its raw
    message kept, its outcome one the decision applies to."""
    found = InboundMail.objects.select_for_update().filter(
        pk=record.pk, complaint__isnull=True, raw__isnull=False, outcome__in=_REVIEWABLE[review]
    )
    if review == MailReview.DISMISSED:
        found = found.exclude(review=MailReview.DISMISSED)
    return found.first()


def _mark(record: InboundMail, review: MailReview, actor: User) -> None:
    record.before_review = f"{record.outcome}: {record.reason}"[:4000]
    record.review, record.reviewed_by, record.reviewed_at = review, actor, timezone.now()


def _review(record: InboundMail, *, actor: User, review: MailReview) -> Received:
    """Process a kept message again in its own row: its arrival and source stay, the
    decision and what the record said before it are recorded on it, and on the complaint
    event it makes (whose registration time is the mail's arrival)."""
    with transaction.atomic():
        locked = _reviewable(record, review)
        if locked is None:
            return Received(NotTaken.ALREADY_DECIDED)
        assert locked.raw is not None  # the query asked for a kept message
        raw = bytes(locked.raw)
        previous = (locked.outcome, locked.reason)
        _mark(locked, review, actor)
        assert locked.reviewed_at is not None  # set by _mark
        try:
            mail = _parse(raw)
        except parse.MailParseError as error:
            locked.outcome, locked.reason = MailOutcome.QUARANTINED, str(error)[:4000]
            locked.save()
            return Received(locked.outcome)
        key, content = _key(mail.message_id), _content(mail)
        if key != locked.message_id:
            if InboundMail.objects.filter(message_id=key).exists():
                locked.save(update_fields=[*_REVIEW_FIELDS])
                return Received(NotTaken.DUPLICATE)  # taken meanwhile under its own id
            locked.message_id = key
        locked.content_key = content
        locked.sender, locked.subject = mail.sender_email[:254], mail.subject[:300]
        decision = {
            "review": review.value,
            "by": actor.get_username(),
            "at": locked.reviewed_at.isoformat(),
            "before": {"outcome": previous[0], "reason": previous[1][:500]},
            "received_at": locked.received_at.isoformat(),
            "source": locked.source,
        }
        try:
            with transaction.atomic():
                return _take(
                    locked,
                    mail,
                    raw,
                    override=review == MailReview.REGISTERED_ANYWAY,
                    decision=decision,
                )
        except (OperationalError, InterfaceError):
            raise
        except Exception as error:  # kept as it was, with the decision and the error
            logger.exception("mail %s could not be taken in again", locked.pk)
            locked.reason = parse.storable(f"{type(error).__name__}: {error}")[:4000]
            locked.save(update_fields=["reason", *_REVIEW_FIELDS])
            return Received(MailOutcome(previous[0]))


def _parse(raw: bytes) -> parse.ParsedMail:
    return parse.parse(
        raw,
        own_addresses=settings.KESU_MAIL_OWN_ADDRESSES,
        verdicts=settings.KESU_MAIL_VERDICTS,
        inflate_limit=settings.KESU_MAIL_MAX_BYTES,
        subject_tags=settings.KESU_MAIL_SUBJECT_TAGS,
    )


def _take(
    record: InboundMail,
    mail: parse.ParsedMail,
    raw: bytes,
    *,
    override: bool = False,
    decision: dict | None = None,
) -> Received:
    """Inside the message's transaction: keep it aside (automatic, held), or make it a reply
    or a complaint; `record` is saved either way. `override`: a person judged it a person's
    mail; `decision`: the review that brought it here, for the event's data."""
    kept = None if override else _not_registered(mail)
    if kept is not None:
        record.outcome, record.reason = kept
        record.raw = raw
        record.save()
        if record.outcome == MailOutcome.RECALL:
            _note_recall(record, mail)
            if record.complaint is not None:
                record.save(update_fields=["complaint"])
                return Received(record.outcome, record.complaint.number)
        return Received(record.outcome)
    record.outcome, record.reason = MailOutcome.COMPLAINT, ""
    record.save()
    topic_key, answered = _thread_key(mail)
    # The subject is the thread only of a reply that names none (QQ Mail's "回复："
    # chains): one that names another conversation is not this one.
    by_subject = answered and not (mail.in_reply_to or mail.references)
    thread = _thread_target(mail, record.message_id, topic_key if by_subject else "")
    if thread.complaint is not None:
        left_out = _reply(record, mail, thread.complaint, thread.trusted, decision)
    else:
        left_out = _new_complaint(record, mail, decision)
    if left_out:  # the message is kept whole, so that what was left out is not lost
        record.raw, record.reason = raw, "\n".join(left_out)[:4000]
    record.thread_key = topic_key
    record.save(update_fields=["outcome", "complaint", "raw", "reason", "thread_key"])
    _remember_references(record, thread.unknown)
    assert record.complaint is not None  # set by _reply and _new_complaint
    return Received(record.outcome, record.complaint.number)


# ------------------------------------------------------------------------------------------


def _key(message_id: str) -> str:
    message_id = message_id.strip().strip("<>")
    if len(message_id) <= 255:
        return message_id
    return "sha256-" + hashlib.sha256(message_id.encode()).hexdigest()


def _content(mail: parse.ParsedMail) -> str:
    """The content key as `InboundMail` keeps it: 128 bits of hex."""
    return mail.content_key.removeprefix("sha256-")[:32]


def _quarantine(raw, source, key, error, mail=None) -> Received:
    try:
        with transaction.atomic():
            InboundMail.objects.create(
                message_id=_key(key),
                content_key=_content(mail) if mail else "",
                received_at=timezone.now(),
                source=source,
                sender=(mail.sender_email if mail else "")[:254],
                subject=(mail.subject if mail else "")[:300],
                outcome=MailOutcome.QUARANTINED,
                reason=parse.storable(error)[:4000],
                raw=raw,
            )
    except IntegrityError:
        return Received(NotTaken.DUPLICATE)
    return Received(MailOutcome.QUARANTINED)


def _not_registered(mail: parse.ParsedMail) -> tuple[MailOutcome, str] | None:
    """Automatic mail and mail the receiving server judged (spam, forged sender): its outcome
    and the evidence; None for a person's mail."""
    if mail.nature != parse.Nature.PERSONAL:
        return _NATURE_OUTCOME[mail.nature], mail.nature_evidence[:4000]
    if mail.verdict:
        return MailOutcome.HELD, mail.verdict[:4000]
    return None


@dataclass
class _Thread:
    complaint: Complaint | None = None
    trusted: bool = False
    unknown: tuple[str, ...] = ()  # referenced ids of mail not (yet) taken in


def _thread_target(mail: parse.ParsedMail, key: str, reply_topic: str) -> _Thread:
    """The complaint this mail answers, and whether it is trusted as the customer's: our
    signed id in the thread, or the complaint's own address as the sender. Never trusted:
    a staff member's address, a sender address a list's headers gave back or a From with
    several addresses (`ParsedMail.sender_trusted`), and a complaint reached through a merge
    unless the sender is that complaint's customer (merged complaints may have different
    customers).
    `reply_topic` is the thread key of a reply's or forward's subject ("" for others)."""
    ids = [*mail.in_reply_to, *mail.references][:50]
    signed = threads.numbers_in(ids)
    thread = _Thread()
    found = None
    for number in signed:
        if (found := _open_end(number)) is not None:
            break
    by_signature = found is not None
    theirs = [
        i for i in dict.fromkeys(_key(i) for i in ids if not i.startswith("kesu.")) if i != key
    ]
    if found is None and theirs:  # the customer's own thread (a follow-up, a reply-all)
        known = dict(
            InboundMail.objects.filter(message_id__in=theirs).values_list(
                "message_id", "complaint__number"
            )
        )
        thread.unknown = tuple(i for i in theirs if i not in known)
        earlier = next((known[i] for i in theirs if known.get(i)), None)
        found = _open_end(earlier) if earlier is not None else None
    if found is None:
        for number in numbers_in_text(current_policy().number_pattern, mail.subject):
            if (found := _open_end(number)) is not None:
                break
    if found is None and not key.startswith("sha256-"):  # no one can refer to a made-up id
        later = _referred_by(key)  # an earlier mail of a thread, arriving after its answer
        found = _open_end(later) if later is not None else None
        if found is not None and not _from_customer(mail, found[0]):
            found = None  # someone else's "+1" to this mail: the mail is its sender's own
    if found is None and reply_topic:
        found = _by_subject(mail, reply_topic)
    if found is None:
        return thread
    complaint, merged = found
    thread.complaint = complaint
    if _from_customer(mail, complaint):
        thread.trusted = True
    else:
        thread.trusted = (
            by_signature
            and mail.sender_trusted
            and not merged
            and not _from_staff(mail.sender_email)
        )
    return thread


@functools.cache
def _seen_sql(vendor: str) -> str:
    query = (
        InboundMail.objects.filter(message_id="")
        .order_by()
        .values_list("content_key")[:_SEEN_KEPT]
        .query
    )
    return query.sql_with_params()[0]


def _seen(key: str) -> list[str]:
    """The content keys of the mail taken under Message-ID `key`: one probe of the unique
    (Message-ID, content key) index, which holds both (an index-only read). Asked of every
    message, so the statement is compiled once."""
    with connection.cursor() as cursor:
        cursor.execute(_seen_sql(connection.vendor), [key])
        return [row[0] for row in cursor.fetchall()]


@functools.cache
def _referred_by_sql(vendor: str) -> str:
    query = (
        MailReference.objects.filter(message_id="", mail__complaint__isnull=False)
        .values_list("mail__complaint__number")[:1]
        .query
    )
    return query.sql_with_params()[0]


def _referred_by(key: str) -> str | None:
    """The complaint a mail already taken in reached, when it referred to `key`. Asked of
    nearly every new mail, so the statement is compiled once (as kesu.core.rows does)."""
    with connection.cursor() as cursor:
        cursor.execute(_referred_by_sql(connection.vendor), [key])
        row = cursor.fetchone()
    return row[0] if row else None


def _thread_key(mail: parse.ParsedMail) -> tuple[str, bool]:
    """The sender and the subject's topic, hashed ("" without either), and whether the
    subject was a reply's or a forward's."""
    return _topic_key(mail, mail.topic), mail.answered


def _topic_key(mail: parse.ParsedMail, topic: str) -> str:
    """The thread key of `topic` written by the mail's sender ("" without either)."""
    for number in numbers_in_text(current_policy().number_pattern, topic):
        topic = topic.replace(number, " ")
    topic = " ".join(_EMPTY_BRACKETS_RE.sub(" ", topic).split()).strip(" -:：,，").casefold()
    if not (mail.sender_email and mail.sender_trusted and topic):
        return ""  # no one to thread by: an address a list gave back proves nothing
    digest = hashlib.sha256(f"{mail.sender_email}\n{topic}".encode()).hexdigest()
    return digest[:24]  # 96 bits: no two topics of one window meet


def _note_recall(record: InboundMail, mail: parse.ParsedMail) -> None:
    """An Outlook recall notice from a complaint's own customer, about the mail that made or
    joined it (the same thread, or the same subject within the policy's window): noted on
    that complaint for staff, as the customer's, so that whoever handles it asks them what
    they meant. The notice itself stays kept, raw, with its reason."""
    ids = [_key(i) for i in [*mail.in_reply_to, *mail.references][:50]]
    number = (
        InboundMail.objects.filter(message_id__in=ids)
        .exclude(complaint=None)
        .values_list("complaint__number", flat=True)
        .first()
    )
    days = current_policy().mail_thread_window_days
    if number is None and days and (key := _topic_key(mail, mail.recalled)):
        number = subject_thread(key, timezone.now() - timedelta(days=days)).first()
    found = _open_end(number) if number is not None else None
    if found is None or not _from_customer(mail, found[0]):
        return
    complaint = found[0]
    note = in_company_language(
        _(
            "The customer asked to recall their e-mail “%(subject)s” (an Outlook recall "
            "notice). The e-mail stays on the record: ask the customer what they meant."
        )
    ) % {"subject": mail.recalled or mail.subject}
    actions.add_info(
        complaint.number,
        actor=CustomerActor(complaint.pk, via=ContactMethod.EMAIL),
        message=note,
        visibility=Visibility.INTERNAL,
        data={"mail": record.pk, **_sender_data(mail), "recall": mail.subject[:200]},
    )
    record.complaint = complaint


def subject_thread(key: str, since: datetime) -> QuerySet:
    """The numbers of the complaints that mail with thread key `key` reached since `since`,
    newest first: asked of every reply without thread headers, inside the write lock, so it
    reads the `inboundmail_thread` partial index (whose condition it repeats, so that SQLite
    knows the index covers it)."""
    return (
        InboundMail.objects.filter(thread_key=key, received_at__gte=since)
        .exclude(thread_key="")  # the index's condition: SQLite proves nothing by itself
        .exclude(complaint=None)
        .order_by("-received_at")
        .values_list("complaint__number", flat=True)
    )


def _by_subject(mail: parse.ParsedMail, key: str) -> tuple[Complaint, bool] | None:
    """A reply without thread headers ("回复：阀门渗漏"): the open complaint of the same
    customer whose conversation has the same topic (`key`) and was last written within the
    window. Never a closed complaint, never another customer's."""
    days = current_policy().mail_thread_window_days
    if not days:
        return None
    number = subject_thread(key, timezone.now() - timedelta(days=days)).first()
    found = _open_end(number) if number is not None else None
    if found is None:
        return None
    complaint, _merged = found
    if complaint.state in FINAL_STATES or not _from_customer(mail, complaint):
        return None
    return found


def _remember_references(record: InboundMail, unknown: tuple[str, ...]) -> None:
    """The ids this mail referred to that are not here yet (except ours): an earlier mail of
    the thread that arrives later finds the complaint through them."""
    if unknown:
        MailReference.objects.bulk_create(
            [MailReference(mail=record, message_id=i) for i in unknown[:_REFERENCES_KEPT]]
        )


def _from_customer(mail: parse.ParsedMail, complaint: Complaint) -> bool:
    """The mail's From is the complaint's address, and nothing but that address."""
    sender = mail.sender_email
    return (
        bool(sender)
        and mail.sender_trusted
        and sender == complaint.complainant_email.strip().lower()
    )


def _sender_data(mail: parse.ParsedMail) -> dict:
    """Who wrote, for the event's data: the address taken as the sender's and, when that is
    not simply the From header's, what From said and the list it came through."""
    data: dict = {"from": mail.sender_email}
    if not mail.sender_trusted:
        data["header_from"] = list(mail.from_addresses)
    if mail.list_address:
        data["list"] = mail.list_address
    return data


def _from_staff(address: str) -> bool:
    return bool(address) and (
        User.objects.filter(email__iexact=address).exclude(role=Role.CUSTOMER).exists()
    )


def _open_end(number: str) -> tuple[Complaint, bool] | None:
    """The complaint `number`, or the one it was merged into; and whether a merge led
    there."""
    complaint = Complaint.objects.filter(number=number).first()
    if complaint is None:
        return None
    survivor = surviving(complaint)
    return survivor, survivor.pk != complaint.pk


def _reply(
    record: InboundMail,
    mail: parse.ParsedMail,
    complaint: Complaint,
    trusted: bool,
    decision: dict | None = None,
) -> list[str]:
    """The mail as the customer's message on `complaint`, quote stripped; what of it was not
    taken in (refused files, a whole text too long to keep beside the message)."""
    visibility = Visibility.CUSTOMER if trusted else Visibility.INTERNAL
    customer = CustomerActor(complaint.pk, via=ContactMethod.EMAIL)
    accepted, refused = _split_files(mail)
    if complaint.state in FINAL_STATES and accepted:  # an archived record takes no files
        archived = in_company_language(_("The complaint is archived; it takes no new files."))
        refused += [{"name": f.name, "reason": archived} for f in accepted]
        accepted = []
    data = {"mail": record.pk, **_sender_data(mail), "subject": mail.subject[:200]}
    if refused:
        data["refused_files"] = refused
    if decision:
        data["review"] = decision
    text = mail.reply_text.strip() or mail.text.strip()
    left_out = _refusals(refused)
    whole = mail.text.strip()
    if whole != text:  # quote stripping cut something: staff can still read all of it
        data["whole_text"] = whole[:WHOLE_TEXT_KEPT]
        if len(whole) > WHOLE_TEXT_KEPT:
            left_out.append(
                in_company_language(
                    _(
                        "The whole e-mail is %(length)d characters long; the complaint keeps "
                        "its first %(kept)d."
                    )
                )
                % {"length": len(whole), "kept": WHOLE_TEXT_KEPT}
            )
    actions.add_info(
        complaint.number,
        actor=customer,
        message=text or _no_text(mail),
        visibility=visibility,
        data=data,
    )
    for upload in accepted:
        actions.add_attachment(complaint.number, upload, actor=customer, visibility=visibility)
    record.outcome, record.complaint = MailOutcome.REPLY, complaint
    return left_out


def _new_complaint(
    record: InboundMail, mail: parse.ParsedMail, decision: dict | None = None
) -> list[str]:
    """The mail as a new complaint, registered as received (a reviewed one at its arrival);
    what of it was not taken in (refused files)."""
    title = mail.topic
    text = mail.text.strip()
    if not title:
        title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = title or in_company_language(_("E-mail from %(sender)s")) % {
        "sender": mail.sender_email or mail.sender_name
    }
    if len(title) > limits.TITLE:  # shortened with "…"; the whole subject opens the text
        if mail.topic:
            subject = in_company_language(_("Subject: %(subject)s")) % {"subject": mail.subject}
            text = f"{subject}\n\n{text}" if text else subject
        title = shortened(title, limits.TITLE)
    accepted, refused = _split_files(mail)
    description, whole_text = _description(text, mail, title)
    if whole_text is not None:
        accepted.append(whole_text)
    extra: dict = {"mail": record.pk, "via": ContactMethod.EMAIL}
    if refused:
        extra["refused_files"] = refused
    email = mail.sender_email if _valid_address(mail.sender_email) else ""
    if mail.bulk or mail.list_address:  # RFC 3834: registered, but never answered by itself
        extra["no_answer"] = mail.bulk or f"From: {mail.list_address}"
    elif email and (limit := _acknowledgements_used_up(record)) is not None:
        extra["acknowledgement_limited"] = {
            "count": limit.count,
            "minutes": int(limit.window.total_seconds() // 60),
        }
    if not mail.sender_trusted:
        extra |= _sender_data(mail)
    if decision:
        extra["review"] = decision
    new = actions.NewComplaint(
        channel=Channel.EMAIL,
        title=title,
        description=description,
        category=intake.category_for((title, text)),
        complainant_name=shortened(mail.sender_name, limits.COMPLAINANT_NAME),
        complainant_email=email,
        anonymous=not (mail.sender_email or mail.sender_name),
        extra_event_data=extra,
    )
    complaint = intake.register_from_customer(
        new,
        via=ContactMethod.EMAIL,
        files=accepted,
        registered_at=record.received_at if decision else None,
    )
    record.outcome, record.complaint = MailOutcome.COMPLAINT, complaint
    return _refusals(refused)


def _acknowledgements_used_up(record: InboundMail) -> throttle.Limit | None:
    """The public form's limit per contact (`throttle.limits`), when the sender of `record`
    has had that many complaints registered from their mail within its window, and so at
    most that many acknowledgements (forged-sender spam names one victim in many mails: each
    is registered, only the answers stop); otherwise None.

    Counted from intake's own rows (`inboundmail_sender`, a partial index: one short range
    read), not in the public form's table: that never uses up a person's form, and costs
    no write — `throttle.check_and_count` costs three statements and, in its prune, a scan
    of that table per message, a quarter of intake's rate in a burst of mail."""
    limit = throttle.limits()[ThrottleScope.CONTACT]
    since = timezone.now() - limit.window
    sql, slots = _registered_from_sql(connection.vendor, limit.count)
    values = {
        "sender": record.sender,
        "since": connection.ops.adapt_datetimefield_value(since),
        "pk": record.pk,
    }
    with connection.cursor() as cursor:  # compiled once: asked of every new complaint
        cursor.execute(sql, [values.get(slot, slot) for slot in slots])
        earlier = len(cursor.fetchall())
    return limit if earlier >= limit.count else None


def registered_from(sender: str, since: datetime) -> QuerySet:
    """The mail from `sender` that registered complaints since `since` (the
    `inboundmail_sender` index, whose condition it repeats)."""
    return InboundMail.objects.filter(
        sender=sender, outcome=MailOutcome.COMPLAINT, received_at__gt=since
    ).order_by()


_SLOT_SENDER, _SLOT_PK = "\x00sender", -7


@functools.cache
def _registered_from_sql(vendor: str, count: int) -> tuple[str, tuple]:
    """`registered_from`, other than `pk`, at most `count` rows: its SQL, and which value
    goes in each parameter's place ("sender", "since", "pk", or the constant itself)."""
    since = timezone.now()
    query = (
        registered_from(_SLOT_SENDER, since).exclude(pk=_SLOT_PK).values_list("pk")[:count]
    ).query
    sql, params = query.sql_with_params()
    return sql, tuple(_slot(param) for param in params)


def _slot(param) -> object:
    if param == _SLOT_SENDER:
        return "sender"
    if param == _SLOT_PK:
        return "pk"
    if param == MailOutcome.COMPLAINT:
        return param  # a constant: the index's condition
    return "since"


_WORD_ENDS = " \t,.;:!?)]}，。、；：！？）】》"


def shortened(text: str, limit: int) -> str:
    """`text` within `limit` characters: when longer, cut where a word ends (a space or a
    punctuation mark in its second half; Chinese text ends a word at every character) and
    closed with "…", so that a reader sees it was cut."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    end = max(head.rfind(mark) for mark in _WORD_ENDS)
    if end >= limit // 2:
        head = head[:end]
    return head.rstrip(" \t,，、;；:：-—") + "…"


def _description(
    text: str, mail: parse.ParsedMail, title: str
) -> tuple[str, SimpleUploadedFile | None]:
    """The complaint's description, and the mail's whole text as a file when it is longer than
    a description may be: the description then holds its beginning and says where the rest is,
    so nothing is cut without a word and nothing is lost."""
    if not text:
        return (_no_text(mail) if mail.encrypted else title), None
    if len(text) <= limits.DESCRIPTION:
        return text, None
    name = in_company_language(_("full-text-of-the-email.txt"))
    note = in_company_language(
        _("(The e-mail is %(length)d characters long; its whole text is in the file %(name)s.)")
    ) % {"length": len(text), "name": name}
    head = text[: limits.DESCRIPTION - len(note) - 2].rstrip()
    data = text.encode("utf-8")
    return f"{head}\n\n{note}", SimpleUploadedFile(name, data, content_type="text/plain")


def _no_text(mail: parse.ParsedMail) -> str:
    if mail.encrypted:
        return in_company_language(
            _("(The e-mail is encrypted and could not be read; its original is kept.)")
        )
    return in_company_language(_("(The e-mail had no text.)"))


def _split_files(mail: parse.ParsedMail) -> tuple[list[SimpleUploadedFile], list[dict]]:
    """The files Kesu keeps (named by what they are: a PNG sent as .jpg is a .png), and the
    names and reasons of those it does not (an .exe, a file above the size limit, an
    encrypted part): a refused file never refuses the mail."""
    accepted, refused = [], []
    for f in mail.files:
        if f.encrypted:
            reason = in_company_language(
                _(
                    "The message is encrypted (S/MIME) and cannot be read here; an "
                    "administrator keeps the original."
                )
            )
            refused.append({"name": f.name[:200], "reason": reason})
            continue
        try:
            judged = judge_file(f.name, len(f.data), f.data[:HEAD_BYTES])
        except ComplaintError as error:
            refused.append({"name": f.name[:200], "reason": str(error.message)})
            continue
        accepted.append(SimpleUploadedFile(judged.name, f.data, content_type=judged.content_type))
    return accepted, refused


def _refusals(refused: list[dict]) -> list[str]:
    return [
        in_company_language(_("Not accepted: %(name)s — %(reason)s")) % refusal
        for refusal in refused
    ]


def _valid_address(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True
