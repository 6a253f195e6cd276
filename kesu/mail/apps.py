from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "kesu.mail"
    verbose_name = _("E-mail intake")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The outbox (a domain app) sends e-mail through this app without importing it.
        from kesu.mail import outgoing
        from kesu.notifications import delivery

        delivery.register_email_sender(outgoing.send)
