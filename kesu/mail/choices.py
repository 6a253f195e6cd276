from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class MailSource(models.TextChoices):
    IMAP = "imap", _("Mailbox (IMAP)")
    SMTP = "smtp", _("Forwarded by SMTP")
    FILE = "file", _("Mailbox file")
    RETRY = "retry", _("Processed again by an administrator")


class MailOutcome(models.TextChoices):
    """What became of one message. A message seen before (same Message-ID) leaves no row.
    Every outcome but COMPLAINT and REPLY keeps the raw message and the reason."""

    COMPLAINT = "complaint", _("New complaint")
    REPLY = "reply", _("Added to a complaint")
    AUTO_REPLY = "auto_reply", _("Automatic reply: not registered")
    BOUNCE = "bounce", _("Bounce: not registered")
    LOOP = "loop", _("Mail loop: not registered")
    RECALL = "recall", _("Recall notice: not registered")
    HELD = "held", _("Held for review: spam or forged sender")
    QUARANTINED = "quarantined", _("Quarantined: could not be read")


class NotTaken(StrEnum):
    """What `intake.receive` and the reviews answer when they take nothing in (no new row)."""

    DUPLICATE = "duplicate"  # the same message, taken before (or by a twin delivery)
    ALREADY_DECIDED = "already_decided"  # reviewed: registered or decided meanwhile


class MailReview(models.TextChoices):
    """What a person decided about a message Kesu did not register (the admin's actions)."""

    PROCESSED_AGAIN = "again", _("Processed again")
    REGISTERED_ANYWAY = "anyway", _("Registered anyway")
    DISMISSED = "dismissed", _("Dismissed: not a customer's mail")


# What an administrator may still register as a person's mail ("register anyway"): Kesu
# judged it automatic or held it, but it was read. Quarantined mail is processed again.
OVERRIDABLE = frozenset(
    {
        MailOutcome.AUTO_REPLY,
        MailOutcome.BOUNCE,
        MailOutcome.LOOP,
        MailOutcome.RECALL,
        MailOutcome.HELD,
    }
)
NOT_REGISTERED = OVERRIDABLE | {MailOutcome.QUARANTINED}
