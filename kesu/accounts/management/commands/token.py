from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kesu.accounts.actions import (
    MIN_START,
    FoundToken,
    TokenReading,
    find_tokens,
    issue_token,
    revoke_token,
)
from kesu.accounts.models import ApiToken, User


def _when(at) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


def _describe(token: ApiToken) -> str:
    state = (
        pgettext("token", "revoked %(when)s") % {"when": _when(token.revoked_at)}
        if token.revoked_at
        else pgettext("token", "active")
    )
    return _("id %(id)s  ks_%(prefix)s…  %(user)s  %(name)s  made %(made)s  %(state)s") % {
        "id": token.pk,
        "prefix": token.prefix,
        "user": token.user.username,
        "name": token.name or "-",
        "made": _when(token.created_at),
        "state": state,
    }


def _matched(found: FoundToken) -> str:
    """A token as `text` named it: its description, and by what it was named."""
    by = {
        TokenReading.WHOLE: pgettext("token", "the whole token"),
        TokenReading.ID: pgettext("token", "by its id"),
        TokenReading.START: pgettext("token", "by its start"),
    }[found.by]
    return f"{_describe(found.token)}  ({by})"


class Command(BaseCommand):
    help = (
        "API tokens: `kesu token create USERNAME` prints a new token as its last word; "
        "`kesu token revoke TOKEN` takes the whole token, its id, or the start of it (at least "
        "4 characters); "
        "`kesu token list [USERNAME]`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="make a token for a person")
        create.add_argument("username")
        create.add_argument("--name", default="")
        revoke = sub.add_parser(
            "revoke", help="revoke a token: the whole token, its id, or the start of it"
        )
        revoke.add_argument("token", metavar="TOKEN|ID|START")
        listing = sub.add_parser("list", help="list tokens (id, start, person, state)")
        listing.add_argument("username", nargs="?")

    def handle(self, *args, verb, **options):
        if verb == "revoke":
            return self._revoke(options["token"])
        if verb == "list":
            tokens = ApiToken.objects.select_related("user").order_by("pk")
            if options["username"]:
                tokens = tokens.filter(user__username=options["username"])
            for token in tokens:
                self.stdout.write(_describe(token))
            return
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(
                _("Unknown user “%(username)s”.") % {"username": options["username"]}
            )
        row, raw = issue_token(user, options["name"])
        # The token is the last word of the output, whatever the language.
        self.stdout.write(
            _("Token %(id)s for %(username)s:") % {"id": row.pk, "username": user.username}
            + f" {raw}"
        )

    def _revoke(self, text: str) -> None:
        found = find_tokens(text)
        active = [match for match in found if match.token.revoked_at is None]
        if len(active) > 1:
            lines = "\n".join(f"  {_matched(match)}" for match in active)
            raise CommandError(
                _("“%(text)s” matches %(count)s active tokens; give more of the token or its id:")
                % {"text": text, "count": len(active)}
                + f"\n{lines}"
            )
        if not active:
            if found:
                raise CommandError(
                    _("Every token that “%(text)s” matches is already revoked:") % {"text": text}
                    + "".join(f"\n  {_matched(match)}" for match in found)
                )
            raise CommandError(
                _(
                    "No token matches “%(text)s”: give the whole token, its id "
                    "(`kesu token list`), or at least %(least)s characters of its start "
                    "(letters as they are: tokens tell upper from lower case)."
                )
                % {"text": text, "least": MIN_START}
            )
        match = active[0]
        revoke_token(match.token)
        match.token.refresh_from_db()
        self.stdout.write(_("Revoked: %(token)s") % {"token": _matched(match)})
