from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kesu.complaints.choices import State
from kesu.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Load demo data: demo staff and a few hundred complaints in Chinese, driven through "
        "the real workflow to every state (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--count", type=int, default=300, help="how many demo complaints there should be"
        )
        parser.add_argument("--seed", type=int, default=20261121, help="seed of the random content")

    def handle(self, *args, count, seed, **options):
        if count < 0:
            raise CommandError(_("The count cannot be negative."))
        result = load_demo(count=count, seed=seed)
        if result["skipped"]:
            self.stdout.write(
                _("Demo data is already loaded (%(existing)s demo complaints); nothing was added.")
                % result
            )
        else:
            self.stdout.write(
                _(
                    "Demo data loaded: %(created)s complaints added in %(seconds).1f s "
                    "(%(existing)s were already there)."
                )
                % result
            )
        self.stdout.write(_("Demo complaints by state:"))
        for state in State:
            self.stdout.write(
                _("  %(state)s: %(count)s")
                % {"state": state.label, "count": result["by_state"][state]}
            )
        self.stdout.write(_("Demo logins (every one with the password “%(password)s”):") % result)
        for username, name, role, department, title in result["users"]:
            self.stdout.write(
                _("  %(username)s — %(name)s, %(title)s (%(role)s, %(department)s)")
                % {
                    "username": username,
                    "name": name,
                    "title": title,
                    "role": role,
                    "department": department,
                }
            )
