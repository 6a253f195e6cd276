"""What the `admin` role may do in the admin site (SPEC §1: configuration), derived from the role.

SPEC §1 gives the administrator configuration: departments, users, categories, time limits,
calendars, templates. `ROLE_PERMISSIONS` lists the model permissions that stand for it, and
`RolePermissionBackend` grants them to every active person whose role is `admin`: they come
from the role at each check, so a person whose role changes gains or loses them at once, with
no permission rows to keep in step. The role is not a superuser: groups, permissions,
superusers' accounts and the complaints' records (whose writes go through the workflow and
whose timeline is append-only) stay out of its reach. `is_staff`, which lets a person into
the admin site at all, follows the role too (`actions.staff_status`).
"""

from django.contrib.auth.backends import BaseBackend

from kesu.accounts.choices import Role

VIEW = ("view",)
EDIT = ("view", "change")
ADD = ("view", "add", "change")
ALL = ("view", "add", "change", "delete")

# model (app_label.model) → the actions the admin role may take on it.
_CONFIGURATION: dict[str, tuple[str, ...]] = {
    # people: deactivated, not deleted (their names stay on the timelines)
    "accounts.department": ADD,
    "accounts.user": ADD,
    "accounts.apitoken": EDIT,  # seen and revoked; made with `kesu token create`
    # policy
    "policies.policy": EDIT,
    "policies.severitykeyword": ALL,
    "policies.clockpolicy": ALL,
    "complaints.category": ADD,
    # calendars
    "deadlines.workcalendar": ADD,
    "deadlines.workingperiod": ALL,
    "deadlines.calendarday": ALL,
    "deadlines.sweepstatus": VIEW,
    # notifications
    "notifications.notificationtemplate": ALL,
    "notifications.departmentwebhook": ALL,
    # looked at: the records, the outbox, received mail (whose held messages the role
    # reviews, SPEC §1), failed logins
    "complaints.complaint": VIEW,
    "notifications.notification": VIEW,
    "mail.inboundmail": EDIT,  # held mail reviewed: process again, register anyway, dismiss
    "axes.accessattempt": ("view", "delete"),  # deleting one unlocks a locked-out person
    "axes.accesslog": VIEW,
    "axes.accessfailurelog": VIEW,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
        for label, actions in _CONFIGURATION.items()
        for action in actions
    ),
}


class RolePermissionBackend(BaseBackend):
    """Grants the role's permissions (`ROLE_PERMISSIONS`); authenticates nobody."""

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), ()))

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        prefix = f"{app_label}."
        return any(perm.startswith(prefix) for perm in self.get_all_permissions(user_obj))
