"""E-mail intake loses nothing (issue #13): list and bulk mail is registered without an
automatic answer; what Kesu does not register keeps its raw bytes and its reason and can be
processed again or registered anyway; bodies, S/MIME, screenshots, replies without thread
headers, recalls, duplicates without a Message-ID, spam verdicts and QQ Mail's entities are
each taken in as a person would expect. Real database; mail built in tests/mail_messages.py."""

from __future__ import annotations

import mailbox
import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
import time_machine
from django.core import mail as django_mail
from django.test import Client, override_settings
from django.utils import timezone

from kesu.complaints import limits
from kesu.complaints.choices import EventType, Visibility
from kesu.complaints.models import Attachment, Complaint
from kesu.mail import intake
from kesu.mail.choices import MailOutcome, MailSource, NotTaken
from kesu.mail.models import InboundMail
from kesu.notifications import delivery
from kesu.notifications.choices import TemplateCode
from kesu.notifications.models import Notification
from kesu.policies.models import Policy
from kesu.portal import links
from tests.mail_messages import (
    MALFORMED,
    PHOTO,
    PNG,
    auto_reply,
    bounce,
    cms_signed,
    html_with_footer,
    list_mail,
    message,
    qq_entities,
    recall,
    screenshot_named_jpg,
    smime_sample,
    spam,
    with_smime_part,
    without_message_id,
)

pytestmark = pytest.mark.django_db(transaction=True)

OUTBOX = override_settings(
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    DEFAULT_FROM_EMAIL="kefu@kesu.example",
    KESU_MAIL_REPLY_TO="kefu@kesu.example",
    KESU_MAIL_OWN_ADDRESSES=["kefu@kesu.example"],
)


def _take(raw: bytes, source: MailSource = MailSource.FILE) -> intake.Received:
    return intake.receive(raw, source=source)


def _acknowledgements() -> list[Notification]:
    return list(Notification.objects.filter(template=TemplateCode.CUSTOMER_RECEIVED))


def _sent_to(address: str) -> list:
    delivery.retry_due()
    return [m for m in django_mail.outbox if address in m.to]


# ------------------------------------------------------------------------------ 1. lists


@OUTBOX
def test_mail_through_a_list_is_registered_and_only_the_automatic_answer_is_left_out(people):
    django_mail.outbox = []
    result = _take(list_mail("via-list@lina.cn"))

    assert result.outcome == MailOutcome.COMPLAINT  # registered, not dropped as automatic
    complaint = Complaint.objects.get(number=result.number)
    assert complaint.complainant_email == "lina@example.com"
    register = complaint.events.get(type=EventType.REGISTER)
    assert register.data["no_answer"] == "Precedence: list"
    assert _acknowledgements() == [] and _sent_to("lina@example.com") == []
    # staff can still reach the customer: a link sent on purpose goes to the person
    assert links.reachable_by_message(complaint)


@OUTBOX
def test_a_private_link_never_goes_to_a_list_address(people):
    django_mail.outbox = []
    kept = Complaint.objects.get(number=_take(list_mail("kept@lina.cn", rewritten=True)).number)
    assert kept.complainant_email == "lina@example.com"  # the person, from Reply-To
    assert kept.events.get(type=EventType.REGISTER).data["list"] == "kefu-group@company.example"

    lost = _take(list_mail("lost@lina.cn", rewritten=True, original=False)).number
    nobody = Complaint.objects.get(number=lost)
    assert nobody.complainant_email == "" and nobody.complainant_name == "李娜"
    assert not links.reachable_by_message(nobody)  # staff cannot send the link to the list
    assert _acknowledgements() == [] and _sent_to("kefu-group@company.example") == []


