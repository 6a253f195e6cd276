"""E-mail becomes complaints and messages: through IMAP (a real IMAP server on 127.0.0.1),
through SMTP (a real SMTP client to `kesu mail smtpd`'s listener), and from a mailbox file.
Every charset of Chinese mail, threads, automatic mail, the quarantine, duplicates."""

from __future__ import annotations

import mailbox
import re
import smtplib
import socket
import threading

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.test import Client, override_settings

from kesu.complaints.choices import Channel, EventType, Visibility
from kesu.complaints.models import Attachment, Complaint
from kesu.mail import intake, threads
from kesu.mail.choices import MailOutcome, MailSource, NotTaken
from kesu.mail.models import InboundMail
from kesu.notifications import delivery
from kesu.notifications.choices import NotificationChannel, TemplateCode
from kesu.notifications.models import Notification
from tests.conftest import query_plan
from tests.mail_imap_server import imap_server
from tests.mail_messages import (
    MALFORMED,
    PHOTO,
    auto_reply,
    big5_raw,
    bounce,
    gbk_raw,
    message,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _take(raw: bytes) -> intake.Received:
    return intake.receive(raw, source=MailSource.FILE)


def _real_world_batch() -> list[bytes]:
    return [
        message("阀门渗漏", "DN50阀门批号2025-07渗漏，要求更换。", message_id="plain@a.cn"),
        message(
            "门窗变形",
            "<html><body><p>新装的<b>铝合金窗</b>变形&amp;关不上。</p><p>请尽快处理</p>"
            "<style>p{color:red}</style></body></html>",
            message_id="html@a.cn",
            html=True,
        ),
        gbk_raw("gbk@a.cn"),
        message("墙面渗水", "客厅墙面渗水，已经发霉。", message_id="gb2312@a.cn", charset="gb2312"),
        big5_raw("big5@a.tw"),
        message(
            "现场照片",
            "照片见附件。",
            message_id="files@a.cn",
            charset="gb2312",
            files=[
                ("漏水照片.jpg", PHOTO, "image/jpeg"),
                ("说明.exe", b"MZ\x90\x00", "application/octet-stream"),
            ],
        ),
        message(
            "回复：阀门渗漏",
            "已经换了新的，还是漏。\n\n在 2026年11月20日 10:00，李娜 <lina@example.com> 写道：\n"
            "> DN50阀门批号2025-07渗漏，要求更换。",
            message_id="reply@a.cn",
            headers={"In-Reply-To": "<plain@a.cn>", "References": "<plain@a.cn>"},
        ),
        auto_reply("auto@a.cn"),
        bounce("bounce@a.cn"),
        MALFORMED,
        message("阀门渗漏", "DN50阀门批号2025-07渗漏，要求更换。", message_id="plain@a.cn"),
    ]


def _check_batch_outcome() -> None:
    """What the batch above must leave, whichever way it came in."""
    by_title = {c.title: c for c in Complaint.objects.all()}
    assert set(by_title) == {
        "阀门渗漏",
        "门窗变形",
        "热水器漏水",
        "墙面渗水",
        "浴室牆面裂縫",
        "现场照片",
    }
    assert all(c.channel == Channel.EMAIL for c in by_title.values())
    assert by_title["阀门渗漏"].complainant_email == "lina@example.com"
    assert by_title["阀门渗漏"].complainant_name == "李娜"
    html = by_title["门窗变形"].description
    assert (
        "铝合金窗" in html and "变形&关不上" in html and "<b>" not in html and "color" not in html
    )
    gbk = by_title["热水器漏水"]
    assert "JSQ-16" in gbk.description and "地板泡坏了" in gbk.description
    assert gbk.complainant_name == "李先生" and gbk.complainant_email == "li@example.cn"
    assert by_title["墙面渗水"].title == "墙面渗水" and "发霉" in by_title["墙面渗水"].description
    assert "裂縫" in by_title["浴室牆面裂縫"].description
    files = by_title["现场照片"]
    assert list(Attachment.objects.filter(complaint=files).values_list("name", flat=True)) == [
        "漏水照片.jpg"
    ]
    register = files.events.get(type=EventType.REGISTER)
    assert [f["name"] for f in register.data["refused_files"]] == ["说明.exe"]
    # the customer's reply in the same thread joins the first complaint, quote stripped
    reply = by_title["阀门渗漏"].events.get(type=EventType.ADD_INFO)
    assert reply.comment == "已经换了新的，还是漏。" and reply.visibility == Visibility.CUSTOMER
    outcomes = dict(InboundMail.objects.values_list("message_id", "outcome"))
    assert outcomes["reply@a.cn"] == MailOutcome.REPLY
    assert outcomes["auto@a.cn"] == MailOutcome.AUTO_REPLY
    assert outcomes["bounce@a.cn"] == MailOutcome.BOUNCE
    quarantined = InboundMail.objects.get(outcome=MailOutcome.QUARANTINED)
    assert bytes(quarantined.raw).rstrip(b"\n") == MALFORMED.rstrip(b"\n")  # mbox adds one
    assert InboundMail.objects.count() == 10  # the second delivery of plain@a.cn left nothing


def test_a_mailbox_file_of_real_world_mail(people, tmp_path):
    box = mailbox.mbox(tmp_path / "customers.mbox")
    for raw in _real_world_batch():
        box.add(raw)
    box.flush()
    call_command("mail", "import-file", str(tmp_path / "customers.mbox"))
    _check_batch_outcome()


def test_the_imap_path_takes_unread_mail_and_marks_it_read(people):
    with imap_server(_real_world_batch()) as server:
        call_command("mail", "fetch", "--url", server.url)
        _check_batch_outcome()
        assert not server.unseen_uids()
        call_command("mail", "fetch", "--url", server.url)  # nothing new
    assert Complaint.objects.count() == 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_smtp_path_takes_forwarded_mail(people):
    from kesu.mail.smtpd import controller

    listener = controller("127.0.0.1", _free_port())
    listener.start()
    try:
        with smtplib.SMTP("127.0.0.1", listener.port, timeout=30) as client:
            for raw in _real_world_batch():
                on_the_wire = re.sub(rb"\r?\n", b"\r\n", raw)  # SMTP lines end in CRLF
                client.sendmail("mta@company.example", ["kefu@kesu.example"], on_the_wire)
    finally:
        listener.stop()
    _check_batch_outcome()


def test_the_same_message_delivered_twice_at_once_makes_one_complaint(people):
    raw = message("阀门渗漏", "要求更换。", message_id="twice@a.cn")
    barrier = threading.Barrier(2)
    results = []

    def deliver():
        barrier.wait()
        try:
            results.append(_take(raw).outcome)
        finally:
            from django.db import connection

            connection.close()

    workers = [threading.Thread(target=deliver) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(results) == sorted([NotTaken.DUPLICATE, MailOutcome.COMPLAINT])
    assert Complaint.objects.count() == 1 and InboundMail.objects.count() == 1


def _sent_to(address: str) -> list:
    return [m for m in django_mail.outbox if address in m.to]


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    DEFAULT_FROM_EMAIL="kefu@kesu.example",
    KESU_MAIL_REPLY_TO="kefu@kesu.example",
    KESU_MAIL_OWN_ADDRESSES=["kefu@kesu.example"],
)
def test_a_thread_the_acknowledgement_its_reply_and_our_own_mail_coming_back(people):
    django_mail.outbox = []
    first = message("阀门渗漏", "DN50阀门渗漏。", message_id="first@lina.cn")
    number = _take(first).number
    complaint = Complaint.objects.get(number=number)
    delivery.retry_due()
    ack = _sent_to("lina@example.com")[0]
    # threaded on the customer's mail and on the complaint; the number is in the subject
    assert number in ack.subject
    assert ack.extra_headers["In-Reply-To"] == "<first@lina.cn>"
    assert threads.thread_root(number) in ack.extra_headers["References"]
    html = ack.alternatives[0]
    assert html[1] == "text/html" and number in html[0]
    assert "/t/" in ack.body  # the private link
    notification = Notification.objects.get(
        channel=NotificationChannel.EMAIL, template=TemplateCode.CUSTOMER_RECEIVED
    )
    assert notification.address == "lina@example.com"

    accepted = people.api(people.intake).act(
        number, "accept", {"owner": people.handler_quality.username, "department": "quality"}
    )
    assert accepted.status_code == 200, accepted.json()

    # the customer replies from another address (a colleague's), quoting our mail (QQ Mail)
    reply = message(
        "回复：" + ack.subject,
        "补充：漏水越来越严重了。\n\n------------------ 原始邮件 ------------------\n"
        "发件人: kefu@kesu.example\n" + ack.body,
        message_id="reply@lina.cn",
        sender=("李娜同事", "colleague@example.com"),
        headers={"In-Reply-To": ack.extra_headers["Message-ID"]},
    )
    assert _take(reply).outcome == MailOutcome.REPLY
    added = complaint.events.get(type=EventType.ADD_INFO)
    assert added.comment == "补充：漏水越来越严重了。" and added.visibility == Visibility.CUSTOMER
    assert added.data["by"] == "customer" and added.data["via"] == "email"
    # the owner hears that the customer wrote
    wrote = Notification.objects.get(
        template=TemplateCode.CUSTOMER_WROTE, channel=NotificationChannel.IN_APP
    )
    assert wrote.recipient == people.handler_quality and "漏水越来越严重了" in wrote.body
    assert f"/complaints/{number}" in wrote.body  # a staff message: the workspace link

    # the number typed into a subject by a stranger: kept, but for staff only
    stranger = message(
        f"关于{number}", "我也有同样问题", message_id="stranger@x.cn", sender=("路人", "x@x.cn")
    )
    assert _take(stranger).outcome == MailOutcome.REPLY
    assert complaint.events.filter(type=EventType.ADD_INFO).last().visibility == Visibility.INTERNAL
    # the number in the subject from the customer's own address: trusted
    own = message(
        f"Re: {number} 进展？",
        "请问什么时候上门？\n\n在 2026年11月20日 10:00，客服 写道：\n> 已受理",
        message_id="own@lina.cn",
    )
    _take(own)
    last = complaint.events.filter(type=EventType.ADD_INFO).last()
    assert last.visibility == Visibility.CUSTOMER and last.comment == "请问什么时候上门？"

    # our own acknowledgement coming back (a forwarding loop) makes nothing
    loop = ack.message().as_bytes()
    assert _take(loop).outcome == MailOutcome.LOOP
    assert Complaint.objects.count() == 1


def test_a_forged_thread_id_is_not_trusted(people):
    number = _take(message("阀门渗漏", "渗漏", message_id="orig@lina.cn")).number
    forged = f"<kesu.{number}.1.{'0' * 12}@kesu.example>"
    raw = message(
        "hello",
        "我来冒充客户",
        message_id="forged@x.cn",
        sender=("x", "x@x.cn"),
        headers={"In-Reply-To": forged},
    )
    assert _take(raw).outcome == MailOutcome.COMPLAINT  # not attached to the complaint
    assert Complaint.objects.count() == 2


def test_the_quarantine_is_visible_to_admins_and_can_be_downloaded(people):
    _take(MALFORMED)
    record = InboundMail.objects.get()
    client = Client()
    client.force_login(people.admin)
    page = client.get("/admin/mail/inboundmail/?outcome=quarantined")
    assert page.status_code == 200
    assert f"/admin/mail/inboundmail/{record.pk}/raw/" in page.content.decode()
    raw = client.get(f"/admin/mail/inboundmail/{record.pk}/raw/")
    assert raw.status_code == 200 and b"".join(raw) == MALFORMED
    # a second delivery of the same bytes is recognised
    assert _take(MALFORMED).outcome == NotTaken.DUPLICATE


def test_a_follow_up_in_the_customers_own_thread_joins_the_complaint(people):
    number = _take(message("阀门渗漏", "渗漏", message_id="first@lina.cn")).number
    follow_up = message(
        "Re: 阀门渗漏",
        "忘了说：型号是DN50。",
        message_id="second@lina.cn",
        headers={"In-Reply-To": "<first@lina.cn>", "References": "<first@lina.cn>"},
    )
    assert _take(follow_up).outcome == MailOutcome.REPLY
    added = Complaint.objects.get(number=number).events.get(type=EventType.ADD_INFO)
    assert added.comment == "忘了说：型号是DN50。" and added.visibility == Visibility.CUSTOMER
    # the same from another address is kept for staff only
    other = message(
        "Re: 阀门渗漏",
        "我是邻居，我家也漏",
        message_id="third@x.cn",
        sender=("邻居", "neighbour@x.cn"),
        headers={"In-Reply-To": "<first@lina.cn>"},
    )
    assert _take(other).outcome == MailOutcome.REPLY
    last = Complaint.objects.get(number=number).events.filter(type=EventType.ADD_INFO).last()
    assert last.visibility == Visibility.INTERNAL
    assert Complaint.objects.count() == 1


def test_the_worker_polls_the_mailbox_when_one_is_configured(people):
    from kesu.mail.tasks import fetch_mail_task

    with imap_server([message("阀门渗漏", "渗漏", message_id="polled@a.cn")]) as server:
        with override_settings(KESU_IMAP_URL=""):
            assert fetch_mail_task.call_local() == 0
        with override_settings(KESU_IMAP_URL=server.url):
            assert fetch_mail_task.call_local() == 1
        assert not server.unseen_uids()
    assert Complaint.objects.get().title == "阀门渗漏"


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    DEFAULT_FROM_EMAIL="kefu@kesu.example",
    KESU_MAIL_REPLY_TO="kefu@kesu.example",
)
def test_a_staff_members_reply_never_becomes_the_customers_message(people):
    django_mail.outbox = []
    people.handler_quality.email = "sun@company.example"
    people.handler_quality.save()
    number = _take(message("阀门渗漏", "渗漏", message_id="c1@lina.cn")).number
    accepted = people.api(people.intake).act(
        number, "accept", {"owner": people.handler_quality.username, "department": "quality"}
    )
    assert accepted.status_code == 200
    delivery.retry_due()
    to_staff = _sent_to("sun@company.example")[0]
    to_customer = next(m for m in _sent_to("lina@example.com") if "受理" in m.subject)
    # staff mail: the number in the subject, but no thread ids and no intake Reply-To
    assert number in to_staff.subject and not to_staff.reply_to
    assert "References" not in to_staff.extra_headers
    # even a staff member who replies into the customer's thread is kept for staff only
    reply = message(
        "回复：" + to_customer.subject,
        "内部：这个客户很难缠",
        message_id="staff-reply@company.example",
        sender=("孙工", "sun@company.example"),
        headers={"In-Reply-To": to_customer.extra_headers["Message-ID"]},
    )
    assert _take(reply).outcome == MailOutcome.REPLY
    added = Complaint.objects.get(number=number).events.get(type=EventType.ADD_INFO)
    assert added.visibility == Visibility.INTERNAL


