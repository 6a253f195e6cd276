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

__all__ = ["MALFORMED", "PHOTO", "auto_reply", "big5_raw", "bounce", "gbk_raw", "message"]