@OUTBOX
@pytest.mark.parametrize(
    ("headers", "sender", "evidence"),
    [
        ({"Auto-Submitted": "auto-generated"}, ("官网留言", "forms@shop.example"), "Auto-Sub"),
        ({}, ("官网留言", "noreply@shop.example"), "From: noreply@shop.example"),
    ],
)
def test_mail_from_a_form_mailer_or_a_robot_is_registered_and_never_answered(
    people, headers, sender, evidence
):
    django_mail.outbox = []
    raw = message(
        "官网留言：热水器漏水",
        "客户王先生留言：热水器漏水，电话13900000000。",
        message_id=f"form-{sender[1]}",
        sender=sender,
        headers=headers,
    )
    result = _take(raw)

    assert result.outcome == MailOutcome.COMPLAINT
    register = Complaint.objects.get(number=result.number).events.get(type=EventType.REGISTER)
    assert register.data["no_answer"].startswith(evidence)
    assert _acknowledgements() == [] and _sent_to(sender[1]) == []


# ------------------------------------------------------------------------------ kept raw


@pytest.mark.parametrize(
    ("raw", "outcome", "reason"),
    [
        (auto_reply("auto@x.cn"), MailOutcome.AUTO_REPLY, "Auto-Submitted: auto-replied"),
        (bounce("bounce@x.cn"), MailOutcome.BOUNCE, "report-type=delivery-status"),
        (recall("recall@x.cn"), MailOutcome.RECALL, "Subject: 撤回: 热水器漏水"),
        (spam("spam@x.cn"), MailOutcome.HELD, "dmarc=fail"),
        (MALFORMED, MailOutcome.QUARANTINED, "does not start with a header"),
    ],
)
def test_mail_kesu_does_not_register_keeps_its_raw_bytes_and_its_reason(
    people, raw, outcome, reason
):
    assert _take(raw).outcome == outcome
    record = InboundMail.objects.get()
    assert record.outcome == outcome and record.complaint is None
    assert bytes(record.raw) == raw and reason in record.reason
    assert Complaint.objects.count() == 0 and Notification.objects.count() == 0

    admin = Client()
    admin.force_login(people.admin)
    listed = admin.get("/admin/mail/inboundmail/?kept=not_registered").content.decode()
    assert f"/admin/mail/inboundmail/{record.pk}/raw/" in listed
    download = admin.get(f"/admin/mail/inboundmail/{record.pk}/raw/")
    assert b"".join(download) == raw


@OUTBOX
def test_an_administrator_registers_held_or_automatic_mail_anyway(people):
    django_mail.outbox = []
    _take(recall("r@x.cn", subject="阀门渗漏"))
    _take(spam("s@x.cn"))
    admin = Client()
    admin.force_login(people.admin)
    kept = list(InboundMail.objects.order_by("id").values_list("pk", flat=True))

    # "process again" with nothing changed keeps them as they were
    admin.post(
        "/admin/mail/inboundmail/",
        {"action": "process_again", "_selected_action": kept},
    )
    assert sorted(InboundMail.objects.values_list("outcome", flat=True)) == [
        MailOutcome.HELD,
        MailOutcome.RECALL,
    ]
    # the conscious override makes each a complaint
    admin.post(
        "/admin/mail/inboundmail/",
        {
            "action": "register_anyway",
            "_selected_action": list(InboundMail.objects.values_list("pk", flat=True)),
        },
    )
    assert sorted(Complaint.objects.values_list("title", flat=True)) == [
        "您的账户已冻结",
        "撤回: 阀门渗漏",
    ]
    records = InboundMail.objects.all()
    assert {r.outcome for r in records} == {MailOutcome.COMPLAINT}
    # each in its own row: where and when it came, and who decided
    assert all(
        (r.source, r.review, r.reviewed_by) == (MailSource.FILE, "anyway", people.admin)
        for r in records
    )


def test_processing_a_quarantined_message_again_registers_it_once_it_can_be_read(people):
    readable = message("阀门渗漏", "渗漏", message_id="late@lina.cn")
    _take(MALFORMED + readable)  # garbage in front: not a message
    record = InboundMail.objects.get()
    InboundMail.objects.filter(pk=record.pk).update(raw=readable)  # as if a fix read it
    record.refresh_from_db()
    assert intake.retry(record, actor=people.admin).outcome == MailOutcome.COMPLAINT
    assert Complaint.objects.get().title == "阀门渗漏"


