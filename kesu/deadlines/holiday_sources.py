"""Where statutory days off and adjusted working days (调休) come from: a swappable source.

A source is a callable ``source(years) -> StatutoryDays``. `SOURCES` names the built-in ones;
`statutory_days` also accepts the dotted path of any other callable with that signature, so a
company can plug in its own data (for example a table maintained by hand, or another country)
without changing Kesu.

A source also says how sure it is of each year (`StatutoryDays.provisional` and `.missing`), so
that the admin and the API can tell a published year from a guess.

The China source reads the ``holidays`` package, which carries the State Council's yearly
notice (国务院办公厅关于某年部分节假日安排的通知) for every year since 2001 up to the last one
published before the package's release. A year is *published* when the package carries its
notice (the year is in the package's table of substituted days, `published_years()`); every
later year is *provisional*: the package computes the statutory days off by the rules of the
national regulation (New Year's Day, Spring Festival, Qingming, Labour Day, Dragon Boat,
Mid-Autumn, National Day, weekend holidays moved to the next weekday) but knows none of the
notice's adjusted working days (调休), so days off may move and make-up Saturdays are missing.
Upgrade the package once the notice is out (it is added within days), or enter the notice's
days as the company's own days off and working days meanwhile. Years outside the package's
range (before 1950, after its `end_year`) are *missing*: it knows nothing of them.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import holidays
from django.utils.module_loading import import_string

__all__ = [
    "SOURCES",
    "StatutoryDays",
    "china",
    "no_holidays",
    "published_years",
    "statutory_days",
]


@dataclass(frozen=True)
class StatutoryDays:
    """Whole days off and adjusted working days for some years, each with a display name.

    `provisional`: the requested years whose days are the source's estimate, not a published
    notice (China: no adjusted working days yet). `missing`: the requested years the source
    knows nothing about (no days at all). A source that says neither vouches for every year.
    """

    days_off: dict[date, str] = field(default_factory=dict)
    days_on: dict[date, str] = field(default_factory=dict)
    provisional: frozenset[int] = frozenset()
    missing: frozenset[int] = frozenset()


# How an adjusted working day is named, per language of the holidays package: plain, and with
# the day off it makes up for. Languages not listed use English.
_WORKDAY_NAMES = {
    "zh_CN": ("调休上班日", "调休上班日（{} 休息）"),
    "zh_TW": ("調休上班日", "調休上班日（{} 休息）"),
    "en_US": ("Adjusted working day", "Adjusted working day (for the day off on {})"),
}


_DATE_IN_NAME = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}")


# The package is only checked against the State Council's notices from this year on.
FIRST_NOTICE_YEAR = 2001


def published_years() -> frozenset[int]:
    """The years whose State Council notice the installed ``holidays`` package carries."""
    notices = holidays.China().special_public_holidays
    return frozenset(year for year in notices if year >= FIRST_NOTICE_YEAR)


def china(years: Iterable[int], *, language: str = "zh_CN") -> StatutoryDays:
    """China's statutory days off and adjusted working days (调休) for `years`.

    Days off include substituted days ("休息日（由 2026-10-10 调休）"): those are days off
    too. Holidays that fall on a weekend are listed as well (they are off either way, and the
    name is worth showing). Only dates inside `years` are returned; the neighbouring years are
    read as well, because an adjusted working day can belong to the next year's holiday
    (a Saturday in late December that pays for New Year's Day).
    """
    wanted = {int(year) for year in years}
    if not wanted:
        return StatutoryDays()
    first, last = holidays.China.start_year, holidays.China.end_year
    covered = set(range(first, last + 1))
    published = published_years()
    provisional = frozenset(y for y in wanted & covered if y not in published)
    missing = frozenset(wanted - covered)
    read = sorted({y + k for y in wanted for k in (-1, 0, 1)} & covered)
    if not read:
        return StatutoryDays(provisional=provisional, missing=missing)
    calendar = holidays.China(years=read, language=language)

    days_off = {day: name for day, name in sorted(calendar.items()) if day.year in wanted}

    # A substituted day off names the working day it is moved from, in ISO or US spelling:
    # read every name once, not once per working day (that took 110 ms a calendar).
    named_in: dict[str, list[date]] = {}
    for off, name in calendar.items():
        for spelling in _DATE_IN_NAME.findall(name):
            named_in.setdefault(spelling, []).append(off)
    plain, paired = _WORKDAY_NAMES.get(language, _WORKDAY_NAMES["en_US"])
    days_on = {}
    for day in sorted(calendar.weekend_workdays):
        if day.year not in wanted or day in calendar:
            continue
        made_up = named_in.get(day.isoformat(), []) + named_in.get(day.strftime("%m/%d/%Y"), [])
        days_on[day] = paired.format(min(made_up).isoformat()) if made_up else plain
    return StatutoryDays(days_off, days_on, provisional=provisional, missing=missing)


def no_holidays(years: Iterable[int]) -> StatutoryDays:
    """No statutory days at all: for a company that keeps only its own days off and on."""
    return StatutoryDays()


Source = Callable[[Iterable[int]], StatutoryDays]

SOURCES: dict[str, Source] = {"CN": china, "none": no_holidays}


def statutory_days(source: str, years: Iterable[int]) -> StatutoryDays:
    """The statutory days of `years` from `source`: a key of `SOURCES` or a dotted path.

    Raises ValueError for an unknown key or a path that cannot be imported, and TypeError if
    the source returns something other than `StatutoryDays`.
    """
    function = SOURCES.get(source)
    if function is None:
        if "." not in source:
            known = ", ".join(sorted(SOURCES))
            raise ValueError(f"unknown holiday source {source!r}: use {known} or a dotted path")
        try:
            function = import_string(source)
        except ImportError as error:
            raise ValueError(f"cannot import holiday source {source!r}: {error}") from error
        if not callable(function):
            raise ValueError(f"holiday source {source!r} is not callable")
    result = function(tuple(years))
    if not isinstance(result, StatutoryDays):
        raise TypeError(f"holiday source {source!r} returned {type(result).__name__}")
    return result
