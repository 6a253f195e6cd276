from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "kesu.mail"
    verbose_name = _("E-mail intake")
    default_auto_field = "django.db.models.BigAutoField"
