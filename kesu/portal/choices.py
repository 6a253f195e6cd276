from django.db import models
from django.utils.translation import gettext_lazy as _


class ThrottleScope(models.TextChoices):
    ADDRESS = "address", _("Network address")
    CONTACT = "contact", _("Phone or e-mail")
