"""The working calendar: exact arithmetic in working time (SPEC §5). Pure: no Django, no ORM.

A `WorkingCalendar` is a value built from the company's configuration (time zone, weekly
working hours, statutory and company days off and on). It takes aware datetimes and returns
aware datetimes in its own time zone; a naive datetime raises `NaiveDatetimeError`.

Semantics
---------
Working time
    The union of the working periods of every date. A period is a pair of local wall-clock
    times on that date; its start is inclusive and its end exclusive, so 08:30 is working time
    and 12:00 (the start of lunch) is not. An end of ``time(0)`` means midnight at the end of
    the day (24:00).

Which hours a date has
    1. a date in ``days_on`` (adjusted working days, 调休, and company extra working days) has
       ``adjusted_day_hours``, even on a weekend or a date that is also in ``days_off``: an
       explicit working day is the more specific statement, so it wins;
    2. otherwise a date in ``days_off`` (statutory holidays, company days off) has none;
    3. otherwise the date has the hours ``week`` gives its weekday.

A working day
    "1 working day" is ``day_length`` of working time (by default the length of
    ``adjusted_day_hours``: 7.5 h for 08:30–12:00 + 13:30–17:30), not "the same time on the
    next working day". With full days of the default length the two agree, including across
    weekends, holidays and DST changes.

Adding working time
    ``add(start, d)`` is the *earliest* instant by which ``d`` of working time has elapsed
    since ``start``. When the amount runs out exactly at the end of a period, that end is the
    answer (Friday 16:30 + 1 h = Friday 17:30, not Monday 08:30). When ``start`` is outside
    working time the count begins at the next working period (Saturday + 1 h = Monday 09:30).
    ``d == 0`` returns ``start`` itself, converted to the calendar's time zone. A negative
    ``d`` raises ``ValueError``. The arithmetic is in integer microseconds, so
    ``between(s, add(s, d)) == d`` exactly, and ``add`` is monotone in both arguments.

Counting working time
    ``between(a, b)`` is the working time in ``[a, b)``, negative when ``b < a``; it is
    additive: ``between(a, c) == between(a, b) + between(b, c)``.

Daylight saving time
    A wall-clock boundary means the first instant at which the local clock shows that time
    on that date: in a repeated (ambiguous) hour the first occurrence (``fold=0``); in a
    skipped (nonexistent) hour the instant of the jump. A period that lies entirely inside a
    skipped hour vanishes; one that spans a repeated hour is an hour longer.

Natural time
    Limits counted in natural hours use `natural_add`, which adds elapsed time.

Speed
    For the years that queries touch (extended lazily, by whole years, between 1900 and 2200)
    the calendar keeps the working periods as sorted UTC microsecond instants with the
    cumulative working time before each, so `add` and `between` are two binary searches.
"""

import math
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from numbers import Rational
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "NaiveDatetimeError",
    "WorkingCalendar",
    "default_week",
    "natural_add",
]

MIN_YEAR = 1900
MAX_YEAR = 2200

Period = tuple[time, time]

_US = timedelta(microseconds=1)
_US_PER_SECOND = 1_000_000
_US_PER_HOUR = 3_600 * _US_PER_SECOND
_US_PER_DAY = 24 * _US_PER_HOUR
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0)


class NaiveDatetimeError(ValueError):
    """A naive datetime was given where the calendar needs an aware one."""


def default_week() -> dict[int, list[Period]]:
    """Mon–Fri 08:30–12:00 and 13:30–17:30; Saturday and Sunday off (SPEC §5)."""
    day = [(time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))]
    return {weekday: list(day) if weekday < 5 else [] for weekday in range(7)}


def natural_add(start: datetime, amount: timedelta) -> datetime:
    """`start` plus `amount` of elapsed (natural) time, in `start`'s time zone.

    The addition is done on the UTC timeline, so "24 h natural" is 24 real hours even across
    a daylight-saving change (Python's own aware arithmetic would add wall-clock time).
    """
    _check_aware(start)
    return (start.astimezone(UTC) + amount).astimezone(start.tzinfo)


def _check_aware(at: datetime) -> None:
    if not isinstance(at, datetime):
        raise TypeError(f"expected an aware datetime, got {type(at).__name__}")
    if at.utcoffset() is None:
        raise NaiveDatetimeError(f"naive datetime {at.isoformat()}: give a time zone")


