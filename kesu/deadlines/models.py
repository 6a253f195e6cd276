"""The company's working calendar as data an administrator edits (SPEC §5).

The statutory holidays and adjusted working days (调休) come from a swappable source
(`kesu.deadlines.holiday_sources`); these tables hold the rest: the time zone, the weekly
working hours and the company's own days off and extra working days.
"""

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def _validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("%(zone)s is not a known time zone.") % {"zone": value}) from None


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkCalendar(models.Model):
    """The company calendar. There is one row (pk=1); `WorkCalendar.current()` reads it."""

    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[_validate_time_zone]
    )
    holiday_source = models.CharField(
        _("statutory holidays"),
        max_length=200,
        default="CN",
        help_text=_(
            "CN: China's statutory holidays and adjusted working days; none: no statutory "
            "holidays; or the dotted path of another source."
        ),
    )

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendar")

    def __str__(self) -> str:
        return str(_("Company working calendar"))

    @classmethod
    def current(cls) -> "WorkCalendar":
        calendar, _created = cls.objects.get_or_create(pk=1)
        return calendar

    def clean(self) -> None:
        from kesu.deadlines.holiday_sources import SOURCES

        if self.holiday_source not in SOURCES and "." not in self.holiday_source:
            raise ValidationError(
                {"holiday_source": _("Use CN, none, or the dotted path of a source function.")}
            )


class WorkingPeriod(models.Model):
    """A stretch of working time on a weekday, in local wall-clock time."""

    calendar = models.ForeignKey(
        WorkCalendar, models.CASCADE, related_name="periods", verbose_name=_("calendar")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start time"))
    end = models.TimeField(_("end time"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")),
                name="working_period_starts_before_it_ends",
                violation_error_message=_("A working period must start before it ends."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class CalendarDay(models.Model):
    """A company-specific day off, or an extra working day, overriding the usual week."""

    calendar = models.ForeignKey(
        WorkCalendar, models.CASCADE, related_name="days", verbose_name=_("calendar")
    )
    date = models.DateField(_("date"))
    working = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_("Ticked: an extra working day. Unticked: a day off."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("company day off or working day")
        verbose_name_plural = _("company days off and working days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_entry_per_calendar_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SweepStatus(models.Model):
    """The deadline sweep: who sweeps now (a lease) and when a sweep last completed. One row.

    Written only by `kesu.deadlines.sweeper`; read by the admin and `/healthz`.
    """

    holder = models.CharField(
        _("sweeping now"),
        max_length=200,
        blank=True,
        help_text=_("host:process:run of the sweep that holds the lease; empty when none."),
    )
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    started_at = models.DateTimeField(_("last sweep started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("last sweep completed"), null=True, blank=True)
    complaints = models.PositiveIntegerField(_("complaints swept"), default=0)
    steps = models.JSONField(_("steps taken"), default=dict, blank=True)
    worker_started_at = models.DateTimeField(_("worker started"), null=True, blank=True)

    class Meta:
        verbose_name = _("deadline sweep")
        verbose_name_plural = _("deadline sweep")

    def __str__(self) -> str:
        return str(_("Deadline sweep"))
