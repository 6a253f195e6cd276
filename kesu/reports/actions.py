"""The only writer of the reports' records (`MonthlyReport`, `ReportEvent`).

A month's report is a draft from the moment someone looks at it; QA writes its commentary while
it is a draft; it is issued once: to the executives and the management representative through
the notification outbox, by QA by hand or by the monthly task on the first working day of the
month after (`due_month`). Issuing freezes the month's figures (`kesu.statistics.actions`), so
the report read later says what was sent; its event keeps the figures the message stated.
Every change is one transaction with one appended `ReportEvent`; issuing twice, or two workers
racing, issues once.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints.choices import Severity
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.core import clock
from kesu.deadlines.queries import company_calendar
from kesu.notifications.choices import TemplateCode
from kesu.notifications.rules import tell_executives
from kesu.reports.choices import ReportEventType, ReportState
from kesu.reports.models import MonthlyReport, ReportEvent
from kesu.statistics.actions import freeze
from kesu.statistics.counts import Dimension, classified
from kesu.statistics.periods import Period, Span

# Who writes the commentary and may issue a report before the task does (SPEC §10, §12).
EDITORS = frozenset({Role.QA, Role.ADMIN})


def month_of(period: Period) -> str:
    """The report's key: "2026-11". Only a month has a monthly report."""
    if period.span != Span.MONTH:
        raise ComplaintError(
            ErrorCode.INVALID,
            _("A monthly report is for one month."),
            {"period": _("Give a month, such as 2026-11.")},
        )
    return str(period)


def draft(period: Period) -> MonthlyReport:
    """The month's report, made a draft the first time anyone asks for it."""
    report, _created = MonthlyReport.objects.get_or_create(period=month_of(period))
    return report


def write_commentary(
    period: Period, text: str, *, by: User, expected_version: int | None = None
) -> MonthlyReport:
    """QA's commentary on the month, before the report is issued."""
    _check_editor(by)
    with transaction.atomic():
        report = _locked(period)
        if expected_version is not None and report.version != expected_version:
            raise ComplaintError(
                ErrorCode.STALE_VERSION,
                _("Someone else changed this report first; reload it and try again."),
            )
        if report.state == ReportState.ISSUED:
            raise ComplaintError(
                ErrorCode.WRONG_STATE, _("The report is issued: its commentary is final.")
            )
        text = text.strip()
        if text == report.commentary:
            return report
        before, report.commentary = report.commentary, text
        report.version += 1
        report.save(update_fields=["commentary", "version"])
        _event(report, ReportEventType.COMMENTED, by, {"before": before, "after": text})
    return report


def issue(period: Period, *, by: User | None = None) -> tuple[MonthlyReport, bool]:
    """Issue the month's report: mark it issued and tell the executives, once. `by` None is
    the monthly task. Returns the report and whether this call issued it (False: it had been
    issued already, and nothing was sent again)."""
    if by is not None:
        _check_editor(by)
    if clock.now() < period.end:
        raise ComplaintError(
            ErrorCode.WRONG_STATE, _("A month's report is issued after the month has ended.")
        )
    with transaction.atomic():
        report = _locked(period)
        if report.state == ReportState.ISSUED:
            return report, False
        # What is reported is what stays: the month's figures are frozen as they are sent (a
        # later correction is a deliberate restatement, kesu.statistics.actions.restate).
        freeze(period.first, actor=by, reason=str(_("monthly report issued")))
        report.state, report.issued_at, report.issued_by = ReportState.ISSUED, clock.now(), by
        report.version += 1
        report.save(update_fields=["state", "issued_at", "issued_by", "version"])
        message = _message(period, report)
        told = tell_executives(TemplateCode.MONTHLY_REPORT, message)
        figures = {k: v for k, v in message.items() if k not in ("commentary", "url")}
        _event(report, ReportEventType.ISSUED, by, {"told": told, "figures": figures})
    return report, True


def first_working_day(year: int, month: int) -> date:
    """The first working day of a month in the company's calendar (holidays and the adjusted
    working weekends of the year included); the 1st if the calendar gives the month none."""
    calendar, first = company_calendar(), date(year, month, 1)
    days = (first + timedelta(days=n) for n in range(31))
    return next((d for d in days if d.month == month and calendar.is_working_day(d)), first)


def due_month(now: datetime | None = None) -> Period:
    """The latest month whose report is due at `now`: a month's report is due from the report
    hour of the first working day of the month after. Before that instant in December it is
    still October (a run that missed its day issues late rather than never)."""
    local = timezone.localtime(now or clock.now())
    this_month = Period.month(local.year, local.month)
    due_at = datetime.combine(
        first_working_day(local.year, local.month),
        time(settings.KESU_MONTHLY_REPORT_HOUR),
        tzinfo=local.tzinfo,
    )
    last_month = this_month.previous()
    return last_month if local >= due_at else last_month.previous()


def _check_editor(user: User) -> None:
    if user.role not in EDITORS:
        raise ComplaintError(
            ErrorCode.ROLE_NOT_ALLOWED, _("Only the quality department writes and issues reports.")
        )


def _locked(period: Period) -> MonthlyReport:
    key = month_of(period)
    MonthlyReport.objects.get_or_create(period=key)
    return MonthlyReport.objects.select_for_update().get(period=key)


def _event(report: MonthlyReport, type_: ReportEventType, actor: User | None, data: dict) -> None:
    ReportEvent.objects.create(report=report, type=type_, actor=actor, at=clock.now(), data=data)


def _message(period: Period, report: MonthlyReport) -> dict[str, object]:
    """The figures the message states: the month's registrations beside the month before and
    the year before, and its level-1 complaints."""
    table = classified(period, by=(Dimension.SEVERITY,))
    level1 = sum(row.count for row in table.rows if row.key == (Severity.LEVEL_1,))
    return {
        "period": str(period),
        "registered": table.total.count,
        "previous": table.total.previous,
        "year_before": table.total.year_before,
        "level1": level1,
        "commentary": report.commentary,
        "url": f"{settings.KESU_BASE_URL}{reverse('monthly_report', args=[str(period)])}",
    }