@override_settings(KESU_MAIL_VERDICTS=None)
def test_verdicts_are_read_only_when_configured(people):
    assert _take(spam("unjudged@x.cn")).outcome == MailOutcome.COMPLAINT


def test_held_mail_is_counted_where_administrators_see_it(people):
    _take(spam("s1@x.cn"))
    _take(spam("s2@x.cn").replace(b"service@bank.example", b"notice@bank.example"))
    admin = Client()
    admin.force_login(people.admin)
    page = admin.get("/inbox/").content.decode()
    notice = page.split('data-role="held-mail"')[1].split("</ul>")[0]
    assert re.search(r"\b2\b", re.sub(r"<[^>]+>", " ", notice))
    assert "/admin/mail/inboundmail/?outcome=held" in notice
    listed = admin.get("/admin/mail/inboundmail/")
    [warning] = [m for m in listed.context["messages"] if m.level_tag == "warning"]
    assert str(warning).startswith("2 ") or str(warning).startswith("有 2 ")
    clerk = Client()
    clerk.force_login(people.intake)
    assert 'data-role="held-mail"' not in clerk.get("/inbox/").content.decode()


# ------------------------------------------------------------------------------ 2. bodies


def test_an_html_body_with_a_text_footer_keeps_the_body(people):
    complaint = Complaint.objects.get(number=_take(html_with_footer("gw@x.cn")).number)
    assert "空调外机噪音很大" in complaint.description and "KFR-35" in complaint.description
    assert "网关病毒扫描" in complaint.description  # the footer is kept too, after the body


def test_a_mail_longer_than_a_description_is_registered_with_its_whole_text_as_a_file(people):
    body = "冰箱冷藏室漏水，" * 3000  # 24,000 characters: more than a description may hold
    raw = message("冰箱漏水", body, message_id="<long-letter@x.cn>")
    complaint = Complaint.objects.get(number=_take(raw).number)
    assert len(complaint.description) <= limits.DESCRIPTION
    assert complaint.description.startswith("冰箱冷藏室漏水，")
    assert str(len(body)) in complaint.description  # the cut is said, with the length
    [whole] = complaint.attachments.all()
    assert whole.name.endswith(".txt")
    assert whole.file.read().decode("utf-8") == body


# ------------------------------------------------------------------------------ 3. S/MIME


def test_a_signed_smime_message_becomes_a_complaint_with_its_photo(people):
    raw = smime_sample("outlook_smime_opaque_signed.eml", "signed@corp.cn")
    complaint = Complaint.objects.get(number=_take(raw).number)
    assert "冷藏室漏水" in complaint.description
    assert [a.name for a in complaint.attachments.all()] == ["漏水照片.jpg"]
    assert InboundMail.objects.get().raw is None  # all of it was taken in


def test_an_encrypted_smime_message_is_registered_with_its_original_kept(people):
    raw = smime_sample("outlook_smime_enveloped.eml", "sealed@corp.cn")
    complaint = Complaint.objects.get(number=_take(raw).number)
    assert complaint.complainant_email == "zhangsan@example-corp.cn"
    assert "encrypted" in complaint.description or "加密" in complaint.description
    [refused] = complaint.events.get(type=EventType.REGISTER).data["refused_files"]
    assert refused["name"] == "smime.p7m" and ("S/MIME" in refused["reason"])
    record = InboundMail.objects.get()
    assert bytes(record.raw) == raw and "smime.p7m" in record.reason


def test_a_signed_pdf_attachment_is_kept_as_the_pdf(people):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    raw = with_smime_part("contract@lina.cn", cms_signed(pdf), name="contract.pdf.p7m")
    complaint = Complaint.objects.get(number=_take(raw).number)

    assert complaint.description == "请看附件中签名的合同。"
    [contract] = complaint.attachments.all()
    assert (contract.name, contract.content_type) == ("contract.pdf", "application/pdf")
    assert contract.file.read() == pdf