def test_mail_reaching_a_complaint_through_a_merge_stays_internal(people):
    kept = _take(message("阀门渗漏", "渗漏", message_id="a@lina.cn")).number
    merged = _take(
        message("阀门也漏", "同样问题", message_id="b@wang.cn", sender=("王五", "wangwu@x.cn"))
    ).number
    response = people.api(people.intake).act(merged, "merge", {"into": kept})
    assert response.status_code == 200, response.json()
    follow_up = message(
        f"Re: {merged}",
        "我的电话是13911112222",
        message_id="b2@wang.cn",
        sender=("王五", "wangwu@x.cn"),
    )
    assert _take(follow_up).outcome == MailOutcome.REPLY
    added = Complaint.objects.get(number=kept).events.get(type=EventType.ADD_INFO)
    assert added.visibility == Visibility.INTERNAL  # lina's page never shows wangwu's words


def test_a_reply_with_a_photo_to_a_closed_complaint_keeps_the_words(people):
    number = _take(message("阀门渗漏", "渗漏", message_id="x1@lina.cn")).number
    people.api(people.intake).act(number, "withdraw", {"reason": "客户撤回"})
    late = message(
        f"Re: {number}",
        "还是不满意，见照片",
        message_id="x2@lina.cn",
        files=[("照片.jpg", PHOTO, "image/jpeg")],
    )
    assert _take(late).outcome == MailOutcome.REPLY
    added = Complaint.objects.get(number=number).events.get(type=EventType.ADD_INFO)
    assert added.comment == "还是不满意，见照片"
    assert [f["name"] for f in added.data["refused_files"]] == ["照片.jpg"]
    assert not Attachment.objects.filter(name="照片.jpg").exists()


