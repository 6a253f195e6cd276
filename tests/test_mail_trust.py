"""Whose mail is it? E-mail intake trusts a message as the customer's own (shown on their page,
threaded by subject) only when its From is the complaint's address: an identity a list's
headers give back, a From with several addresses, or a thread that names someone else's
mail is kept for staff, never shown to the customer. Real database; mail built in
tests/mail_messages.py."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail
from django.test import Client, override_settings

from kesu.complaints.choices import EventType, Visibility
from kesu.complaints.models import Complaint
from kesu.mail import intake
from kesu.mail.choices import MailOutcome, MailSource
from kesu.notifications import delivery
from tests.conftest import query_plan
from tests.mail_messages import message

pytestmark = pytest.mark.django_db(transaction=True)

VICTIM = ("李娜", "lina@qq.com")


def _take(raw: bytes) -> intake.Received:
    return intake.receive(raw, source=MailSource.FILE)


def _victims_complaint() -> Complaint:
    first = message("阀门渗漏", "DN50阀门渗漏。", message_id="v1@qq.com", sender=VICTIM)
    return Complaint.objects.get(number=_take(first).number)


def _via_list(subject: str, body: str, message_id: str, **headers: str) -> bytes:
    """Mallory's own list (her domain passes DMARC) names the victim in Reply-To."""
    return message(
        subject,
        body,
        message_id=message_id,
        sender=("Mallory via 客服组", "mallory@evil.example"),
        headers={"List-Id": "<x.evil.example>", "Reply-To": "lina@qq.com", **headers},
    )


# ------------------------------------------------------------------------------ lists


def test_an_identity_a_lists_headers_give_back_never_posts_to_the_customers_page(people):
    complaint = _victims_complaint()
    forged = _via_list(
        f"回复：[{complaint.number}] 阀门渗漏",
        "我撤回投诉，请加微信 xxx 办理退款。",
        "evil1@evil.example",
        **{
            "Authentication-Results": "mx.kesu.example; spf=pass smtp.mailfrom=evil.example; "
            "dmarc=pass header.from=evil.example"
        },
    )

    result = _take(forged)

    assert (result.outcome, result.number) == (MailOutcome.REPLY, complaint.number)
    added = complaint.events.get(type=EventType.ADD_INFO)
    assert added.visibility == Visibility.INTERNAL  # staff read it; the customer's page does not
    # staff see who really wrote, and through which list
    assert added.data["header_from"] == ["mallory@evil.example"]
    assert added.data["list"] == "mallory@evil.example"
    assert added.data["from"] == "lina@qq.com"


def test_an_identity_a_lists_headers_give_back_is_never_threaded_by_subject(people):
    complaint = _victims_complaint()
    forged = _via_list("Re: 阀门渗漏", "请加微信 xxx。", "evil2@evil.example")

    result = _take(forged)

    assert result.outcome == MailOutcome.COMPLAINT  # a complaint of its own, not the victim's
    assert not complaint.events.filter(type=EventType.ADD_INFO).exists()
    register = Complaint.objects.get(number=result.number).events.get(type=EventType.REGISTER)
    assert register.data["header_from"] == ["mallory@evil.example"]


def test_a_from_with_several_addresses_is_not_the_customers_own(people):
    complaint = _victims_complaint()
    two = message(
        f"Re: {complaint.number} 进展？",
        "请问什么时候上门？",
        message_id="two@x.cn",
        sender=VICTIM,
        headers={"In-Reply-To": "<v1@qq.com>"},
    ).replace(b"<lina@qq.com>", b"<lina@qq.com>, mallory@evil.example", 1)

    assert _take(two).outcome == MailOutcome.REPLY
    added = complaint.events.get(type=EventType.ADD_INFO)
    assert added.visibility == Visibility.INTERNAL
    assert sorted(added.data["header_from"]) == ["lina@qq.com", "mallory@evil.example"]


# ------------------------------------------------------------------------------ threads


def test_a_reply_in_another_conversation_is_not_threaded_by_its_subject(people):
    first = message(
        "质量问题", "A项目外墙开裂。", message_id="s1@corp.cn", sender=("采购部", "buy@corp.cn")
    )
    complaint = Complaint.objects.get(number=_take(first).number)
    # a reply-all in their conversation with a salesman, the intake address in copy
    other = message(
        "Re: 质量问题",
        "B项目的门窗漏水，附照片。",
        message_id="s2@corp.cn",
        sender=("采购部", "buy@corp.cn"),
        headers={
            "In-Reply-To": "<sales-77@vendor.cn>",
            "References": "<sales-70@vendor.cn> <sales-77@vendor.cn>",
        },
    )

    result = _take(other)

    assert result.outcome == MailOutcome.COMPLAINT and result.number != complaint.number
    assert not complaint.events.filter(type=EventType.ADD_INFO).exists()


