"""The worker polls the intake mailbox every minute when KESU_IMAP_URL is set."""

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kesu.mail import intake
from kesu.mail.choices import MailSource

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("kesu-mail-fetch")  # a slow mailbox never runs two fetches at once
def fetch_mail_task() -> int:
    if not settings.KESU_IMAP_URL:
        return 0
    from kesu.mail import imap

    try:
        result = imap.fetch(
            settings.KESU_IMAP_URL, lambda raw: intake.receive(raw, source=MailSource.IMAP)
        )
    except imap.MailboxError:
        logger.exception("the intake mailbox could not be read")
        return 0
    return result.handled
