"""The classified counts (《顾客投诉分类统计表》) agree exactly with an independent oracle that
recomputes them from the `register` events of a random history; month boundaries fall on
local midnights; periods parse, and refuse what they cannot read, naming it."""

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kesu.accounts.models import Department
from kesu.complaints import actions
from kesu.complaints.choices import Channel, EventType, Kind, Severity
from kesu.complaints.models import Category, Complaint, ComplaintEvent
from kesu.complaints.queries import categories_by_id
from kesu.statistics.counts import Dimension, classified
from kesu.statistics.periods import Period, Span, parse

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The history spans 2024-11-01 … 2026-11-30 local time: every case below has data in its
# period, the one before and the year before (2024 only from November).
FIRST_MONTH = (2024, 11)
MONTHS = 25


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def month_start(index: int) -> datetime:
    year, month = divmod(FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + index, 12)
    return local(year, month + 1, 1)


# An instant anywhere in the history, or a few seconds either side of a local midnight that
# opens a month (where an off-by-a-time-zone bound would show).
anywhere = st.integers(0, (month_start(MONTHS) - month_start(0)).days * 86400 - 1).map(
    lambda s: month_start(0) + timedelta(seconds=s)
)
at_a_boundary = st.builds(
    lambda i, s: month_start(i) + timedelta(seconds=s),
    st.integers(1, MONTHS - 1),
    st.sampled_from([-1800, -1, 0, 1, 1800]),
)
registration = st.tuples(
    st.one_of(anywhere, anywhere, at_a_boundary),
    st.integers(0, 99),  # the category, an index into the defaults
    st.sampled_from(list(Severity)),
    st.sampled_from(list(Kind)),
    st.sampled_from(list(Channel)),
    st.integers(-1, 99),  # the department: -1 for the category's default
)

# (period, its days, the days before, the days a year before): the calendar written out by
# hand, so the oracle does not borrow Period's arithmetic.
CASES = [
    (
        "2026-11",
        (date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 10, 1), date(2026, 10, 31)),
        (date(2025, 11, 1), date(2025, 11, 30)),
    ),
    (
        "2026-03",
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2025, 3, 1), date(2025, 3, 31)),
    ),
    (
        "2026-Q1",
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2025, 10, 1), date(2025, 12, 31)),
        (date(2025, 1, 1), date(2025, 3, 31)),
    ),
    (
        "2025",
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2024, 1, 1), date(2024, 12, 31)),
        (date(2024, 1, 1), date(2024, 12, 31)),
    ),
    (
        "2025-12-15..2026-01-14",
        (date(2025, 12, 15), date(2026, 1, 14)),
        (date(2025, 11, 14), date(2025, 12, 14)),
        (date(2024, 12, 15), date(2025, 1, 14)),
    ),
]
BREAKDOWNS = [
    (Dimension.CATEGORY, Dimension.SEVERITY),
    (Dimension.SUBCATEGORY,),
    (Dimension.KIND, Dimension.CHANNEL),
    (Dimension.DEPARTMENT,),
    (Dimension.SEVERITY, Dimension.DEPARTMENT, Dimension.CATEGORY),
    (),
]


def register(people, at: datetime, category: Category, **fields) -> Complaint:
    complaint, _created = actions.register(
        actions.NewComplaint(
            channel=fields.pop("channel", Channel.PHONE),
            title="阀门渗漏",
            description="客户反映阀门渗漏",
            category=category,
            complainant_name="王伟",
            **fields,
        ),
        actor=people.intake,
        registered_at=at,
    )
    return complaint


def oracle(days: tuple[date, date], dims, departments=None) -> Counter:
    """Plain Python over every `register` event: its local day, its complaint's values
    (only the complaints of `departments`, when given)."""
    zone = ZoneInfo(django_settings.TIME_ZONE)
    parent = dict(Category.objects.values_list("id", "parent_id"))

    def root(pk):
        while parent[pk] is not None:
            pk = parent[pk]
        return pk

    complaints = {c["id"]: c for c in Complaint.objects.values()}
    counts: Counter = Counter()
    for complaint_id, at in ComplaintEvent.objects.filter(type=EventType.REGISTER).values_list(
        "complaint_id", "at"
    ):
        if not days[0] <= at.astimezone(zone).date() <= days[1]:
            continue
        c = complaints[complaint_id]
        if departments is not None and c["department_id"] not in departments:
            continue
        value = {
            Dimension.CATEGORY: root(c["category_id"]),
            Dimension.SUBCATEGORY: c["category_id"],
            Dimension.SEVERITY: c["severity"],
            Dimension.KIND: c["kind"],
            Dimension.CHANNEL: c["channel"],
            Dimension.DEPARTMENT: c["department_id"],
        }
        counts[tuple(value[d] for d in dims)] += 1
    return counts


