"""`/api/v1/reports/…`: the statistics and the documents as JSON and as files."""

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from ninja import Router

from kesu.accounts.http import AuthenticatedHttpRequest
from kesu.core.refusals import refusals
from kesu.reports import access, downloads

router = Router(tags=["reports"])


# -------------------------------------------------------------------- a complaint's documents
# 《客户投诉登记表》, 《客户投诉处理单》, 《客户问题处理确认书》 as PDF, and the case file as a zip,
# for staff who may see the complaint (anyone else: 404, as the complaints API answers).


def _file(media_type: str, description: str) -> dict[str, Any]:
    """The 200 answer of a file download, for the OpenAPI document."""
    content = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {"responses": {200: {"description": description, "content": content}}}


# slug → the operation's summary and description (the docs speak English)
_ABOUT: dict[str, tuple[str, str]] = {
    "registration": (
        "The registration form (PDF)",
        "《客户投诉登记表》: the record as intake took it, with the signature lines.",
    ),
    "handling-sheet": (
        "The handling sheet (PDF)",
        "《客户投诉处理单》: the record, determination and cause, plan, cost responsibility, "
        "approvals, result, the whole timeline and the signature lines.",
    ),
    "confirmation": (
        "The confirmation (PDF)",
        "《客户问题处理确认书》: what was agreed and done as the customer is told it, their "
        "confirmation and satisfaction, and the lines the customer and the handler sign.",
    ),
}


def _document_endpoint(slug: str) -> Callable[..., HttpResponse]:
    def endpoint(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
        complaint = access.visible_or_not_found(request.user, number)
        return downloads.pdf_response(complaint, slug)

    endpoint.__name__ = f"complaint_{slug.replace('-', '_')}_pdf"
    endpoint.__doc__ = _ABOUT[slug][1]
    return endpoint


for _slug in downloads.PRINTABLE:
    router.get(
        f"/complaints/{{number}}/{_slug}.pdf",
        response=refusals(404),
        summary=_ABOUT[_slug][0],
        operation_id=f"complaint_{_slug.replace('-', '_')}_pdf",
        openapi_extra=_file("application/pdf", _ABOUT[_slug][1]),
    )(_document_endpoint(_slug))


@router.get(
    "/complaints/{number}/case-file.zip",
    response=refusals(404),
    summary="The case file for the archive (zip)",
    operation_id="complaint_case_file_zip",
    openapi_extra=_file(
        "application/zip",
        "One zip: the handling sheet, every attachment, the timeline as JSON and a manifest",
    ),
)
def complaint_case_file(request: AuthenticatedHttpRequest, number: str) -> StreamingHttpResponse:
    """The handling sheet (PDF), every attachment under its original name, the whole timeline
    as JSON and a manifest with each file's size and SHA-256, in one zip, streamed."""
    complaint = access.visible_or_not_found(request.user, number)
    return downloads.case_file_response(complaint, request.user)
