from django.contrib import admin

from kesu.policies.models import ClockPolicy, Policy, SeverityKeyword


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not Policy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SeverityKeyword)
class SeverityKeywordAdmin(admin.ModelAdmin):
    list_display = ("word", "level", "active")
    list_filter = ("level", "active")
    search_fields = ("word",)


@admin.register(ClockPolicy)
class ClockPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "clock",
        "limit",
        "unit",
        "basis",
        "severity",
        "category",
        "channel",
        "kind",
        "starts_on",
        "stops_on",
        "repeats",
        "active",
    )
    list_filter = ("clock", "basis", "active")
