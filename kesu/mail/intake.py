"""E-mail becomes complaints and messages (issue #5, SPEC §2 channel e-mail).

`receive(raw, source=…)` is the one entry: the IMAP poller, the SMTP listener, a mailbox
file and an administrator's "process again" all call it with the raw bytes. For one message:

1. Parse (`kesu.mail.parse`). Bytes that cannot be read are kept whole in the quarantine
   (admin), never dropped.
2. Seen before? The Message-ID (or, without one, a hash of the bytes) is unique in
   `InboundMail`: one index probe, whatever the number of mails already taken. Two
   deliveries racing each other meet at that unique index; the second takes nothing.
3. Automatic mail (out-of-office replies, bounces, our own mail coming back) is recorded and
   goes no further: it never makes a complaint, and nothing answers it.
4. A reply to a complaint becomes the customer's message on that complaint, the quoted
   earlier mail stripped. It is found by our Message-IDs in In-Reply-To/References, by the
   customer's own earlier mail in the thread, or by a complaint number in the subject. It is
   trusted as the customer's (shown on their page) when our signed id is referenced or the
   sender is the complaint's address; otherwise it is kept for staff only.
5. Anything else registers a new complaint, channel e-mail, with its files; the customer
   gets an acknowledgement with their private link (notifications), threaded to their mail.

Each message is one transaction: its record, the complaint or message, and the files. A
failure inside it rolls back and quarantines the raw bytes with the error.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints import actions, intake
from kesu.complaints.attachments import add_attachment, check_file
from kesu.complaints.choices import FINAL_STATES, Channel, ContactMethod, Visibility
from kesu.complaints.customer import CustomerActor
from kesu.complaints.errors import ComplaintError
from kesu.complaints.models import Complaint
from kesu.complaints.numbering import numbers_in_text
from kesu.complaints.queries import surviving
from kesu.core.language import in_company_language
from kesu.mail import parse, threads
from kesu.mail.choices import MailOutcome, MailSource
from kesu.mail.models import InboundMail
from kesu.policies.queries import current_policy

logger = logging.getLogger(__name__)

DUPLICATE = "duplicate"
_NATURE_OUTCOME = {
    parse.Nature.AUTO_REPLY: MailOutcome.AUTO_REPLY,
    parse.Nature.BOUNCE: MailOutcome.BOUNCE,
    parse.Nature.LOOP: MailOutcome.LOOP,
}
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|答复|回复|转发)\s*[:：]\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class Received:
    outcome: str  # a MailOutcome, or DUPLICATE
    number: str = ""  # the complaint it made or joined


def receive(raw: bytes, *, source: MailSource) -> Received:
    """Take one message; never raises for a bad message (it is quarantined instead)."""
    try:
        mail = parse.parse(raw, own_addresses=settings.KESU_MAIL_OWN_ADDRESSES)
    except parse.MailParseError as error:
        return _quarantine(raw, source, _raw_id(raw), str(error))
    key = _key(mail.message_id)
    if InboundMail.objects.filter(message_id=key).exists():
        return Received(DUPLICATE)
    try:
        with transaction.atomic():
            record = InboundMail.objects.create(
                message_id=key,
                received_at=timezone.now(),
                source=source,
                sender=mail.sender_email[:254],
                subject=mail.subject[:300],
                outcome=_NATURE_OUTCOME.get(mail.nature, MailOutcome.COMPLAINT),
            )
            if mail.nature != parse.Nature.PERSONAL:
                return Received(record.outcome)
            target, trusted = _thread_target(mail)
            if target is not None:
                _reply(record, mail, target, trusted)
            else:
                _new_complaint(record, mail)
            record.save(update_fields=["outcome", "complaint"])
            return Received(record.outcome, record.complaint.number)
    except IntegrityError:
        if InboundMail.objects.filter(message_id=key).exists():
            return Received(DUPLICATE)  # a twin delivery won the race
        logger.exception("mail %s could not be stored", key)
        return _quarantine(raw, source, key, "could not be stored")
    except DatabaseError:
        raise  # the database is busy or down: the mail server delivers again later
    except Exception as error:  # whatever else went wrong, the message is kept
        logger.exception("mail %s could not be taken in", key)
        return _quarantine(raw, source, key, f"{type(error).__name__}: {error}", mail)


def retry(record: InboundMail) -> Received:
    """Process a quarantined message again (after a fix); it leaves the quarantine when it
    is read this time."""
    raw = bytes(record.raw or b"")
    with transaction.atomic():
        InboundMail.objects.filter(pk=record.pk, outcome=MailOutcome.QUARANTINED).delete()
        result = receive(raw, source=MailSource.RETRY)
    return result


# ------------------------------------------------------------------------------------------


def _key(message_id: str) -> str:
    message_id = message_id.strip().strip("<>")
    if len(message_id) <= 255:
        return message_id
    return "sha256-" + hashlib.sha256(message_id.encode()).hexdigest()


def _raw_id(raw: bytes) -> str:
    return f"sha256-{hashlib.sha256(raw).hexdigest()}@kesu.invalid"


def _quarantine(raw, source, key, error, mail=None) -> Received:
    try:
        with transaction.atomic():
            InboundMail.objects.create(
                message_id=_key(key),
                received_at=timezone.now(),
                source=source,
                sender=(mail.sender_email if mail else "")[:254],
                subject=(mail.subject if mail else "")[:300],
                outcome=MailOutcome.QUARANTINED,
                error=error[:4000],
                raw=raw,
            )
    except IntegrityError:
        return Received(DUPLICATE)
    return Received(MailOutcome.QUARANTINED)


def _thread_target(mail: parse.ParsedMail) -> tuple[Complaint | None, bool]:
    """The complaint this mail answers, and whether it is trusted as the customer's: our
    signed id in the thread, or the complaint's own address as the sender. Never trusted:
    a staff member's address, and a complaint reached through a merge unless the sender is
    that complaint's customer (merged complaints may have different customers)."""
    ids = [*mail.in_reply_to, *mail.references][:50]
    signed = threads.numbers_in(ids)
    found = None
    for number in signed:
        if (found := _open_end(number)) is not None:
            break
    by_signature = found is not None
    if found is None and ids:  # the customer's own thread (a follow-up, a reply-all)
        earlier = (
            InboundMail.objects.filter(
                message_id__in=[_key(i) for i in ids], complaint__isnull=False
            )
            .values_list("complaint__number", flat=True)
            .first()
        )
        found = _open_end(earlier) if earlier is not None else None
    if found is None:
        for number in numbers_in_text(current_policy().number_pattern, mail.subject):
            if (found := _open_end(number)) is not None:
                break
    if found is None:
        return None, False
    complaint, merged = found
    if _from_customer(mail, complaint):
        return complaint, True
    trusted = by_signature and not merged and not _from_staff(mail.sender_email)
    return complaint, trusted


