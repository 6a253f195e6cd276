from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import ApiToken, Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "name", "role", "department", "is_active")
    list_filter = ("role", "department", "is_active")
    search_fields = ("username", "name", "email", "phone")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Kesu"), {"fields": ("name", "role", "department", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Kesu"), {"fields": ("name", "role", "department")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made with `kesu token create`; here they can only be seen and revoked."""

    list_display = ("prefix", "user", "name", "created_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "key_hash", "created_at")
    fields = ("user", "name", "prefix", "created_at", "revoked_at")

    def has_add_permission(self, request):
        return False
