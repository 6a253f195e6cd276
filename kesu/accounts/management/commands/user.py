from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kesu.accounts.actions import AccountError, create_user
from kesu.accounts.choices import Role
from kesu.accounts.models import Department, User


class Command(BaseCommand):
    help = "Manage people: `kesu user create USERNAME --role ROLE [--department CODE]`, `list`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="create a person")
        create.add_argument("username")
        create.add_argument(
            "--role",
            required=True,
            choices=Role.values,
            help="admin: configuration in the admin site (departments, people, categories, "
            "time limits, calendars, templates)",
        )
        create.add_argument("--department", help="department code")
        create.add_argument("--name", default="")
        create.add_argument("--email", default="")
        create.add_argument("--phone", default="")
        create.add_argument("--password", help="omit for an account that logs in by token only")
        create.add_argument(
            "--superuser",
            action="store_true",
            help="every permission, beyond the admin role's configuration (groups, "
            "permissions, other superusers)",
        )
        sub.add_parser("list", help="list people")

    def handle(self, *args, verb, **options):
        if verb == "list":
            for user in User.objects.select_related("department").order_by("username"):
                dept = user.department.code if user.department else "-"
                self.stdout.write(f"{user.username}\t{user.role}\t{dept}\t{user.get_full_name()}")
            return
        department = None
        if options["department"]:
            department = Department.objects.filter(code=options["department"]).first()
            if department is None:
                raise CommandError(
                    _("Unknown department “%(code)s”.") % {"code": options["department"]}
                )
        try:
            user = create_user(
                options["username"],
                role=Role(options["role"]),
                department=department,
                name=options["name"],
                email=options["email"],
                phone=options["phone"],
                password=options["password"],
                superuser=options["superuser"],
            )
        except AccountError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Created %(username)s (%(role)s).")
            % {"username": user.username, "role": Role(user.role).label}
        )
