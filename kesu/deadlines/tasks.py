"""Background work of the deadlines (Huey): the periodic sweep."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kesu.deadlines import years
from kesu.deadlines.sweep import sweep

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("deadlines-sweep")  # one sweep at a time per queue; the sweep is race-safe anyway
def sweep_deadlines() -> dict:
    years.warn_once()  # a provisional year ahead is logged once per process
    report = sweep()
    if report.complaints:
        log.info("deadline sweep: %s", report.as_dict())
    return report.as_dict()
