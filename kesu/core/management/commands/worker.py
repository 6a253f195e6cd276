from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the background worker alone: the deadline sweep every minute and notification "
        "delivery (Huey; SQLite queue in the data directory, Redis when REDIS_URL is set)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, workers, **options):
        call_command("run_huey", workers=workers, worker_type="thread")