def _instant(at: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (exact)."""
    if not isinstance(at, datetime):
        raise TypeError(f"expected an aware datetime, got {type(at).__name__}")
    if at.utcoffset() is None:
        raise NaiveDatetimeError(f"naive datetime {at.isoformat()}: give a time zone")
    return (at - _EPOCH) // _US


def _scaled(amount: int | float | Decimal | Rational, unit_us: int, what: str) -> int:
    """`amount` × `unit_us`, rounded half-even to whole microseconds without floats."""
    if isinstance(amount, bool):
        raise TypeError(f"{what} must be a number, not a bool")
    if isinstance(amount, int):
        return amount * unit_us
    if isinstance(amount, float) and not math.isfinite(amount):
        raise ValueError(f"{what} must be finite, got {amount!r}")
    if isinstance(amount, Decimal) and not amount.is_finite():
        raise ValueError(f"{what} must be finite, got {amount!r}")
    if not isinstance(amount, float | Decimal | Rational):
        raise TypeError(f"{what} must be a number, got {type(amount).__name__}")
    return round(Fraction(amount) * unit_us)  # Fraction() of a float or Decimal is exact


def _normalise_days(days: Mapping[date, str] | Iterable[date], what: str) -> dict[date, str]:
    items = days.items() if isinstance(days, Mapping) else ((day, "") for day in days)
    result: dict[date, str] = {}
    for day, name in items:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError(f"{what} holds dates, got {day!r}")
        result[day] = str(name)
    return result


def _normalise_periods(periods: Sequence[Period], what: str) -> tuple[Period, ...]:
    """Sorted, validated periods; an end of time(0) means 24:00."""
    checked = []
    for period in periods:
        start, end = period
        if not isinstance(start, time) or not isinstance(end, time):
            raise TypeError(f"{what}: a period is a pair of datetime.time, got {period!r}")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"{what}: periods are local wall-clock times without tzinfo")
        if end != _MIDNIGHT and end <= start:
            raise ValueError(f"{what}: period {start}–{end} must start before it ends")
        checked.append((start, end))
    checked.sort()
    for (_s1, e1), (s2, _e2) in pairwise(checked):
        if e1 == _MIDNIGHT or s2 < e1:
            raise ValueError(f"{what}: periods overlap: {checked}")
    return tuple(checked)


def _wall_length_us(periods: Sequence[Period]) -> int:
    total = 0
    for start, end in periods:
        start_us = _time_us(start)
        end_us = _US_PER_DAY if end == _MIDNIGHT else _time_us(end)
        total += end_us - start_us
    return total


def _time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_SECOND + t.microsecond


@dataclass(frozen=True, slots=True)
class _Table:
    """Working periods of the years first_year..last_year as UTC microsecond instants.

    ``starts``/``ends`` are strictly increasing and disjoint; ``cum_end[i]`` is the working
    time from ``lo`` to ``ends[i]`` and ``base[i] = cum_end[i] - ends[i]``, so the working time
    from ``lo`` to an instant ``t`` inside period ``i`` is ``base[i] + t``. Instants in
    ``[lo, hi)`` are covered.
    """

    first_year: int
    last_year: int
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    base: list[int]
    cum_end: list[int]

    def worked(self, t: int) -> int:
        """Working time from ``lo`` to ``t`` (``t`` covered)."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return min(self.base[i] + t, self.cum_end[i])


_EMPTY = _Table(MAX_YEAR + 1, MIN_YEAR - 1, 0, 0, [], [], [], [])


class WorkingCalendar:
    """Working-time arithmetic for one time zone, week, and set of days off and on.

    See the module docstring for the semantics. Construction is cheap; the per-year tables
    are built on first use and kept, so keep one calendar per configuration and reuse it.
    Instances are safe to share between threads.
    """

    time_zone: tzinfo
    day_length: timedelta

    def __init__(
        self,
        *,
        time_zone: str | tzinfo,
        week: Mapping[int, Sequence[Period]],
        days_off: Mapping[date, str] | Iterable[date] = (),
        days_on: Mapping[date, str] | Iterable[date] = (),
        adjusted_day_hours: Sequence[Period] | None = None,
        day_length: timedelta | None = None,
    ) -> None:
        """Build a calendar.

        time_zone: an IANA name ("Asia/Shanghai") or a tzinfo (zoneinfo or fixed offset).
        week: weekday (0 = Monday … 6 = Sunday) → working periods in local wall-clock time;
            a missing weekday has none.
        days_off: statutory holidays and company days off (whole days), as a mapping to a
            name or a plain iterable of dates.
        days_on: adjusted working days (调休) and company extra working days; they win over
            ``days_off`` and work ``adjusted_day_hours``.
        adjusted_day_hours: the hours of a ``days_on`` day; by default those of the first
            weekday, Monday to Sunday, that has any.
        day_length: the working time of "1 working day"; by default the length of
            ``adjusted_day_hours``.
        """
        if isinstance(time_zone, str):
            try:
                time_zone = ZoneInfo(time_zone)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise ValueError(f"unknown time zone {time_zone!r}") from error
        if not isinstance(time_zone, tzinfo):
            raise TypeError(f"time_zone must be a name or a tzinfo, got {time_zone!r}")
        self.time_zone = time_zone

        unknown = set(week) - set(range(7))
        if unknown:
            raise ValueError(f"week: weekdays are 0 (Monday) to 6 (Sunday), got {unknown}")
        self._week = tuple(
            _normalise_periods(week.get(weekday, ()), f"week[{weekday}]") for weekday in range(7)
        )
        self.week: Mapping[int, tuple[Period, ...]] = MappingProxyType(dict(enumerate(self._week)))

        if adjusted_day_hours is None:
            adjusted_day_hours = next((hours for hours in self._week if hours), ())
        self.adjusted_day_hours = _normalise_periods(adjusted_day_hours, "adjusted_day_hours")

        if day_length is None:
            day_length = timedelta(microseconds=_wall_length_us(self.adjusted_day_hours))
        elif day_length <= timedelta(0):
            raise ValueError(f"day_length must be positive, got {day_length}")
        self.day_length = day_length
        self._day_us = day_length // _US

        self._days_off = _normalise_days(days_off, "days_off")
        self._days_on = _normalise_days(days_on, "days_on")
        self.days_off: Mapping[date, str] = MappingProxyType(self._days_off)
        self.days_on: Mapping[date, str] = MappingProxyType(self._days_on)

        # Bounds on where working time can exist, so that no search runs forever.
        self._weekly_us = sum(_wall_length_us(hours) for hours in self._week)
        on_years = [day.year for day in self._days_on] if self.adjusted_day_hours else []
        if self._weekly_us:
            self._last_year = MAX_YEAR
        elif on_years:
            self._last_year = min(max(on_years), MAX_YEAR)
        else:
            self._last_year = MIN_YEAR - 1  # no working time at all
        self._has_working_time = bool(self._weekly_us or on_years)

        self._table = _EMPTY
        self._year_cache: dict[int, list[tuple[int, int]]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"<WorkingCalendar {self.time_zone} day={self.day_length} "
            f"off={len(self._days_off)} on={len(self._days_on)}>"
        )

    # ----------------------------------------------------------------- public API

    def is_working_day(self, d: date) -> bool:
        """Whether the date has working hours (see "Which hours a date has").

        An aware datetime stands for its local date in the calendar's time zone.
        """
        if isinstance(d, datetime):
            _check_aware(d)
            d = d.astimezone(self.time_zone).date()
        return bool(self._hours_of(d))

    def is_working_time(self, at: datetime) -> bool:
        """Whether `at` lies inside a working period (start inclusive, end exclusive)."""
        t = _instant(at)
        table = self._covering(t)
        i = bisect_right(table.starts, t) - 1
        return i >= 0 and t < table.ends[i]

    def next_working_instant(self, at: datetime) -> datetime:
        """`at` itself if it is working time, else the start of the next working period.

        Raises ValueError when there is no later working time before the end of 2200.
        """
        t = _instant(at)
        table = self._covering(t)
        while True:
            i = bisect_right(table.starts, t) - 1
            if i >= 0 and t < table.ends[i]:
                return at.astimezone(self.time_zone)
            if i + 1 < len(table.starts):
                return self._datetime(table.starts[i + 1])
            table = self._extend_forward(table, 1)

    def add(self, start: datetime, working: timedelta) -> datetime:
        """The earliest instant by which `working` of working time has elapsed since `start`.

        0 → `start` itself; negative → ValueError. See the module docstring.
        """
        return self._add(start, working // _US)

    def add_hours(self, start: datetime, hours: int | float | Decimal) -> datetime:
        """`add` with an amount in working hours (rounded half-even to a microsecond)."""
        return self._add(start, _scaled(hours, _US_PER_HOUR, "hours"))

    def add_days(self, start: datetime, days: int | float | Decimal) -> datetime:
        """`add(start, days * day_length)`, the product rounded half-even to a microsecond."""
        return self._add(start, _scaled(days, self._day_us, "days"))

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The working time in ``[start, end)``; negative when `end` is before `start`."""
        a = _instant(start)
        b = _instant(end)
        table = self._covering(a)
        if not table.lo <= b < table.hi:
            table = self._covering(b)
        return timedelta(microseconds=table.worked(b) - table.worked(a))

    # ----------------------------------------------------------------- internals

    def _add(self, start: datetime, amount_us: int) -> datetime:
        t = _instant(start)
        if amount_us <= 0:
            if amount_us < 0:
                raise ValueError(f"cannot add a negative working time ({amount_us} µs)")
            return start.astimezone(self.time_zone)
        if not self._has_working_time:
            raise ValueError("this calendar has no working time")
        table = self._table
        if not table.lo <= t < table.hi:
            table = self._covering(t)
        while True:
            target = table.worked(t) + amount_us
            j = bisect_left(table.cum_end, target)
            if j < len(table.cum_end):
                return self._datetime(target - table.base[j])
            total = table.cum_end[-1] if table.cum_end else 0
            table = self._extend_forward(table, target - total)

    def _datetime(self, t: int) -> datetime:
        return (_EPOCH + timedelta(microseconds=t)).astimezone(self.time_zone)

    def _hours_of(self, d: date) -> tuple[Period, ...]:
        if d in self._days_on:
            return self.adjusted_day_hours
        if d in self._days_off:
            return ()
        return self._week[d.weekday()]

    def _covering(self, t: int) -> _Table:
        """A table whose range covers instant `t`, extending the current one if needed."""
        table = self._table
        if table.lo <= t < table.hi:
            return table
        try:
            year = self._datetime(t).year
        except (OverflowError, ValueError, OSError) as error:
            raise ValueError("instant outside the calendar's years") from error
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"the working calendar covers {MIN_YEAR}–{MAX_YEAR}, not {year}")
        with self._lock:
            table = self._table
            if table.lo <= t < table.hi:
                return table
            return self._rebuild(min(table.first_year, year), max(table.last_year, year))

    def _extend_forward(self, table: _Table, missing_us: int) -> _Table:
        """A table reaching further into the future than `table`, or ValueError."""
        with self._lock:
            current = self._table
            if current.last_year > table.last_year:
                return current
            if current.last_year >= self._last_year:
                if self._last_year == MAX_YEAR:
                    raise ValueError(f"not enough working time before the end of {MAX_YEAR}")
                raise ValueError("not enough working time in this calendar")
            # A year has at least about half of 52 full weeks of working time; extend by as
            # many years as that suggests, so that long additions do not rebuild year by year.
            step = 1 + missing_us // (self._weekly_us * 26) if self._weekly_us else 1
            last = min(current.last_year + step, self._last_year)
            return self._rebuild(current.first_year, last)

    def _rebuild(self, first_year: int, last_year: int) -> _Table:
        """Build and install the table for first_year..last_year (caller holds the lock)."""
        starts: list[int] = []
        ends: list[int] = []
        for year in range(first_year, last_year + 1):
            for start, end in self._year_periods(year):
                if starts and start <= ends[-1]:  # touching or overlapping: one period
                    ends[-1] = max(ends[-1], end)
                else:
                    starts.append(start)
                    ends.append(end)
        base: list[int] = []
        cum_end: list[int] = []
        worked = 0
        for start, end in zip(starts, ends, strict=True):
            worked += end - start
            cum_end.append(worked)
            base.append(worked - end)
        lo = self._wall_instant(date(first_year, 1, 1), _MIDNIGHT)
        hi = self._wall_instant(date(last_year + 1, 1, 1), _MIDNIGHT)
        if starts:
            lo, hi = min(lo, starts[0]), max(hi, ends[-1])
        table = _Table(first_year, last_year, lo, hi, starts, ends, base, cum_end)
        self._table = table
        return table

    def _year_periods(self, year: int) -> list[tuple[int, int]]:
        """The non-empty working periods of a year as (start, end) UTC microseconds."""
        cached = self._year_cache.get(year)
        if cached is not None:
            return cached
        periods = []
        day = date(year, 1, 1)
        while day.year == year:
            for start, end in self._hours_of(day):
                start_us = self._wall_instant(day, start)
                end_us = (
                    self._wall_instant(day + _ONE_DAY, _MIDNIGHT)
                    if end == _MIDNIGHT
                    else self._wall_instant(day, end)
                )
                if end_us > start_us:  # a period inside a skipped hour vanishes
                    periods.append((start_us, end_us))
            day += _ONE_DAY
        periods.sort()
        self._year_cache[year] = periods
        return periods

    def _wall_instant(self, day: date, wall: time) -> int:
        """The first instant at which the local clock shows `wall` on `day`, or later.

        In a repeated hour that is the first occurrence (fold=0); in a skipped hour, the
        instant of the jump.
        """
        local = datetime.combine(day, wall, tzinfo=self.time_zone)  # fold=0
        t = (local - _EPOCH) // _US
        if self._datetime(t).replace(tzinfo=None) == local.replace(tzinfo=None):
            return t
        # `wall` does not exist: the clock jumps over it. The jump lies between the
        # fold=1 reading (offset after the jump) and the fold=0 one (offset before).
        earlier = (local.replace(fold=1) - _EPOCH) // _US
        lo, hi = min(earlier, t), max(earlier, t)
        after = self._datetime(hi).utcoffset()
        lo_s, hi_s = lo // _US_PER_SECOND, -(-hi // _US_PER_SECOND)
        while lo_s < hi_s:  # the first second whose offset is the one after the jump
            mid = (lo_s + hi_s) // 2
            if self._datetime(mid * _US_PER_SECOND).utcoffset() == after:
                hi_s = mid
            else:
                lo_s = mid + 1
        return lo_s * _US_PER_SECOND
