"""`kesu import FILE.xlsx|csv [--as USERNAME] [--dry-run]`: register complaints in bulk.

Good rows are kept, each in its own transaction; bad rows are listed as `row N: field: message`
and the command then fails with CommandError (exit status 1). See docs/import.md.
"""

from pathlib import Path
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from kesu.accounts.models import User
from kesu.complaints.importing import ImportResult, RegisterFileError, import_file


class Command(BaseCommand):
    help = "Register the complaints of an Excel (.xlsx) or CSV register (see docs/import.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the .xlsx or .csv file")
        parser.add_argument(
            "--as",
            dest="username",
            help="who registers the complaints (default: the first superuser)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every row, then roll everything back",
        )

    def handle(self, *args, file: Path, username: str | None, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(_("File “%(name)s” not found.") % {"name": file})
        actor = self._actor(username)
        try:
            result = import_file(file, actor=actor, dry_run=dry_run, track=self._progress_bar)
        except (RegisterFileError, OSError) as error:
            raise CommandError(str(error)) from None
        self._report(result)
        if result.errors:
            raise CommandError(
                ngettext(
                    "%(count)d row was not imported.",
                    "%(count)d rows were not imported.",
                    result.bad_rows,
                )
                % {"count": result.bad_rows}
            )

    @staticmethod
    def _actor(username: str | None) -> User:
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(_("Unknown user “%(username)s”.") % {"username": username})
            return actor
        actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError(_("There is no superuser to register as; use --as USERNAME."))
        return actor

    def _progress_bar(self, rows, total: int):
        # tqdm redraws the line with "\r"; write through without Django's line endings.
        stream = SimpleNamespace(
            write=lambda text: self.stderr.write(text, ending=""), flush=self.stderr.flush
        )
        return tqdm(rows, total=total, file=stream, unit=_("rows"), leave=True)

    def _report(self, result: ImportResult) -> None:
        for name in result.ignored_columns:
            self.stdout.write(
                self.style.WARNING(
                    _("Column “%(name)s” is not one Kesu knows; it was ignored.") % {"name": name}
                )
            )
        counts = {
            "imported": result.imported,
            "rows": result.rows,
            "archived": result.archived,
            "bad": result.bad_rows,
        }
        if result.dry_run:
            summary = _(
                "Dry run, nothing was saved. Rows that would be imported: %(imported)d of "
                "%(rows)d (already finished: %(archived)d). Rows with errors: %(bad)d."
            )
        else:
            summary = _(
                "Rows imported: %(imported)d of %(rows)d (already finished: %(archived)d). "
                "Rows not imported: %(bad)d."
            )
        self.stdout.write(summary % counts)
        if result.overdue:
            if result.dry_run:
                overdue = _(
                    "Open complaints already past a time limit: %(overdue)d. Their warnings, "
                    "breaches and escalations would be recorded without a message for each, "
                    "and %(told)d people sent one summary."
                )
            else:
                overdue = _(
                    "Open complaints already past a time limit: %(overdue)d. Their warnings, "
                    "breaches and escalations are recorded without a message for each; "
                    "%(told)d people were sent one summary."
                )
            self.stdout.write(overdue % {"overdue": result.overdue, "told": result.told})
        for error in result.errors:
            self.stdout.write(
                _("row %(row)d: %(field)s: %(message)s")
                % {"row": error.row, "field": error.field or "-", "message": error.message}
            )
