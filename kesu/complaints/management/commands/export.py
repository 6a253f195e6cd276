"""`kesu export [FILE.xlsx|FILE.csv] [--state S] [--from DATE] [--to DATE]`.

Writes the columns `kesu import` reads, so an export imports again (docs/import.md). Without
FILE the CSV goes to standard output (UTF-8 without BOM; name a .csv file for Excel).
"""

import argparse
import os
import sys
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kesu.complaints.choices import State
from kesu.complaints.importing import (
    RegisterFileError,
    export_file,
    unchecked_phones,
    write_csv,
)
from kesu.complaints.models import Complaint
from kesu.core import clock
from kesu.core.encoding import in_range


def _day(text: str) -> date:
    """A registration day of the options: YYYY-MM-DD, one whose local midnight exists."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a day like 2026-11-21.") % {"value": text}
        ) from None
    if not in_range(day):
        raise argparse.ArgumentTypeError(_("“%(value)s” is out of range.") % {"value": text})
    return day


class Command(BaseCommand):
    help = "Export complaints to .xlsx or .csv in the columns `kesu import` reads."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="the .xlsx or .csv file")
        parser.add_argument(
            "--state",
            action="append",
            choices=State.values,
            help="only complaints in this state (repeat for several)",
        )
        parser.add_argument(
            "--from",
            dest="date_from",
            type=_day,
            help="registered on or after this day (YYYY-MM-DD, local time)",
        )
        parser.add_argument(
            "--to",
            dest="date_to",
            type=_day,
            help="registered on or before this day (YYYY-MM-DD, local time)",
        )

    def handle(self, *args, file: Path | None, state, date_from, date_to, **options):
        complaints = Complaint.objects.all()
        if state:
            complaints = complaints.filter(state__in=state)
        if date_from:
            complaints = complaints.filter(registered_at__gte=clock.local_midnight(date_from))
        if date_to:
            complaints = complaints.filter(
                registered_at__lt=clock.local_midnight(date_to + timedelta(days=1))
            )
        if file is None:
            self._to_stdout(complaints)
            self._warn_unchecked_phones(complaints)
            return
        try:
            count = export_file(complaints, file)
        except (RegisterFileError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stderr.write(
            ngettext(
                "Exported %(count)d complaint to %(file)s.",
                "Exported %(count)d complaints to %(file)s.",
                count,
            )
            % {"count": count, "file": file}
        )
        self._warn_unchecked_phones(complaints)

    def _warn_unchecked_phones(self, complaints) -> None:
        numbers = unchecked_phones(complaints)
        if not numbers:
            return
        shown = ", ".join(numbers[:10]) + (", …" if len(numbers) > 10 else "")
        self.stderr.write(
            ngettext(
                "%(count)d complaint keeps a phone that is not a number alone, from before "
                "numbers were checked (%(numbers)s): it is exported as it is, and importing "
                "the file refuses its row until the phone is corrected.",
                "%(count)d complaints keep a phone that is not a number alone, from before "
                "numbers were checked (%(numbers)s): they are exported as they are, and "
                "importing the file refuses their rows until the phones are corrected.",
                len(numbers),
            )
            % {"count": len(numbers), "numbers": shown}
        )

    def _to_stdout(self, complaints) -> None:
        try:
            write_csv(
                complaints, SimpleNamespace(write=lambda text: self.stdout.write(text, ending=""))
            )
        except BrokenPipeError:
            # The reader stopped early (`kesu export | head`): that is not an error.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