def test_a_database_failure_is_not_quarantined_but_left_for_redelivery(people, monkeypatch):
    from django.db import OperationalError

    from kesu.complaints import intake as complaint_intake

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(complaint_intake, "register_from_customer", locked)
    raw = message("阀门渗漏", "渗漏", message_id="busy@lina.cn")
    with pytest.raises(OperationalError):
        _take(raw)
    assert InboundMail.objects.count() == 0  # nothing half-written, nothing quarantined
    monkeypatch.undo()
    assert _take(raw).outcome == MailOutcome.COMPLAINT


def test_a_nul_in_a_text_part_is_left_out_and_the_message_registered(people):
    raw = (
        b"From: a <a@example.com>\r\nTo: kefu@kesu.example\r\nSubject: t\x00x\r\n"
        b"Message-ID: <nul1@x>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"hello\x00world\r\n"
    )
    result = _take(raw)  # PostgreSQL refused the NUL: DataError, no row, delivered forever
    assert result.outcome == MailOutcome.COMPLAINT
    complaint = Complaint.objects.get(number=result.number)
    assert (complaint.title, complaint.description) == ("t x", "helloworld")


def test_bytes_no_codec_reads_in_a_header_never_reach_the_database(people):
    raw = message("阀门渗漏", "渗漏", message_id="loop@x.cn").replace(
        b"Subject:", b"X-Loop: kesu-\xff\xfe\r\nSubject:", 1
    )
    assert _take(raw).outcome == MailOutcome.LOOP
    record = InboundMail.objects.get()
    assert record.reason.startswith("X-Loop: kesu-") and bytes(record.raw) == raw


