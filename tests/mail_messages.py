"""Real-world-shaped customer mail for the intake tests, as clients send it."""

from __future__ import annotations

import base64
from datetime import datetime
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from tests.conftest import PHOTO

SENT = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def message(
    subject: str,
    body: str,
    *,
    message_id: str,
    sender: tuple[str, str] = ("李娜", "lina@example.com"),
    charset: str = "utf-8",
    html: bool = False,
    headers: dict[str, str] | None = None,
    files: list[tuple[str, bytes, str]] = (),
) -> bytes:
    part = MIMEText(body, "html" if html else "plain", charset)
    if files:
        outer = MIMEMultipart("mixed")
        outer.attach(part)
        for name, data, ctype in files:
            maintype, subtype = ctype.split("/")
            attached = (
                MIMEImage(data, _subtype=subtype)
                if maintype == "image"
                else MIMEApplication(data, _subtype=subtype)
            )
            # as Foxmail and Outlook write it: an RFC 2047 encoded name in GB2312 / UTF-8
            encoded = Header(name, "gb2312" if charset != "utf-8" else "utf-8").encode()
            attached.add_header("Content-Disposition", "attachment", filename=encoded)
            outer.attach(attached)
        part = outer
    part["Subject"] = Header(subject, charset).encode()
    part["From"] = formataddr((str(Header(sender[0], charset).encode()), sender[1]))
    part["To"] = "kefu@kesu.example"
    part["Date"] = format_datetime(SENT)
    part["Message-ID"] = f"<{message_id}>"
    for name, value in (headers or {}).items():
        part[name] = value
    return part.as_bytes()


def gbk_raw(message_id: str) -> bytes:
    """A Foxmail-style message, written by hand: GBK body in base64, GB2312 subject."""
    body = "您好：\r\n我家新装的热水器（型号JSQ-16，批号2026-09）漏水，地板泡坏了。\r\n李先生"
    subject = base64.b64encode("热水器漏水".encode("gb2312")).decode()
    return (
        f"From: =?gb2312?B?{base64.b64encode('李先生'.encode('gb2312')).decode()}?= "
        "<li@example.cn>\r\n"
        "To: kefu@kesu.example\r\n"
        f"Subject: =?gb2312?B?{subject}?=\r\n"
        f"Message-ID: <{message_id}>\r\n"
        "Date: Fri, 20 Nov 2026 10:00:00 +0800\r\n"
        "X-Mailer: Foxmail 7.2.25.375[cn]\r\n"
        "Mime-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="gb2312"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(body.encode("gbk")).decode().replace("\n", "\r\n")
    ).encode("ascii")


def big5_raw(message_id: str) -> bytes:
    body = "你好，新房的浴室牆面有裂縫，而且漏水。請盡快處理。"
    return (
        (
            "From: Chen <chen@example.tw>\r\n"
            "To: kefu@kesu.example\r\n"
            f"Subject: =?big5?B?{base64.b64encode('浴室牆面裂縫'.encode('big5')).decode()}?=\r\n"
            f"Message-ID: <{message_id}>\r\n"
            "Mime-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=big5\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
        ).encode("ascii")
        + body.encode("big5")
        + b"\r\n"
    )


def auto_reply(message_id: str) -> bytes:
    return message(
        "自动回复: 您的投诉已受理",
        "我正在休假，11月30日返回。",
        message_id=message_id,
        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    )


def bounce(message_id: str) -> bytes:
    """A delivery status notification as Postfix writes it."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        "To: kefu@kesu.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <{message_id}>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n\r\n'
        "--B1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n"
        "--B1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        "Final-Recipient: rfc822; x@nowhere.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--B1--\r\n"
    ).encode("ascii")


MALFORMED = b"\x00\x01\x02 this is not a mail message \xff\xfe\r\n" * 20
SAMPLES = Path(__file__).parent / "mail_samples"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x80\x00\x00\x01\xe0" + bytes(200)


def _headers(part, subject: str, sender: tuple[str, str], message_id: str | None, charset="utf-8"):
    part["Subject"] = Header(subject, charset).encode()
    part["From"] = formataddr((str(Header(sender[0], charset).encode()), sender[1]))
    part["To"] = "kefu@kesu.example"
    part["Date"] = format_datetime(SENT)
    if message_id is not None:
        part["Message-ID"] = f"<{message_id}>"


def list_mail(message_id: str, *, rewritten: bool = False, original: bool = True) -> bytes:
    """A customer's mail that reached the intake address through a group alias or a list:
    Precedence: list and List-Id on every message; a DMARC-careful list rewrites From as
    "'李娜' via 客服组" with the list's own address and keeps the sender in Reply-To."""
    headers = {
        "Precedence": "list",
        "List-Id": "客服组 <kefu-group.company.example>",
        "List-Post": "<mailto:kefu-group@company.example>",
    }
    sender = ("李娜", "lina@example.com")
    if rewritten:
        sender = ("'李娜' via 客服组", "kefu-group@company.example")
        if original:
            headers["Reply-To"] = "李娜 <lina@example.com>"
    return message(
        "热水器漏水",
        "热水器漏水，请尽快处理。",
        message_id=message_id,
        sender=sender,
        headers=headers,
    )


def html_with_footer(message_id: str) -> bytes:
    """multipart/mixed: the body in HTML, then a short plain footer a mail gateway added."""
    outer = MIMEMultipart("mixed")
    outer.attach(
        MIMEText(
            "<html><body><p>空调外机噪音很大，晚上无法入睡。</p><p>型号KFR-35</p></body></html>",
            "html",
            "utf-8",
        )
    )
    outer.attach(MIMEText("本邮件已经过网关病毒扫描。", "plain", "utf-8"))
    _headers(outer, "空调噪音", ("王强", "wangqiang@example.com"), message_id)
    return outer.as_bytes()


