"""A complaint's documents as downloads, the same for the REST API and the workspace's print
menu: which documents there are, and the HTTP answer that carries each file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import User
from kesu.complaints.models import Complaint
from kesu.reports import archive, casefile, documents
from kesu.statistics.periods import Period


@dataclass(frozen=True)
class Printable:
    slug: str  # in the URL: …/{slug}.pdf
    title: Promise  # the document's name, in the file's name too
    render: Callable[[Complaint], bytes]


PRINTABLE: dict[str, Printable] = {
    p.slug: p
    for p in (
        Printable(
            "registration", _("Customer complaint registration form"), documents.registration
        ),
        Printable(
            "handling-sheet", _("Customer complaint handling sheet"), documents.handling_sheet
        ),
        Printable(
            "confirmation", _("Customer problem handling confirmation"), documents.confirmation
        ),
        Printable("liaison", _("Internal liaison form"), documents.liaison),
        Printable("site-service-report", _("Site service report"), documents.site_service_report),
    )
}
CASE_FILE_TITLE = _("Case file (zip)")


def attachment_header(filename: str, fallback: str) -> str:
    """Content-Disposition for a download: an ASCII name, and the real one (RFC 6266)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def pdf_response(complaint: Complaint, slug: str) -> HttpResponse:
    """The document `slug` of a complaint the caller may see, rendered now; raises
    `documents.NothingToPrint` when its timeline holds nothing the document prints."""
    printable = PRINTABLE[slug]
    response = HttpResponse(printable.render(complaint), content_type="application/pdf")
    response["Content-Disposition"] = attachment_header(
        f"{complaint.number} {printable.title}.pdf", f"{complaint.number}-{slug}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def case_file_response(complaint: Complaint, user: User) -> StreamingHttpResponse:
    """The case file of a complaint the caller may see, streamed as it is written."""
    case = casefile.case_file(complaint, by=user)
    response = StreamingHttpResponse(case.chunks(), content_type="application/zip")
    response["Content-Disposition"] = attachment_header(case.filename, case.filename)
    response["Cache-Control"] = "private, no-store"
    return response


def archive_response(
    period: Period, user: User, scope: QuerySet[Complaint] | None
) -> StreamingHttpResponse:
    """The archive of `period` (the complaints closed in it within `scope`), streamed."""
    made = archive.archive(period, by=user, scope=scope)
    response = StreamingHttpResponse(made.chunks(), content_type="application/zip")
    response["Content-Disposition"] = attachment_header(made.filename, made.filename)
    response["Cache-Control"] = "private, no-store"
    return response
