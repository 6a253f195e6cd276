"""Background work of the reports (Huey): the monthly report goes out by itself."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kesu.reports import actions, digests

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/10"))
def issue_monthly_report() -> str:
    """Every ten minutes: once the month before is due (`actions.due_month`: the first working
    day of this month, from the report hour), issue its report unless QA or an earlier run
    already has; issuing is once however often this runs, on however many workers."""
    report, issued = actions.issue(actions.due_month())
    if issued:
        log.info("monthly report %s issued", report.period)
    return report.period


@db_periodic_task(crontab(minute="5-59/10"))
def send_monthly_summaries() -> str:
    """Every ten minutes: once the month before is due (the same instant as its report), send
    each department's heads their summary and the after-sales heads the salespeople's, each
    once however often this runs (`kesu.reports.digests`)."""
    period, sent = digests.send_due()
    if sent:
        log.info("%s monthly summaries of %s sent", sent, period)
    return str(period)
