from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.actions import create_token
from kesu.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "API tokens: `kesu token create USERNAME` prints a new token as its last word."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="make a token for a person")
        create.add_argument("username")
        create.add_argument("--name", default="")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, verb, **options):
        if verb == "revoke":
            count = ApiToken.objects.filter(
                prefix=options["prefix"], revoked_at__isnull=True
            ).update(revoked_at=timezone.now())
            if not count:
                raise CommandError(
                    _("No active token starts with “%(prefix)s”.") % {"prefix": options["prefix"]}
                )
            self.stdout.write(_("Tokens revoked: %(count)s.") % {"count": count})
            return
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(
                _("Unknown user “%(username)s”.") % {"username": options["username"]}
            )
        raw = create_token(user, options["name"])
        # The token is the last word of the output, whatever the language.
        self.stdout.write(_("Token for %(username)s:") % {"username": user.username} + f" {raw}")