def test_an_encrypted_message_sent_as_octet_stream_is_refused_as_encrypted(people):
    raw = smime_sample("outlook_smime_enveloped.eml", "sealed-octet@corp.cn").replace(
        b"application/pkcs7-mime; smime-type=enveloped-data;", b"application/octet-stream;"
    )
    complaint = Complaint.objects.get(number=_take(raw).number)
    [refused] = complaint.events.get(type=EventType.REGISTER).data["refused_files"]
    assert refused["name"] == "smime.p7m" and "S/MIME" in refused["reason"]


# ------------------------------------------------------------------------------ 4, 5. files

ZIP, OLE = b"PK\x03\x04" + bytes(12), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(8)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ftyp(brand: bytes) -> bytes:
    return b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00"


@OUTBOX
def test_a_png_named_jpg_is_accepted_as_png_and_refused_files_are_shown(people):
    django_mail.outbox = []
    shot = _take(screenshot_named_jpg("shot@qq.com")).number
    [attachment] = Attachment.objects.filter(complaint__number=shot)
    assert (attachment.name, attachment.content_type) == ("QQ截图20261120.png", "image/png")

    files = message(
        "现场照片",
        "照片和说明见附件。",
        message_id="files@lina.cn",
        files=[
            ("漏水照片.jpg", PHOTO, "image/jpeg"),
            ("说明.exe", b"MZ\x90\x00" + bytes(40), "application/octet-stream"),
        ],
    )
    number = _take(files).number
    staff = Client()
    staff.force_login(people.intake)
    page = staff.get(f"/complaints/{number}").content.decode()
    refused = page.split('data-role="refused-files"')[1].split("</ul>")[0]
    assert "说明.exe" in refused and "漏水照片" not in refused
    # the customer is told in the acknowledgement, and sees it on their page
    [ack] = _sent_to("lina@example.com")
    assert "说明.exe" in ack.body and "漏水照片.jpg" not in ack.body.split("说明.exe")[0][-60:]
    link = re.search(r"/t/[^\s]+/", ack.body).group(0)
    own_page = Client().get(link).content.decode()
    assert 'data-role="refused-files"' in own_page and "说明.exe" in own_page
    assert "说明.exe" in InboundMail.objects.get(message_id="files@lina.cn").reason


@pytest.mark.parametrize(
    ("name", "head", "taken"),
    [
        ("QQ截图20261120.jpg", PNG[:16], ("QQ截图20261120.png", "image/png")),
        ("照片.png", PHOTO[:16], ("照片.jpg", "image/jpeg")),
        ("scan", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0", ("scan.pdf", "application/pdf")),
        (
            "IMG_0001.JPG",
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",
            ("IMG_0001.heic", "image/heic"),
        ),
        (
            "合同.docx",
            b"PK\x03\x04" + bytes(12),
            (
                "合同.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
        ),
        ("照片.jpg", PHOTO[:16], ("照片.jpg", "image/jpeg")),
        # the same family, the other generation: renamed, not refused
        ("报表.xls", ZIP, ("报表.xlsx", XLSX)),
        ("合同.docx", OLE, ("合同.doc", "application/msword")),
        ("合同.doc", ZIP, ("合同.docx", DOCX)),
        ("报表.xlsx", OLE, ("报表.xls", "application/vnd.ms-excel")),
        # ftyp containers by their brand
        ("IMG_0001.MOV", _ftyp(b"qt  "), ("IMG_0001.MOV", "video/quicktime")),
        ("视频.mp4", _ftyp(b"qt  "), ("视频.mov", "video/quicktime")),
        ("clip.mp4", _ftyp(b"isom"), ("clip.mp4", "video/mp4")),
        ("VID_01.3gp", _ftyp(b"3gp5"), ("VID_01.3gp", "video/3gpp")),
        ("照片.heic", _ftyp(b"mif1"), ("照片.heic", "image/heic")),
        ("录音.m4a", _ftyp(b"M4A "), ("录音.m4a", "audio/mp4")),
    ],
)
def test_files_are_judged_by_their_bytes_and_renamed_to_match(name, head, taken):
    from kesu.complaints.attachments import judge_file

    accepted = judge_file(name, 1000, head)
    assert (accepted.name, accepted.content_type) == taken


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("照片.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"),
        ("压缩包.jpg", b"PK\x03\x04" + bytes(12)),  # a zip is only a document by its name
        ("说明.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"),
        ("图片.mp4", _ftyp(b"avif")),  # a known brand that is no accepted kind
        ("扩展.mp4", _ftyp(b"crx ")),  # a brand no phone writes
    ],
)
def test_files_whose_bytes_are_no_accepted_kind_are_refused_whatever_their_name(name, head):
    from kesu.complaints.attachments import judge_file
    from kesu.complaints.errors import ComplaintError

    with pytest.raises(ComplaintError):
        judge_file(name, 1000, head)


