"""The per-complaint facts: caught up from the events above a watermark without touching the
complaints' write path, including an event that commits after a later one was read; rebuilt
to the same rows; repeat complaints within the settings' window; imported history counted
like native history; the cost of a read does not grow with the rows."""

import csv
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from kesu.complaints import actions
from kesu.complaints.choices import Channel, EventType, State
from kesu.complaints.importing import COLUMNS, import_file
from kesu.complaints.models import Category, Complaint, ComplaintEvent
from kesu.statistics.indicators import Part, complaints, indicators
from kesu.statistics.models import ComplaintFact, StatisticsSettings, Watermark
from kesu.statistics.periods import parse
from kesu.statistics.projection import GAP_GRACE, catch_up, rebuild

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def register(people, at: datetime, phone="13800000001", model="DN50") -> Complaint:
    with time_machine.travel(at, tick=False), actions.unannounced():
        complaint, _created = actions.register(
            actions.NewComplaint(
                channel=Channel.PHONE,
                title="阀门渗漏",
                description="客户反映阀门渗漏",
                category=Category.objects.get(code="business_policy"),
                complainant_name="王伟",
                complainant_phone=phone,
                product_model=model,
            ),
            actor=people.intake,
        )
    return complaint


def columns(fact: ComplaintFact) -> dict:
    return {f.name: getattr(fact, f.name) for f in ComplaintFact._meta.concrete_fields}


def test_a_read_catches_up_the_events_written_since_the_last(people):
    c = register(people, local(2026, 11, 2, 9))
    assert indicators(parse("2026-11"))[()]["registered"].numerator == 1
    with time_machine.travel(local(2026, 11, 2, 10), tick=False):
        actions.withdraw(c, actor=people.intake, reason="撤回")
    # nothing told the statistics: the read itself catches up from the watermark
    assert ComplaintFact.objects.get(pk=c.pk).outcome == ""
    assert indicators(parse("2026-11"))[()]["registered"].numerator == 1
    fact = ComplaintFact.objects.get(pk=c.pk)
    assert (fact.outcome, fact.closed_at) == (State.WITHDRAWN, local(2026, 11, 2, 10))
    assert fact.last_event_id == ComplaintEvent.objects.filter(complaint=c).latest("id").pk
    assert Watermark.objects.get().last_event_id == ComplaintEvent.objects.latest("id").pk


def test_an_event_committed_after_a_later_one_was_read_is_still_caught_up(people):
    """PostgreSQL hands out ids at insert, not at commit: a transaction holding a lower id can
    commit after a higher one was read. The watermark keeps the ids it jumped over."""
    slow, fast = register(people, local(2026, 11, 2, 9)), register(people, local(2026, 11, 2, 9))
    catch_up()
    last = ComplaintEvent.objects.latest("id").pk

    def event(pk: int, complaint: Complaint, **fields) -> ComplaintEvent:
        base = {"type": EventType.NOTE, "from_state": "registered", "to_state": "registered"}
        return ComplaintEvent(
            id=pk, complaint=complaint, at=local(2026, 11, 2, 11), **{**base, **fields}
        )

    # given the transaction that took id last+3 commits first and is read …
    ComplaintEvent.objects.bulk_create([event(last + 3, fast)])
    catch_up()
    mark = Watermark.objects.get()
    assert mark.last_event_id == last + 3
    assert {str(last + 1), str(last + 2)} <= set(mark.gaps)  # (PostgreSQL: others before)
    # … when the one holding id last+1 (the slow complaint withdrawn) commits afterwards
    withdrawn = {"type": EventType.WITHDRAW, "to_state": "withdrawn"}
    ComplaintEvent.objects.bulk_create([event(last + 1, slow, **withdrawn)])
    catch_up()
    # then it is read all the same, and its gap is closed
    assert ComplaintFact.objects.get(pk=slow.pk).outcome == State.WITHDRAWN
    gaps = set(Watermark.objects.get().gaps)
    assert str(last + 2) in gaps and str(last + 1) not in gaps
    # and a gap nobody fills (a rolled-back transaction) is forgotten by the first catch-up
    # with something to read after the grace
    ComplaintEvent.objects.bulk_create([event(last + 4, fast)])
    with time_machine.travel(datetime.now(tz=SHANGHAI) + GAP_GRACE + timedelta(minutes=1)):
        catch_up()
    assert Watermark.objects.get().gaps == {}


