"""Writes for people and tokens."""

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.choices import Role
from kesu.accounts.models import ApiToken, Department, User, hash_token


class AccountError(ValueError):
    pass


@transaction.atomic
def create_user(
    username: str,
    *,
    role: Role,
    department: Department | None = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    password: str | None = None,
    superuser: bool = False,
) -> User:
    if User.objects.filter(username=username).exists():
        raise AccountError(_("User “%(username)s” already exists.") % {"username": username})
    if role in (Role.HANDLER, Role.DEPT_HEAD) and department is None:
        raise AccountError(
            _("A person with the role “%(role)s” needs a department.") % {"role": role.label}
        )
    user = User(
        username=username,
        role=role,
        department=department,
        name=name,
        email=email,
        phone=phone,
        is_staff=superuser or role == Role.ADMIN,
        is_superuser=superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def create_token(user: User, name: str = "") -> str:
    """Make a token and return it; only its hash is kept, so it is shown this once."""
    raw = "ks_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=hash_token(raw), prefix=raw[3:11])
    return raw


def ensure_admin() -> tuple[str, str] | None:
    """Create the `admin` account if no superuser exists; returns (username, password)."""
    if User.objects.filter(is_superuser=True).exists():
        return None
    password = secrets.token_urlsafe(12)
    create_user("admin", role=Role.ADMIN, name="系统管理员", password=password, superuser=True)
    return "admin", password
