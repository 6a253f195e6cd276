"""Reads shared by the API, the web views and the CLI."""

from django.db.models import Q, QuerySet

from kesu.accounts.choices import SEES_EVERYTHING, Role
from kesu.accounts.models import User
from kesu.complaints.authority import department_scope
from kesu.complaints.models import Complaint


def visible_complaints(user: User) -> QuerySet[Complaint]:
    """Row visibility of SPEC §1, plus: nobody but executives sees a complaint about themselves."""
    qs = Complaint.objects.all()
    if not user.is_active:
        return qs.none()
    if user.role not in (Role.EXECUTIVE, Role.ADMIN):
        qs = qs.exclude(accused=user)
    if user.role in SEES_EVERYTHING:
        return qs
    if user.role in (Role.HANDLER, Role.DEPT_HEAD):
        return qs.filter(Q(department__in=department_scope(user)) | Q(owner=user))
    return qs.none()
