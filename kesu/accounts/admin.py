from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from kesu.accounts.actions import staff_status
from kesu.accounts.models import ApiToken, Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")


# What only a superuser may set: the rest of a person's access follows their role.
_SUPERUSER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """People. The `admin` role manages them (SPEC §1) but cannot make anyone a superuser,
    hand out permissions, or change a superuser's account (its password included)."""

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

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else (*fields, *_SUPERUSER_FIELDS)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Entering the admin site follows the role: a person made `admin` may configure,
        # one who stops being `admin` may no longer.
        if "role" in form.changed_data or not change:
            obj.is_staff = staff_status(obj.role, superuser=obj.is_superuser)
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made with `kesu token create`; here they can only be seen and revoked."""

    list_display = ("id", "prefix", "user", "name", "created_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "key_hash", "created_at")
    fields = ("user", "name", "prefix", "created_at", "revoked_at")

    def has_add_permission(self, request):
        return False
