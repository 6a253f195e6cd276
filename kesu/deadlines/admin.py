from django.contrib import admin

from kesu.deadlines.models import CalendarDay, WorkCalendar, WorkingPeriod


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    extra = 0


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    list_display = ("__str__", "time_zone", "holiday_source")
    inlines = [WorkingPeriodInline, CalendarDayInline]

    def has_add_permission(self, request):
        return not WorkCalendar.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
