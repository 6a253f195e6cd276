from django.db import models
from django.utils.translation import gettext_lazy as _


class MailSource(models.TextChoices):
    IMAP = "imap", _("Mailbox (IMAP)")
    SMTP = "smtp", _("Forwarded by SMTP")
    FILE = "file", _("Mailbox file")
    RETRY = "retry", _("Processed again by an administrator")


class MailOutcome(models.TextChoices):
    """What became of one message. A message seen before (same Message-ID) leaves no row."""

    COMPLAINT = "complaint", _("New complaint")
    REPLY = "reply", _("Added to a complaint")
    AUTO_REPLY = "auto_reply", _("Automatic reply, ignored")
    BOUNCE = "bounce", _("Bounce, ignored")
    LOOP = "loop", _("Mail loop, ignored")
    QUARANTINED = "quarantined", _("Quarantined: could not be read")
