from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """SPEC §1. The code is the identifier; the label is what people read."""

    INTAKE = "intake", _("Intake clerk")
    HANDLER = "handler", _("Handler")
    DEPT_HEAD = "dept_head", _("Department head")
    QA = "qa", _("Quality assurance")
    EXECUTIVE = "executive", _("Executive")
    ADMIN = "admin", _("Administrator")
    CUSTOMER = "customer", _("Customer")


# Roles that see every complaint (SPEC §1; intake clerks look up earlier complaints of a caller).
SEES_EVERYTHING = frozenset({Role.QA, Role.EXECUTIVE, Role.ADMIN, Role.INTAKE})
STAFF_ROLES = frozenset(set(Role) - {Role.CUSTOMER})
