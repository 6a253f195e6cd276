"""What the company calendar knows about one year: its days off and working days, and how sure
the statutory part is (for the admin's warning and `GET /api/v1/calendar/{year}`).

A year's statutory days are one of (`YearStatus`):

* `published`: from the State Council's notice, adjusted working days (调休) included;
* `provisional`: estimated by rule, the notice not being known to the holiday source yet: the
  statutory days off are the regulation's, but the notice may move them, and no adjusted
  working day is known (see `holiday_sources`);
* `missing`: no statutory days at all: the year lies beyond what Kesu loads
  (`queries.loaded_years`, ten years ahead) or what the source covers; only the weekly hours
  and the company's own days count;
* `not_used`: the calendar uses no statutory source (`holiday_source = none`).

Provisional and missing years are `provisional`: deadlines that run into them may move once
the notice is known. The company's own days (`CalendarDay`) always apply on top.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.deadlines.holiday_sources import StatutoryDays, no_holidays
from kesu.deadlines.models import CalendarDay, WorkCalendar
from kesu.deadlines.queries import company_statutory, loaded_years

log = logging.getLogger(__name__)

# Years this close ahead (and the current one) are worth an administrator's attention.
ATTENTION = timedelta(days=92)


class YearStatus(StrEnum):
    PUBLISHED = "published"
    PROVISIONAL = "provisional"
    MISSING = "missing"
    NOT_USED = "not_used"


class DayOrigin(StrEnum):
    STATUTORY = "statutory"
    COMPANY = "company"


@dataclass(frozen=True)
class Day:
    date: date
    name: str
    origin: DayOrigin


@dataclass(frozen=True)
class CalendarYear:
    year: int
    time_zone: str
    holiday_source: str
    status: YearStatus
    days_off: tuple[Day, ...]
    days_on: tuple[Day, ...]
    company_days: int

    @property
    def provisional(self) -> bool:
        return self.status in (YearStatus.PROVISIONAL, YearStatus.MISSING)

    def warning(self) -> str:
        """What an administrator should know about this year, or ""."""
        if self.status == YearStatus.PROVISIONAL:
            return _(
                "%(year)s is provisional: the installed holiday data has no State Council "
                "notice for it yet, so its statutory days off are estimated by rule and its "
                "adjusted working days (调休) are unknown. Deadlines that run into %(year)s "
                "may be wrong. Upgrade the holidays package once the notice is published, "
                "or enter the notice's days off and working days as company days "
                "(%(count)s entered for %(year)s so far)."
            ) % {"year": self.year, "count": self.company_days}
        if self.status == YearStatus.MISSING:
            return _(
                "%(year)s has no statutory holidays at all: Kesu counts only the weekly "
                "working hours and the company's own days (%(count)s entered for %(year)s). "
                "Enter the year's days off and working days as company days."
            ) % {"year": self.year, "count": self.company_days}
        return ""


def status_of(year: int, source: str, statutory: StatutoryDays) -> YearStatus:
    if source == "none":
        return YearStatus.NOT_USED
    if year not in loaded_years() or year in statutory.missing:
        return YearStatus.MISSING
    if year in statutory.provisional:
        return YearStatus.PROVISIONAL
    return YearStatus.PUBLISHED


def calendar_year(year: int) -> CalendarYear:
    """The company calendar's year: statutory days (as loaded for the deadlines) and the
    company's own, the company's winning on the same date."""
    calendar = WorkCalendar.current()
    source = calendar.holiday_source
    statutory = company_statutory() if source != "none" else no_holidays(())
    status = status_of(year, source, statutory)
    off = {d: Day(d, n, DayOrigin.STATUTORY) for d, n in statutory.days_off.items()}
    on = {d: Day(d, n, DayOrigin.STATUTORY) for d, n in statutory.days_on.items()}
    off = {d: day for d, day in off.items() if d.year == year}
    on = {d: day for d, day in on.items() if d.year == year}
    company = list(CalendarDay.objects.filter(calendar=calendar, date__year=year))
    for day in company:
        (on if day.working else off)[day.date] = Day(day.date, day.name, DayOrigin.COMPANY)
        (off if day.working else on).pop(day.date, None)
    return CalendarYear(
        year=year,
        time_zone=calendar.time_zone,
        holiday_source=source,
        status=status,
        days_off=tuple(off[d] for d in sorted(off)),
        days_on=tuple(on[d] for d in sorted(on)),
        company_days=len(company),
    )


def coverage() -> list[tuple[YearStatus, int, int]]:
    """The loaded years in runs of one status: [(status, first year, last year), …]."""
    source = WorkCalendar.current().holiday_source
    statutory = company_statutory() if source != "none" else no_holidays(())
    runs: list[tuple[YearStatus, int, int]] = []
    for year in loaded_years():
        status = status_of(year, source, statutory)
        if runs and runs[-1][0] == status and runs[-1][2] == year - 1:
            runs[-1] = (status, runs[-1][1], year)
        else:
            runs.append((status, year, year))
    return runs


def _candidates(today: date) -> list[int]:
    """This year, and the next once it is less than `ATTENTION` away."""
    return sorted({today.year, (today + ATTENTION).year})


def needing_attention(today: date | None = None) -> list[CalendarYear]:
    """This year and the next (once it is less than `ATTENTION` away) when provisional."""
    found = [calendar_year(year) for year in _candidates(today or timezone.localdate())]
    return [year for year in found if year.provisional]


_logged: set[tuple[int, YearStatus]] = set()
_looked_at: set[int] = set()  # years whose status this process has read


def warn_once(today: date | None = None) -> None:
    """Log each provisional year needing attention once per process (the worker's log).

    The sweep calls this every minute: once this year and the next (when it is near) have
    been read, nothing is read again until the date brings another year near (a year's
    status changes with the holidays package, which a restart installs). Never raises: a
    calendar that cannot be read must not keep the sweep from running (it is read again the
    next time)."""
    today = today or timezone.localdate()
    if set(_candidates(today)) <= _looked_at:
        return
    try:
        attention = needing_attention(today)
    except Exception:
        log.exception("working calendar: cannot tell which years are provisional")
        return
    _looked_at.update(_candidates(today))
    for year in attention:
        if (year.year, year.status) not in _logged:
            _logged.add((year.year, year.status))
            log.warning("working calendar: %s", year.warning())


def forget_warnings() -> None:
    """Read and warn again, as a new process would."""
    _logged.clear()
    _looked_at.clear()
