"""The notification vocabulary (SPEC §7): channels, outbox states, webhook styles, templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Department webhook")
    SMS = "sms", _("SMS")


class NotificationState(models.TextChoices):
    """Where an outbox row stands. In-app rows are `sent` when they are written."""

    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will be retried")
    DEAD = "dead", _("Failed, given up")


# States whose rows carry a `next_attempt_at` (the retry sweep's partial index).
AWAITING_STATES = frozenset(
    {NotificationState.PENDING, NotificationState.SENDING, NotificationState.FAILED}
)


class WebhookStyle(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    GENERIC = "generic", _("Generic JSON")


class TemplateCode(models.TextChoices):
    """One message per code; the codes are identifiers, the labels say who gets it and when."""

    QUALITY_NOTICE = "quality_notice", _("Quality complaint registered (to the executives)")
    LEVEL1_NOTICE = "level1_notice", _("Level-1 complaint (to the executives)")
    DISPATCHED = "dispatched", _("Complaint dispatched to the department (webhook)")
    OWNER_ASSIGNED = "owner_assigned", _("You are the owner (to the owner)")
    OWNER_DEADLINE_WARNING = (
        "owner_deadline_warning",
        _("Time limit nearly reached (to the owner)"),
    )
    OWNER_DEADLINE_BREACH = "owner_deadline_breach", _("Time limit breached (to the owner)")
    DEADLINE_BREACH = (
        "deadline_breach",
        _("Time limit breached (to the department heads and the webhook)"),
    )
    ESCALATION = "escalation", _("Complaint escalated (to the heads or the executives)")
    BREACH_ESCALATION = (
        "breach_escalation",
        _("Breach escalated (to the heads or the executives)"),
    )
    CUSTOMER_ACCEPTED = "customer_accepted", _("Complaint accepted (to the customer)")
    CUSTOMER_PLAN = "customer_plan", _("Treatment plan settled (to the customer)")
    CUSTOMER_PROGRESS = "customer_progress", _("Progress report (to the customer)")
    CUSTOMER_COMPLETED = "customer_completed", _("Treatment completed (to the customer)")
    CUSTOMER_RETURN_VISIT = "customer_return_visit", _("Return visit made (to the customer)")
    CUSTOMER_RECEIVED = (
        "customer_received",
        _("Complaint received from the web form or by e-mail (to the customer)"),
    )
    CUSTOMER_CONFIRM = "customer_confirm", _("Please confirm the result (to the customer)")
    CUSTOMER_SURVEY = "customer_survey", _("Please answer the survey (to the customer)")
    CUSTOMER_LINK = "customer_link", _("A new private link (to the customer)")
    CUSTOMER_WROTE = "customer_wrote", _("The customer wrote or answered (to the owner)")
    PAST_STEPS_DIGEST = (
        "past_steps_digest",
        _("Imported complaints already past their time limits (one digest per person)"),
    )
    MONTHLY_REPORT = (
        "monthly_report",
        _("Monthly complaint report issued (to the executives)"),
    )
    DEPARTMENT_SUMMARY = (
        "department_summary",
        _("Monthly summary of a department and its people (to its heads)"),
    )
    SALES_SUMMARY = (
        "sales_summary",
        _("Monthly summary of the salespeople's complaints (to the after-sales department)"),
    )
