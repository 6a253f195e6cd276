"""`kesu report monthly PERIOD --format xlsx|csv|pdf [--table CODE] [-o FILE]`,
`kesu report classified PERIOD [--by category,severity]` and `kesu report scorecards PERIOD
[--level department|person] [--format text|xlsx|csv] [-o FILE]` and `kesu report archive
PERIOD [-o FILE]` (issue #16).

The files are the API's (`GET /api/v1/reports/monthly/{period}`) over every complaint: the
command is for whoever runs the server. Errors are one line each, never a traceback.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kesu.appraisal.choices import Level
from kesu.appraisal.scorecards import scorecards
from kesu.appraisal.tables import scorecards_table
from kesu.reports import archive, workbooks
from kesu.reports.monthly import document
from kesu.reports.monthly.tables import indicator_tables
from kesu.reports.tables import classified_table
from kesu.reports.writers import ReportFileError, text_lines, write_csv, write_xlsx
from kesu.statistics.counts import Dimension, classified
from kesu.statistics.periods import Period, parse

FORMATS = ("xlsx", "csv", "pdf")


def _period(text: str) -> Period:
    try:
        return parse(text)
    except ValueError as error:
        raise CommandError(str(error)) from None


def _dimensions(text: str) -> tuple[Dimension, ...]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    known = [str(d) for d in Dimension]
    for name in names:
        if name not in known:
            raise CommandError(
                _("“%(name)s” is not a dimension; use some of: %(known)s.")
                % {"name": name, "known": ", ".join(known)}
            )
    if len(set(names)) != len(names):
        raise CommandError(_("Give each dimension once."))
    return tuple(Dimension(name) for name in names)


class Command(BaseCommand):
    help = (
        "The statistics as files and tables: `kesu report monthly 2026-11 --format xlsx|csv|pdf "
        "[-o FILE]` writes the monthly workbook (csv: a zip of one file per table, or one "
        "table with --table; pdf: the quality report 月度客户投诉分析报告); "
        "`kesu report classified 2026-Q4 --by category,severity` prints "
        "the classified counts; `kesu report archive 2026-11 [-o FILE]` writes the archive (归档) "
        "of the complaints closed in the period."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        monthly = sub.add_parser(
            "monthly", help="write the monthly statistics workbook or the PDF quality report"
        )
        monthly.add_argument("period", help="2026-11, 2026-Q4, 2026 or 2026-11-03..2026-11-20")
        monthly.add_argument("--format", choices=FORMATS, default="xlsx")
        monthly.add_argument(
            "--table", choices=workbooks.TABLE_CODES, help="only this table (one CSV file)"
        )
        monthly.add_argument("-o", "--output", type=Path, help="the file (default: its title)")
        counts = sub.add_parser("classified", help="print the classified counts")
        counts.add_argument("period", help="2026-11, 2026-Q4, 2026 or 2026-11-03..2026-11-20")
        counts.add_argument(
            "--by",
            default="category,severity",
            help="dimensions, comma-separated: " + ", ".join(Dimension),
        )
        cards = sub.add_parser("scorecards", help="the appraisal's scorecards, ranked")
        cards.add_argument("period", help="2026-11, 2026-Q4, 2026 or 2026-11-03..2026-11-20")
        cards.add_argument("--level", choices=[str(v) for v in Level], default=Level.PERSON)
        cards.add_argument("--format", choices=("text", "xlsx", "csv"), default="text")
        cards.add_argument("-o", "--output", type=Path, help="the file (default: its title)")
        filed = sub.add_parser(
            "archive", help="write the archive (归档) of the complaints closed in a period"
        )
        filed.add_argument("period", help="2026-11, 2026-Q4, 2026 or 2026-11-03..2026-11-20")
        filed.add_argument("-o", "--output", type=Path, help="the zip (default: its name)")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        if verb == "archive":
            self._archive(_period(options["period"]), options["output"])
            return
        if verb == "scorecards":
            self._scorecards(
                _period(options["period"]),
                Level(options["level"]),
                options["format"],
                options["output"],
            )
            return
        if verb == "classified":
            self._classified(_period(options["period"]), _dimensions(options["by"]))
        else:
            self._monthly(
                _period(options["period"]), options["format"], options["table"], options["output"]
            )

    def _archive(self, period: Period, output: Path | None) -> None:
        """Every complaint closed in the period, written to the zip as it is made."""
        made = archive.archive(period, by=None, scope=None)
        path = output or Path(made.filename)
        try:
            with path.open("wb") as stream:
                for piece in made.chunks():
                    stream.write(piece)
        except (ReportFileError, OSError) as error:
            path.unlink(missing_ok=True)  # half an archive is no archive
            raise CommandError(str(error)) from None
        self.stderr.write(
            _("Wrote %(file)s: %(count)d complaints closed in %(period)s.")
            % {"file": path, "count": made.filed, "period": period}
        )

    def _classified(self, period: Period, by: tuple[Dimension, ...]) -> None:
        result = classified(period, by=by)
        table = classified_table(result, code="classified", title=_("Complaints classified"))
        for line in text_lines(table):
            self.stdout.write(line)

    def _scorecards(self, period: Period, level: Level, fmt: str, output: Path | None) -> None:
        table = scorecards_table(period, level, scorecards(period, level))
        if fmt == "text":
            for line in text_lines(table):
                self.stdout.write(line)
            for note in table.notes:
                self.stdout.write(note)
            return
        path = output or Path(f"{table.title}.{fmt}".replace("/", "_"))
        try:
            with path.open("wb") as stream:
                if fmt == "xlsx":
                    write_xlsx([table], stream)
                else:
                    write_csv(table, stream)
        except (ReportFileError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stderr.write(_("Wrote %(file)s.") % {"file": path})

    def _monthly(self, period: Period, fmt: str, code: str | None, output: Path | None) -> None:
        if fmt == "pdf":
            if code is not None:
                raise CommandError(_("The PDF report is one document; leave out --table."))
            self._pdf(period, output)
            return
        title = workbooks.report_title(period)
        if code is not None:
            title = f"{title} {workbooks.table_title(code)}"
        suffix = "zip" if fmt == "csv" and code is None else fmt
        path = output or Path(f"{title}.{suffix}".replace("/", "_"))
        try:
            with path.open("wb") as stream:
                if code is not None:
                    one = workbooks.write_one_xlsx if fmt == "xlsx" else workbooks.write_one_csv
                    one(code, period, stream)
                elif fmt == "xlsx":
                    workbooks.write_monthly_xlsx(
                        period, stream, indicators=indicator_tables(period)
                    )
                else:
                    workbooks.write_monthly_csv(period, stream, indicators=indicator_tables(period))
        except ReportFileError as error:
            path.unlink(missing_ok=True)  # half a file is no file
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(str(error)) from None
        self.stderr.write(_("Wrote %(file)s.") % {"file": path})

    def _pdf(self, period: Period, output: Path | None) -> None:
        """The quality report over every complaint."""
        path = output or Path(document.file_name(period).replace("/", "_"))
        content = document.monthly_pdf(period, scope_label=_("The whole company"))
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(str(error)) from None
        self.stderr.write(_("Wrote %(file)s.") % {"file": path})
