import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kesu.accounts.actions import revoke_token, staff_status
from kesu.accounts.choices import Role
from kesu.accounts.models import ApiToken, Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")


# What only a superuser may set: the rest of a person's access follows their role.
_SUPERUSER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")
# Roles whose authority only a superuser hands out, and whose accounts only a superuser
# controls (their password, their role, whether they are active).
PRIVILEGED_ROLES = frozenset({Role.EXECUTIVE, Role.ADMIN})


def controlled_by_superusers(person: User, acting: User) -> bool:
    """Whether `acting` may not set `person`'s password, role or active status: a
    non-superuser acting on a superuser, an executive or another administrator."""
    if acting.is_superuser:
        return False
    return person.is_superuser or (person.role in PRIVILEGED_ROLES and person.pk != acting.pk)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """People. The `admin` role manages them (SPEC §1) but takes no authority it was not
    given: it cannot make anyone a superuser, hand out permissions, change a superuser's
    account, change its own role, give anyone the executive or administrator role, or set
    the password, role or active status of an executive or another administrator; only a
    superuser can. Every change of role is kept in the admin's history with both roles."""

    list_display = ("username", "name", "role", "department", "is_active")
    list_filter = ("role", "department", "is_active")
    search_fields = ("username", "name", "email", "phone")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Kesu"), {"fields": ("name", "role", "department", "phone")}),
    )
    add_fieldsets = (
        *(BaseUserAdmin.add_fieldsets or ()),
        (_("Kesu"), {"fields": ("name", "role", "department")}),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        fields = (*fields, *_SUPERUSER_FIELDS)
        if obj is not None and obj.pk == request.user.pk:
            fields = (*fields, "role")
        elif obj is not None and controlled_by_superusers(obj, request.user):
            fields = (*fields, "role", "is_active")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        role = form.base_fields.get("role")
        if isinstance(role, forms.ChoiceField) and not request.user.is_superuser:
            # a new field for each form; its choices are the roles (it has a default: no blank)
            role.choices = [(v, label) for v, label in Role.choices if v not in PRIVILEGED_ROLES]
        return form

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        person = self.get_object(request, unquote(id))
        if person is not None and controlled_by_superusers(person, request.user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        # Entering the admin site follows the role: a person made `admin` may configure,
        # one who stops being `admin` may no longer.
        if "role" in form.changed_data or not change:
            obj.is_staff = staff_status(obj.role, superuser=obj.is_superuser)
        super().save_model(request, obj, form, change)

    def construct_change_message(self, request, form, formsets, add=False):
        """Django's record names the fields changed; a change of role also says from which
        role to which, so the history shows who gave whom which authority, and when."""
        message = super().construct_change_message(request, form, formsets, add)
        if add or "role" not in form.changed_data:
            return message
        before, after = form.initial.get("role", ""), form.cleaned_data["role"]
        said = gettext("The role changed from “%(before)s” to “%(after)s”.") % {
            "before": _role_label(before),
            "after": _role_label(after),
        }
        return f"{LogEntry(change_message=json.dumps(message)).get_change_message()} {said}"


def _role_label(code: str) -> str:
    return f"{Role(code).label} ({code})" if code in Role.values else code


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made with `kesu token create`; here they can only be seen and revoked, with
    the action "revoke", which cannot be undone (nothing here clears `revoked_at`)."""

    list_display = ("id", "prefix", "user", "name", "created_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "key_hash", "created_at", "revoked_at")
    fields = ("user", "name", "prefix", "created_at", "revoked_at")
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = sum(revoke_token(token) for token in queryset)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
