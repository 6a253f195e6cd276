"""Admin: configuration is edited here; complaints are only looked at (writes go through the
workflow, so nothing here can bypass it)."""

from django.contrib import admin

from kesu.complaints.models import Category, Complaint, ComplaintEvent
from kesu.core.admin_views import ReadOnlyAdmin, ReadOnlyInline


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "parent",
        "default_department",
        "default_severity",
        "product_determination",
        "quality_notice",
        "active",
        "sort_order",
    )
    list_filter = ("active", "default_severity")
    search_fields = ("code", "name", "name_en")


class EventInline(ReadOnlyInline):
    model = ComplaintEvent
    fields = ("at", "type", "actor", "from_state", "to_state", "visibility", "comment")
    readonly_fields = fields


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "title",
        "kind",
        "state",
        "severity",
        "category",
        "department",
        "owner",
        "registered_at",
    )
    list_filter = ("state", "kind", "severity", "channel")
    search_fields = ("=number", "complainant_phone")
    date_hierarchy = "registered_at"
    show_full_result_count = False
    list_select_related = ("category", "department", "owner")
    inlines = [EventInline]
