"""Background jobs of the outbox (Huey). Both take ids or nothing and are idempotent: a row
is claimed before it is sent, so a task that runs twice sends nothing twice."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kesu.notifications import delivery


@db_task()
def deliver_task(ids: list[int]) -> int:
    """Send the rows an event has just written (queued when its transaction commits)."""
    return delivery.deliver(ids)


@db_periodic_task(crontab(minute="*"))
def retry_due_task() -> int:
    """Every minute: rows whose next attempt is due (failed ones, and any a lost task left)."""
    return delivery.retry_due()