def test_a_database_refusal_quarantines_the_message_instead_of_failing_every_delivery(
    people, monkeypatch
):
    from django.db import DataError

    from kesu.complaints import intake as complaint_intake

    def refused(*args, **kwargs):
        raise DataError("value too long for type character varying(200)")

    monkeypatch.setattr(complaint_intake, "register_from_customer", refused)
    raw = message("阀门渗漏", "渗漏", message_id="refused@lina.cn")
    assert _take(raw).outcome == MailOutcome.QUARANTINED
    record = InboundMail.objects.get()
    assert bytes(record.raw) == raw and "DataError" in record.reason


def test_the_subject_thread_lookup_reads_its_partial_index(people):
    from django.utils import timezone

    for i in range(20):
        _take(message(f"话题{i}", "内容", message_id=f"topic{i}@x.cn"))
    query = intake.subject_thread("0123456789abcdef01234567", timezone.now())
    assert "inboundmail_thread" in query_plan(query)


def test_a_reply_cut_by_quote_stripping_keeps_its_whole_text_for_staff(people):
    number = _take(message("阀门渗漏", "渗漏", message_id="w1@lina.cn")).number
    body = (
        "师傅说明天来。\n\nFrom: 客服中心 <kefu@kesu.example>\nSent: 2026-12-01 10:00\n"
        "To: 李娜\nSubject: RE: 阀门渗漏\n\n请问师傅何时上门？附：物流单号 SF123"
    )
    reply = message(
        "Re: 阀门渗漏", body, message_id="w2@lina.cn", headers={"In-Reply-To": "<w1@lina.cn>"}
    )
    assert _take(reply).outcome == MailOutcome.REPLY

    added = Complaint.objects.get(number=number).events.get(type=EventType.ADD_INFO)
    assert added.comment == "师傅说明天来。"
    assert added.data["whole_text"] == body
    staff = Client()
    staff.force_login(people.intake)
    page = staff.get(f"/complaints/{number}").content.decode()
    whole = page.split('data-role="whole-email"')[1].split("</details>")[0]
    assert "物流单号 SF123" in whole


