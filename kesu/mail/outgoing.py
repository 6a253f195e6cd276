"""Outgoing e-mail of the notification outbox: threaded, text and HTML, number in subject,
dated in the installation's time zone.

A message to the customer about a complaint gets the id `kesu.mail.threads.message_id(number,
row)` and refers to the complaint's thread root — and, when the complaint came by e-mail, to
the customer's own first mail, so that the acknowledgement lands in the customer's
conversation — with Reply-To the intake mailbox. Replies to any of these come back to the
complaint (`kesu.mail.intake`). Staff mail carries the number in its subject but no thread
ids and no intake Reply-To: a colleague's answer never enters the customer's thread.
`Auto-Submitted` tells well-behaved auto-responders not to answer; `X-Kesu-Notification`
lets intake recognise our own mail coming back (a loop).
"""

from __future__ import annotations

from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from kesu.mail import threads
from kesu.mail.models import InboundMail
from kesu.notifications.models import Notification

if TYPE_CHECKING:
    from kesu.notifications.models import RoutedNotification


def send(n: RoutedNotification) -> str:
    """Send outbox row `n` (the outbox's e-mail sender, `kesu.notifications.delivery`);
    returns the Message-ID it went out with."""
    message = build(n, n.number)
    message.send(fail_silently=False)
    return message.extra_headers["Message-ID"]


def build(n: Notification, number: str | None) -> EmailMultiAlternatives:
    """The message for outbox row `n` about complaint `number` (None: about none)."""
    subject = n.subject
    headers = {
        "X-Kesu-Notification": str(n.pk),
        "Auto-Submitted": "auto-generated",
        # In the installation's zone (+0800), not Django's "-0000" of an unknown zone.
        "Date": format_datetime(timezone.localtime()),
    }
    to_customer = n.recipient_id is None  # staff are users; the customer is an address
    if number and number not in subject:
        subject = f"[{number}] {subject}"
    if number and to_customer:
        # Only the customer's mail is threaded and answered to the intake mailbox: a staff
        # member's reply must never come back as the customer's message.
        root = threads.thread_root(number)
        first = _customer_first_mail(n.complaint_id)
        refs = [root, *([first] if first else [])]
        headers |= {
            "Message-ID": threads.message_id(number, n.pk),
            "In-Reply-To": first or root,
            "References": " ".join(refs),
        }
    else:
        headers["Message-ID"] = make_msgid(idstring=f"kesu{n.pk}", domain=threads.domain())
    message = EmailMultiAlternatives(
        subject=subject,
        body=n.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[n.address],
        reply_to=(
            [settings.KESU_MAIL_REPLY_TO] if to_customer and settings.KESU_MAIL_REPLY_TO else None
        ),
        headers=headers,
    )
    message.encoding = "utf-8"
    html = render_to_string(
        "mail/notification.html",
        {"subject": subject, "body": n.body, "number": number, "language": n.language},
    )
    message.attach_alternative(html, "text/html")
    return message


def _customer_first_mail(complaint_id: int | None) -> str:
    if complaint_id is None:
        return ""
    first = (
        InboundMail.objects.filter(complaint_id=complaint_id)
        .order_by("id")
        .values_list("message_id", flat=True)
        .first()
    )
    return f"<{first}>" if first and not first.startswith("sha256-") else ""
