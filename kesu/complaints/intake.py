"""Taking a complaint in, as the hotline clerk does it: who is calling and what they had
before, what the words suggest (category, severity), whether it repeats an open complaint,
and registration with its files — resolved on the spot in the same step when it was.

The web registration form calls these; so do the public form and e-mail intake, through
`register_from_customer` (the customer registers without a member of staff).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import actions
from kesu.complaints.attachments import check_file
from kesu.complaints.choices import ContactMethod, Severity, Visibility
from kesu.complaints.classify import category_words, suggest_category
from kesu.complaints.customer import CustomerActor
from kesu.complaints.errors import ComplaintError, ErrorCode, invalid
from kesu.complaints.models import Category, Complaint
from kesu.complaints.queries import (
    categories_by_code,
    category_ancestors,
    visible_complaints,
    with_phone,
)
from kesu.complaints.severity import SeverityProposal, propose_severity
from kesu.core import clock
from kesu.core.memo import memo
from kesu.policies.queries import severity_rules

EARLIER_LIMIT = 5
NAME_LOOKUP_DAYS = 365  # a name (no index) is looked for among the last year's complaints


# ------------------------------------------------------------------------------ look-ups


def earlier_complaints(actor: User, phone: str = "", name: str = "") -> QuerySet[Complaint]:
    """The caller's earlier complaints that `actor` may see, newest first: by phone
    (indexed, all time) or, with no phone, by exact name among the last year's."""
    phone, name = phone.strip(), name.strip()
    qs = visible_complaints(actor).order_by("-registered_at", "-id")
    if len(phone) >= 5:
        return with_phone(qs, phone)[:EARLIER_LIMIT]
    if len(name) >= 2:
        since = clock.now() - timedelta(days=NAME_LOOKUP_DAYS)
        return qs.filter(complainant_name=name, registered_at__gte=since)[:EARLIER_LIMIT]
    return qs.none()


def open_duplicates(new: actions.NewComplaint, actor: User) -> list[Complaint]:
    """Open complaints `actor` may see of the same customer (phone or e-mail) about the
    same product (model, or batch) or project."""
    who = Q()
    if new.complainant_phone.strip():
        who |= Q(complainant_phone=new.complainant_phone.strip())
    if new.complainant_email.strip():
        who |= Q(complainant_email__iexact=new.complainant_email.strip())
    if not who:
        return []
    about = Q()
    for field, value in (
        ("product_model", new.product_model),
        ("batch_no", new.batch_no),
        ("project_name", new.project_name),
    ):
        if value.strip():
            about |= Q(**{field: value.strip()})
    if not about:
        return []
    return list(
        visible_complaints(actor)
        .filter(who, about, closed_at__isnull=True)
        .order_by("-registered_at")[:EARLIER_LIMIT]
    )


# ------------------------------------------------------------------------------ suggestions


@dataclass(frozen=True)
class Suggestion:
    category: Category | None
    severity: SeverityProposal


def _category_words():
    def load():
        return tuple(
            category_words(c.code, c.name, c.keywords, len(category_ancestors(c.pk)) - 1)
            for c in categories_by_code().values()
            if c.active
        )

    return memo("categories:words", load)


def suggest(
    *,
    texts: Sequence[str],
    kind: str,
    channel: str,
    category: Category | None = None,
    claim_amount: Decimal | None = None,
) -> Suggestion:
    """The category the words suggest (unless one is chosen) and the severity Kesu would
    propose for the record so far (SPEC §3)."""
    if category is None:
        code = suggest_category(_category_words(), texts)
        category = categories_by_code().get(code) if code else None
    proposal = propose_severity(
        severity_rules(),
        kind=kind,
        channel=channel,
        category_default=category.default_severity if category else 3,
        claim_amount=claim_amount,
        texts=texts,
    )
    return Suggestion(category, proposal)


# ------------------------------------------------------------------------------ registering


@dataclass(frozen=True)
class OnTheSpot:
    solution: str
    customer_confirmed: bool


def register_call(
    new: actions.NewComplaint,
    *,
    actor: User,
    severity: Severity | None = None,
    severity_reason: str = "",
    files: Sequence[UploadedFile] = (),
    on_the_spot: OnTheSpot | None = None,
    idempotency_key: str = "",
    duplicate_confirmed: bool = False,
) -> tuple[Complaint, bool]:
    """Register with the caller's files, closing it at once when it was resolved on the spot.
    All or nothing: a refused file or a refused closing leaves no complaint behind.

    An open complaint of the same customer about the same product or project refuses the
    registration (`Duplicates`) unless the clerk confirmed that this one is new."""
    if replay := actions.registered_before(actor, idempotency_key, new):
        return replay, False  # a double submit: the first one did all of it
    if not duplicate_confirmed and (duplicates := open_duplicates(new, actor)):
        raise Duplicates(duplicates)
    check_files(files)  # refuse a bad file before anything is written
    with transaction.atomic():
        complaint, created = actions.register(
            new,
            actor=actor,
            severity=severity,
            severity_reason=severity_reason,
            idempotency_key=idempotency_key,
        )
        if not created:  # a twin request won the race and did all of it
            return complaint, False
        actions.attach_files(complaint, files, actor=actor)
        if on_the_spot is not None:
            actions.resolve_on_spot(
                complaint.number,
                actor=actor,
                solution=on_the_spot.solution,
                customer_confirmed=on_the_spot.customer_confirmed,
            )
    complaint.refresh_from_db()
    return complaint, True


def register_from_customer(
    new: actions.NewComplaint,
    *,
    via: ContactMethod,
    files: Sequence[UploadedFile] = (),
    registered_at: datetime | None = None,
) -> Complaint:
    """A complaint the customer sent themselves (public form, e-mail): no member of staff
    registers it, and its files are the customer's, visible on their page. All or nothing:
    a refused file leaves nothing behind.

    `registered_at`: when it arrived, for a customer's e-mail that waited for a person's
    review before it was registered. Its time limits run from then; unlike a complaint
    moved from an older register, it is news: those it concerns are told now."""
    check_files(files)  # refuse a bad file before anything is written
    with transaction.atomic():
        # news however late it was registered: those it concerns are told now
        complaint, _created = actions.register(
            new, actor=None, registered_at=registered_at, announce=True
        )
        customer = CustomerActor(complaint.pk, via=via)
        actions.attach_files(complaint, files, actor=customer, visibility=Visibility.CUSTOMER)
    return complaint


def category_for(texts: Sequence[str]) -> Category:
    """The category the words suggest, else the catch-all "other" (or the first top one):
    a customer does not know the company's categories."""
    code = suggest_category(_category_words(), texts)
    found = categories_by_code()
    if code and code in found:
        return found[code]
    if "other" in found and found["other"].active:
        return found["other"]
    return next(c for c in found.values() if c.active and c.parent_id is None)


def check_files(files: Sequence[UploadedFile]) -> None:
    """Refuse the first file that is too large or of a type not accepted (field `files`)."""
    for upload in files:
        upload.seek(0)
        try:
            check_file(upload.name or "file", upload.size or 0, upload.read(16))
        except ComplaintError as error:
            raise invalid("files", error.message) from None


class Duplicates(ComplaintError):
    """The customer already has open complaints about the same product or project."""

    def __init__(self, duplicates: list[Complaint]):
        message = _(
            "This customer already has an open complaint about the same product or project "
            "(%(numbers)s). Add to it, or confirm that this is a new complaint."
        ) % {"numbers": "、".join(c.number for c in duplicates)}
        super().__init__(ErrorCode.INVALID, message, {"duplicate": message})
        self.duplicates = duplicates
