"""Background work of the statistics (Huey): the facts caught up, closed months frozen."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kesu.statistics import actions, builds
from kesu.statistics.projection import catch_up

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
def catch_up_facts() -> int:
    """Every five minutes: the facts of the complaints whose timelines grew, so a read seldom
    has more than a few minutes of events to catch up itself; then the monthly roll-ups of
    the months that are over and have none (`builds.build_due`)."""
    done = catch_up()
    builds.build_due()
    return done


@db_periodic_task(crontab(minute="15", hour="1"))
def freeze_closed_months() -> list[str]:
    """Every night: freeze each month that ended the grace days ago (`actions.freeze_due`)."""
    frozen = [f"{event.month:%Y-%m}" for event in actions.freeze_due()]
    if frozen:
        log.info("statistics: froze %s", ", ".join(frozen))
    return frozen
