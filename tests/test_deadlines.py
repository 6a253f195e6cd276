"""Time limits on a complaint (SPEC §5): clocks from the timeline, the API, the sweeper."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections

from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.deadlines.sweep import sweep
from kesu.policies.models import ClockPolicy
from tests.conftest import complaint_payload

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def at(instant: datetime):
    return time_machine.travel(instant, tick=False)


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def clocks(api, number: str) -> dict[str, dict]:
    body = api.get(f"/complaints/{number}").json()
    return {d["clock"]: d for d in body["deadlines"] if d["state"] != "met"}


def register(api, **overrides) -> str:
    response = api.post("/complaints", complaint_payload(**overrides))
    assert response.status_code == 201, response.content
    return response.json()["number"]


def steps(number: str) -> list[tuple[str, str]]:
    rows = ComplaintEvent.objects.filter(
        complaint__number=number, type__startswith="deadline_"
    ).order_by("id")
    return [(e.type, e.data["clock"]) for e in rows]


@pytest.mark.django_db
def test_registration_starts_first_contact_and_dispatch_clocks(people):
    intake = people.api(people.intake)
    with at(local(2026, 11, 27, 17, 0)):  # a Friday, 30 minutes before the end of the day
        number = register(intake)
        running = clocks(intake, number)
    assert set(running) == {"first_contact", "dispatch"}
    # 2 working hours: 17:00–17:30 on Friday, then 08:30–10:00 on Monday
    assert parse(running["dispatch"]["due_at"]) == local(2026, 11, 30, 10, 0)
    assert running["dispatch"]["basis"] == "working"
    assert running["dispatch"]["remaining_hours"] == 2.0
    # 24 natural hours
    assert parse(running["first_contact"]["due_at"]) == local(2026, 11, 28, 17, 0)
    assert running["first_contact"]["state"] == "running"
    record = intake.get(f"/complaints/{number}").json()
    assert parse(record["due_at"]) == local(2026, 11, 28, 17, 0)  # the earliest of the two


@pytest.mark.django_db
def test_an_inquiry_has_its_own_answer_clock(people):
    intake = people.api(people.intake)
    with at(local(2026, 11, 23, 9, 0)):
        number = register(intake, kind="inquiry", category="other")
        assert set(clocks(intake, number)) == {"inquiry_answer"}
        intake.act(number, "answer", {"answer": "保修期为两年。"})
        body = intake.get(f"/complaints/{number}").json()
    [answer] = body["deadlines"]
    assert answer["state"] == "met" and answer["breached"] is False
    assert body["due_at"] is None


@pytest.mark.django_db
def test_accepting_meets_dispatch_and_starts_the_site_visit(people):
    intake = people.api(people.intake)
    with at(local(2026, 11, 23, 9, 0)):  # Monday
        number = register(intake)
    with at(local(2026, 11, 23, 9, 30)):
        r = intake.act(number, "accept", {"owner": people.handler_quality.username})
        assert r.status_code == 200, r.content
        body = intake.get(f"/complaints/{number}").json()
    by_clock = {d["clock"]: d for d in body["deadlines"]}
    assert by_clock["dispatch"]["state"] == "met"
    assert parse(by_clock["dispatch"]["met_at"]) == local(2026, 11, 23, 9, 30)
    # 2 working days = 15 working hours from Monday 09:30: Monday 6.5 h, Tuesday 7.5 h,
    # Wednesday 1 h → Wednesday 09:30
    assert parse(by_clock["site_visit"]["due_at"]) == local(2026, 11, 25, 9, 30)


@pytest.mark.django_db
def test_waiting_for_the_customer_pauses_and_moves_the_due_time(people):
    intake = people.api(people.intake)
    with at(local(2026, 11, 23, 9, 0)):
        number = register(intake)
        assert intake.act(number, "accept", {"owner": people.handler_quality.username})
    handler = people.api(people.handler_quality)
    with at(local(2026, 11, 23, 10, 0)):
        allowed = handler.get(f"/complaints/{number}").json()["allowed_actions"]
        assert "wait_customer" in allowed and "resume" not in allowed
        r = handler.act(number, "wait_customer", {"reason": "等待客户寄回样品"})
        assert r.status_code == 200, r.content
        assert "resume" in r.json()["allowed_actions"]
        assert "wait_customer" not in r.json()["allowed_actions"]
        paused = clocks(handler, number)
        assert paused["site_visit"]["state"] == "paused"
        assert handler.get(f"/complaints/{number}").json()["waiting_since"] is not None
        again = handler.act(number, "wait_customer", {"reason": "again"})
        assert again.status_code == 409
    with at(local(2026, 11, 24, 10, 0)):  # a whole working day (7.5 h) later
        assert handler.act(number, "resume", {"comment": "样品已到"}).status_code == 200
        resumed = clocks(handler, number)
    site = resumed["site_visit"]
    assert site["state"] == "running"
    assert site["paused_hours"] == 24.0  # natural time spent waiting
    # it was due Wednesday 09:00 (15 working hours from Monday 09:00); 7.5 more
    assert parse(site["due_at"]) == local(2026, 11, 26, 9, 0)
    with at(local(2026, 11, 24, 10, 0)):
        assert handler.act(number, "resume", {}).status_code == 409


@pytest.mark.django_db
def test_a_complaint_withdrawn_while_waiting_waits_no_more(people):
    intake = people.api(people.intake)
    with at(local(2026, 11, 23, 9, 0)):
        number = register(intake)
        assert intake.act(number, "wait_customer", {"reason": "客户出差"}).status_code == 200
        r = intake.act(number, "withdraw", {"reason": "客户撤回"})
    assert r.status_code == 200, r.content
    assert r.json()["waiting_since"] is None


@pytest.mark.django_db
def test_overdue_and_due_before_filters(people):
    intake = people.api(people.intake)
    with at(local(2026, 11, 23, 9, 0)):
        late = register(intake, title="逾期的投诉")
    with at(local(2026, 11, 23, 14, 0)):
        fresh = register(intake, title="新投诉")
        overdue = intake.get("/complaints", overdue="true").json()["results"]
        not_overdue = intake.get("/complaints", overdue="false").json()["results"]
        due_soon = intake.get("/complaints", due_before="2026-11-23T16:00:00+08:00").json()
    # dispatch: 2 working hours from 09:00 → 11:00, overdue at 14:00
    assert [c["number"] for c in overdue] == [late]
    assert [c["number"] for c in not_overdue] == [fresh]
    assert [c["number"] for c in due_soon["results"]] == [late]
    assert parse(overdue[0]["due_at"]) == local(2026, 11, 23, 11, 0)


@pytest.mark.django_db
def test_a_sweep_with_nothing_due_reads_one_index_range(people, django_assert_num_queries):
    intake = people.api(people.intake)
    with at(local(2026, 11, 23, 9, 0)):
        for _ in range(3):
            register(intake)
        with django_assert_num_queries(1):
            report = sweep()
    assert report.complaints == 0


@pytest.mark.django_db
def test_a_changed_policy_applies_to_new_complaints(people):
    ClockPolicy.objects.filter(clock="first_contact").update(limit=12)
    from kesu.core.memo import forget

    forget()
    intake = people.api(people.intake)
    with at(local(2026, 11, 23, 9, 0)):
        number = register(intake)
        running = clocks(intake, number)
    assert parse(running["first_contact"]["due_at"]) == local(2026, 11, 23, 21, 0)


@pytest.mark.django_db
def test_finished_complaints_have_no_running_clock(people):
    intake = people.api(people.intake)
    with at(local(2026, 11, 23, 9, 0)):
        number = register(intake)
        r = intake.act(number, "withdraw", {"reason": "客户撤回"})
        assert r.status_code == 200
        body = intake.get(f"/complaints/{number}").json()
    assert {d["state"] for d in body["deadlines"]} == {"cancelled"}
    c = Complaint.objects.get(number=number)
    assert c.due_at is None and c.next_check_at is None


# ------------------------------------------------------------------------------------------
# the ladder: warn at 80 %, breach at 100 %, executive a working day after the breach


def _ladder_complaint(people) -> str:
    """A level-2 product-quality complaint, accepted on Monday 09:00 but never contacted."""
    intake = people.api(people.intake)
    with at(local(2026, 11, 23, 9, 0)):
        number = register(intake)
        assert intake.get(f"/complaints/{number}").json()["severity"] == 2
        r = intake.act(number, "accept", {"owner": people.handler_quality.username})
        assert r.status_code == 200, r.content
    return number


def _first_contact_steps(number: str) -> list[str]:
    return [kind for kind, clock in steps(number) if clock == "first_contact"]


def _told(number: str) -> list[tuple[str, str, str]]:
    """(step, template, username) of every in-app notification of the first-contact ladder."""
    from kesu.notifications.models import Notification

    rows = Notification.objects.filter(
        complaint__number=number,
        channel="in_app",
        event__type__startswith="deadline_",
        event__data__clock="first_contact",
    ).select_related("event", "recipient")
    return sorted((n.event.type, n.template, n.recipient.username) for n in rows)


def test_a_warning_leaves_the_version_a_breach_or_an_escalation_raises_it(people):
    """The sweep's events follow the frame's version rule (`frame.bump_version`): a form being
    written is not refused for a warning; it is for a breach, which raises the escalation level
    (the head now decides, and an escalation goes further), and for an escalation."""
    number = _ladder_complaint(people)

    def version() -> int:
        return Complaint.objects.get(number=number).version

    def level() -> int:
        return Complaint.objects.get(number=number).escalation_level

    before = version()
    with at(local(2026, 11, 24, 4, 12)):
        sweep()
    assert _first_contact_steps(number) == ["deadline_warned"]
    assert version() == before and level() == 0
    with at(local(2026, 11, 24, 9, 0)):
        sweep()
    assert _first_contact_steps(number) == ["deadline_warned", "deadline_breached"]
    assert level() == 1 and version() == before + 1
    with at(local(2026, 11, 25, 9, 0)):
        sweep()
    escalated = ComplaintEvent.objects.filter(
        complaint__number=number, type="deadline_escalated"
    ).count()
    assert escalated >= 1 and version() == before + 1 + escalated


LADDER_TOLD = [
    ("deadline_breached", "deadline_breach", "qian_head"),  # the quality department's head
    ("deadline_breached", "owner_deadline_breach", "sun_quality"),
    ("deadline_escalated", "breach_escalation", "zheng_vp"),  # the executive
    ("deadline_warned", "owner_deadline_warning", "sun_quality"),  # the owner
]


@pytest.mark.django_db
def test_first_contact_is_warned_breached_and_escalated_once_each(people):
    number = _ladder_complaint(people)
    # 80 % of 24 h = 19 h 12 min → Tuesday 04:12
    with at(local(2026, 11, 24, 4, 11)):
        sweep()
    assert _first_contact_steps(number) == []
    with at(local(2026, 11, 24, 4, 12)):
        sweep()
        sweep()  # a second sweep finds nothing new
    assert _first_contact_steps(number) == ["deadline_warned"]
    with at(local(2026, 11, 24, 9, 0)):  # 24 h: breached; the dept head is told
        sweep()
    assert _first_contact_steps(number) == ["deadline_warned", "deadline_breached"]
    complaint = Complaint.objects.get(number=number)
    assert complaint.escalation_level == 1
    # one working day (7.5 h) after Tuesday 09:00 → Wednesday 09:00: the executive
    with at(local(2026, 11, 25, 8, 59)):
        sweep()
    assert _first_contact_steps(number)[-1] == "deadline_breached"
    with at(local(2026, 11, 25, 9, 0)):
        sweep()
    assert _first_contact_steps(number) == [
        "deadline_warned",
        "deadline_breached",
        "deadline_escalated",
    ]
    complaint.refresh_from_db()
    assert complaint.escalation_level == 2
    breach = ComplaintEvent.objects.get(
        complaint=complaint, type="deadline_breached", data__clock="first_contact"
    )
    assert breach.actor is None and breach.data["level"] == 1
    assert _told(number) == LADDER_TOLD
    # the executive reads it in the in-app list
    executive = people.api(people.executive)
    inbox = executive.get("/notifications").json()["results"]
    assert any(n["complaint"] == number and n["template"] == "breach_escalation" for n in inbox)
    # contacting the customer now meets the clock, late: the breach is kept
    handler = people.api(people.handler_quality)
    with at(local(2026, 11, 25, 10, 0)):
        r = handler.act(
            number,
            "contact",
            {"method": "phone", "promised_at": "2026-11-30T17:00:00+08:00", "summary": "已联系"},
        )
        assert r.status_code == 200, r.content
        first = next(d for d in r.json()["deadlines"] if d["clock"] == "first_contact")
    assert first["state"] == "met_late" and first["breached"] is True


@pytest.mark.django_db
def test_a_late_sweep_takes_every_step_that_has_come(people):
    number = _ladder_complaint(people)
    with at(local(2026, 11, 26, 9, 0)):  # the worker was down for two days
        sweep()
    assert _first_contact_steps(number) == ["deadline_breached", "deadline_escalated"]


@pytest.mark.django_db
def test_a_paused_clock_is_not_swept(people):
    number = _ladder_complaint(people)
    handler = people.api(people.handler_quality)
    with at(local(2026, 11, 23, 10, 0)):
        assert handler.act(number, "wait_customer", {"reason": "客户出差"}).status_code == 200
    with at(local(2026, 11, 27, 10, 0)):
        report = sweep()
    assert report.complaints == 0 and steps(number) == []


@pytest.mark.django_db(transaction=True)
def test_two_racing_sweeps_take_each_step_once(people):
    number = _ladder_complaint(people)
    for instant in (
        local(2026, 11, 24, 4, 12),
        local(2026, 11, 24, 9, 0),
        local(2026, 11, 25, 9, 0),
    ):
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(instant=instant, barrier=barrier, errors=errors):
            try:
                barrier.wait()
                sweep(now=instant)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
    # Every clock's ladder step happened once, whoever took it.
    taken = steps(number)
    assert len(taken) == len(set(taken))
    assert _first_contact_steps(number) == [
        "deadline_warned",
        "deadline_breached",
        "deadline_escalated",
    ]
    assert _told(number) == LADDER_TOLD  # each notification once
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.django_db
def test_imported_complaints_are_measured_from_their_original_time(people):
    from kesu.complaints import actions
    from kesu.complaints.models import Category

    new = actions.NewComplaint(
        kind="complaint",
        channel="phone",
        title="旧台账里的投诉",
        description="从Excel台账导入。",
        category=Category.objects.get(code="product_quality"),
        complainant_name="李先生",
    )
    with at(local(2026, 11, 23, 9, 0)):
        complaint, _created = actions.register(
            new, actor=people.intake, registered_at=local(2025, 3, 3, 9, 0)
        )
        body = people.api(people.intake).get(f"/complaints/{complaint.number}").json()
        overdue = people.api(people.intake).get("/complaints", overdue="true").json()
    first = next(d for d in body["deadlines"] if d["clock"] == "first_contact")
    assert parse(first["due_at"]) == local(2025, 3, 4, 9, 0)
    assert first["state"] == "breached" and first["breached"] is True
    assert complaint.number in [c["number"] for c in overdue["results"]]


@pytest.mark.django_db
def test_a_sweep_cut_off_before_its_commit_leaves_nothing_and_the_next_one_does_it(
    people, monkeypatch
):
    from kesu.notifications import rules

    number = _ladder_complaint(people)

    def crash(pairs):
        raise RuntimeError("the worker died")

    monkeypatch.setattr(rules, "on_events", crash)  # the last write of the batch
    with at(local(2026, 11, 24, 9, 0)), pytest.raises(RuntimeError):
        sweep()
    assert steps(number) == []
    assert Complaint.objects.get(number=number).escalation_level == 0
    monkeypatch.undo()
    with at(local(2026, 11, 24, 9, 0)):
        sweep()
    assert _first_contact_steps(number) == ["deadline_breached"]
    assert _told(number) == [t for t in LADDER_TOLD if t[0] == "deadline_breached"]


def test_the_worker_queue_is_redis_when_redis_url_is_set(tmp_path):
    """SQLite storage by default; with REDIS_URL the same tasks go through Redis."""
    import os
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from huey.contrib.djhuey import HUEY; "
        "HUEY.storage.flush_queue() if hasattr(HUEY.storage, 'conn') else None; "
        "print(type(HUEY).__name__, HUEY.storage.queue_size())"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    base.update(KESU_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kesu.settings")
    default = subprocess.run(
        [sys.executable, "-c", code], env=base, capture_output=True, text=True, check=True
    )
    assert default.stdout.split() == ["SqliteHuey", "0"]
    with_redis = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "REDIS_URL": "redis://127.0.0.1:6379/15"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert with_redis.stdout.split() == ["RedisHuey", "0"]  # it reached the server
