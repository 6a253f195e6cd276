"""The monthly report's files as HTTP answers, one function for the REST API and the
workspace's download buttons alike: the workbook (xlsx), the CSV zip (or one table) and the
PDF report, for a period and the reader's scope."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO, Literal
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints.models import Complaint
from kesu.reports import workbooks
from kesu.reports.access import statistics_scope
from kesu.reports.monthly.document import file_name, monthly_pdf
from kesu.reports.monthly.tables import indicator_tables
from kesu.statistics.periods import Period

Format = Literal["xlsx", "csv", "pdf"]
FORMATS: tuple[Format, ...] = ("xlsx", "csv", "pdf")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV, ZIP, PDF = "text/csv; charset=utf-8", "application/zip", "application/pdf"


def content_disposition(name: str, fallback: str) -> str:
    """An attachment's name: `fallback` (ASCII) for old clients, `name` (UTF-8) by RFC 5987."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def file_download(
    write: Callable[[IO[bytes]], object], content_type: str, name: str, fallback: str
) -> FileResponse:
    """A file `write` puts into a temporary file, answered as a private download named `name`
    (`fallback` for old clients): the workbooks are written streaming, never held in memory."""
    stream = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write(stream)
    stream.seek(0)
    response = FileResponse(stream, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name, fallback)
    response["Cache-Control"] = "private, no-store"
    return response


def scope_label(user: User, scope: QuerySet[Complaint] | None) -> str:
    """What the figures cover, for the report's subtitle."""
    if scope is None:
        return _("The whole company")
    if user.department_id is not None and user.department is not None:
        return _("Scope: %(department)s") % {"department": user.department.name}
    return _("Scope: the complaints you may see")


def reader_scope(user: User) -> QuerySet[Complaint] | None:
    """The reader's complaints (`access.statistics_scope`: raises the refusal), None for
    every complaint: an unfiltered scope counts without a subquery."""
    scope = statistics_scope(user)
    if scope is not None and not scope.query.where:
        return None
    return scope


def monthly_response(
    user: User, period: Period, fmt: Format, table: str | None = None
) -> HttpResponse | FileResponse:
    """The file of `period` in `fmt` over what `user` may read (the refusal raised)."""
    scope = reader_scope(user)
    if fmt == "pdf":
        response = HttpResponse(
            monthly_pdf(period, scope, scope_label=scope_label(user, scope)), content_type=PDF
        )
        response["Content-Disposition"] = content_disposition(
            file_name(period), f"kesu-report-{period}.pdf"
        )
        response["Cache-Control"] = "private, no-store"
        return response
    title = workbooks.report_title(period)
    ascii_name = f"kesu-statistics-{period}"
    if table is not None:
        title = f"{title} {workbooks.table_title(table)}"
        ascii_name = f"{ascii_name}-{table}"

    def write(stream: IO[bytes]) -> None:
        if table is not None:
            one = workbooks.write_one_xlsx if fmt == "xlsx" else workbooks.write_one_csv
            one(table, period, stream, scope=scope)
            return
        whole = workbooks.write_monthly_xlsx if fmt == "xlsx" else workbooks.write_monthly_csv
        whole(period, stream, scope=scope, indicators=indicator_tables(period, scope))

    suffix, content_type = (
        ("xlsx", XLSX) if fmt == "xlsx" else ("zip", ZIP) if table is None else ("csv", CSV)
    )
    return file_download(write, content_type, f"{title}.{suffix}", f"{ascii_name}.{suffix}")
