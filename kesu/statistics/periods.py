"""The periods figures are counted over: a month, a quarter, a year or a range of local days.

A period is a run of whole local days in the company's time zone (settings.TIME_ZONE); its
bounds are the local midnights that open its first day and the day after its last, half-open,
so an instant belongs to exactly one month however the clocks fall. Each period knows the one
before it (month-on-month) and the same period a year before (year-on-year).
"""

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from kesu.core import clock
from kesu.core.encoding import in_range


class Span(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    DAYS = "days"  # a custom range of local days


_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_QUARTER = re.compile(r"(\d{4})-[Qq](\d)", re.ASCII)
_YEAR = re.compile(r"(\d{4})", re.ASCII)
_DAYS = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", re.ASCII)
_FIRST_YEAR = 1000  # four digits, and a year before it still fits in a date


@dataclass(frozen=True)
class Period:
    """Local days `first` … `last`, both included; `span` says what kind of period it is."""

    span: Span
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"a period ends on or after its first day: {self.first}..{self.last}")

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        first = date(year, month, 1)
        return cls(Span.MONTH, first, _add_months(first, 1) - timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = date(year, 3 * quarter - 2, 1)
        return cls(Span.QUARTER, first, _add_months(first, 3) - timedelta(days=1))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(Span.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def days(cls, first: date, last: date) -> "Period":
        return cls(Span.DAYS, first, last)

    @property
    def start(self) -> datetime:
        """The instant the period begins: local midnight of its first day (included)."""
        return clock.local_midnight(self.first)

    @property
    def end(self) -> datetime:
        """The instant after the period: local midnight of the day after its last (excluded)."""
        return clock.local_midnight(self.last + timedelta(days=1))

    def previous(self) -> "Period":
        """The period just before: the month, quarter or year before; for a range of days,
        as many days ending the day before it begins."""
        match self.span:
            case Span.MONTH:
                before = _add_months(self.first, -1)
                return Period.month(before.year, before.month)
            case Span.QUARTER:
                before = _add_months(self.first, -3)
                return Period.quarter(before.year, (before.month + 2) // 3)
            case Span.YEAR:
                return Period.year(self.first.year - 1)
        length = self.last - self.first
        last = self.first - timedelta(days=1)
        return Period.days(last - length, last)

    def year_before(self) -> "Period":
        """The same period a year earlier; a range ending on 29 February ends on the 28th."""
        match self.span:
            case Span.MONTH:
                return Period.month(self.first.year - 1, self.first.month)
            case Span.QUARTER:
                return Period.quarter(self.first.year - 1, (self.first.month + 2) // 3)
            case Span.YEAR:
                return Period.year(self.first.year - 1)
        return Period.days(_a_year_before(self.first), _a_year_before(self.last))

    def __str__(self) -> str:
        """The period as `parse` reads it."""
        match self.span:
            case Span.MONTH:
                return f"{self.first:%Y-%m}"
            case Span.QUARTER:
                return f"{self.first.year:04d}-Q{(self.first.month + 2) // 3}"
            case Span.YEAR:
                return f"{self.first.year:04d}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


def parse(text: str) -> Period:
    """ "2026-11" (a month), "2026-Q4" (a quarter), "2026" (a year) or
    "2026-11-03..2026-11-20" (local days, both included). Anything else is a ValueError that
    names the text."""
    try:
        period = _read(text.strip())
    except _Reversed:
        raise ValueError(_("“%(text)s” ends before it begins.") % {"text": text}) from None
    except ValueError:  # a date that does not exist, a year before 1000
        period = None
    if period is None:
        raise ValueError(
            _(
                "“%(text)s” is not a period: write a month (2026-11), a quarter (2026-Q4), "
                "a year (2026) or a range of days (2026-11-03..2026-11-20)."
            )
            % {"text": text}
        )
    if not within_reach(period):
        raise ValueError(_("“%(text)s” is too far from today to count.") % {"text": text})
    return period


def within_reach(period: Period) -> bool:
    """Whether the period, the one before, the year before and the twelve months up to it all
    have local midnights Kesu can write (`parse` reads the years 1000 … 9999): what every
    table of it compares with can be counted."""
    try:
        days = (
            period.previous().first,
            period.year_before().first,
            period.last.replace(day=1) - timedelta(days=366),
            period.last + timedelta(days=1),
        )
    except (OverflowError, ValueError):  # a date before the year 1 or after 9999
        return False
    return all(in_range(day) for day in days)


class _Reversed(Exception):
    """A range of days whose last day comes before its first."""


def _read(value: str) -> Period | None:
    """The period `value` writes, or None."""
    if m := _MONTH.fullmatch(value):
        year, month = _year(m[1]), int(m[2])
        return Period.month(year, month) if 1 <= month <= 12 else None
    if m := _QUARTER.fullmatch(value):
        year, quarter = _year(m[1]), int(m[2])
        return Period.quarter(year, quarter) if 1 <= quarter <= 4 else None
    if m := _YEAR.fullmatch(value):
        return Period.year(_year(m[1]))
    if m := _DAYS.fullmatch(value):
        first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        _year(str(min(first, last).year))
        if last < first:
            raise _Reversed
        return Period.days(first, last)
    return None


def _year(digits: str) -> int:
    year = int(digits)
    if year < _FIRST_YEAR:
        raise ValueError
    return year


def _add_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _a_year_before(day: date) -> date:
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)
