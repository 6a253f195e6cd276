"""Sending what the outbox holds: claim a row, send it once, record the attempt.

Runs after the commit (a Huey task `rules` queues, `kesu.notifications.tasks`) and every
minute for rows whose next attempt is due (`retry_due`). Never raises into its caller: every
failure is written to the row (`last_error`) and to a `Delivery`, and the row is tried again
later:

    attempt 1 fails → again in 1 min; 2 → 5 min; 3 → 30 min; 4 → 2 h; 5 → 6 h; 6 → dead.

Claiming is one conditional UPDATE (`… WHERE state IN (pending, sending, failed) AND
next_attempt_at <= now`) that also sets a lease: "0 rows" means another worker has it, and a
worker that dies mid-send leaves a row that becomes due again when its lease ends. So a row is
sent at least once, and twice only when a worker dies between sending and recording.

E-mail is written by the mail app (`kesu.mail.outgoing`: threading, Reply-To, the HTML part),
which sits above the domain: it registers its sender here when it starts
(`register_email_sender`, from `MailConfig.ready`), so the outbox imports no channel.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kesu.notifications import sms, webhooks
from kesu.notifications.choices import NotificationChannel, NotificationState
from kesu.notifications.models import AWAITING_STATE_LIST, Delivery, Notification

if TYPE_CHECKING:
    from kesu.notifications.models import RoutedNotification
from kesu.notifications.templates import complaint_url
from kesu.notifications.webhooks import DeliveryError

logger = logging.getLogger(__name__)

BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(minutes=5)  # far longer than one attempt can take (webhook timeout 5 s)
SWEEP_BATCH = 200
SWEEP_BUDGET_SECONDS = 50  # the sweep runs every minute; it stops claiming before the next
TEXT_LIMIT = 4000


class PermanentError(DeliveryError):
    """Trying again cannot help (the webhook was removed or switched off)."""


# Sends one e-mail row and returns its Message-ID; set by the mail app when it starts.
EmailSender = Callable[["RoutedNotification"], str]
_email_sender: EmailSender | None = None


def register_email_sender(send: EmailSender) -> None:
    """Let `send` send the outbox's e-mail rows (`kesu.mail.apps.MailConfig.ready`)."""
    global _email_sender  # set once, when the apps are ready
    _email_sender = send


def deliver(ids: Iterable[int]) -> int:
    """Send the notifications `ids` that are due and not taken; returns how many went out."""
    sent = 0
    for pk in ids:
        try:
            sent += _deliver_one(pk)
        except Exception:  # a broken row must not stop the others, nor reach the caller
            logger.exception("notification %s: delivery failed unexpectedly", pk)
    return sent


def retry_due(limit: int = SWEEP_BATCH) -> int:
    """Deliver the rows whose next attempt is due; reads only those (partial index)."""
    stop_at = time.monotonic() + SWEEP_BUDGET_SECONDS
    due = list(
        Notification.objects.filter(next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in due:
        if time.monotonic() > stop_at:
            break
        sent += deliver([pk])
    return sent


# ------------------------------------------------------------------------------------------


def _claim(pk: int) -> bool:
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=pk, state__in=AWAITING_STATE_LIST, next_attempt_at__lte=now
    ).update(
        state=NotificationState.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + LEASE,
    )
    return claimed == 1


def _deliver_one(pk: int) -> int:
    if not _claim(pk):
        return 0  # sent already, not due, or another worker has it
    # the complaint's number and the event's type ride along: the e-mail's subject and
    # thread, the webhook's text
    n = (
        Notification.objects.select_related("webhook")
        .annotate(number=F("complaint__number"), event_type=F("event__type"))
        .get(pk=pk)
    )
    started = time.monotonic()
    status, response, error, permanent = None, "", "", False
    try:
        status, response = _send(n)
    except DeliveryError as failure:
        status, response, error = failure.status, failure.response, str(failure)
        permanent = isinstance(failure, PermanentError)
    except Exception as failure:  # SMTP errors, a provider SDK's exceptions, …
        error = f"{type(failure).__name__}: {failure}"
    duration_ms = round((time.monotonic() - started) * 1000)
    ok = not error
    if not ok:
        logger.warning("notification %s attempt %s failed: %s", pk, n.attempts, error)
    _record(n, ok, status, response, error, duration_ms, permanent)
    return int(ok)


def _send(n: RoutedNotification) -> tuple[int | None, str]:
    """Send one row; returns the HTTP status (webhooks) and what the other side answered
    (the message id, the reply's body)."""
    if n.channel == NotificationChannel.EMAIL:
        return None, _send_email(n)
    if n.channel == NotificationChannel.SMS:
        return None, str(sms.backend().send(n.address, n.body) or "")
    if n.channel == NotificationChannel.WEBHOOK:
        return _send_webhook(n)
    raise PermanentError(f"nothing to send on channel {n.channel}")


def _send_email(n: RoutedNotification) -> str:
    """Text and HTML, threaded on the complaint: the mail app's sender (`kesu.mail.outgoing`)."""
    if _email_sender is None:
        raise PermanentError("no e-mail sender: the mail app (kesu.mail) is not installed")
    return _email_sender(n)


def _send_webhook(n: RoutedNotification) -> tuple[int | None, str]:
    hook = n.webhook
    if hook is None:
        raise PermanentError("the webhook was removed")
    if not hook.active:
        raise PermanentError("the webhook is switched off")
    number, event_type = n.number, n.event_type
    data = webhooks.payload(
        hook.style,
        event=event_type or "",
        message=n.template,
        number=number or "",
        subject=n.subject,
        body=n.body,
        url=complaint_url(number) if number else "",
    )
    reply = webhooks.post(n.address, hook.style, hook.secret, data)
    return reply.status, reply.body


def _record(
    n: Notification,
    ok: bool,
    status: int | None,
    response: str,
    error: str,
    duration_ms: int,
    permanent: bool,
) -> None:
    now = timezone.now()
    if ok:
        outcome = {
            "state": NotificationState.SENT,
            "sent_at": now,
            "next_attempt_at": None,
            "last_error": "",
        }
    elif permanent or n.attempts >= MAX_ATTEMPTS:
        outcome = {"state": NotificationState.DEAD, "next_attempt_at": None, "last_error": error}
    else:
        outcome = {
            "state": NotificationState.FAILED,
            "next_attempt_at": now + BACKOFF[n.attempts - 1],
            "last_error": error,
        }
    with transaction.atomic():
        Delivery.objects.create(
            notification=n,
            attempt=n.attempts,
            at=now,
            ok=ok,
            status_code=status,
            response=(response or "")[:TEXT_LIMIT],
            error=error[:TEXT_LIMIT],
            duration_ms=duration_ms,
        )
        # Only while the lease is still ours (same attempt, still being sent).
        Notification.objects.filter(
            pk=n.pk, state=NotificationState.SENDING, attempts=n.attempts
        ).update(**outcome)