def screenshot_named_jpg(message_id: str) -> bytes:
    """QQ Mail's inline screenshot: multipart/related, a PNG sent as image/jpeg named .jpg."""
    related = MIMEMultipart("related")
    related.attach(MIMEText('<p>见截图</p><img src="cid:shot@qq.com">', "html", "utf-8"))
    shot = MIMEImage(PNG, _subtype="jpeg")
    shot.add_header("Content-ID", "<shot@qq.com>")
    shot.add_header("Content-Disposition", "inline", filename="QQ截图20261120.jpg")
    related.attach(shot)
    _headers(related, "订单页面报错", ("张三", "12345678@qq.com"), message_id)
    return related.as_bytes()


def smime_sample(name: str, message_id: str) -> bytes:
    """An Outlook S/MIME sample of tests/mail_samples with its Message-ID replaced."""
    raw = (SAMPLES / name).read_bytes()
    start = raw.index(b"Message-ID: <") + len(b"Message-ID: <")
    return raw[:start] + message_id.encode() + raw[raw.index(b">", start) :]


def cms_signed(content: bytes | None) -> bytes:
    """A CMS SignedData holding `content` (None: certs-only, no content), as S/MIME clients
    write it; unsigned, since Kesu never checks the signature."""
    from asn1crypto import cms

    encapsulated = {"content_type": "data"}
    if content is not None:
        encapsulated["content"] = content
    signed = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [],
            "encap_content_info": encapsulated,
            "signer_infos": [],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()


def cms_compressed(content: bytes) -> bytes:
    """A CMS CompressedData (RFC 3274) holding `content`, zlib at its best."""
    import zlib

    from asn1crypto import cms

    compressed = cms.CompressedData(
        {
            "version": "v0",
            "compression_algorithm": {"algorithm": "zlib"},
            "encap_content_info": {"content_type": "data", "content": zlib.compress(content, 9)},
        }
    )
    return cms.ContentInfo({"content_type": "compressed_data", "content": compressed}).dump()


def with_smime_part(
    message_id: str,
    data: bytes,
    *,
    name: str,
    content_type: str = "application/pkcs7-mime; smime-type=signed-data",
    body: str = "请看附件中签名的合同。",
) -> bytes:
    """A message with a text body and one S/MIME part (base64), named `name`, as an
    attachment: a signed contract, a signed document sent as application/octet-stream."""
    encoded = base64.encodebytes(data).decode().replace("\n", "\r\n")
    named = f'name="{name}"' if name.isascii() else f"name*=utf-8''{quote(name)}"
    return (
        "From: =?utf-8?B?5p2O5aic?= <lina@example.com>\r\n"
        "To: kefu@kesu.example\r\n"
        "Subject: =?utf-8?B?5ZCI5ZCM?=\r\n"
        f"Message-ID: <{message_id}>\r\n"
        "Date: Fri, 20 Nov 2026 10:00:00 +0800\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(body.encode()).decode().replace("\n", "\r\n")
        + f"--B\r\nContent-Type: {content_type}; {named}\r\n"
        f"Content-Disposition: attachment; file{named}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + encoded + "--B--\r\n"
    ).encode("ascii")


def recall(message_id: str, subject: str = "热水器漏水") -> bytes:
    """Outlook (zh-CN) asking to recall an earlier message, as outside recipients get it."""
    return message(
        f"撤回: {subject}",
        f"李娜 希望撤回邮件“{subject}”。",
        message_id=message_id,
        headers={
            "Thread-Topic": subject,
            "X-MS-Has-Attach": "",
            "X-Mailer": "Microsoft Outlook 16.0",
        },
    )


def spam(message_id: str) -> bytes:
    """Phishing with a forged bank sender, as the company's server marked it."""
    return message(
        "您的账户已冻结",
        "请点击链接验证身份：http://bank.example.phish/verify",
        message_id=message_id,
        sender=("某银行", "service@bank.example"),
        headers={
            "Authentication-Results": "mx.kesu.example; spf=fail smtp.mailfrom=bank.example; "
            "dmarc=fail (p=REJECT) header.from=bank.example",
            "X-Spam-Flag": "YES",
            "X-Spam-Status": "Yes, score=14.2 required=5.0",
        },
    )


def qq_entities(message_id: str) -> bytes:
    """QQ Mail's plain part made from HTML without unescaping, with its English separator."""
    body = (
        "师傅还没来&nbsp;&nbsp;已经等了三天&gt;_&lt;&amp;nbsp;请尽快安排。\n\n"
        "------------------&nbsp;Original&nbsp;------------------\n"
        'From: &nbsp;"kefu"&lt;kefu@kesu.example&gt;;\nDate: &nbsp;Fri, Nov 20, 2026\n已受理'
    )
    return message(
        "回复：门锁故障", body, message_id=message_id, sender=("张三", "12345678@qq.com")
    )


def without_message_id(subject: str, body: str) -> bytes:
    """A message some old clients and scripts send: no Message-ID at all."""
    part = MIMEText(body, "plain", "utf-8")
    _headers(part, subject, ("老王", "laowang@example.cn"), None)
    return part.as_bytes()


__all__ = [
    "MALFORMED",
    "PHOTO",
    "PNG",
    "auto_reply",
    "big5_raw",
    "bounce",
    "cms_compressed",
    "cms_signed",
    "gbk_raw",
    "html_with_footer",
    "list_mail",
    "message",
    "qq_entities",
    "recall",
    "screenshot_named_jpg",
    "smime_sample",
    "spam",
    "with_smime_part",
    "without_message_id",
]
