"""The complaint page's print menu (打印): its forms as PDF and its case file, through the same
functions as the REST API's downloads (`kesu.reports.downloads`); QA's archive of a month."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kesu.accounts.http import AuthenticatedHttpRequest
from kesu.complaints.authority import can_see
from kesu.complaints.queries import complaint_by_number
from kesu.reports import documents, downloads

CASE_FILE = "case-file"


@login_required
@require_GET
def complaint_document(
    request: AuthenticatedHttpRequest, number: str, document: str
) -> HttpResponse | StreamingHttpResponse:
    """404 for an unknown complaint or document, 403 (the page) for one not theirs to see."""
    if document != CASE_FILE and document not in downloads.PRINTABLE:
        raise Http404(document)
    complaint = complaint_by_number(number)
    if complaint is None:
        raise Http404(number)
    if not can_see(request.user, complaint):
        return render(request, "workspace/403.html", {"number": number}, status=403)
    if document == CASE_FILE:
        return downloads.case_file_response(complaint, request.user)
    try:
        return downloads.pdf_response(complaint, document)
    except documents.NothingToPrint as nothing:
        context = {"number": number, "message": nothing.message}
        return render(request, "workspace/nothing_to_print.html", context, status=404)
