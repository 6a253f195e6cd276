from django.contrib import admin, messages
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.core.admin_views import ReadOnlyAdmin
from kesu.deadlines import years
from kesu.deadlines.models import CalendarDay, SweepStatus, WorkCalendar, WorkingPeriod
from kesu.deadlines.queries import loaded_years


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    extra = 0


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0


_STATUS_LABELS = {
    years.YearStatus.PUBLISHED: gettext_lazy("published (State Council notice, with 调休)"),
    years.YearStatus.PROVISIONAL: gettext_lazy(
        "provisional (estimated by rule: no adjusted working days, days off may move)"
    ),
    years.YearStatus.MISSING: gettext_lazy("missing (no statutory days)"),
    years.YearStatus.NOT_USED: gettext_lazy("no statutory source"),
}


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    """The company calendar; its pages warn while this year or the next is provisional."""

    list_display = ("__str__", "time_zone", "holiday_source")
    readonly_fields = ("statutory_years",)
    inlines = [WorkingPeriodInline, CalendarDayInline]

    def has_add_permission(self, request):
        return not WorkCalendar.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("statutory days by year"))
    def statutory_years(self, obj: WorkCalendar | None) -> str:
        runs = years.coverage()
        loaded = loaded_years()
        rows = [
            (f"{first}" if first == last else f"{first}–{last}", _STATUS_LABELS[status])
            for status, first, last in runs
        ]
        if any(status != years.YearStatus.NOT_USED for status, _first, _last in runs):
            outside = {"first": loaded.start, "after": loaded.stop}
            missing = _STATUS_LABELS[years.YearStatus.MISSING]
            rows.append((_("before %(first)s, from %(after)s") % outside, missing))
        return format_html_join("", "<div>{}: {}</div>", rows)

    def _warn(self, request) -> None:
        for year in years.needing_attention():
            messages.warning(request, year.warning())

    def changelist_view(self, request, extra_context=None):
        self._warn(request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            self._warn(request)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(SweepStatus)
class SweepStatusAdmin(ReadOnlyAdmin):
    """When the deadline sweep last completed, and who sweeps now (kesu.deadlines.sweeper)."""

    list_display = (
        "__str__",
        "finished_at",
        "complaints",
        "steps",
        "holder",
        "lease_until",
        "worker_started_at",
    )
    fields = (*list_display[1:], "started_at")
