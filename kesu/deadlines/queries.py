"""The calendar, the clock rules and the ladder as the engine needs them, cached per process.

Saving any of the rows they come from clears the cache in this process; other processes
see an administrator's change within the memo's time to live.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from kesu.complaints.models import Complaint
from kesu.complaints.queries import category_ancestors
from kesu.core.memo import forget_on_change, memo
from kesu.deadlines.clocks import ClockRule, Facts, Step
from kesu.deadlines.holiday_sources import StatutoryDays, statutory_days
from kesu.deadlines.models import CalendarDay, WorkCalendar, WorkingPeriod
from kesu.deadlines.workcal import WorkingCalendar
from kesu.policies.choices import TimeBasis, TimeUnit
from kesu.policies.models import ClockPolicy, Policy

# Statutory data is loaded from FIRST_HOLIDAY_YEAR (registers imported from earlier years are
# measured on the weekly hours alone) through YEARS_AHEAD years after this one; later years
# have no statutory days (`kesu.deadlines.years` reports them as missing).
FIRST_HOLIDAY_YEAR = 2001
YEARS_AHEAD = 10


def loaded_years() -> range:
    return range(FIRST_HOLIDAY_YEAR, timezone.now().year + YEARS_AHEAD + 1)


def company_statutory() -> StatutoryDays:
    """The company calendar's statutory days for `loaded_years()`, with how sure each year is."""

    def load() -> StatutoryDays:
        return statutory_days(WorkCalendar.current().holiday_source, loaded_years())

    return memo("deadlines:statutory", load, ttl=600)


def build_calendar(
    calendar: WorkCalendar, statutory: StatutoryDays | None = None
) -> WorkingCalendar:
    week: dict[int, list] = {}
    for period in calendar.periods.order_by("weekday", "start"):
        week.setdefault(period.weekday, []).append((period.start, period.end))
    if statutory is None:
        statutory = statutory_days(calendar.holiday_source, loaded_years())
    days_off: dict[date, str] = dict(statutory.days_off)
    days_on: dict[date, str] = dict(statutory.days_on)
    for day in calendar.days.all():  # the company's own days win over the statutory ones
        (days_on if day.working else days_off)[day.date] = day.name
        (days_off if day.working else days_on).pop(day.date, None)
    return WorkingCalendar(
        time_zone=calendar.time_zone, week=week, days_off=days_off, days_on=days_on
    )


def company_calendar() -> WorkingCalendar:
    def load() -> WorkingCalendar:
        return build_calendar(WorkCalendar.current(), company_statutory())

    return memo("deadlines:calendar", load, ttl=600)


def _limit(row: ClockPolicy, day_length: timedelta) -> timedelta:
    """The limit as a duration: a working day is the calendar's day length, a natural day 24 h."""
    if row.unit == TimeUnit.DAYS:
        day = day_length if row.basis == TimeBasis.WORKING else timedelta(days=1)
    else:
        day = timedelta(hours=1)
    return timedelta(microseconds=int(Decimal(row.limit) * (day // timedelta(microseconds=1))))


def rule_of(row: ClockPolicy, day_length: timedelta) -> ClockRule:
    """One `ClockPolicy` row as the engine reads it."""
    return ClockRule(
        kind=row.clock,
        limit=_limit(row, day_length),
        basis=row.basis,
        starts_on=frozenset(row.starts_on or ()),
        stops_on=frozenset(row.stops_on or ()),
        repeats=row.repeats,
        severity=row.severity,
        category_id=row.category_id,
        channel=row.channel,
        complaint_kind=row.kind,
        rule_id=row.pk or 2**62,  # a row not saved yet comes after every saved one
        registered_from=row.registered_from,
        registered_before=row.registered_before,
    )


def clock_rules() -> tuple[ClockRule, ...]:
    def load() -> tuple[ClockRule, ...]:
        day_length = company_calendar().day_length
        return tuple(
            rule_of(row, day_length)
            for row in ClockPolicy.objects.filter(active=True).order_by("pk")
        )

    return memo("deadlines:rules", load)


def ladder() -> Step:
    def load() -> Step:
        policy = Policy.current()
        return Step(
            warn_fraction=policy.deadline_warn_pct / 100,
            escalate_after_days=float(policy.breach_escalation_working_days),
        )

    return memo("deadlines:ladder", load)


def facts_of(complaint: Complaint) -> Facts:
    return Facts(
        kind=complaint.kind,
        severity=int(complaint.severity),
        channel=complaint.channel,
        category_ids=frozenset(category_ancestors(complaint.category_id)),
        registered_at=complaint.registered_at,
    )


forget_on_change("deadlines:", WorkCalendar, WorkingPeriod, CalendarDay, ClockPolicy, Policy)
