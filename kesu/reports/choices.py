from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class ReportEventType(models.TextChoices):
    COMMENTED = "commented", _("Commentary written")
    ISSUED = "issued", _("Issued")
