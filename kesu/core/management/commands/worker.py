import logging

from django.core.management import call_command
from django.core.management.base import BaseCommand

from kesu.core import startup
from kesu.deadlines import sweeper

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
        # A worker killed mid-task leaves its locks behind: the deadline sweep's lease (freed
        # here if its process is gone, and it expires anyway) and Huey's task locks (the mail
        # poll's; and the sweep's own from before it took a lease), which Huey flushes.
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