def test_a_strangers_refused_file_is_not_shown_on_the_customers_page(people):
    number = _take(message("阀门渗漏", "渗漏", message_id="own@lina.cn")).number
    stranger = message(
        f"关于{number}",
        "我也有同样问题",
        message_id="stranger@x.cn",
        sender=("路人", "x@x.cn"),
        files=[("病毒.exe", b"MZ\x90\x00", "application/octet-stream")],
    )
    assert _take(stranger).outcome == MailOutcome.REPLY
    link = links.issue(Complaint.objects.get(number=number))
    page = Client().get(f"/t/{links.token(link)}/").content.decode()
    assert "病毒.exe" not in page


# ------------------------------------------------------------------------------ 6. threads


def _subject_chain(people) -> Complaint:
    number = _take(message("阀门渗漏", "DN50阀门渗漏。", message_id="q1@qq.com")).number
    return Complaint.objects.get(number=number)


def test_a_reply_without_thread_headers_joins_the_customers_open_complaint(people):
    complaint = _subject_chain(people)
    reply = message(
        "回复：回复：阀门渗漏",
        "还是漏。\n\n------------------ 原始邮件 ------------------\n发件人: 李娜\nDN50阀门渗漏。",
        message_id="q2@qq.com",
    )
    assert _take(reply).outcome == MailOutcome.REPLY
    added = complaint.events.get(type=EventType.ADD_INFO)
    assert added.comment == "还是漏。" and added.visibility == Visibility.CUSTOMER
    # a forward of the same thread from the same customer joins as well
    assert _take(message("转发：阀门渗漏", "再发一次", message_id="q3@qq.com")).outcome == (
        MailOutcome.REPLY
    )
    assert Complaint.objects.count() == 1


def test_a_reply_behind_a_gateways_tag_joins_the_customers_complaint(people):
    complaint = _subject_chain(people)
    tagged = message("[EXT] 回复：【外部邮件】阀门渗漏", "还是漏。", message_id="q-ext@qq.com")
    assert (_take(tagged).number, Complaint.objects.count()) == (complaint.number, 1)
    with override_settings(KESU_MAIL_SUBJECT_TAGS=()):  # a gateway that tags nothing
        other = message("[EXT] 回复：阀门渗漏", "又漏了", message_id="q-ext2@qq.com")
        assert _take(other).outcome == MailOutcome.COMPLAINT


def test_subject_threading_never_joins_another_customer_nor_a_closed_complaint(people):
    complaint = _subject_chain(people)
    other = message(
        "回复：阀门渗漏", "我家也漏", message_id="o@x.cn", sender=("王五", "wangwu@x.cn")
    )
    assert _take(other).outcome == MailOutcome.COMPLAINT  # another customer: a new complaint
    withdrawn = people.api(people.intake).act(complaint.number, "withdraw", {"reason": "撤回"})
    assert withdrawn.status_code == 200, withdrawn.json()
    late = message("回复：阀门渗漏", "又漏了", message_id="q9@qq.com")
    assert _take(late).outcome == MailOutcome.COMPLAINT
    assert Complaint.objects.count() == 3


