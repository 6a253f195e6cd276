"""`GET /api/v1/calendar/{year}`: the company's working calendar for one year, read-only."""

from datetime import date

from django.http import HttpRequest
from ninja import Path, Router, Schema

from kesu.core.refusals import refusals
from kesu.deadlines.workcal import MAX_YEAR, MIN_YEAR
from kesu.deadlines.years import DayOrigin, YearStatus, calendar_year

router = Router(tags=["reference"])


class DayOut(Schema):
    date: date
    name: str
    origin: DayOrigin


class CalendarYearOut(Schema):
    year: int
    time_zone: str
    holiday_source: str
    statutory: YearStatus
    provisional: bool
    warning: str
    days_off: list[DayOut]
    days_on: list[DayOut]


@router.get("/calendar/{year}", response={200: CalendarYearOut, **refusals(422)})
def calendar(request: HttpRequest, year: int = Path(..., ge=MIN_YEAR, le=MAX_YEAR)):
    """Whole days off and extra working days of `year` (statutory and the company's own; the
    weekly hours apply on every other day). `statutory`: `published` (the State Council's
    notice), `provisional` (estimated by rule: no adjusted working days yet, days off may
    move), `missing` (no statutory days at all), `not_used` (the calendar uses none);
    `provisional` is true for the middle two, with a `warning` saying what to do."""
    found = calendar_year(year)
    return {
        "year": found.year,
        "time_zone": found.time_zone,
        "holiday_source": found.holiday_source,
        "statutory": found.status,
        "provisional": found.provisional,
        "warning": found.warning(),
        "days_off": found.days_off,
        "days_on": found.days_on,
    }