def test_the_watermark_alone_would_have_missed_it(people, monkeypatch):
    """The planted bug: without the gaps, the late event is lost."""
    from kesu.statistics import projection

    slow, fast = register(people, local(2026, 11, 2, 9)), register(people, local(2026, 11, 2, 9))
    catch_up()
    last = ComplaintEvent.objects.latest("id").pk
    monkeypatch.setattr(projection, "GAP_GRACE", timedelta(0))  # gaps dropped at once
    ComplaintEvent.objects.bulk_create(
        [
            ComplaintEvent(
                id=last + 2, complaint=fast, type=EventType.NOTE, at=local(2026, 11, 2, 11)
            ),
        ]
    )
    catch_up()
    ComplaintEvent.objects.bulk_create(
        [
            ComplaintEvent(
                id=last + 1,
                complaint=slow,
                type=EventType.WITHDRAW,
                to_state="withdrawn",
                at=local(2026, 11, 2, 11),
            ),
        ]
    )
    catch_up()
    assert ComplaintFact.objects.get(pk=slow.pk).outcome == ""


def test_a_rebuild_gives_the_rows_the_catch_up_kept(people):
    first = register(people, local(2026, 11, 2, 9))
    register(people, local(2026, 11, 20, 9))
    with time_machine.travel(local(2026, 11, 2, 9, 30), tick=False):
        actions.accept(first, actor=people.intake, owner=people.handler_east)
    catch_up()
    kept = {f.pk: columns(f) for f in ComplaintFact.objects.all()}
    ComplaintFact.objects.all().delete()
    assert rebuild() == 2
    assert {f.pk: columns(f) for f in ComplaintFact.objects.all()} == kept
    call_command("statistics", "rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert {f.pk: columns(f) for f in ComplaintFact.objects.all()} == kept


def test_a_repeat_is_the_same_customer_and_product_within_the_window(people):
    StatisticsSettings.objects.update_or_create(pk=1, defaults={"repeat_window_days": 30})
    a = register(people, local(2026, 9, 1, 9))
    b = register(people, local(2026, 9, 20, 9))  # 19 days later: a repeat
    c = register(people, local(2026, 11, 20, 9))  # 61 days after b: not
    d = register(people, local(2026, 9, 21, 9), model="DN80")  # another product
    e = register(people, local(2026, 9, 22, 9), phone="13800000009")  # another customer
    catch_up()
    repeats = set(ComplaintFact.objects.filter(repeat=True).values_list("pk", flat=True))
    assert repeats == {b.pk}
    # a complaint imported later, registered between b and c, makes c a repeat
    register(people, local(2026, 11, 1, 9))
    catch_up()
    repeats = set(ComplaintFact.objects.filter(repeat=True).values_list("pk", flat=True))
    assert repeats == {b.pk, c.pk}  # the new one is 42 days after b: not a repeat itself
    assert a.pk not in repeats and d.pk not in repeats and e.pk not in repeats
    september = indicators(parse("2026-09"))[()]
    assert str(september.repeat) == "1/4 = 25.0 %"
    assert list(complaints("repeat", parse("2026-09"))) == [b]


def write_register(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([column.header for column in COLUMNS])
        for values in rows:
            row = {
                "channel": "电话热线",
                "title": "阀门渗漏",
                "description": "客户反映阀门渗漏。",
                "category": "business_policy",
                "complainant_name": "王伟",
                "state": "已结案",
                **values,
            }
            writer.writerow([row.get(column.code, "") for column in COLUMNS])
    return path


def test_imported_history_counts_like_native_history(people, tmp_path):
    """A complaint imported as closed late is a breach in its month; one closed in time is not."""
    path = write_register(
        tmp_path / "register.csv",
        [
            {
                "number": "KS20261000001",
                "registered_at": "2026-10-12 09:00",
                "closed_at": "2026-10-15 16:00",
            },
            {
                "number": "KS20261000002",
                "registered_at": "2026-10-12 09:00",
                "closed_at": "2026-10-12 10:00",
            },
        ],
    )
    with time_machine.travel(local(2026, 11, 25, 12, 0), tick=False):
        assert import_file(path, actor=people.admin).errors == []
    october = indicators(parse("2026-10"))[()]
    late = Complaint.objects.get(number="KS20261000001")
    assert (october["registered"].numerator, october["closed"].numerator) == (2, 2)
    assert str(october["dispatch_late"]) == "1/1 = 100.0 %"
    assert str(october["first_contact_late"]) == "1/1 = 100.0 %"
    assert list(complaints("dispatch_late", parse("2026-10"))) == [late]
    assert list(complaints("dispatch_late", parse("2026-10"), part=Part.DENOMINATOR)) == [late]
    # handling time on the working calendar: Mon 12 Oct 09:00 → Thu 15 Oct 16:00 is
    # 7 + 7.5 + 7.5 + 6 working hours; the other took 1
    assert october.handling_p90_hours == 28.0
    assert october.handling_avg_hours == 14.5
    assert not indicators(parse("2026-11"))


def test_a_read_costs_the_same_few_queries_whatever_the_rows(people, django_assert_max_num_queries):
    for day in range(1, 21):
        register(people, local(2026, 11, day, 9), phone=f"1380000{day:04d}")
    catch_up()
    with django_assert_max_num_queries(8):
        indicators(parse("2026-11"), by=["department"])
    with django_assert_max_num_queries(8):
        indicators(parse("2026"), by=["handler"])


@pytest.mark.parametrize("by", [["handler"], ["cause"], ["department", "handler"]])
def test_the_new_dimensions_count_by_owner_and_cause(people, by):
    from kesu.statistics.counts import classified

    c = register(people, local(2026, 11, 2, 9))
    with time_machine.travel(local(2026, 11, 2, 10), tick=False):
        actions.accept(c, actor=people.intake, owner=people.handler_east)
        actions.determine(
            c, actor=people.handler_east, determination="customer", root_cause="用错了"
        )
    register(people, local(2026, 11, 3, 9))
    table = classified(parse("2026-11"), by=by)
    keys = {
        ("handler",): {(people.handler_east.pk,), (None,)},
        ("cause",): {("customer",), (None,)},
        ("department", "handler"): {
            (people.handler_east.department_id, people.handler_east.pk),
            (Category.objects.get(code="business_policy").default_department_id, None),
        },
    }[tuple(by)]
    assert {r.key for r in table.rows} == keys
    assert table.total.count == 2


def test_one_timeline_s_figures_without_a_database():
    """`fact_of` on a hand-written timeline: accepted late (dispatch, 2 working hours),
    contacted in time, confirmed unsatisfied once (a reopen), then satisfied, surveyed
    3 + 2 of 6 on the five-option scale, visited, closed; the handler bears half the return
    transport."""
    from kesu.deadlines.clocks import ClockRule, Facts
    from kesu.deadlines.workcal import WorkingCalendar, default_week
    from kesu.statistics import facts

    calendar = WorkingCalendar(time_zone=SHANGHAI, week=default_week())
    rules = [
        ClockRule(
            "dispatch",
            timedelta(hours=2),
            "working",
            frozenset({"register"}),
            frozenset({"accept"}),
            rule_id=1,
        ),
        ClockRule(
            "first_contact",
            timedelta(hours=24),
            "natural",
            frozenset({"register"}),
            frozenset({"contact"}),
            rule_id=2,
        ),
    ]
    record = facts.Record(
        id=1,
        category_id=5,
        category_root_id=4,
        severity=3,
        kind="complaint",
        channel="phone",
        department_id=7,
        handler_id=9,
        customer_key="+8613800000001",
        subject_key="product:dn50",
        clock_facts=Facts("complaint", 3, "phone", frozenset({4, 5})),
    )
    steps = [  # (type, day, hour, from, to, data)
        ("register", 2, 9, "", "registered", {}),
        ("accept", 2, 14, "registered", "accepted", {}),  # 09:00 → 14:00 is 4 working hours
        ("contact", 2, 15, "accepted", "investigating", {}),
        ("determine", 3, 9, "investigating", "planning", {"determination": "misuse"}),
        ("propose_plan", 3, 10, "planning", "treating", {"plan": 11, "filed": True}),
        ("complete", 4, 9, "treating", "verifying", {}),
        ("verify", 4, 10, "verifying", "confirming", {"passed": True, "customer_reachable": True}),
        ("confirm", 4, 11, "confirming", "planning", {"satisfied": False}),
        ("propose_plan", 4, 13, "planning", "treating", {"plan": 12, "filed": True}),
        ("complete", 5, 9, "treating", "verifying", {}),
        ("verify", 5, 10, "verifying", "confirming", {"passed": True, "customer_reachable": True}),
        ("confirm", 5, 11, "confirming", "return_visit", {"satisfied": True}),
        ("return_visit", 5, 14, "return_visit", "return_visit", {"return_visit": 21}),
        ("close", 6, 9, "return_visit", "closed", {}),
    ]
    events = [
        facts.Event(n, t, local(2026, 11, d, h), f, to, False, data)
        for n, (t, d, h, f, to, data) in enumerate(steps, start=100)
    ]
    plans = {
        11: [{"item": "labour", "bearer": "company", "share_pct": 100}],
        12: [
            {"item": "return_transport", "bearer": "handler", "share_pct": 50},
            {"item": "return_transport", "bearer": "company", "share_pct": 50},
            {"item": "parts", "bearer": "customer", "share_pct": 100},
        ],
    }
    fact = facts.fact_of(
        record,
        events,
        {21: facts.Survey(5, 5, 6)},
        plans,
        facts.ClockSetting(rules, calendar),
        ("dispatch", "first_contact"),
    )
    assert (fact.registered_at, fact.closed_at, fact.outcome) == (
        local(2026, 11, 2, 9),
        local(2026, 11, 6, 9),
        "closed",
    )
    assert (fact.resolved, fact.reopens, fact.cause) == (True, 1, "misuse")
    assert (fact.survey_scale, fact.survey_points, fact.survey_max) == (5, 5, 6)
    assert (fact.visit_needed, fact.visit_done) == (True, True)
    assert fact.clocks["dispatch"] == facts.ClockFigures(settled=1, on_time=0, escalated=0)
    assert fact.clocks["first_contact"] == facts.ClockFigures(settled=1, on_time=1, escalated=0)
    # Mon 09:00 → Fri 09:00: 7 + 7.5 × 3 working hours, then half an hour on Friday
    assert fact.handling_seconds == 30 * 3600
    assert fact.costs == {
        "cost_company": 50,
        "cost_customer": 100,
        "cost_handler": 50,
        "cost_transport_company": 50,
        "cost_transport_customer": 0,
        "cost_transport_handler": 50,
    }
    assert (fact.appeals, fact.appeal_end, fact.last_event_id) == (0, "", 113)


def test_a_complaint_registered_at_23_30_on_30_november_counts_in_november(people):
    register(people, local(2026, 11, 30, 23, 30))
    register(people, local(2026, 12, 1, 0, 0))
    assert indicators(parse("2026-11"))[()]["registered"].numerator == 1
    assert indicators(parse("2026-12"))[()]["registered"].numerator == 1
    assert indicators(parse("2026-11-30..2026-11-30"))[()]["registered"].numerator == 1