def _from_customer(mail: parse.ParsedMail, complaint: Complaint) -> bool:
    sender = mail.sender_email
    return bool(sender) and sender == complaint.complainant_email.strip().lower()


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


def _reply(record: InboundMail, mail: parse.ParsedMail, complaint: Complaint, trusted: bool):
    visibility = Visibility.CUSTOMER if trusted else Visibility.INTERNAL
    customer = CustomerActor(complaint.pk, via=ContactMethod.EMAIL)
    accepted, refused = _split_files(mail)
    if complaint.state in FINAL_STATES and accepted:  # an archived record takes no files
        archived = in_company_language(_("The complaint is archived; it takes no new files."))
        refused += [{"name": f.name, "reason": archived} for f in accepted]
        accepted = []
    data = {"mail": record.pk, "from": mail.sender_email, "subject": mail.subject[:200]}
    if refused:
        data["refused_files"] = refused
    text = mail.reply_text.strip() or mail.text.strip()
    actions.add_info(
        complaint.number,
        actor=customer,
        message=text or in_company_language(_("(The e-mail had no text.)")),
        visibility=visibility,
        data=data,
    )
    for upload in accepted:
        add_attachment(complaint.number, upload, actor=customer, visibility=visibility)
    record.outcome, record.complaint = MailOutcome.REPLY, complaint


def _new_complaint(record: InboundMail, mail: parse.ParsedMail) -> None:
    title = _REPLY_PREFIX.sub("", mail.subject).strip()
    text = mail.text.strip()
    if not title:
        title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = (
        title
        or in_company_language(_("E-mail from %(sender)s"))
        % {"sender": mail.sender_email or mail.sender_name}
    )[:200]
    accepted, refused = _split_files(mail)
    extra = {"mail": record.pk, "via": ContactMethod.EMAIL}
    if refused:
        extra["refused_files"] = refused
    new = actions.NewComplaint(
        channel=Channel.EMAIL,
        title=title,
        description=text or title,
        category=intake.category_for((title, text)),
        complainant_name=mail.sender_name[:100],
        complainant_email=mail.sender_email if _valid_address(mail.sender_email) else "",
        anonymous=not (mail.sender_email or mail.sender_name),
        extra_event_data=extra,
    )
    complaint = intake.register_from_customer(new, via=ContactMethod.EMAIL, files=accepted)
    record.outcome, record.complaint = MailOutcome.COMPLAINT, complaint


def _split_files(mail: parse.ParsedMail) -> tuple[list[SimpleUploadedFile], list[dict]]:
    """The files Kesu keeps, and the names and reasons of those it does not (an .exe, a
    file above the size limit): a refused file never refuses the mail."""
    accepted, refused = [], []
    for f in mail.files:
        try:
            check_file(f.name, len(f.data), f.data[:16])
        except ComplaintError as error:
            refused.append({"name": f.name[:200], "reason": str(error.message)})
            continue
        accepted.append(SimpleUploadedFile(f.name[:200], f.data, content_type=f.content_type))
    return accepted, refused


def _valid_address(address: str) -> bool:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(address)
    except ValidationError:
        return False
    return True
