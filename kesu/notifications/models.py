"""The outbox of SPEC §7: what was sent to whom, every attempt, and the admin's configuration.

Rows are written by `kesu.notifications.rules` (inside the domain transaction) and by
`kesu.notifications.delivery` (after the commit); nothing here sends anything.
"""

from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from kesu.notifications.choices import (
    AWAITING_STATES,
    NotificationChannel,
    NotificationState,
    TemplateCode,
    WebhookStyle,
)
from kesu.notifications.wording import template_error, unknown_placeholders

AWAITING_STATE_LIST = sorted(AWAITING_STATES)  # rows still to go out


def validate_webhook_url(value: str) -> None:
    if not value.startswith(("http://", "https://")):
        raise ValidationError(_("A webhook address starts with http:// or https://."))


class DepartmentWebhook(models.Model):
    """A department's group chat robot (WeCom, DingTalk) or any JSON receiver."""

    department = models.ForeignKey(
        "accounts.Department",
        models.PROTECT,
        related_name="webhooks",
        verbose_name=_("department"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    url = models.URLField(_("address"), max_length=500, validators=[validate_webhook_url])
    style = models.CharField(
        _("style"), max_length=10, choices=WebhookStyle.choices, default=WebhookStyle.WECOM
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "DingTalk: the robot's signing secret (SEC…). Generic JSON: the body is signed "
            "with HMAC-SHA256 in the X-Kesu-Signature header. WeCom robots take none."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department webhook")
        verbose_name_plural = _("department webhooks")
        ordering = ["department", "id"]

    def __str__(self) -> str:
        return self.name or self.url


class NotificationTemplate(models.Model):
    """An administrator's wording for one message in one language; wins over the built-in."""

    code = models.CharField(_("message"), max_length=32, choices=TemplateCode.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(
        _("subject"),
        max_length=300,
        help_text=_("Django template syntax, e.g. {{ number }} {{ title }}."),
    )
    body = models.TextField(_("text"), help_text=_("Django template syntax."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ["code", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "language"], name="notification_template_code_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.language})"

    def clean(self) -> None:
        errors = {
            name: message
            for name in ("subject", "body")
            if (message := template_error(getattr(self, name))) is not None
        }
        if errors:
            raise ValidationError(errors)


class Notification(models.Model):
    """One message to one recipient on one channel: the outbox row.

    Subject and text are rendered when the row is written, so what was sent is what is kept.
    `next_attempt_at` is set exactly while the row still waits to go out (pending, being
    sent, failed): the retry sweep reads only those rows through a partial index.
    """

    channel = models.CharField(_("channel"), max_length=8, choices=NotificationChannel.choices)
    template = models.CharField(_("message"), max_length=32, choices=TemplateCode.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("complaint"),
        db_index=False,
    )
    event = models.ForeignKey(
        "complaints.ComplaintEvent",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("timeline event"),
        db_index=False,  # the uniqueness index starts with the event
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,  # the inbox index starts with the recipient
    )
    webhook = models.ForeignKey(
        DepartmentWebhook,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("webhook"),
        db_index=False,  # partial index below: only webhook rows
    )
    address = models.CharField(
        _("address"),
        max_length=500,
        blank=True,
        help_text=_("The e-mail address, phone number or webhook address used."),
    )
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    state = models.CharField(_("state"), max_length=8, choices=NotificationState.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # A person's in-app notifications, newest first, with the keyset (created_at, id).
            models.Index(
                fields=["recipient", "channel", "created_at", "id"], name="notification_inbox"
            ),
            # …and the unread ones alone, so "unread" and "mark all read" cost what is unread.
            models.Index(
                fields=["recipient", "channel", "created_at", "id"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            ),
            # The retry sweep: only rows still waiting to go out (see the constraint).
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due",
                condition=Q(next_attempt_at__isnull=False),
            ),
            models.Index(
                fields=["webhook"],
                name="notification_webhook",
                condition=Q(webhook__isnull=False),
            ),
        ]
        constraints = [
            # The same event never notifies the same person or address twice on the same
            # channel with the same message, however often it is handled (the sweeper may
            # race with itself). Users count by id, customers and webhooks by address.
            models.UniqueConstraint(
                "event",
                "channel",
                "template",
                Coalesce("recipient", Value(0)),
                "address",
                name="notification_once_per_event",
            ),
            models.CheckConstraint(
                condition=(Q(state__in=AWAITING_STATE_LIST) & Q(next_attempt_at__isnull=False))
                | (~Q(state__in=AWAITING_STATE_LIST) & Q(next_attempt_at__isnull=True)),
                name="notification_next_attempt_iff_awaiting",
                violation_error_message=_(
                    "A notification waiting to go out has a next attempt; any other has none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.template} → {self.address or self.recipient_id}"


class Delivery(models.Model):
    """One attempt to send a notification, successful or not."""

    notification = models.ForeignKey(
        Notification,
        models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"))
    ok = models.BooleanField(_("succeeded"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    response = models.TextField(_("provider response"), blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["notification", "attempt"]

    def __str__(self) -> str:
        return f"{self.notification_id} #{self.attempt} {'ok' if self.ok else 'failed'}"


class ReplyTemplate(models.Model):
    """A reply staff pick when they write to the customer (常用回复), for one category (and
    those below it) or for every category. `{{ number }}`, `{{ customer }}`… are filled in
    from the complaint (`kesu.notifications.replies`)."""

    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(
        "complaints.Category",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Empty: offered for every category. A category: also for those below it."),
    )
    body = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["position", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if unknown := unknown_placeholders(self.body):
            raise ValidationError(
                {
                    "body": _("Unknown fields: %(names)s.")
                    % {"names": ", ".join(f"{{{{ {name} }}}}" for name in unknown)}
                }
            )


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _Numbered(TypedDict):
        number: Any  # `F("complaint__number")`

    class _Routed(TypedDict):
        number: Any  # `F("complaint__number")`
        event_type: Any  # `F("event__type")`

    # Outbox rows read with their complaint's number (the API), and its event's type too
    # (delivery): `.annotate(number=…, event_type=…)`.
    NumberedNotification = WithAnnotations[Notification, _Numbered]
    RoutedNotification = WithAnnotations[Notification, _Routed]
