import logging
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kesu.deadlines import sweeper
from kesu.site import startup

log = logging.getLogger("kesu.worker")


class Command(BaseCommand):
    help = (
        "Run the background worker alone: the deadline sweep every minute and notification "
        "delivery (Huey; SQLite queue in the data directory, Redis when REDIS_URL is set)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, workers, **options):
        startup.check_all()  # no database or queue: fail now, naming the variable
        if not os.environ.get("KESU_BASE_URL"):  # `kesu serve` sets it for the worker it starts
            log.warning(
                "KESU_BASE_URL is not set: links in e-mail and SMS point to %s",
                settings.KESU_BASE_URL,
            )
        # A worker killed mid-task leaves its locks behind. The deadline sweep's lease is freed
        # here only when its holder is provably gone (sweeper._dead: this boot and pid
        # namespace, pid gone or reused); a live worker's, as in a rolling restart, stays,
        # and it expires anyway. Huey's task locks record no holder, so they cannot be judged
        # by that rule; the flush clears two, each safe to clear under a live worker: the
        # sweep's own from before it took a lease (nothing takes it any more), and the mail
        # poll's, whose second poll beside a running one downloads the same unseen messages
        # and takes nothing twice (intake's unique Message-ID index; a message is only marked
        # seen after it was taken in). A task that needs a lock where a twin would do harm
        # must take a lease like the sweep's instead of Huey's lock.
        freed = sweeper.worker_started()
        if freed:
            log.warning("freed the deadline sweep's lease left by %s, which no longer runs", freed)
        call_command(
            "run_huey",
            workers=workers,
            worker_type="thread",
            flush_locks=True,
            extra_locks="deadlines-sweep",
        )
