"""A closed month's figures are reproducible: frozen once the month is over (and the grace
days), they stay as they were whatever later happens to its complaints — a reassignment, a
reopen, a late survey — until someone restates the month, with a reason, which is recorded."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kesu.complaints import actions
from kesu.complaints.choices import ContactMethod, Severity
from kesu.complaints.errors import ComplaintError
from kesu.statistics import actions as statistics
from kesu.statistics.counts import Dimension, classified
from kesu.statistics.indicators import complaints, indicators
from kesu.statistics.models import FrozenFact, StatisticsEvent, StatisticsEventType
from kesu.statistics.periods import parse
from tests.statistics_history import drive

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOVEMBER = date(2026, 11, 1)


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def script(at: datetime, scale: int, answers: list[int]) -> dict:
    """A complaint taken through every stage to its closing, an hour between stages."""
    return {
        "at": at,
        "kind": "complaint",
        "category": 0,
        "severity": Severity.LEVEL_3,
        "phone": 0,
        "model": 0,
        "sensitive": False,
        "owner": 0,
        "reach": 40,
        "spot": 5,
        "ends": "",
        "unsatisfied_first": False,
        "skip_visit": 3,
        "reopen": 3,
        "scale": scale,
        "answers": answers,
        "appeal_kind": "policy_or_staff",
        "cause": "customer",
        "returned": False,
        "handler_could": False,
        "delays": [1] * 40,
    }


def figures(text: str = "2026-11", by=()) -> dict:
    return {
        key: {name: (r.numerator, r.denominator) for name, r in found.figures.items()}
        for key, found in indicators(parse(text), by=by).items()
    }


@pytest.fixture
def november(people):
    """Two complaints registered and closed in November, surveyed 3/3 satisfied."""
    return drive(
        people,
        [script(local(2026, 11, 2, 9), 3, [0, 0, 0]), script(local(2026, 11, 3, 9), 5, [1])],
    )


def later_events(people, complaint) -> None:
    """January: the complaint reopened, reclassified, handed to another department, surveyed
    again badly and closed again."""
    owner = people.handler_quality
    steps = [
        lambda: actions.reopen(complaint, actor=people.qa, reason="复查发现问题"),
        lambda: actions.reclassify(
            complaint, actor=people.qa, severity=Severity.LEVEL_2, reason="影响扩大"
        ),
        lambda: actions.assign(complaint, actor=people.intake, owner=owner, reason="转质量部"),
        lambda: actions.propose_plan(
            complaint,
            actor=owner,
            measures=[actions.Measure("返工", owner, local(2027, 1, 20, 9))],
        ),
        lambda: actions.approve_plan(complaint, actor=people.head_quality),
        lambda: actions.complete(complaint, actor=owner, summary="已返工"),
        lambda: actions.verify(complaint, actor=owner, passed=True, report="通过"),
        lambda: actions.confirm(complaint, actor=owner, satisfied=True, method=ContactMethod.PHONE),
        lambda: actions.return_visit(
            complaint,
            actor=owner,
            method=ContactMethod.PHONE,
            scale=5,
            answers=["very_dissatisfied", "dissatisfied"],
        ),
        lambda: actions.close(complaint, actor=owner),
    ]
    with actions.unannounced():
        for hours, step in enumerate(steps):
            with time_machine.travel(local(2027, 1, 5, 9) + timedelta(hours=hours), tick=False):
                step()


def test_a_closed_month_is_the_same_after_later_events_and_changes_when_restated(people, november):
    # given November frozen
    before = figures()
    by_department = figures(by=[Dimension.DEPARTMENT])
    by_severity = figures(by=[Dimension.SEVERITY, Dimension.HANDLER])
    table = classified(parse("2026-11"), by=[Dimension.SEVERITY, Dimension.DEPARTMENT])
    rows = [(r.key, r.count) for r in table.rows]
    assert sum(count for _key, count in rows) == 2
    behind = set(complaints("satisfaction", parse("2026-11")))
    assert before[()]["closed"] == (2, 2)
    assert before[()]["satisfaction"] == (9 + 2, 9 + 3)
    event = statistics.freeze(NOVEMBER, actor=people.qa)
    assert event is not None and (event.type, event.version) == (StatisticsEventType.FROZEN, 1)
    assert figures() == before

    # when one of its complaints is reassigned, reopened, surveyed again and closed in January
    later_events(people, november[0])

    # then November reads the same, by department too, and links to the same complaints
    assert figures() == before
    assert figures(by=[Dimension.DEPARTMENT]) == by_department
    assert figures(by=[Dimension.SEVERITY, Dimension.HANDLER]) == by_severity
    # the classified table too (《顾客投诉分类统计表》): the complaint's severity and department
    # as they were, though it is now level 2 in the quality department
    table = classified(parse("2026-11"), by=[Dimension.SEVERITY, Dimension.DEPARTMENT])
    assert [(r.key, r.count) for r in table.rows] == rows
    december = classified(parse("2026-12"), by=[Dimension.SEVERITY, Dimension.DEPARTMENT])
    assert [(r.key, r.previous) for r in december.rows] == rows  # month-on-month as well
    assert set(complaints("satisfaction", parse("2026-11"))) == behind
    # while the live months see the change: closed again in January
    assert figures("2027-01")[()]["closed"] == (1, 1)
    # and a quarter reads November from the snapshot, the rest live
    assert figures("2026-Q4")[()]["closed"] == (2, 2)

    # when QA restates November, with a reason
    restated = statistics.restate(NOVEMBER, actor=people.qa, reason="复查后更正")

    # then the figures follow the complaints as they are now: one closed in November
    after = figures()
    assert after != before
    table = classified(parse("2026-11"), by=[Dimension.SEVERITY, Dimension.DEPARTMENT])
    assert [(r.key, r.count) for r in table.rows] != rows
    assert ((Severity.LEVEL_2, people.handler_quality.department_id), 1) in [
        (r.key, r.count) for r in table.rows
    ]
    assert after[()]["closed"] == (1, 1)
    assert after[()]["registered"] == (2, 2)
    assert (restated.type, restated.version, restated.actor, restated.reason) == (
        StatisticsEventType.RESTATED,
        2,
        people.qa,
        "复查后更正",
    )
    # the first version is kept
    assert FrozenFact.objects.filter(month=NOVEMBER, version=1).count() == 2
    assert list(StatisticsEvent.objects.values_list("version", flat=True)) == [1, 2]


def test_a_month_freezes_itself_once_the_grace_days_have_passed(people, november, settings):
    # the grace is five days by default: December 1 + 5 days
    with time_machine.travel(local(2026, 12, 5, 23), tick=False):
        assert statistics.freeze_due() == []
    with time_machine.travel(local(2026, 12, 6, 0, 1), tick=False):
        frozen = statistics.freeze_due()
    assert [(e.month, e.actor, e.type) for e in frozen] == [
        (NOVEMBER, None, StatisticsEventType.FROZEN)
    ]
    # once: a second run freezes nothing, and a freeze by hand neither
    with time_machine.travel(local(2026, 12, 20), tick=False):
        assert statistics.freeze_due() == []
    assert statistics.freeze(NOVEMBER, actor=people.qa) is None


def test_a_restatement_needs_a_reason_and_a_frozen_month(people, november):
    with pytest.raises(ComplaintError):
        statistics.restate(NOVEMBER, actor=people.qa, reason="原因")
    statistics.freeze(NOVEMBER, actor=None)
    with pytest.raises(ComplaintError):
        statistics.restate(NOVEMBER, actor=people.qa, reason="  ")
    assert StatisticsEvent.objects.count() == 1


def test_the_record_of_frozen_months_is_append_only(people, november):
    event = statistics.freeze(NOVEMBER, actor=None)
    assert event is not None
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


def test_a_month_not_over_is_not_frozen(people):
    with time_machine.travel(local(2026, 11, 30, 23), tick=False), pytest.raises(ComplaintError):
        statistics.freeze(NOVEMBER, actor=people.qa)
    assert not StatisticsEvent.objects.exists()


def test_the_nightly_task_and_the_command_freeze_and_restate(people, november):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from kesu.statistics.tasks import freeze_closed_months

    with time_machine.travel(local(2026, 12, 7, 1, 15), tick=False):
        assert freeze_closed_months.call_local() == ["2026-11"]
    out = StringIO()
    call_command("statistics", "freeze", "2026-11", stdout=out)
    assert "already frozen" in out.getvalue()
    call_command(
        "statistics",
        "restate",
        "2026-11",
        "--reason",
        "更正",
        "--by",
        people.qa.username,
        stdout=out,
    )
    assert StatisticsEvent.objects.latest("id").reason == "更正"
    with pytest.raises(CommandError):
        call_command("statistics", "freeze", "2026-Q4", stdout=out)


def test_frozen_facts_and_statistics_events_are_never_changed(november):
    from django.db import DatabaseError, connection, transaction

    with time_machine.travel(local(2026, 12, 10, 9), tick=False):
        statistics.freeze(NOVEMBER, actor=None)
    assert FrozenFact.objects.exists() and StatisticsEvent.objects.exists()
    for model in (FrozenFact, StatisticsEvent):
        with pytest.raises(TypeError):
            model.objects.all().update(version=2)
        with pytest.raises(TypeError):
            model.objects.all().delete()
        with pytest.raises(TypeError):
            model.objects.first().save()
    for table in ("statistics_statisticsevent", "statistics_frozenfact"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET version = version + 1")  # noqa: S608
    assert set(FrozenFact.objects.values_list("version", flat=True)) == {1}