def test_a_whole_text_too_long_to_keep_beside_the_reply_keeps_the_raw_message(people):
    number = _take(message("阀门渗漏", "渗漏", message_id="l1@lina.cn")).number
    body = "还是漏。\n\n-----Original Message-----\nFrom: kefu@kesu.example\n" + "旧" * 21000
    reply = message(
        "Re: 阀门渗漏", body, message_id="l2@lina.cn", headers={"In-Reply-To": "<l1@lina.cn>"}
    )
    assert _take(reply).outcome == MailOutcome.REPLY

    added = Complaint.objects.get(number=number).events.get(type=EventType.ADD_INFO)
    assert added.comment == "还是漏。" and len(added.data["whole_text"]) == intake.WHOLE_TEXT_KEPT
    record = InboundMail.objects.get(message_id="l2@lina.cn")
    assert bytes(record.raw) == reply and str(len(body)) in record.reason


def test_a_different_message_under_a_message_id_already_taken_is_kept_not_dropped(people):
    first = message("阀门渗漏", "DN50阀门渗漏。", message_id="reused@cheap-client.cn")
    second = message(
        "门窗变形", "铝合金窗变形。", message_id="reused@cheap-client.cn", sender=("王五", "w@x.cn")
    )
    assert _take(first).outcome == MailOutcome.COMPLAINT

    assert _take(second).outcome == MailOutcome.QUARANTINED
    kept = InboundMail.objects.get(outcome=MailOutcome.QUARANTINED)
    assert bytes(kept.raw) == second and "Message-ID" in kept.reason
    # each delivered again is a duplicate of itself
    assert _take(second).outcome == _take(first).outcome == NotTaken.DUPLICATE
    assert InboundMail.objects.count() == 2 and Complaint.objects.count() == 1