def test_subject_threading_keeps_to_the_policys_window(people):
    _subject_chain(people)
    days = Policy.current().mail_thread_window_days
    with time_machine.travel(timezone.now() + timedelta(days=days, hours=1)):
        late = message("回复：阀门渗漏", "过了很久又漏了", message_id="late@qq.com")
        assert _take(late).outcome == MailOutcome.COMPLAINT
    Policy.objects.filter(pk=1).update(mail_thread_window_days=0)
    from kesu.core.memo import forget

    forget()
    off = message("回复：阀门渗漏", "不按主题归并", message_id="off@qq.com")
    assert _take(off).outcome == MailOutcome.COMPLAINT


def test_a_mail_that_arrives_after_its_answer_joins_the_answers_complaint(people):
    answer = message(
        "Re: 阀门渗漏",
        "补充：型号DN50。",
        message_id="second@lina.cn",
        headers={"In-Reply-To": "<first@lina.cn>", "References": "<first@lina.cn>"},
    )
    number = _take(answer).number  # its first mail is not here yet: a new complaint
    first = message("阀门渗漏", "阀门渗漏，要求更换。", message_id="first@lina.cn")
    result = _take(first)
    assert (result.outcome, result.number) == (MailOutcome.REPLY, number)
    added = Complaint.objects.get(number=number).events.get(type=EventType.ADD_INFO)
    assert "要求更换" in added.comment and added.visibility == Visibility.CUSTOMER


def test_a_recall_of_a_registered_mail_is_noted_on_its_complaint_for_staff(people):
    complaint = Complaint.objects.get(
        number=_take(message("热水器漏水", "热水器漏水了。", message_id="r0@lina.cn")).number
    )
    assert _take(recall("r1@lina.cn", subject="热水器漏水")).outcome == MailOutcome.RECALL

    noted = complaint.events.get(type=EventType.ADD_INFO)
    assert noted.visibility == Visibility.INTERNAL and "热水器漏水" in noted.comment
    record = InboundMail.objects.get(message_id="r1@lina.cn")
    assert record.complaint == complaint and bytes(record.raw) == recall(
        "r1@lina.cn", subject="热水器漏水"
    )
    # someone else's recall notice names nobody's complaint
    stranger = recall("r2@x.cn", subject="热水器漏水").replace(b"lina@example.com", b"wangwu@x.cn")
    assert _take(stranger).outcome == MailOutcome.RECALL
    assert complaint.events.filter(type=EventType.ADD_INFO).count() == 1


# ------------------------------------------------------------------------------ 8. duplicates


def test_a_message_without_message_id_by_smtp_and_from_a_mailbox_file_is_registered_once(
    people, tmp_path
):
    raw = without_message_id("门锁故障", "智能门锁无法开启。\n请尽快处理。\n")
    on_the_wire = re.sub(rb"\r?\n", b"\r\n", raw)
    assert _take(on_the_wire, MailSource.SMTP).outcome == MailOutcome.COMPLAINT
    box = mailbox.mbox(tmp_path / "box.mbox")
    box.add(raw)
    box.flush()
    [from_file] = [mailbox.mbox(tmp_path / "box.mbox").get_bytes(k) for k in box.iterkeys()]
    assert b"\r\n" not in from_file
    assert _take(from_file).outcome == NotTaken.DUPLICATE
    assert Complaint.objects.count() == 1 and InboundMail.objects.count() == 1
    other = without_message_id("门锁故障", "智能门锁又坏了。\n")
    assert _take(other).outcome == MailOutcome.COMPLAINT  # different words: another message


# ------------------------------------------------------------------------------ 9. spam


@OUTBOX
def test_spam_and_forged_senders_wait_for_review_and_get_no_answer(people):
    django_mail.outbox = []
    assert _take(spam("phish@x.cn")).outcome == MailOutcome.HELD
    assert Complaint.objects.count() == 0 and Notification.objects.count() == 0
    assert _sent_to("service@bank.example") == []
    record = InboundMail.objects.get()
    assert "dmarc=fail" in record.reason and record.raw is not None