@pytest.mark.slow
@pytest.mark.django_db
@hypothesis_settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    # shrinking a history of hundreds of registrations takes many minutes; a failure names
    # the period and the breakdown, which is where to look
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(history=st.lists(registration, min_size=200, max_size=300))
def test_the_counts_agree_with_an_oracle_over_the_events(people, history):
    categories = list(Category.objects.order_by("code"))
    departments = list(Department.objects.order_by("code"))
    with transaction.atomic():
        for at, category, severity, kind, channel, department in history:
            actions.register(
                actions.NewComplaint(
                    channel=channel,
                    kind=kind,
                    title="阀门渗漏",
                    description="客户反映阀门渗漏",
                    category=categories[category % len(categories)],
                    department=departments[department % len(departments)]
                    if department >= 0
                    else None,
                    complainant_name="王伟",
                ),
                actor=people.intake,
                registered_at=at,
                severity=severity,
                severity_reason="统计测试",
            )
        # a scope: the complaints of two departments, as a head of both would see them
        two = {departments[0].pk, departments[-1].pk}
        scoped = Complaint.objects.filter(department__in=two)
        for text, days, days_before, days_a_year_before in CASES:
            period = parse(text)
            for dims, scope in [(dims, None) for dims in BREAKDOWNS] + [(BREAKDOWNS[0], two)]:
                table = classified(period, by=dims, scope=scoped if scope else None)
                assert (table.period.first, table.period.last) == days
                assert (table.previous.first, table.previous.last) == days_before
                assert (table.year_before.first, table.year_before.last) == days_a_year_before
                now, before, year_ago = (
                    oracle(d, dims, scope) for d in (days, days_before, days_a_year_before)
                )
                assert {r.key: (r.count, r.previous, r.year_before) for r in table.rows} == {
                    key: (now[key], before[key], year_ago[key])
                    for key in set(now) | set(before) | set(year_ago)
                }, (text, dims, scope)
                assert (table.total.count, table.total.previous, table.total.year_before) == (
                    now.total(),
                    before.total(),
                    year_ago.total(),
                )
        transaction.set_rollback(True)  # the next example starts from the defaults again


def test_each_period_is_one_group_by_query(people, django_assert_num_queries):
    categories_by_id()  # the category tree is cached per process, as in the product
    # the frozen months, then the period, the one before, the year before (none frozen here)
    with django_assert_num_queries(4):
        classified(parse("2026-11"), by=list(Dimension)[1:])


def test_the_month_ends_at_local_midnight(people, settings):
    """23:30 on 30 November in Shanghai is 15:30 UTC: November's, not December's."""
    settings.TIME_ZONE = "Asia/Shanghai"
    product = Category.objects.get(code="product_quality")
    late = register(people, local(2026, 11, 30, 23, 30), product)
    register(people, local(2026, 12, 1, 0, 0), product)
    assert ComplaintEvent.objects.get(complaint=late, type=EventType.REGISTER).at == datetime(
        2026, 11, 30, 15, 30, tzinfo=ZoneInfo("UTC")
    )
    november, december = classified(parse("2026-11"), by=()), classified(parse("2026-12"), by=())
    assert november.total.count == 1
    assert (december.total.count, december.total.previous, december.total.change) == (1, 1, 0)


def test_rows_roll_subcategories_up_and_carry_the_change(people):
    crack, leak = (
        Category.objects.get(code="construction_crack"),
        Category.objects.get(code="construction_leak"),
    )
    for at, category in [
        (local(2026, 11, 2, 9), crack),
        (local(2026, 11, 3, 9), leak),
        (local(2026, 11, 4, 9), leak),
        (local(2026, 10, 5, 9), leak),
        (local(2025, 11, 5, 9), crack),
        (local(2025, 11, 6, 9), crack),
        (local(2025, 11, 7, 9), crack),
        (local(2025, 11, 8, 9), crack),
    ]:
        register(people, at, category)
    (row,) = classified(parse("2026-11"), by=[Dimension.CATEGORY]).rows
    assert row.key == (crack.parent_id,)
    assert (row.count, row.previous, row.year_before) == (3, 1, 4)
    assert (row.change, row.change_pct, row.year_change, row.year_change_pct) == (
        2,
        200.0,
        -1,
        -25.0,
    )
    leaves = classified(parse("2026-11"), by=[Dimension.SUBCATEGORY]).rows
    assert [(r.key, r.count, r.previous, r.year_before) for r in leaves] == [
        ((crack.pk,), 1, 0, 4),
        ((leak.pk,), 2, 1, 0),
    ]
    # nothing to compare with: no percentage, rather than a division by zero
    assert (leaves[0].change_pct, leaves[0].year_change_pct) == (None, -75.0)
    assert (leaves[1].change_pct, leaves[1].year_change_pct) == (100.0, None)


