"""Every message e-mail intake has taken, once: what it became, and the raw bytes of the
ones it could not read (the quarantine admins see)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.mail.choices import MailOutcome, MailSource


class InboundMail(models.Model):
    """One received message. `message_id` is unique: the same message delivered twice (by
    IMAP and by SMTP, or retried by a server) is taken once; the check is one index probe."""

    message_id = models.CharField(_("Message-ID"), max_length=255)
    received_at = models.DateTimeField(_("received"))
    source = models.CharField(_("source"), max_length=8, choices=MailSource.choices)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=MailOutcome.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("complaint"),
    )
    error = models.TextField(_("why it was quarantined"), blank=True)
    raw = models.BinaryField(_("raw message"), null=True, blank=True)

    class Meta:
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")
        ordering = ["-id"]
        constraints = [
            # A constraint, not `unique=True`: on PostgreSQL that would add a second,
            # LIKE-pattern index nobody uses.
            models.UniqueConstraint(fields=["message_id"], name="inboundmail_message_id"),
        ]
        indexes = [
            models.Index(
                fields=["received_at"],
                name="inboundmail_quarantine",
                condition=models.Q(outcome="quarantined"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.subject or self.message_id}"
