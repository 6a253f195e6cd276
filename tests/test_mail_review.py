"""A person's decisions about mail Kesu did not register: process it again, register it anyway,
or dismiss it as not a customer's. Each needs the permission to change received mail, keeps
the message in its own row (where and when it came), and records who decided, when, and what
the record said before. Real database; the admin site through Django's test client."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from kesu.accounts.actions import create_user
from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints.choices import EventType
from kesu.complaints.models import Complaint
from kesu.mail import intake, review
from kesu.mail.choices import MailOutcome, MailReview, MailSource, NotTaken
from kesu.mail.models import InboundMail
from kesu.notifications.choices import TemplateCode
from kesu.notifications.models import Notification
from tests.conftest import query_plan
from tests.mail_messages import spam

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = "/admin/mail/inboundmail/"


def _held(message_id: str, source: MailSource = MailSource.SMTP) -> InboundMail:
    assert intake.receive(spam(message_id), source=source).outcome == MailOutcome.HELD
    return InboundMail.objects.get(message_id=message_id)


def _admin(people) -> Client:
    client = Client()
    client.force_login(people.admin)
    return client


def _act(client: Client, action: str, records: list[InboundMail]):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [r.pk for r in records]})


def _notice(client: Client) -> str:
    page = client.get("/inbox/").content.decode()
    if 'data-role="held-mail"' not in page:
        return ""
    notice = page.split('data-role="held-mail"')[1].split("</ul>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", notice).split())


# ------------------------------------------------------------------------------ dismiss


def test_dismissed_mail_keeps_its_raw_bytes_says_who_and_leaves_the_held_count(people):
    first, second = _held("s1@x.cn"), _held("s2@x.cn")
    admin = _admin(people)
    assert re.search(r"\b2\b", _notice(admin))

    _act(admin, "dismiss", [first])

    first.refresh_from_db()
    assert (first.outcome, first.review, first.reviewed_by) == (
        MailOutcome.HELD,
        MailReview.DISMISSED,
        people.admin,
    )
    assert first.reviewed_at is not None and bytes(first.raw) == spam("s1@x.cn")
    assert "dmarc=fail" in first.before_review
    assert re.search(r"\b1\b", _notice(admin))  # the second still waits
    _act(admin, "dismiss", [second])
    assert _notice(admin) == ""
    assert not intake.dismiss(first, actor=people.admin)  # decided already


def test_the_held_count_is_capped_and_reads_its_partial_index(people):

    now = timezone.now()
    InboundMail.objects.bulk_create(
        InboundMail(
            message_id=f"h{i}@x.cn",
            received_at=now,
            source=MailSource.SMTP,
            outcome=MailOutcome.HELD,
            raw=b"x",
        )
        for i in range(review.COUNT_CAP + 5)
    )
    held = review.held_count()
    assert (held.count, held.shown) == (review.COUNT_CAP, f"{review.COUNT_CAP - 1}+")

    plan = query_plan(review.waiting().order_by().values("pk"))
    assert "inboundmail_held" in plan


# ------------------------------------------------------------------------------ register anyway


def test_registering_anyway_keeps_the_arrival_and_records_the_override(people):
    record = _held("held@x.cn", source=MailSource.SMTP)
    arrived = record.received_at
    with time_machine.travel(timezone.now() + timedelta(hours=30)):
        _act(_admin(people), "register_anyway", [record])

    record.refresh_from_db()
    assert (record.outcome, record.source, record.received_at) == (
        MailOutcome.COMPLAINT,
        MailSource.SMTP,
        arrived,
    )
    assert (record.review, record.reviewed_by) == (MailReview.REGISTERED_ANYWAY, people.admin)
    assert record.before_review.startswith("held: ") and "dmarc=fail" in record.before_review
    complaint = record.complaint
    assert complaint.registered_at == arrived  # its time limits run from the mail's arrival
    registered = complaint.events.get(type=EventType.REGISTER)
    decision = registered.data["review"]
    assert decision["review"] == "anyway" and decision["by"] == people.admin.username
    assert decision["before"]["outcome"] == "held" and decision["source"] == "smtp"
    assert "dmarc=fail" in decision["before"]["reason"]
    # a customer's mail that waited is still answered
    assert Notification.objects.filter(
        complaint=complaint, template=TemplateCode.CUSTOMER_RECEIVED
    ).exists()


def test_processing_again_records_who_even_when_nothing_changes(people):
    record = _held("again@x.cn")
    assert intake.retry(record, actor=people.admin).outcome == MailOutcome.HELD
    record.refresh_from_db()
    assert (record.outcome, record.review, record.reviewed_by) == (
        MailOutcome.HELD,
        MailReview.PROCESSED_AGAIN,
        people.admin,
    )
    assert intake.register_anyway(record, actor=people.admin).outcome == MailOutcome.COMPLAINT
    assert intake.register_anyway(record, actor=people.admin).outcome == NotTaken.ALREADY_DECIDED
    assert Complaint.objects.count() == 1


# ------------------------------------------------------------------------------ permission


def _reviewer(*, may_change: bool) -> User:
    """Someone let into the admin who may look at received mail, and perhaps decide."""
    user = create_user("mail_reader", role=Role.INTAKE, name="读信人")
    User.objects.filter(pk=user.pk).update(is_staff=True)
    codenames = ["view_inboundmail"] + (["change_inboundmail"] if may_change else [])
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("may_change", [False, True])
def test_the_decisions_need_the_permission_to_change_received_mail(people, may_change):
    record = _held("perm@x.cn")
    client = Client()
    client.force_login(_reviewer(may_change=may_change))

    listed = client.get(CHANGELIST).content.decode()
    offered = {"process_again", "register_anyway", "dismiss"} & set(
        re.findall(r'<option value="([a-z_]+)"', listed)
    )
    _act(client, "register_anyway", [record])

    record.refresh_from_db()
    if may_change:
        assert offered == {"process_again", "register_anyway", "dismiss"}
        assert record.outcome == MailOutcome.COMPLAINT
        assert record.reviewed_by.username == "mail_reader"
    else:
        assert offered == set() and record.outcome == MailOutcome.HELD and not record.review
    # nobody edits the row itself
    assert "_save" not in client.get(f"{CHANGELIST}{record.pk}/change/").content.decode()
