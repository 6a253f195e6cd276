"""The monthly report in the workspace: the statistics page's downloads (xlsx, CSV zip, PDF
of the period and scope it shows) and the report's own page, where QA writes the commentary
and issues the report, and everyone who reads the statistics sees its state and takes the PDF.

Thin: the files are `kesu.reports.monthly.files`' (the REST API's answers), the writes
`kesu.reports.actions`'; a refusal of theirs is shown on the page with its reason.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kesu.accounts.http import AuthenticatedHttpRequest
from kesu.complaints.errors import ComplaintError
from kesu.core import clock
from kesu.reports import actions
from kesu.reports.choices import ReportState
from kesu.reports.models import MonthlyReport
from kesu.reports.monthly import files
from kesu.statistics.periods import Period, Span, parse
from kesu.workspace.report_links import download_url, downloads_for
from kesu.workspace.statistics import may_see_statistics, read_period

REFUSED = "workspace/statistics/403.html"


@login_required
@require_GET
def statistics_download(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse | FileResponse:
    """The statistics page's file of `?period=` (as that page reads it) in `fmt`."""
    if fmt not in files.FORMATS:
        raise Http404(fmt)
    if not may_see_statistics(request.user):
        return render(request, REFUSED, status=403)
    today = timezone.localtime(clock.now()).date()
    try:
        period = read_period(request.GET, Period.month(today.year, today.month))
    except ValueError as bad:
        return HttpResponse(str(bad), status=400, content_type="text/plain; charset=utf-8")
    return files.monthly_response(request.user, period, fmt)


def _month(text: str) -> Period:
    try:
        period = parse(text)
    except ValueError as bad:
        raise Http404(str(bad)) from None
    if period.span != Span.MONTH:
        raise Http404(text)
    return period


@login_required
@require_http_methods(["GET", "POST"])
def monthly_report(request: AuthenticatedHttpRequest, period: str) -> HttpResponse:
    """The month's report: its state, QA's commentary (a form for QA while it is a draft),
    the issue button once the month has ended, and the PDF."""
    user = request.user
    if not may_see_statistics(user):
        return render(request, REFUSED, status=403)
    month = _month(period)
    editor = user.role in actions.EDITORS
    error, status, typed = "", 200, None
    if request.method == "POST":
        if not editor:
            return render(request, REFUSED, status=403)
        try:
            if request.POST.get("do") == "issue":
                actions.issue(month, by=user)
                messages.success(request, _("The report is issued to the executives."))
            else:
                typed = request.POST.get("commentary", "")
                actions.write_commentary(
                    month, typed, by=user, expected_version=_version(request.POST.get("version"))
                )
                messages.success(request, _("The commentary is saved."))
            return redirect("monthly_report", period=str(month))
        except ComplaintError as refused:
            error, status = str(refused.message), refused.status
    report = MonthlyReport.objects.filter(period=str(month)).select_related("issued_by").first()
    issued = report is not None and report.state == ReportState.ISSUED
    context: dict[str, Any] = {
        "period": month,
        "report": report,
        "issued": issued,
        "editor": editor and not issued,
        "may_issue": editor and not issued and clock.now() >= month.end,
        "commentary": typed if typed is not None else (report.commentary if report else ""),
        "version": report.version if report else 0,
        "events": list(report.events.select_related("actor")) if report else [],
        "error": error,
        "pdf_url": download_url("pdf", month),
        "downloads": downloads_for(month)[:3],
        "statistics_url": f"{reverse('statistics')}?{urlencode({'period': str(month)})}",
    }
    return render(request, "workspace/reports/monthly.html", context, status=status)


def _version(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return -1  # no version it could be: refused as stale
