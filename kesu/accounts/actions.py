"""Writes for people and tokens."""

import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.choices import Role
from kesu.accounts.models import ApiToken, Department, User, hash_token
from kesu.core import phones
from kesu.core.memo import forget

TOKEN_PREFIX = "ks_"  # noqa: S105 (the visible start of every token, not a secret)


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
    try:
        phone = phones.normalise(phone)  # SMS to staff go to this number
    except phones.InvalidPhone as error:
        raise AccountError(str(error)) from None
    user = User(
        username=username,
        role=role,
        department=department,
        name=name,
        email=email,
        phone=phone,
        is_staff=staff_status(role, superuser=superuser),
        is_superuser=superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def staff_status(role: Role | str, *, superuser: bool) -> bool:
    """Whether a person may enter the admin site: superusers, and the `admin` role (SPEC §1:
    configuration), whose permissions come from `kesu.accounts.permissions`."""
    return superuser or role == Role.ADMIN


def create_token(user: User, name: str = "") -> str:
    """Make a token and return it; only its hash is kept, so it is shown this once."""
    return issue_token(user, name)[1]


def issue_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """Make a token: its row (id, prefix) and the raw token, shown this once."""
    body = secrets.token_urlsafe(32)
    while body.startswith("-"):  # its start is typed on command lines, where "-…" is an option
        body = secrets.token_urlsafe(32)
    raw = TOKEN_PREFIX + body
    row = ApiToken.objects.create(
        user=user, name=name, key_hash=hash_token(raw), prefix=raw[len(TOKEN_PREFIX) :][:8]
    )
    return row, raw


class TokenReading(StrEnum):
    """How a text named a token (`find_tokens`)."""

    WHOLE = "whole"  # the whole token
    ID = "id"  # its id
    START = "start"  # the start of the token, with or without `ks_`


MIN_START = 4  # a shorter start names too many tokens to be meant


@dataclass(frozen=True)
class FoundToken:
    token: ApiToken
    by: TokenReading


def find_tokens(text: str) -> list[FoundToken]:
    """The tokens `text` names, each with how: the whole token, its id, or the start of the
    token (at least `MIN_START` characters after `ks_`, compared case-sensitively as tokens
    are; only the 8 kept characters count, so a longer start is compared on those).

    Every reading is tried and the matches are returned together (ordered by id; a token named
    two ways is given with the first of whole, id, start), so the caller can tell none, one,
    and an ambiguous text — an all-digit one may be an id and the start of another token —
    apart."""
    text = text.strip()
    if not text:
        return []
    match = Q(key_hash=hash_token(text))
    if text.isdigit():
        match |= Q(pk=int(text))
    start = text.removeprefix(TOKEN_PREFIX)
    if len(start) >= MIN_START:
        # LIKE is case-insensitive on SQLite: the start is compared again below
        match |= Q(prefix=start[:8]) if len(start) >= 8 else Q(prefix__startswith=start)
    found = []
    for token in ApiToken.objects.filter(match).select_related("user").order_by("pk"):
        if token.key_hash == hash_token(text):
            found.append(FoundToken(token, TokenReading.WHOLE))
        elif text.isdigit() and token.pk == int(text):
            found.append(FoundToken(token, TokenReading.ID))
        elif len(start) >= MIN_START and token.prefix.startswith(start[:8]):
            found.append(FoundToken(token, TokenReading.START))
    return found


def revoke_token(token: ApiToken) -> bool:
    """Revoke one token, for good (nothing un-revokes one); False if it was already revoked.
    This process stops taking it at once, the others within the tokens' cache time."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    forget("token:")
    return bool(revoked)


def ensure_admin() -> tuple[str, str] | None:
    """Create the `admin` account if no superuser exists; returns (username, password)."""
    if User.objects.filter(is_superuser=True).exists():
        return None
    password = secrets.token_urlsafe(12)
    create_user("admin", role=Role.ADMIN, name="系统管理员", password=password, superuser=True)
    return "admin", password
