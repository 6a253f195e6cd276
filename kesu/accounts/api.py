"""Read endpoints for people and departments."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kesu.accounts.choices import STAFF_ROLES, Role
from kesu.accounts.http import AuthenticatedHttpRequest
from kesu.accounts.models import Department, User
from kesu.core.refusals import refusals

router = Router(tags=["reference"])


class DepartmentOut(Schema):
    code: str
    name: str
    parent: str | None
    active: bool


class UserOut(Schema):
    username: str
    name: str
    role: Role
    department: str | None
    active: bool


def _user_out(u: User) -> dict:
    return {
        "username": u.username,
        "name": u.get_full_name(),
        "role": u.role,
        "department": u.department.code if u.department else None,
        "active": u.is_active,
    }


@router.get("/departments", response={200: list[DepartmentOut], **refusals()})
def list_departments(request: HttpRequest):
    return [
        {
            "code": d.code,
            "name": d.name,
            "parent": d.parent.code if d.parent else None,
            "active": d.active,
        }
        for d in Department.objects.select_related("parent")
    ]


class UserFilters(Schema):
    role: Role | None = None
    department: str | None = Field(None, max_length=40, description="department code")


@router.get("/users", response={200: list[UserOut], **refusals(422)})
def list_users(request: AuthenticatedHttpRequest, filters: Query[UserFilters]):
    """Colleagues (customers are never listed)."""
    qs = User.objects.filter(role__in=STAFF_ROLES).select_related("department")
    if request.user.role == Role.CUSTOMER:
        qs = qs.none()
    if filters.role:
        qs = qs.filter(role=filters.role)
    if filters.department:
        qs = qs.filter(department__code=filters.department)
    return [_user_out(u) for u in qs.order_by("username")]


@router.get("/me", response={200: UserOut, **refusals()})
def me(request: AuthenticatedHttpRequest):
    return _user_out(request.user)
