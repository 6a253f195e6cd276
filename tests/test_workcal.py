"""The pure working calendar (SPEC §5): working hours, Chinese holidays and 调休, DST, exactness.

No database: the calendar is a value built from plain data.
"""

import ast
import inspect
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.deadlines import holiday_sources, workcal
from kesu.deadlines.holiday_sources import StatutoryDays, statutory_days
from kesu.deadlines.workcal import (
    NaiveDatetimeError,
    WorkingCalendar,
    default_week,
    natural_add,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = timedelta(hours=1)
US = timedelta(microseconds=1)


@cache
def china() -> WorkingCalendar:
    """The SPEC §5 calendar: Shanghai, the default week, the package's statutory days."""
    days = statutory_days("CN", range(2024, 2030))
    return WorkingCalendar(
        time_zone="Asia/Shanghai",
        week=default_week(),
        days_off=days.days_off,
        days_on=days.days_on,
    )


@cache
def berlin() -> WorkingCalendar:
    return WorkingCalendar(time_zone="Europe/Berlin", week=default_week())


@cache
def night_shift() -> WorkingCalendar:
    """Periods that cross the DST jumps and midnight, to exercise the edge cases."""
    night = [(time(0, 0), time(3, 30)), (time(22, 0), time(0, 0))]
    week = {weekday: night for weekday in range(7)}
    week[2] = [(time(2, 15), time(2, 45)), (time(9, 0), time(17, 0))]
    return WorkingCalendar(
        time_zone=BERLIN,
        week=week,
        days_off=[date(2026, 3, 29), date(2027, 12, 25)],
        days_on={date(2026, 10, 25): "extra"},
        adjusted_day_hours=[(time(1, 0), time(4, 0))],
    )


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def be(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def utc(at: datetime) -> datetime:
    """For comparing instants: Python compares two datetimes of one zone by wall clock."""
    return at.astimezone(UTC)


# ------------------------------------------------------------------ the statutory data


# The State Council's notices (国务院办公厅关于部分节假日安排的通知): each holiday's whole span of
# days off, and the weekend days worked instead (调休). The installed `holidays` package must
# agree on every date of these years: 0.84 and earlier lack 2026's adjusted days, 0.60 and
# earlier crash (pyproject.toml asks for the first correct release).
NOTICES = {
    2024: (
        ["01-01", "02-10..02-17", "04-04..04-06", "05-01..05-05", "06-10", "09-15..09-17",
         "10-01..10-07"],
        ["02-04", "02-18", "04-07", "04-28", "05-11", "09-14", "09-29", "10-12"],
    ),
    2025: (
        ["01-01", "01-28..02-04", "04-04..04-06", "05-01..05-05", "05-31..06-02",
         "10-01..10-08"],
        ["01-26", "02-08", "04-27", "09-28", "10-11"],
    ),
    2026: (
        ["01-01..01-03", "02-15..02-23", "04-04..04-06", "05-01..05-05", "06-19..06-21",
         "09-25..09-27", "10-01..10-07"],
        ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"],
    ),
}  # fmt: skip


def _notice_days(year: int, spans: list[str]) -> set[date]:
    days = set()
    for span in spans:
        first, _, last = span.partition("..")
        start = date.fromisoformat(f"{year}-{first}")
        end = date.fromisoformat(f"{year}-{last or first}")
        days |= {start + timedelta(days=n) for n in range((end - start).days + 1)}
    return days


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_the_installed_holiday_data_follows_the_state_councils_notice(year):
    days = statutory_days("CN", [year])
    off, on = (_notice_days(year, spans) for spans in NOTICES[year])
    assert year not in days.provisional and year not in days.missing
    wrong = []
    day = date(year, 1, 1)
    while day.year == year:
        expected = day in on or (day not in off and day.weekday() < 5)
        if china().is_working_day(day) != expected:
            wrong.append(f"{day} should be {'a working day' if expected else 'off'}")
        day += timedelta(days=1)
    assert not wrong, f"upgrade the holidays package: {wrong}"
    assert set(days.days_on) == on


def test_years_after_the_last_published_notice_are_provisional():
    published = holiday_sources.published_years()
    last = max(published)
    assert published == set(range(2001, last + 1))  # every notice since 2001, none missing
    assert last >= 2026
    days = statutory_days("CN", [last, last + 1, last + 5])
    assert days.provisional == {last + 1, last + 5}
    assert not days.missing
    # an estimated year has its statutory days off but no adjusted working day
    assert date(last + 1, 10, 1) in days.days_off
    assert not [d for d in days.days_on if d.year > last]


def test_years_the_package_does_not_cover_are_missing():
    days = statutory_days("CN", [1949, 2026, 2101])
    assert days.missing == {1949, 2101}
    assert {d.year for d in days.days_off} == {2026}
    assert statutory_days("none", [2026]).provisional == frozenset()


def test_2026_national_day_from_the_holidays_package():
    days = statutory_days("CN", [2026])
    for day in range(1, 8):
        assert date(2026, 10, day) in days.days_off or date(2026, 10, day).weekday() >= 5
    assert days.days_off[date(2026, 10, 1)] == "国庆节"
    # A substituted day is a day off like any other.
    assert "2026-10-10" in days.days_off[date(2026, 10, 7)]
    assert set(days.days_on) >= {date(2026, 9, 20), date(2026, 10, 10)}
    assert "2026-10-07" in days.days_on[date(2026, 10, 10)]


def test_2026_spring_festival_from_the_holidays_package():
    days = statutory_days("CN", [2026])
    off = {date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)}
    assert off <= set(days.days_off)
    assert date(2026, 2, 15).weekday() == 6  # Sunday: off anyway
    assert {date(2026, 2, 14), date(2026, 2, 28)} <= set(days.days_on)


def test_statutory_days_stay_inside_the_requested_years():
    days = statutory_days("CN", iter([2026]))
    assert {d.year for d in days.days_off} == {2026}
    assert {d.year for d in days.days_on} == {2026}
    assert date(2027, 1, 1) in statutory_days("CN", [2027]).days_off


def test_an_adjusted_working_day_in_december_belongs_to_its_own_year():
    # 2001-12-29 (Sat) was worked for New Year 2002: it is reported with 2001, not 2002.
    assert date(2001, 12, 29) in statutory_days("CN", [2001]).days_on
    assert date(2001, 12, 29) not in statutory_days("CN", [2002]).days_on


def test_english_names_are_available():
    days = holiday_sources.china([2026], language="en_US")
    assert days.days_off[date(2026, 10, 1)] == "National Day"
    assert days.days_on[date(2026, 10, 10)].startswith("Adjusted working day")


def test_other_sources():
    assert statutory_days("none", [2026]) == StatutoryDays({}, {})
    dotted = statutory_days("kesu.deadlines.holiday_sources.no_holidays", [2026])
    assert dotted == StatutoryDays({}, {})
    with pytest.raises(ValueError, match="unknown holiday source"):
        statutory_days("XX", [2026])
    with pytest.raises(ValueError, match="cannot import"):
        statutory_days("kesu.deadlines.nowhere.nothing", [2026])
    with pytest.raises(TypeError):
        statutory_days("kesu.deadlines.workcal.default_week", [2026])


# ------------------------------------------------------------------ SPEC §5 examples


def test_friday_17_00_plus_two_working_hours_is_monday_10_00():
    registered = sh(2026, 3, 13, 17, 0)
    assert registered.weekday() == 4
    due = china().add_hours(registered, 2)
    assert due == sh(2026, 3, 16, 10, 0)
    assert due.tzinfo is SHANGHAI


def test_lunch_break_is_not_working_time():
    assert china().add(sh(2026, 6, 10, 11, 0), 2 * HOUR) == sh(2026, 6, 10, 14, 30)


def test_two_working_days_across_national_day_2026():
    cal = china()
    start = sh(2026, 9, 30, 15, 0)
    # 2.5 h on 30 Sep, nothing 1–7 Oct, 7.5 h on 8 Oct, 5 h on 9 Oct.
    assert cal.add_days(start, 2) == sh(2026, 10, 9, 15, 0)
    # The 3rd working day runs into Saturday 10 Oct, an adjusted working day …
    assert cal.add_days(start, 3) == sh(2026, 10, 10, 15, 0)
    # … but Sunday 11 Oct is not one.
    assert cal.add_days(start, 4) == sh(2026, 10, 12, 15, 0)
    assert cal.is_working_day(date(2026, 10, 10))
    assert not cal.is_working_day(date(2026, 10, 11))
    assert cal.is_working_day(date(2026, 9, 20))  # Sunday, adjusted
    assert not any(cal.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert cal.between(sh(2026, 9, 30, 17, 30), sh(2026, 10, 8, 8, 30)) == timedelta(0)


def test_spring_festival_2026_with_its_adjusted_saturdays():
    cal = china()
    friday = sh(2026, 2, 13, 17, 0)
    # 0.5 h on Friday 13 Feb, then Saturday 14 Feb is a working day.
    assert cal.add_days(friday, 1) == sh(2026, 2, 14, 17, 0)
    # 16–20 and 23 Feb are off: the next working day is Tuesday 24 Feb.
    assert cal.add_days(friday, 2) == sh(2026, 2, 24, 17, 0)
    assert cal.between(sh(2026, 2, 14, 17, 30), sh(2026, 2, 24, 8, 30)) == timedelta(0)
    # Saturday 28 Feb is worked too: Friday and Saturday, two full days.
    assert cal.between(sh(2026, 2, 27, 8, 30), sh(2026, 3, 2, 8, 30)) == 15 * HOUR
    assert cal.add_days(sh(2026, 2, 27, 8, 30), 2) == sh(2026, 2, 28, 17, 30)


def test_a_limit_that_starts_during_a_holiday_counts_from_the_next_working_period():
    cal = china()
    start = sh(2026, 10, 3, 10, 0)
    assert not cal.is_working_time(start)
    assert cal.next_working_instant(start) == sh(2026, 10, 8, 8, 30)
    assert cal.add_hours(start, 1) == sh(2026, 10, 8, 9, 30)


def test_across_new_year_2027():
    cal = china()
    assert not cal.is_working_day(date(2027, 1, 1))  # the package's New Year's Day
    # 0.5 h on Thursday 31 Dec; 1–3 Jan off; 1.5 h on Monday 4 Jan.
    assert cal.add_hours(sh(2026, 12, 31, 17, 0), 2) == sh(2027, 1, 4, 10, 0)


# ------------------------------------------------------------------ conventions


def test_ending_exactly_at_the_end_of_a_period_returns_that_end():
    cal = china()
    assert cal.add_hours(sh(2026, 3, 13, 16, 30), 1) == sh(2026, 3, 13, 17, 30)
    assert cal.add_hours(sh(2026, 3, 13, 8, 30), Decimal("3.5")) == sh(2026, 3, 13, 12, 0)
    assert cal.add_days(sh(2026, 3, 13, 8, 30), 1) == sh(2026, 3, 13, 17, 30)


def test_zero_is_the_start_itself_and_negative_is_refused():
    cal = china()
    saturday = datetime(2026, 3, 14, 2, 0, tzinfo=UTC)
    assert cal.add(saturday, timedelta(0)) == saturday
    assert cal.add(saturday, timedelta(0)).tzinfo is SHANGHAI
    with pytest.raises(ValueError, match="negative"):
        cal.add(saturday, -US)
    with pytest.raises(ValueError, match="negative"):
        cal.add_days(saturday, -1)


def test_is_working_time_at_period_edges():
    cal = china()
    assert cal.is_working_time(sh(2026, 3, 13, 8, 30))
    assert not cal.is_working_time(sh(2026, 3, 13, 8, 29, 59, 999999))
    assert cal.is_working_time(sh(2026, 3, 13, 11, 59, 59, 999999))
    assert not cal.is_working_time(sh(2026, 3, 13, 12, 0))
    assert cal.is_working_time(sh(2026, 3, 13, 13, 30))
    assert not cal.is_working_time(sh(2026, 3, 13, 17, 30))
    assert not cal.is_working_time(sh(2026, 3, 14, 10, 0))  # Saturday


def test_next_working_instant():
    cal = china()
    during = sh(2026, 3, 13, 9, 0)
    assert cal.next_working_instant(during) == during
    assert cal.next_working_instant(sh(2026, 3, 13, 12, 0)) == sh(2026, 3, 13, 13, 30)
    assert cal.next_working_instant(sh(2026, 3, 13, 17, 30)) == sh(2026, 3, 16, 8, 30)
    # Another zone in, the calendar's zone out.
    result = cal.next_working_instant(datetime(2026, 3, 13, 10, 0, tzinfo=UTC))
    assert result == sh(2026, 3, 16, 8, 30)
    assert result.tzinfo is SHANGHAI


def test_fractional_amounts_are_exact_microseconds():
    cal = china()
    start = sh(2026, 3, 16, 8, 30)
    assert cal.add_hours(start, 0.1) == cal.add(start, timedelta(minutes=6))
    assert cal.add_hours(start, Decimal("1.25")) == sh(2026, 3, 16, 9, 45)
    assert cal.add_days(start, Decimal("1.5")) == cal.add(start, timedelta(hours=11, minutes=15))
    with pytest.raises(ValueError):
        cal.add_hours(start, float("nan"))
    with pytest.raises(TypeError):
        cal.add_days(start, "2")


def test_defaults_of_a_working_day():
    cal = WorkingCalendar(time_zone="Asia/Shanghai", week=default_week())
    assert cal.day_length == timedelta(hours=7, minutes=30)
    assert cal.adjusted_day_hours == ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
    assert cal.time_zone == SHANGHAI


def test_days_on_and_off_as_mappings_or_plain_iterables():
    holiday, extra = date(2026, 3, 16), date(2026, 3, 14)
    as_lists = WorkingCalendar(
        time_zone="Asia/Shanghai", week=default_week(), days_off=[holiday], days_on=(extra,)
    )
    as_maps = WorkingCalendar(
        time_zone="Asia/Shanghai",
        week=default_week(),
        days_off={holiday: "公司假日"},
        days_on={extra: "加班日"},
    )
    for cal in (as_lists, as_maps):
        assert not cal.is_working_day(holiday)
        assert cal.is_working_day(extra)
        assert cal.add_hours(sh(2026, 3, 13, 17, 0), 2) == sh(2026, 3, 14, 10, 0)
        assert cal.add_days(sh(2026, 3, 14, 17, 0), 1) == sh(2026, 3, 17, 17, 0)
    assert as_maps.days_off[holiday] == "公司假日"
    assert as_lists.days_on[extra] == ""
    with pytest.raises(TypeError):
        WorkingCalendar(time_zone="UTC", week={}, days_off=[datetime(2026, 1, 1, tzinfo=UTC)])


def test_an_explicit_working_day_wins_over_a_day_off():
    day = date(2026, 10, 2)
    cal = WorkingCalendar(
        time_zone="Asia/Shanghai", week=default_week(), days_off=[day], days_on=[day]
    )
    assert cal.is_working_day(day)


def test_adjusted_day_hours_apply_to_days_on():
    cal = WorkingCalendar(
        time_zone="Asia/Shanghai",
        week=default_week(),
        days_on=[date(2026, 3, 14)],
        adjusted_day_hours=[(time(9, 0), time(12, 0))],
        day_length=timedelta(hours=8),
    )
    assert cal.day_length == timedelta(hours=8)
    assert cal.add_hours(sh(2026, 3, 13, 17, 0), 2) == sh(2026, 3, 14, 10, 30)
    assert cal.between(sh(2026, 3, 14), sh(2026, 3, 15)) == 3 * HOUR


def test_a_calendar_without_working_time_refuses_instead_of_looping():
    cal = WorkingCalendar(time_zone="UTC", week={})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert cal.add(start, timedelta(0)) == start
    with pytest.raises(ValueError, match="no working time"):
        cal.add(start, US)
    with pytest.raises(ValueError):
        cal.next_working_instant(start)
    assert cal.between(start, start + timedelta(days=400)) == timedelta(0)
    assert not cal.is_working_time(start)


def test_working_time_that_runs_out_is_an_error():
    cal = WorkingCalendar(
        time_zone="UTC",
        week={},
        days_on=[date(2026, 5, 9)],
        adjusted_day_hours=[(time(9), time(17))],
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert cal.add_hours(start, 8) == datetime(2026, 5, 9, 17, tzinfo=UTC)
    with pytest.raises(ValueError, match="not enough working time"):
        cal.add(start, 8 * HOUR + US)


def test_years_outside_1900_to_2200_are_refused():
    cal = china()
    with pytest.raises(ValueError, match="1900"):
        cal.add_days(sh(1899, 12, 31, 9, 0), 1)
    with pytest.raises(ValueError, match="2200"):
        cal.add_days(sh(2200, 12, 31, 17, 0), 1)
    with pytest.raises(ValueError):
        cal.between(sh(2026, 1, 1), sh(2201, 1, 2))


def test_invalid_configuration_fails_loudly():
    with pytest.raises(ValueError, match="time zone"):
        WorkingCalendar(time_zone="Mars/Olympus", week={})
    with pytest.raises(ValueError, match="weekdays"):
        WorkingCalendar(time_zone="UTC", week={7: []})
    with pytest.raises(ValueError, match="start before"):
        WorkingCalendar(time_zone="UTC", week={0: [(time(12), time(9))]})
    with pytest.raises(ValueError, match="overlap"):
        WorkingCalendar(time_zone="UTC", week={0: [(time(8), time(12)), (time(11), time(13))]})
    with pytest.raises(ValueError, match="positive"):
        WorkingCalendar(time_zone="UTC", week=default_week(), day_length=timedelta(0))


def test_naive_datetimes_are_refused_everywhere():
    cal = china()
    naive = datetime(2026, 3, 13, 17, 0)
    aware = sh(2026, 3, 13, 17, 0)
    calls = [
        lambda: cal.is_working_time(naive),
        lambda: cal.is_working_day(naive),
        lambda: cal.next_working_instant(naive),
        lambda: cal.add(naive, HOUR),
        lambda: cal.add(naive, timedelta(0)),
        lambda: cal.add_hours(naive, 2),
        lambda: cal.add_days(naive, 2),
        lambda: cal.between(naive, aware),
        lambda: cal.between(aware, naive),
        lambda: natural_add(naive, HOUR),
    ]
    for call in calls:
        with pytest.raises(NaiveDatetimeError):
            call()
    assert issubclass(NaiveDatetimeError, ValueError)


def test_the_calendar_module_imports_no_django():
    tree = ast.parse(inspect.getsource(workcal))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] in {"django", "kesu"} for name in imported)


# ------------------------------------------------------------------ daylight saving time


@pytest.mark.parametrize(
    ("friday", "monday"),
    [(date(2026, 3, 27), date(2026, 3, 30)), (date(2026, 10, 23), date(2026, 10, 26))],
)
def test_a_working_day_over_a_dst_weekend_keeps_the_wall_clock(friday, monday):
    cal = berlin()
    start = be(friday.year, friday.month, friday.day, 10, 0)
    due = cal.add_days(start, 1)
    assert due == be(monday.year, monday.month, monday.day, 10, 0)
    assert (due.hour, due.minute) == (10, 0)
    assert cal.between(start, due) == timedelta(hours=7, minutes=30)
    friday_evening = be(friday.year, friday.month, friday.day, 17, 30)
    monday_morning = be(monday.year, monday.month, monday.day, 8, 30)
    assert cal.between(friday_evening, monday_morning) == timedelta(0)
    assert cal.next_working_instant(friday_evening) == monday_morning
    # The real elapsed time differs by the hour the clocks moved.
    elapsed = utc(monday_morning) - utc(friday_evening)
    assert abs(elapsed - timedelta(hours=63)) == HOUR


def test_round_the_clock_days_are_23_and_25_hours_long_on_dst_days():
    cal = WorkingCalendar(
        time_zone="Europe/Berlin", week={d: [(time(0), time(0))] for d in range(7)}
    )
    assert cal.day_length == timedelta(hours=24)
    assert cal.between(be(2026, 3, 29), be(2026, 3, 30)) == timedelta(hours=23)
    assert cal.between(be(2026, 10, 25), be(2026, 10, 26)) == timedelta(hours=25)
    assert cal.between(be(2026, 3, 28), be(2026, 3, 29)) == timedelta(hours=24)


def test_periods_in_a_skipped_or_repeated_hour():
    skipped = date(2026, 3, 29)  # 02:00 → 03:00
    repeated = date(2026, 10, 25)  # 03:00 → 02:00
    cal = WorkingCalendar(
        time_zone="Europe/Berlin",
        week={6: [(time(2, 30), time(4, 0))]},
        days_on=[skipped, repeated],
        adjusted_day_hours=[(time(2, 0), time(3, 0))],
    )
    # Entirely inside the skipped hour: no working time that day.
    assert cal.between(be(2026, 3, 28), be(2026, 3, 30)) == timedelta(0)
    # Across the repeated hour: 02:00 (summer time) to 03:00 (winter time) is two hours.
    assert cal.between(be(2026, 10, 24), be(2026, 10, 26)) == 2 * HOUR
    plain = WorkingCalendar(time_zone="Europe/Berlin", week={6: [(time(2, 30), time(4, 0))]})
    # Starting inside the skipped hour: work starts when the clock jumps, at 03:00.
    assert plain.between(be(2026, 3, 28), be(2026, 3, 30)) == HOUR
    assert plain.next_working_instant(be(2026, 3, 29, 1, 0)) == be(2026, 3, 29, 3, 0)


def test_natural_add_is_elapsed_time():
    assert natural_add(be(2026, 3, 28, 12, 0), 24 * HOUR) == be(2026, 3, 29, 13, 0)
    assert natural_add(sh(2026, 10, 1, 9, 0), 24 * HOUR) == sh(2026, 10, 2, 9, 0)
    assert natural_add(sh(2026, 10, 1, 9, 0), 24 * HOUR).tzinfo is SHANGHAI


# ------------------------------------------------------------------ properties

_START = datetime(2025, 1, 1, tzinfo=UTC)
_SPAN_US = 4 * 366 * 24 * 3600 * 10**6
_DAY_US = 7 * 3600 * 10**6 + 30 * 60 * 10**6


@st.composite
def instants(draw):
    """Random aware instants in 2025–2028, often exactly on (or next to) a period edge."""
    zone = draw(st.sampled_from([SHANGHAI, BERLIN, UTC]))
    if draw(st.booleans()):
        at = _START + timedelta(microseconds=draw(st.integers(0, _SPAN_US)))
        return at.astimezone(zone)
    day = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 4 * 365)))
    wall = draw(st.sampled_from([time(0), time(8, 30), time(12), time(13, 30), time(17, 30)]))
    local = datetime.combine(day, wall, tzinfo=draw(st.sampled_from([SHANGHAI, BERLIN])))
    nudge = timedelta(microseconds=draw(st.sampled_from([-1, 0, 0, 1])))
    return natural_add(local, nudge).astimezone(zone)


