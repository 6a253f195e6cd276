"""`kesu statistics rebuild | catch-up | freeze MONTH | restate MONTH --reason … --by USER`."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kesu.accounts.models import User
from kesu.complaints.errors import ComplaintError
from kesu.statistics import actions, builds
from kesu.statistics.periods import Span, parse
from kesu.statistics.projection import catch_up, rebuild


class Command(BaseCommand):
    help = "Keep the statistics' facts: rebuild, catch up, freeze or restate a month."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("rebuild", help="recompute every complaint's facts from its timeline")
        sub.add_parser("catch-up", help="recompute the facts of complaints with new events")
        freeze = sub.add_parser("freeze", help="freeze a month's figures (e.g. 2026-11)")
        freeze.add_argument("month")
        restate = sub.add_parser("restate", help="a new version of a frozen month's figures")
        restate.add_argument("month")
        restate.add_argument("--reason", required=True)
        restate.add_argument("--by", required=True, help="the username restating it")

    def handle(self, *args: Any, **options: Any) -> None:
        match options["what"]:
            case "rebuild":
                self.stdout.write(f"rebuilt the facts of {rebuild()} complaints")
                months = builds.build_due()
                self.stdout.write(f"built the roll-ups of {len(months)} months")
            case "catch-up":
                self.stdout.write(f"caught up {catch_up()} complaints")
            case "freeze":
                event = actions.freeze(self._month(options["month"]), actor=None)
                self.stdout.write("already frozen" if event is None else str(event))
            case "restate":
                actor = User.objects.filter(username=options["by"]).first()
                if actor is None:
                    raise CommandError(f"no such user: {options['by']}")
                try:
                    event = actions.restate(
                        self._month(options["month"]), actor=actor, reason=options["reason"]
                    )
                except ComplaintError as error:
                    raise CommandError(str(error)) from None
                self.stdout.write(str(event))

    @staticmethod
    def _month(text: str) -> date:
        try:
            period = parse(text)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if period.span != Span.MONTH:
            raise CommandError(f"a month, such as 2026-11: {text}")
        return period.first
