"""What a customer does without staff, as domain calls: submit a complaint from the public
form, add information and files, confirm, answer the survey, appeal, withdraw.

Each is one transaction with the domain action it wraps (the files and the link in the same
one); the rules and refusals are the domain's (`kesu.complaints.actions`, `authority`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import User
from kesu.complaints import actions, intake, payloads
from kesu.complaints.attachments import may_attach
from kesu.complaints.choices import (
    AppealKind,
    Channel,
    ContactMethod,
    Kind,
    Visibility,
)
from kesu.complaints.customer import CustomerActor
from kesu.complaints.errors import invalid
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.complaints.queries import categories_by_code, surviving
from kesu.complaints.schemas import ComplainantIn, ProductIn, ProjectIn, RegisterIn
from kesu.policies.queries import current_policy
from kesu.portal import links
from kesu.portal.models import CustomerLink

CONSENT_VERSION = "public-form-1"  # change when the consent text of the form changes


def submit(
    data: dict[str, Any], files: Sequence[UploadedFile], *, account: User | None = None
) -> tuple[Complaint, CustomerLink]:
    """A complaint from the public form (channel web), with its files and its private link,
    all or nothing. `data` is the cleaned form; it is read into the API's `RegisterIn`, so
    it is resolved exactly as an API or hotline registration is."""
    code = data.get("category") or ""
    category = categories_by_code().get(code) if code else None
    if category is None or not category.active:  # "not sure": the words decide
        category = intake.category_for((data["title"], data["description"], data["demand"]))
    occurred_on = data.get("occurred_on")
    payload = RegisterIn(
        kind=data["kind"] or Kind.COMPLAINT,
        channel=Channel.WEB,
        title=data["title"],
        description=data["description"],
        category=category.code,
        occurred_at=(
            timezone.make_aware(datetime.combine(occurred_on, time(12))) if occurred_on else None
        ),
        occurred_place=data["occurred_place"],
        demand=data["demand"],
        claim_amount=data["claim_amount"],
        complainant=ComplainantIn(
            name=data["name"],
            organisation=data["organisation"],
            phone=data["phone"],
            email=data["email"],
            address=data["address"],
        ),
        product=ProductIn(
            model=data["product_model"], batch_no=data["batch_no"], order_no=data["order_no"]
        ),
        project=ProjectIn(name=data["project_name"], location=data["project_location"]),
    )
    new = payloads.new_complaint(payload)
    # the customer agreed to the consent text of the form (PublicComplaintForm.consent)
    new.extra_event_data = {"via": ContactMethod.PORTAL, "consent": CONSENT_VERSION}
    with transaction.atomic():
        complaint = intake.register_from_customer(new, via=ContactMethod.PORTAL, files=files)
        link = links.current(complaint)  # the acknowledgement made it, when one was sent
        assert link is not None  # one is made for a complaint that never had any
        if account is not None:
            links.save_to_account(link, account)
    return complaint, link


def add_information(
    link: CustomerLink, message: str, files: Sequence[UploadedFile], *, account: User | None
) -> ComplaintEvent:
    """The customer's message with its files: refused files leave nothing behind.

    On a complaint merged into another, the message goes to the one that lives on, for
    staff only (merged complaints may have different customers; this link shows the
    merged one)."""
    intake.check_files(files)
    if files and not may_attach(link.complaint):
        raise invalid("files", _("The complaint is archived; it takes no new files."))
    survivor = surviving(link.complaint)
    if survivor.pk != link.complaint_id:
        bound = _customer(link, account).account
        return actions.add_info(
            survivor.number,
            actor=CustomerActor(survivor.pk, via=ContactMethod.PORTAL, account=bound),
            message=message,
            visibility=Visibility.INTERNAL,
            data={"merged_from": link.complaint.number},
        )
    customer = _customer(link, account)
    with transaction.atomic():
        event = actions.add_info(link.complaint.number, actor=customer, message=message)
        actions.attach_files(
            link.complaint.number, files, actor=customer, visibility=Visibility.CUSTOMER
        )
    return event


def confirm(
    link: CustomerLink, *, satisfied: bool, comment: str, account: User | None
) -> ComplaintEvent:
    return actions.confirm(
        link.complaint.number,
        actor=_customer(link, account),
        satisfied=satisfied,
        method=ContactMethod.PORTAL,
        comment=comment,
    )


def answer_survey(
    link: CustomerLink, *, answers: list[str], remarks: str, account: User | None
) -> ComplaintEvent:
    """The return-visit survey by link; the domain refuses a second answer (SPEC §8)."""
    return actions.return_visit(
        link.complaint.number,
        actor=_customer(link, account),
        method=ContactMethod.ONLINE,
        scale=current_policy().survey_scale,
        answers=answers,
        remarks=remarks,
    )


def appeal(link: CustomerLink, *, reason: str, account: User | None) -> ComplaintEvent:
    """A customer's appeal goes to an executive's ruling; staff may refer a disputed quality
    determination to an external authority afterwards."""
    return actions.appeal(
        link.complaint.number,
        actor=_customer(link, account),
        kind=AppealKind.POLICY_OR_STAFF,
        reason=reason,
    )


def withdraw(link: CustomerLink, *, reason: str, account: User | None) -> ComplaintEvent:
    return actions.withdraw(link.complaint.number, actor=_customer(link, account), reason=reason)


def _customer(link: CustomerLink, account: User | None) -> CustomerActor:
    bound = account if account is not None and account.pk == link.account_id else None
    return CustomerActor(link.complaint_id, via=ContactMethod.PORTAL, account=bound)
