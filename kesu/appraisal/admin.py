from django.contrib import admin

from kesu.appraisal.models import Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("measure", "level", "target_pct", "weight", "active")
    list_filter = ("level", "active")
    list_editable = ("target_pct", "weight", "active")
