"""Background jobs of the outbox (Huey), and handing rows to them. Both jobs take ids or
nothing and are idempotent: a row is claimed before it is sent, so a task that runs twice
sends nothing twice.

`rules` queues what an event wrote here, after the commit; `delivery` sends and knows no
queue."""

import logging
from collections.abc import Iterable

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kesu.notifications import delivery
from kesu.notifications.choices import NotificationState
from kesu.notifications.models import Notification

logger = logging.getLogger(__name__)


@db_task()
def deliver_task(ids: list[int]) -> int:
    """Send the rows an event has just written (queued when its transaction commits)."""
    return delivery.deliver(ids)


@db_periodic_task(crontab(minute="*"))
def retry_due_task() -> int:
    """Every minute: rows whose next attempt is due (failed ones, and any a lost task left)."""
    return delivery.retry_due()


def queue_delivery(ids: list[int]) -> None:
    """After the commit: hand the new rows to a worker. If the queue is down the rows stay
    pending and the retry sweep sends them."""
    try:
        deliver_task(ids)
    except Exception:
        logger.exception("could not queue notifications %s; the retry sweep will send them", ids)


def retry_now(ids: Iterable[int]) -> int:
    """Try failed or given-up rows once more, now (the admin's action): they are due again and
    handed to the worker, as after a commit; returns how many were queued."""
    ids = list(ids)
    again = Notification.objects.filter(
        pk__in=ids, state__in=[NotificationState.FAILED, NotificationState.DEAD]
    )
    queued = list(again.values_list("pk", flat=True))
    again.update(state=NotificationState.FAILED, next_attempt_at=timezone.now())
    if queued:
        queue_delivery(queued)
    return len(queued)