def test_a_redelivery_costs_one_probe_of_one_index(people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    raw = message("阀门渗漏", "渗漏", message_id="again@lina.cn")
    _take(raw)
    with CaptureQueriesContext(connection) as captured:
        assert _take(raw).outcome == NotTaken.DUPLICATE
    [probe] = captured.captured_queries
    plan = _plan_of(probe["sql"])
    assert ("COVERING INDEX" if connection.vendor == "sqlite" else "Index Only Scan") in plan


def _plan_of(sql: str) -> str:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def test_a_subject_or_a_name_too_long_for_its_field_is_shortened_visibly(people):
    from kesu.complaints import limits

    subject = "Water heater leaking again after the second repair visit " * 6  # 348 characters
    name = "上海某某建筑工程有限公司第三项目部采购与质量管理联合工作小组" * 4  # 120 characters
    raw = message(
        subject.strip(), "热水器又漏水了。", message_id="long@x.cn", sender=(name, "p@x.cn")
    )
    complaint = Complaint.objects.get(number=_take(raw).number)

    assert len(complaint.title) <= limits.TITLE and complaint.title.endswith("…")
    assert subject.startswith(complaint.title[:-1])  # cut where a word ends
    assert complaint.title[-2] != " " and subject[len(complaint.title) - 1] == " "
    assert subject.strip() in complaint.description.splitlines()[0]  # the whole subject kept
    assert "热水器又漏水了。" in complaint.description
    assert len(complaint.complainant_name) <= limits.COMPLAINANT_NAME
    assert complaint.complainant_name.endswith("…") and name.startswith(
        complaint.complainant_name[:-1]
    )