# ------------------------------------------------------------------------------ 10. QQ


def test_qq_mail_entities_and_separators_leave_readable_words(people):
    number = _take(qq_entities("qq@qq.com")).number
    complaint = Complaint.objects.get(number=number)
    assert "&nbsp;" not in complaint.description and "&gt;" not in complaint.description
    assert "师傅还没来  已经等了三天>_< 请尽快安排。" in complaint.description
    follow_up = qq_entities("qq2@qq.com").replace(b"qq@qq.com", b"")
    follow_up = follow_up.replace(b"Subject:", b"In-Reply-To: <qq@qq.com>\nSubject:", 1)
    assert _take(follow_up).outcome == MailOutcome.REPLY
    added = complaint.events.get(type=EventType.ADD_INFO)
    assert added.comment == "师傅还没来  已经等了三天>_< 请尽快安排。"


# ------------------------------------------------------------------------------ 11. the answer


@OUTBOX
def test_the_acknowledgement_carries_the_customers_subject_and_the_local_date(people):
    django_mail.outbox = []
    number = _take(message("回复：热水器漏水", "热水器漏水", message_id="ack@lina.cn")).number
    [ack] = _sent_to("lina@example.com")
    assert ack.subject.index(number) < ack.subject.index("热水器漏水")
    sent = ack.message()
    assert sent["Date"].endswith("+0800")
    assert parsedate_to_datetime(sent["Date"]).utcoffset() == timedelta(hours=8)


# ------------------------------------------------------------------------------ all of it


def test_nothing_is_lost_every_kind_of_message_is_a_complaint_a_reply_or_kept_raw(people):
    batch = {
        "plain": message("阀门渗漏", "DN50阀门渗漏。", message_id="k-plain@lina.cn"),
        "reply": message(
            "Re: 阀门渗漏",
            "补充",
            message_id="k-reply@lina.cn",
            headers={"In-Reply-To": "<k-plain@lina.cn>"},
        ),
        "subject reply": message("回复：阀门渗漏", "再补充", message_id="k-subject@lina.cn"),
        "list": list_mail("k-list@lina.cn"),
        "list rewritten": list_mail("k-rewritten@lina.cn", rewritten=True, original=False),
        "html with footer": html_with_footer("k-footer@x.cn"),
        "signed": smime_sample("outlook_smime_opaque_signed.eml", "k-signed@corp.cn"),
        "encrypted": smime_sample("outlook_smime_enveloped.eml", "k-sealed@corp.cn"),
        "screenshot": screenshot_named_jpg("k-shot@qq.com"),
        "qq": qq_entities("k-qq@qq.com"),
        "no id": without_message_id("门锁故障", "门锁坏了"),
        "auto reply": auto_reply("k-auto@x.cn"),
        "bounce": bounce("k-bounce@x.cn"),
        "recall": recall("k-recall@x.cn"),
        "spam": spam("k-spam@x.cn"),
        "unreadable": MALFORMED,
        "png in png": message(
            "照片", "见附件", message_id="k-png@x.cn", files=[("a.png", PNG, "image/png")]
        ),
    }
    outcomes = {kind: _take(raw).outcome for kind, raw in batch.items()}

    assert all(o in MailOutcome.values for o in outcomes.values()), outcomes  # no duplicate
    records = {r.message_id: r for r in InboundMail.objects.all()}
    assert len(records) == len(batch)
    for record in records.values():
        if record.outcome in (MailOutcome.COMPLAINT, MailOutcome.REPLY):
            assert record.complaint is not None
            if record.raw is not None:  # something of it was refused: said why
                assert record.reason
        else:
            assert record.raw is not None and record.reason, record
    assert outcomes["reply"] == outcomes["subject reply"] == MailOutcome.REPLY
    registered = [k for k, o in outcomes.items() if o == MailOutcome.COMPLAINT]
    assert Complaint.objects.count() == len(registered)
