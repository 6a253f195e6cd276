"""The monthly report's record: QA's commentary, and its issue to the executives, once
(kesu.reports.actions, kesu.reports.tasks)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DatabaseError, connection

from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Complaint
from kesu.notifications.choices import NotificationChannel, TemplateCode
from kesu.notifications.models import Notification
from kesu.reports import actions
from kesu.reports.choices import ReportEventType, ReportState
from kesu.reports.models import MonthlyReport, ReportEvent
from kesu.reports.tasks import issue_monthly_report
from kesu.statistics.counts import Dimension, classified
from kesu.statistics.models import StatisticsEvent
from kesu.statistics.periods import Period, parse
from tests.conftest import complaint_payload
from tests.test_concurrency import run_together

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOVEMBER = Period.month(2026, 11)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def register_in_november(people, severities=(3, 3, 1)):
    intake = people.api(people.intake)
    for day, severity in enumerate(severities, start=3):
        with time_machine.travel(at(2026, 11, day, 10), tick=False):
            payload = complaint_payload(severity=severity, severity_reason="按客户影响定级")
            response = intake.post("/complaints", payload)
            assert response.status_code == 201, response.content


def reports_sent():
    return Notification.objects.filter(template=TemplateCode.MONTHLY_REPORT)


def test_the_first_working_day_skips_weekends_and_holidays(defaults):
    assert actions.first_working_day(2026, 12) == date(2026, 12, 1)  # a Tuesday
    assert actions.first_working_day(2026, 11) == date(2026, 11, 2)  # the 1st is a Sunday
    assert actions.first_working_day(2026, 10) == date(2026, 10, 8)  # 国庆节 1–7 October


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (at(2026, 12, 1, 15, 59), "2026-10"),  # before the hour: still the month before last
        (at(2026, 12, 1, 16, 0), "2026-11"),
        (at(2026, 12, 18, 9, 0), "2026-11"),  # missed the day: late rather than never
        (at(2026, 10, 7, 23, 0), "2026-08"),  # the holiday: September's waits for the 8th
        (at(2026, 10, 8, 16, 0), "2026-09"),
    ],
)
def test_a_month_is_due_from_the_report_hour_of_the_next_months_first_working_day(
    defaults, now, due
):
    assert str(actions.due_month(now)) == due


def test_issue_tells_every_executive_once_with_the_months_figures(people):
    register_in_november(people)
    actions.write_commentary(NOVEMBER, "渗漏问题集中于2025-07批次。", by=people.qa)
    with time_machine.travel(at(2026, 12, 1, 16, 5), tick=False):
        report, issued = actions.issue(NOVEMBER, by=people.qa)
        again, issued_again = actions.issue(NOVEMBER)

    assert issued and not issued_again and again.pk == report.pk
    assert report.state == ReportState.ISSUED and report.issued_by == people.qa
    sent = list(reports_sent())
    assert {n.recipient_id for n in sent} == {people.executive.pk}
    in_app = next(n for n in sent if n.channel == NotificationChannel.IN_APP)
    assert "2026-11" in in_app.subject
    assert "3" in in_app.body and "渗漏问题集中于2025-07批次。" in in_app.body
    assert [e.type for e in report.events.all()] == [
        ReportEventType.COMMENTED,
        ReportEventType.ISSUED,
    ]
    sent = report.events.get(type=ReportEventType.ISSUED).data["figures"]
    assert (sent["registered"], sent["level1"], sent["period"]) == (3, 1, "2026-11")


def test_the_issued_month_is_frozen_so_later_changes_leave_its_figures(people):
    register_in_november(people, severities=(3, 3))
    with time_machine.travel(at(2026, 12, 1, 16, 5), tick=False):
        actions.issue(NOVEMBER, by=people.qa)
    assert StatisticsEvent.objects.filter(month=date(2026, 11, 1)).count() == 1
    number = Complaint.objects.order_by("pk").first().number
    with time_machine.travel(at(2026, 12, 3, 10), tick=False):
        answer = people.api(people.qa).act(
            number, "reclassify", {"severity": 1, "reason": "客户升级为重大投诉"}
        )
    assert answer.status_code == 200, answer.content
    table = classified(NOVEMBER, by=(Dimension.SEVERITY,))
    assert {row.key: row.count for row in table.rows} == {(3,): 2}  # as it was sent


def test_the_task_issues_the_month_before_when_it_is_due_and_only_once(people):
    register_in_november(people, severities=(2,))
    with time_machine.travel(at(2026, 12, 1, 9, 0), tick=False):
        assert issue_monthly_report.call_local() == "2026-10"  # still October's turn
    assert not MonthlyReport.objects.filter(period="2026-11").exists()
    with time_machine.travel(at(2026, 12, 1, 16, 10), tick=False):
        assert issue_monthly_report.call_local() == "2026-11"
        assert issue_monthly_report.call_local() == "2026-11"
    report = MonthlyReport.objects.get(period="2026-11")
    assert report.state == ReportState.ISSUED and report.issued_by is None
    assert report.events.filter(type=ReportEventType.ISSUED).count() == 1
    in_app = reports_sent().filter(channel=NotificationChannel.IN_APP)
    assert sorted(n.subject[-7:] for n in in_app) == ["2026-10", "2026-11"]


def test_only_qa_writes_the_commentary_and_only_before_the_issue(people):
    with pytest.raises(ComplaintError) as refused:
        actions.write_commentary(NOVEMBER, "不该写", by=people.handler_east)
    assert refused.value.code == ErrorCode.ROLE_NOT_ALLOWED
    report = actions.write_commentary(NOVEMBER, "初稿", by=people.qa)
    with pytest.raises(ComplaintError) as stale:
        actions.write_commentary(NOVEMBER, "覆盖", by=people.admin, expected_version=0)
    assert stale.value.code == ErrorCode.STALE_VERSION
    actions.write_commentary(NOVEMBER, "定稿", by=people.admin, expected_version=report.version)
    with time_machine.travel(at(2026, 12, 2, 10), tick=False):
        actions.issue(NOVEMBER, by=people.qa)
    with pytest.raises(ComplaintError) as final:
        actions.write_commentary(NOVEMBER, "事后修改", by=people.qa)
    assert final.value.code == ErrorCode.WRONG_STATE
    assert MonthlyReport.objects.get(period="2026-11").commentary == "定稿"


def test_a_month_is_issued_only_after_it_ended_and_only_a_month(people):
    with (
        time_machine.travel(at(2026, 11, 30, 23, 0), tick=False),
        pytest.raises(ComplaintError) as early,
    ):
        actions.issue(NOVEMBER, by=people.qa)
    assert early.value.code == ErrorCode.WRONG_STATE
    with pytest.raises(ComplaintError) as quarter:
        actions.draft(parse("2026-Q4"))
    assert quarter.value.code == ErrorCode.INVALID and "period" in quarter.value.fields
    assert not reports_sent().exists()


def test_report_events_are_append_only(people):
    actions.write_commentary(NOVEMBER, "初稿", by=people.qa)
    event = ReportEvent.objects.get()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        ReportEvent.objects.update(data={})
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("UPDATE reports_reportevent SET data = '{}'")


@pytest.mark.django_db(transaction=True)
def test_two_workers_issuing_at_once_issue_once(people):
    from kesu.core.memo import forget

    forget()
    with time_machine.travel(at(2026, 12, 1, 16, 30), tick=False):
        results = run_together([lambda: actions.issue(NOVEMBER) for _ in range(4)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(issued for _report, issued in results) == 1
    assert reports_sent().filter(channel=NotificationChannel.IN_APP).count() == 1
    assert ReportEvent.objects.filter(type=ReportEventType.ISSUED).count() == 1