def test_keys_speak_the_enums_and_scope_narrows(people):
    product = Category.objects.get(code="product_quality")
    register(people, local(2026, 11, 2, 9), product, channel=Channel.EMAIL)
    other = register(people, local(2026, 11, 3, 9), product, channel=Channel.WECHAT)
    table = classified(parse("2026-11"), by=[Dimension.CHANNEL, Dimension.KIND])
    assert [r.key for r in table.rows] == [
        (Channel.EMAIL, Kind.COMPLAINT),
        (Channel.WECHAT, Kind.COMPLAINT),
    ]
    assert all(isinstance(v, Channel) for r in table.rows for v in r.key[:1])
    scoped = classified(
        parse("2026-11"), by=[Dimension.CHANNEL], scope=Complaint.objects.filter(pk=other.pk)
    )
    assert [(r.key, r.count) for r in scoped.rows] == [((Channel.WECHAT,), 1)]


def test_a_dimension_is_an_enum_asked_for_once(db):
    with pytest.raises(ValueError, match="twice"):
        classified(parse("2026-11"), by=[Dimension.SEVERITY, Dimension.SEVERITY])
    with pytest.raises(ValueError):
        classified(parse("2026-11"), by=["colour"])  # type: ignore[list-item]


# Periods


@pytest.mark.parametrize(
    ("text", "span", "first", "last", "previous", "year_before"),
    [
        ("2026-11", Span.MONTH, date(2026, 11, 1), date(2026, 11, 30), "2026-10", "2025-11"),
        ("2026-01", Span.MONTH, date(2026, 1, 1), date(2026, 1, 31), "2025-12", "2025-01"),
        ("2024-02", Span.MONTH, date(2024, 2, 1), date(2024, 2, 29), "2024-01", "2023-02"),
        ("2026-Q4", Span.QUARTER, date(2026, 10, 1), date(2026, 12, 31), "2026-Q3", "2025-Q4"),
        ("2026-q1", Span.QUARTER, date(2026, 1, 1), date(2026, 3, 31), "2025-Q4", "2025-Q1"),
        ("2026", Span.YEAR, date(2026, 1, 1), date(2026, 12, 31), "2025", "2025"),
        (
            "2026-11-03..2026-11-20",
            Span.DAYS,
            date(2026, 11, 3),
            date(2026, 11, 20),
            "2026-10-16..2026-11-02",
            "2025-11-03..2025-11-20",
        ),
        (
            "2024-02-29..2024-02-29",
            Span.DAYS,
            date(2024, 2, 29),
            date(2024, 2, 29),
            "2024-02-28..2024-02-28",
            "2023-02-28..2023-02-28",
        ),
        (" 2026-11 ", Span.MONTH, date(2026, 11, 1), date(2026, 11, 30), "2026-10", "2025-11"),
    ],
)
def test_a_period_parses(text, span, first, last, previous, year_before):
    period = parse(text)
    assert (period.span, period.first, period.last) == (span, first, last)
    assert str(period.previous()) == previous
    assert str(period.year_before()) == year_before
    assert parse(str(period)) == period


def test_its_bounds_are_local_midnights_half_open(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    november = parse("2026-11")
    assert november.start == local(2026, 11, 1)
    assert november.end == local(2026, 12, 1) == parse("2026-12").start
    assert november.end.astimezone(ZoneInfo("UTC")) == datetime(
        2026, 11, 30, 16, 0, tzinfo=ZoneInfo("UTC")
    )
    assert parse("2026-11-03..2026-11-03").end - parse("2026-11-03..2026-11-03").start == (
        timedelta(days=1)
    )


@given(st.dates(min_value=date(1001, 1, 1), max_value=date(9998, 12, 31)))
def test_periods_tile_the_calendar(day):
    """Each period is followed by the next without a gap or an overlap."""
    for period in (
        parse(f"{day:%Y-%m}"),
        parse(f"{day.year:04d}-Q{(day.month + 2) // 3}"),
        parse(f"{day.year:04d}"),
        Period.days(day, day + timedelta(days=day.day)),
    ):
        assert period.first <= day <= period.last
        assert period.previous().last + timedelta(days=1) == period.first
        assert period.previous().span == period.span
        if period.span is Span.DAYS:  # a range of days: as many days before
            assert period.previous().last - period.previous().first == period.last - period.first
        else:  # a month, quarter or year: the one before, whole
            assert str(period.previous()) == str(parse(str(period.previous())))
            assert period.previous().first.day == 1
        assert period.year_before().first.year == period.first.year - 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026-13",
        "2026-00",
        "2026-Q5",
        "2026-Q0",
        "26",
        "0999",
        "2026/11",
        "２０２６",
        "2026-11-31..2026-12-01",
        "2026-11-03...2026-11-20",
        "2026-11-03..",
        "november",
    ],
)
def test_a_period_it_cannot_read_is_refused_by_name(text):
    with translation.override("en"), pytest.raises(ValueError) as refused:
        parse(text)
    assert f"“{text}” is not a period" in str(refused.value)
    with translation.override("zh-hans"), pytest.raises(ValueError) as refused:
        parse(text)
    assert f"“{text}”不是有效的期间" in str(refused.value)


def test_a_range_that_ends_before_it_begins_is_refused_by_name():
    with translation.override("en"), pytest.raises(ValueError) as refused:
        parse("2026-11-20..2026-11-03")
    assert "“2026-11-20..2026-11-03” ends before it begins" in str(refused.value)
