from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class ReportEventType(models.TextChoices):
    COMMENTED = "commented", _("Commentary written")
    ISSUED = "issued", _("Issued")


class SummaryKind(models.TextChoices):
    """The monthly summaries sent to heads (kesu.reports.digests)."""

    DEPARTMENT = "department", _("Department and its people")
    SALES = "sales", _("Salespeople (to the after-sales department)")