def test_an_earlier_mail_arriving_late_joins_only_its_own_senders_complaint(people):
    plus_one = message(
        "Re: 阀门渗漏",
        "+1，我们楼也漏。",
        message_id="b@x.cn",
        sender=("王五", "wangwu@x.cn"),
        headers={"In-Reply-To": "<a@lina.cn>", "References": "<a@lina.cn>"},
    )
    wangwu = Complaint.objects.get(number=_take(plus_one).number)
    original = message("阀门渗漏", "阀门渗漏，要求更换。", message_id="a@lina.cn")

    result = _take(original)

    # Lina's mail is her own complaint, with her own acknowledgement: not a note on Wang Wu's
    assert result.outcome == MailOutcome.COMPLAINT and result.number != wangwu.number
    lina = Complaint.objects.get(number=result.number)
    assert lina.complainant_email == "lina@example.com"
    assert not wangwu.events.filter(type=EventType.ADD_INFO).exists()


# ------------------------------------------------------------------------------ no answer


OUTBOX = override_settings(
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    DEFAULT_FROM_EMAIL="kefu@kesu.example",
    KESU_MAIL_REPLY_TO="kefu@kesu.example",
    KESU_MAIL_OWN_ADDRESSES=["kefu@kesu.example"],
)
GROUP = "kefu-group@company.example"


def _sent_to(address: str) -> list:
    delivery.retry_due()
    return [m for m in django_mail.outbox if address in m.to]


def _from_the_group(message_id: str) -> str:
    """The group alias posts from its own address, which the list headers do not name."""
    raw = message(
        "热水器漏水",
        "热水器漏水，请尽快处理。",
        message_id=message_id,
        sender=("客服组", GROUP),
        headers={
            "Precedence": "list",
            "List-Id": "客服组 <kefu-group.lists.company.example>",
            "List-Post": "<mailto:kefu-group@lists.company.example>",
        },
    )
    number = _take(raw).number
    assert Complaint.objects.get(number=number).complainant_email == GROUP
    return number


def _accept(people, number: str) -> None:
    accepted = people.api(people.intake).act(
        number, "accept", {"owner": people.handler_quality.username, "department": "quality"}
    )
    assert accepted.status_code == 200, accepted.json()


@OUTBOX
def test_no_automatic_mail_goes_to_a_list_address_until_staff_send_the_link_on_purpose(people):
    django_mail.outbox = []
    held = _from_the_group("lst1@x")
    _accept(people, held)

    assert _sent_to(GROUP) == []  # not the acknowledgement, not "accepted" with the link
    staff = Client()
    staff.force_login(people.intake)
    page = staff.get(f"/complaints/{held}").content.decode()
    notice = page.split('data-role="customer-mail-held"')[1].split("</li>")[0]
    assert "Precedence: list" in notice

    # a member of staff who checked the address sends the link on purpose: mail goes again
    released = _from_the_group("lst2@x")
    staff.post(f"/complaints/{released}/customer-link", {"do": "send"})
    [link] = _sent_to(GROUP)
    assert "/t/" in link.body and released in link.subject
    _accept(people, released)
    [_link, accepted] = _sent_to(GROUP)
    assert released in accepted.subject
    page = staff.get(f"/complaints/{released}").content.decode()
    assert 'data-role="customer-mail-held"' not in page


@OUTBOX
@override_settings(KESU_PUBLIC_FORM_PER_CONTACT="2/60")
def test_one_address_gets_at_most_the_public_forms_limit_of_acknowledgements(people):
    django_mail.outbox = []
    # forged-sender spam: every mail names the same victim, each a complaint of its own
    numbers = [
        _take(message(f"问题{i}", "请处理。", message_id=f"flood{i}@x.cn", sender=VICTIM)).number
        for i in range(3)
    ]

    assert len(set(numbers)) == 3  # all registered: nothing a customer wrote is dropped
    assert len(_sent_to("lina@qq.com")) == 2
    last = Complaint.objects.get(number=numbers[-1])
    assert last.events.get(type=EventType.REGISTER).data["acknowledgement_limited"] == {
        "count": 2,
        "minutes": 60,
    }
    staff = Client()
    staff.force_login(people.intake)
    page = staff.get(f"/complaints/{last.number}").content.decode()
    notice = page.split('data-role="acknowledgement-limited"')[1].split("</li>")[0]
    assert "2" in notice and "60" in notice


def test_the_count_of_an_addresss_registrations_reads_its_partial_index(people):
    from django.utils import timezone

    for i in range(20):
        _take(
            message(f"问题{i}", "请处理。", message_id=f"idx{i}@x.cn", sender=("某", f"a{i}@x.cn"))
        )
    plan = query_plan(intake.registered_from("a1@x.cn", timezone.now()).values("pk"))
    assert "inboundmail_sender" in plan