durations = st.one_of(
    st.integers(0, 30 * _DAY_US),
    st.integers(0, 30 * 24 * 2).map(lambda n: n * 30 * 60 * 10**6),
    st.integers(0, 30).map(lambda n: n * _DAY_US),
).map(lambda us: timedelta(microseconds=us))

calendars = st.sampled_from([china, berlin, night_shift])


def _is_working_or_period_end(cal: WorkingCalendar, at: datetime) -> bool:
    return cal.is_working_time(at) or cal.is_working_time(natural_add(at, -US))


@settings(max_examples=300, deadline=None)
@given(start=instants(), d=durations)
def test_between_undoes_add_on_the_china_calendar(start, d):
    cal = china()
    due = cal.add(start, d)
    assert cal.between(start, due) == d
    assert due.tzinfo is SHANGHAI
    if d:
        assert utc(due) > utc(start)
        assert _is_working_or_period_end(cal, due)
    else:
        assert utc(due) == utc(start)


@settings(max_examples=200, deadline=None)
@given(make=calendars, start=instants(), d=durations)
def test_between_undoes_add(make, start, d):
    cal = make()
    due = cal.add(start, d)
    assert cal.between(start, due) == d
    if d:
        assert _is_working_or_period_end(cal, due)
        # Earliest: a microsecond earlier, not all of d has elapsed.
        assert cal.between(start, natural_add(due, -US)) < d


