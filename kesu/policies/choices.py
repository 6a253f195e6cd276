from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockKind(models.TextChoices):
    """The time limits of SPEC §5."""

    FIRST_CONTACT = "first_contact", _("First contact with the customer")
    DISPATCH = "dispatch", _("Dispatch to the responsible department")
    INQUIRY_ANSWER = "inquiry_answer", _("Answer an inquiry")
    SITE_VISIT = "site_visit", _("Site visit")
    SAMPLING_ARRIVAL = "sampling_arrival", _("Arrive on site for product sampling")
    ESCALATED_REPLY = "escalated_reply", _("Escalated cross-department reply")
    ESCALATED_APPROVAL = "escalated_approval", _("Approval after escalation")
    PLAN_REPLY = "plan_reply", _("Reply to the customer after plan approval")
    TREATMENT_REPORT = "treatment_report", _("Treatment measures reported to the customer")
    PROGRESS_UPDATE = "progress_update", _("Progress update while treating")
    WARRANTY_DISPATCH = "warranty_dispatch", _("Warranty repair dispatch")
    WARRANTY_DISPATCH_URGENT = "warranty_dispatch_urgent", _("Emergency warranty repair dispatch")


class TimeBasis(models.TextChoices):
    WORKING = "working", _("Working time")
    NATURAL = "natural", _("Natural time")


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")


class LimitScope(models.TextChoices):
    """What an administrator's change of a time limit applies to."""

    NEW_ONLY = "new", _("New complaints only: open complaints keep their due times")
    ALSO_OPEN = "open", _("Also open complaints: their due times move now")
