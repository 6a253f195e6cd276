from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "kesu.deadlines"
    verbose_name = _("Time limits and working calendar")
    default_auto_field = "django.db.models.BigAutoField"
