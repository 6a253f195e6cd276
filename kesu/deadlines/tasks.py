"""Background work of the deadlines (Huey): the periodic sweep."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kesu.deadlines import sweeper, years
from kesu.deadlines.sweep import sweep

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def sweep_deadlines() -> dict | None:
    """Every minute: take the ladder's due steps, under the sweep's lease (`sweeper`), which a
    killed sweep does not keep: it expires, and a dead process's lease is taken over."""
    years.warn_once()  # a provisional year ahead is logged once per process
    token = sweeper.claim()
    if token is None:
        log.info("deadline sweep: another sweep is running")
        return None
    try:
        report = sweep()
    except BaseException:
        sweeper.abandon(token)
        raise
    sweeper.finish(token, complaints=report.complaints, steps=dict(report.steps))
    if report.complaints:
        log.info("deadline sweep: %s", report.as_dict())
    return report.as_dict()
