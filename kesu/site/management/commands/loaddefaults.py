from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kesu.site.defaults import load_defaults


class Command(BaseCommand):
    help = "Add the default departments, categories, time limits and severity words (idempotent)."

    def handle(self, *args, **options):
        added = load_defaults()
        self.stdout.write(
            _(
                "Default configuration loaded: %(departments)s departments, %(categories)s "
                "categories, %(keywords)s severity words, %(time_limits)s time limits, "
                "%(working_hours)s working periods, %(targets)s appraisal targets added."
            )
            % added
        )
