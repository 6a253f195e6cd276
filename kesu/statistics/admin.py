from django.contrib import admin

from kesu.statistics.models import StatisticsEvent, StatisticsSettings


@admin.register(StatisticsSettings)
class StatisticsSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "repeat_window_days", "freeze_grace_days")


@admin.register(StatisticsEvent)
class StatisticsEventAdmin(admin.ModelAdmin):
    """The record of frozen and restated months: read only (restating is `kesu statistics
    restate`, with a reason)."""

    list_display = ("month", "version", "type", "actor", "at", "reason")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
