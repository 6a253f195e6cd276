"""History moved in from an older register and the deadline ladder (issue #13, point 22): the
time limits that ran out before the import are recorded like the sweeper's steps, so the clocks,
the timeline and the statistics agree, but nobody gets a message per past step."""

import csv
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation

from kesu.complaints.choices import EventType
from kesu.complaints.importing import COLUMNS, import_file
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.deadlines.sweep import sweep
from kesu.notifications.choices import NotificationChannel
from kesu.notifications.models import Notification
from kesu.workspace.dashboard import dashboard_for

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
STEPS = (EventType.DEADLINE_WARNED, EventType.DEADLINE_BREACHED, EventType.DEADLINE_ESCALATED)
OLD_OPEN = 12


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def register_file(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "register.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([column.header for column in COLUMNS])
        for values in rows:
            row = {
                "channel": "电话热线",
                "title": "阀门渗漏",
                "description": "客户反映阀门渗漏。",
                "category": "product_quality",
                "complainant_name": "王伟",
                **values,
            }
            writer.writerow([row.get(column.code, "") for column in COLUMNS])
    return path


def in_app(user) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP).order_by(
            "id"
        )
    )


def test_old_open_complaints_get_their_past_steps_and_nobody_is_flooded(people, tmp_path):
    # given a register with a dozen complaints still open since March 2025, and one
    # registered half an hour before the import
    path = register_file(
        tmp_path,
        [
            {"number": f"KS202503{n:05d}", "registered_at": f"2025-03-{n + 2:02d} 09:00"}
            for n in range(1, OLD_OPEN + 1)
        ]
        + [{"number": "KS20261100001", "registered_at": "2026-11-23 09:30"}],
    )

    # when it is imported on Monday 23 November 2026 at 10:00, and the sweeper runs
    out = io.StringIO()
    with time_machine.travel(local(2026, 11, 23, 10, 0), tick=False):
        with translation.override("en"):
            call_command("import", str(path), stdout=out, stderr=io.StringIO())
        report = sweep()

    # then every old complaint has the warnings, breaches and escalations it had missed,
    # each at the moment it fell due and marked as recorded at the import
    old = Complaint.objects.exclude(number="KS20261100001")
    for complaint in old:
        steps = list(complaint.events.filter(type__in=STEPS).order_by("id"))
        kinds = [(e.type, e.data["clock"]) for e in steps]
        assert sorted(kinds) == sorted(
            (step, clock) for step in STEPS for clock in ("first_contact", "dispatch")
        )
        assert all(e.at < local(2025, 12, 31) and "recorded_at" in e.data for e in steps)
        assert [e.at for e in steps] == sorted(e.at for e in steps)
        assert complaint.escalation_level == 2 and complaint.next_check_at is None
    assert report.steps == {}  # the first sweep has nothing left to take
    assert "Open complaints already past a time limit: 12." in out.getvalue()

    # and the executive and the department head each got one digest, not one per step
    [digest] = in_app(people.executive)
    assert digest.complaint_id is None
    assert "12" in digest.subject
    assert all(c.number in digest.body for c in old)
    assert len(in_app(people.head_quality)) == 1
    assert Notification.objects.filter(event__type__in=STEPS).count() == 0

    # while the complaint registered just before the import is swept as any other
    with time_machine.travel(local(2026, 11, 23, 11, 31), tick=False):
        sweep()  # dispatch: 2 working hours from 09:30
    told = Notification.objects.filter(
        complaint__number="KS20261100001", event__type=EventType.DEADLINE_BREACHED
    )
    assert people.head_quality.pk in {n.recipient_id for n in told}


def test_a_dry_run_records_and_tells_nothing(people, tmp_path):
    path = register_file(tmp_path, [{"registered_at": "2025-03-03 09:00"}])

    with time_machine.travel(local(2026, 11, 23, 10, 0), tick=False):
        result = import_file(path, actor=people.admin, dry_run=True)

    assert (result.imported, result.overdue) == (1, 1)
    assert not ComplaintEvent.objects.exists()
    assert not Notification.objects.exists()


def test_an_imported_complaint_closed_late_is_breached_on_its_clocks_timeline_and_on_time_rate(
    people, tmp_path
):
    # given two complaints of this month the old register closed: one three days late, one
    # within the hour
    path = register_file(
        tmp_path,
        [
            {
                "number": "KS20261100001",
                "registered_at": "2026-11-02 09:00",
                "state": "已结案",
                "closed_at": "2026-11-05 16:00",
            },
            {
                "number": "KS20261100002",
                "registered_at": "2026-11-02 09:00",
                "state": "已结案",
                "closed_at": "2026-11-02 10:00",
            },
        ],
    )

    # when they are imported
    with time_machine.travel(local(2026, 11, 25, 12, 0), tick=False):
        result = import_file(path, actor=people.admin)
        api = people.api(people.executive)
        late = api.get("/complaints/KS20261100001").json()
        in_time = api.get("/complaints/KS20261100002").json()
        board = dashboard_for(people.executive, local(2026, 11, 25, 12, 0))

    # then the clock view and the timeline agree, clock by clock
    assert result.errors == []
    for record in (late, in_time):
        breached = {d["clock"] for d in record["deadlines"] if d["breached"]}
        events = [e for e in record["timeline"] if e["type"] == EventType.DEADLINE_BREACHED]
        assert {e["data"]["clock"] for e in events} == breached
        assert all("recorded_at" in e["data"] for e in events)
    assert {d["clock"] for d in late["deadlines"] if d["breached"]} == {
        "first_contact",
        "dispatch",
    }
    assert not any(d["breached"] for d in in_time["deadlines"])
    # the steps come before the closing on the timeline, in the order they happened
    types = [e["type"] for e in late["timeline"]]
    assert (types[0], types[-1]) == (EventType.REGISTER, EventType.IMPORT_ARCHIVED)
    moments = [e["at"] for e in late["timeline"]]
    assert moments == sorted(moments)
    # nobody was told about history
    assert not Notification.objects.exists()

    # and the on-time rate counts the late one as breached
    assert (board.on_time.registered, board.on_time.breached) == (2, 1)
    assert board.on_time.pct == 50.0


def test_the_digest_speaks_in_the_administrators_words_when_they_changed_them(people, tmp_path):
    from kesu.notifications.choices import TemplateCode
    from kesu.notifications.models import NotificationTemplate

    NotificationTemplate.objects.create(
        code=TemplateCode.PAST_STEPS_DIGEST,
        language="zh-hans",
        subject="导入的逾期投诉：{{ count }} 件",
        body="已逾期 {{ breached }} 项时限：{{ numbers }}",
    )
    path = register_file(
        tmp_path, [{"number": "KS20250300001", "registered_at": "2025-03-03 09:00"}]
    )

    with time_machine.travel(local(2026, 11, 23, 10, 0), tick=False):
        call_command("import", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    [digest] = in_app(people.executive)
    assert digest.template == TemplateCode.PAST_STEPS_DIGEST
    assert digest.subject == "导入的逾期投诉：1 件"
    assert digest.body == "已逾期 2 项时限：KS20250300001"