@settings(max_examples=300, deadline=None)
@given(make=calendars, a=instants(), b=instants(), d1=durations, d2=durations)
def test_add_is_monotone(make, a, b, d1, d2):
    cal = make()
    s1, s2 = sorted([a, b], key=utc)
    small, large = sorted([d1, d2])
    assert utc(cal.add(s1, small)) <= utc(cal.add(s2, small))
    assert utc(cal.add(s1, small)) <= utc(cal.add(s1, large))


@settings(max_examples=300, deadline=None)
@given(make=calendars, a=instants(), b=instants(), c=instants())
def test_between_is_antisymmetric_and_additive(make, a, b, c):
    cal = make()
    assert cal.between(a, b) == -cal.between(b, a)
    assert cal.between(a, c) == cal.between(a, b) + cal.between(b, c)
    assert cal.between(a, a) == timedelta(0)


@settings(max_examples=200, deadline=None)
@given(start=instants(), days=st.integers(0, 30))
def test_add_days_is_add_of_day_lengths(start, days):
    cal = china()
    assert cal.add_days(start, days) == cal.add(start, days * cal.day_length)
    assert cal.add_hours(start, days) == cal.add(start, days * HOUR)


@settings(max_examples=200, deadline=None)
@given(at=instants())
def test_next_working_instant_is_the_earliest_working_instant(at):
    cal = china()
    nxt = cal.next_working_instant(at)
    assert utc(nxt) >= utc(at)
    assert cal.is_working_time(nxt)
    assert cal.between(at, nxt) == timedelta(0)
    assert utc(cal.add(at, US)) == utc(natural_add(nxt, US))


def test_a_fresh_calendar_extends_backwards_and_forwards_consistently():
    days = statutory_days("CN", range(2024, 2030))
    one = WorkingCalendar(
        time_zone="Asia/Shanghai",
        week=default_week(),
        days_off=days.days_off,
        days_on=days.days_on,
    )
    a, b = sh(2024, 5, 6, 9, 0), sh(2029, 2, 1, 9, 0)
    later_first = one.between(sh(2028, 1, 3, 9, 0), b)
    assert one.between(a, b) == china().between(a, b)
    assert later_first == china().between(sh(2028, 1, 3, 9, 0), b)
    assert one.add_days(a, 1000) == china().add_days(a, 1000)
