"""Links to the monthly report's files and page, for the statistics page's download buttons
(a module of its own, so the statistics page and the report's views need not import each
other)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from kesu.statistics.periods import Period, Span


def download_url(fmt: str, period: Period) -> str:
    return f"{reverse('statistics_download', args=[fmt])}?{urlencode({'period': str(period)})}"


def report_url(period: Period) -> str:
    return reverse("monthly_report", args=[str(period)])


def downloads_for(period: Period) -> list[tuple[str, str]]:
    """(label, url) of the statistics page's buttons for the period it shows: the workbook,
    the CSV zip, the PDF report, and for a month its report's page."""
    links = [
        (_("Download workbook (xlsx)"), download_url("xlsx", period)),
        (_("Download tables (CSV zip)"), download_url("csv", period)),
        (_("Download the report (PDF)"), download_url("pdf", period)),
    ]
    if period.span == Span.MONTH:
        links.append((_("Monthly report and commentary"), report_url(period)))
    return links
