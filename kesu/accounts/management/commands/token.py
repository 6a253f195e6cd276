from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

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
                raise CommandError(f"no active token starts with {options['prefix']!r}")
            self.stdout.write(f"revoked {count} token(s)")
            return
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"unknown user {options['username']!r}")
        raw = create_token(user, options["name"])
        self.stdout.write(f"token for {user.username}: {raw}")
