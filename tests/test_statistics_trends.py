"""The Pareto ranks a breakdown's values with their cumulative share and marks the few that
make 80 %; the 12-month trend counts each month as its own classified table counts it, in
one query, months cut at local midnights."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kesu.complaints import actions
from kesu.complaints.choices import Channel
from kesu.complaints.models import Category, Complaint
from kesu.complaints.queries import categories_by_id
from kesu.statistics.counts import Classified, Dimension, Row, classified
from kesu.statistics.periods import Period, parse
from kesu.statistics.trends import pareto, trend, trend_months

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def table_of(counts: dict[str, int], by=(Dimension.CHANNEL,), previous_only=()) -> Classified:
    period = parse("2026-11")
    rows = [Row((key,), n, 0, 0) for key, n in counts.items()]
    rows += [Row((key,), 0, 3, 0) for key in previous_only]
    total = Row((), sum(counts.values()), 3 * len(previous_only), 0)
    return Classified(period, period.previous(), period.year_before(), by, rows, total)


def test_the_pareto_ranks_by_count_and_accumulates_the_share():
    rows = pareto(table_of({"phone": 2, "email": 10, "web": 5, "fax": 3}, previous_only=["chat"]))
    assert [(r.key, r.count, r.share_pct, r.cumulative_pct, r.vital) for r in rows] == [
        ("email", 10, 50.0, 50.0, True),
        ("web", 5, 25.0, 75.0, True),
        ("fax", 3, 15.0, 90.0, True),  # crosses the 80 % line: the last of the vital few
        ("phone", 2, 10.0, 100.0, False),
    ]  # "chat" had complaints only the period before: no bar


def test_ties_keep_the_tables_order_and_a_bar_at_exactly_80_is_the_last_vital_one():
    rows = pareto(table_of({"phone": 4, "email": 4, "web": 1, "fax": 1}))
    assert [(r.key, r.cumulative_pct, r.vital) for r in rows] == [
        ("phone", 40.0, True),
        ("email", 80.0, True),
        ("web", 90.0, False),
        ("fax", 100.0, False),
    ]


def test_one_value_is_the_whole_and_nothing_is_no_bars():
    (only,) = pareto(table_of({"phone": 7}))
    assert (only.share_pct, only.cumulative_pct, only.vital) == (100.0, 100.0, True)
    assert pareto(table_of({})) == []


def test_a_pareto_is_over_one_dimension():
    with pytest.raises(ValueError, match="one dimension"):
        pareto(table_of({"x": 1}, by=(Dimension.CHANNEL, Dimension.KIND)))


def test_the_twelve_months_end_with_the_periods_last_month():
    assert [str(p) for p in trend_months(parse("2026-11"))][::11] == ["2025-12", "2026-11"]
    assert [str(p) for p in trend_months(parse("2026-Q1"), 3)] == ["2026-01", "2026-02", "2026-03"]
    assert str(trend_months(parse("2026"))[0]) == "2026-01"
    assert str(trend_months(parse("2026-02-03..2026-04-01"), 2)[-1]) == "2026-04"
    assert all(len(trend_months(Period.month(2026, m))) == 12 for m in range(1, 13))


def register(people, at: datetime, code: str = "product_quality", **fields) -> Complaint:
    complaint, _created = actions.register(
        actions.NewComplaint(
            channel=fields.pop("channel", Channel.PHONE),
            title="阀门渗漏",
            description="客户反映阀门渗漏",
            category=Category.objects.get(code=code),
            complainant_name="王伟",
            **fields,
        ),
        actor=people.intake,
        registered_at=at,
    )
    return complaint


@pytest.mark.django_db
def test_each_month_of_the_trend_is_that_months_classified_total(people, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    for at in [
        local(2025, 11, 30, 23, 59),  # before the twelve months
        local(2025, 12, 1, 0, 0),
        local(2026, 2, 28, 12),
        local(2026, 3, 1, 0, 0),
        local(2026, 11, 30, 23, 30),  # 15:30 UTC: November's
        local(2026, 12, 1, 0, 0),  # after them
    ]:
        register(people, at)
    register(people, local(2026, 6, 15, 9), "service_quality")
    counts = trend(parse("2026-11"))
    assert [(str(m.month), m.count) for m in counts if m.count] == [
        ("2025-12", 1),
        ("2026-02", 1),
        ("2026-03", 1),
        ("2026-06", 1),
        ("2026-11", 1),
    ]
    for month in counts:
        assert month.count == classified(month.month, by=()).total.count
    scoped = trend(
        parse("2026-11"), scope=Complaint.objects.filter(category__code="service_quality")
    )
    assert sum(m.count for m in scoped) == 1 and scoped[6].month.first == date(2026, 6, 1)


@pytest.mark.django_db
def test_the_trend_is_one_query(people, django_assert_num_queries):
    register(people, local(2026, 11, 2, 9))
    with django_assert_num_queries(1):
        counts = trend(parse("2026-11"))
    assert counts[-1].count == 1


@pytest.mark.django_db
def test_the_pareto_of_categories_rolls_the_tree_up(people):
    for code in ("construction_crack", "construction_leak", "construction_leak", "schedule"):
        register(people, local(2026, 11, 3, 9), code)
    rows = pareto(classified(parse("2026-11"), by=[Dimension.CATEGORY]))
    names = categories_by_id()
    assert [(names[r.key].code, r.count, r.cumulative_pct) for r in rows] == [
        ("construction_quality", 3, 75.0),
        ("schedule", 1, 100.0),
    ]
