"""Every message e-mail intake has taken, once: what it became, and the raw bytes of what it
did not register (the admin's list of received mail)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.mail.choices import MailOutcome, MailReview, MailSource


class InboundMail(models.Model):
    """One received message. (`message_id`, `content_key`) is unique: the same message
    delivered twice (by IMAP and by SMTP, or retried by a server) is taken once, and the check
    is one probe of that index, which holds both; a different message under a Message-ID
    already taken is kept aside (quarantined) instead of dropped.

    `raw` keeps the message whenever Kesu did not register all of it — automatic mail, held
    spam, unreadable bytes, or files it refused — with `reason`, so that nothing is lost and
    an administrator can download it or process it again."""

    message_id = models.CharField(_("Message-ID"), max_length=255)
    # What the message says, hashed (`parse.content_key`, 128 bits): the same Message-ID on a
    # different message is kept, not taken for a second delivery. "" when unknown (bytes that
    # could not be read, rows from before it was kept).
    content_key = models.CharField(_("content key"), max_length=32, blank=True)
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
    reason = models.TextField(_("why it was not registered, or what of it was not"), blank=True)
    raw = models.BinaryField(_("raw message"), null=True, blank=True)
    # The sender and the subject's topic (reply prefixes and complaint numbers left out),
    # hashed: a reply without thread headers ("回复：…" from QQ Mail) finds its complaint.
    thread_key = models.CharField(_("thread key"), max_length=32, blank=True)
    # A person's decision about a message Kesu did not register (process again, register
    # anyway, dismiss): who, when, and what the record said before it.
    review = models.CharField(_("review"), max_length=10, choices=MailReview.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
        db_index=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    before_review = models.TextField(_("before the review"), blank=True)

    class Meta:
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")
        ordering = ["-id"]
        constraints = [
            # A constraint, not `unique=True`: on PostgreSQL that would add a second,
            # LIKE-pattern index nobody uses. Its index answers "seen before, and the same?"
            # alone (the content key beside the Message-ID: an index-only probe).
            models.UniqueConstraint(
                fields=["message_id", "content_key"], name="inboundmail_message_id_content"
            ),
        ]
        indexes = [
            models.Index(
                fields=["received_at"],
                name="inboundmail_quarantine",
                condition=models.Q(outcome="quarantined"),
            ),
            # The held count staff see (kesu.mail.review): what waits for a decision, so
            # dismissed mail leaves the index and the count stays the size of the work.
            models.Index(
                fields=["received_at"],
                name="inboundmail_held",
                condition=models.Q(outcome="held") & ~models.Q(review="dismissed"),
            ),
            # How many complaints one address registered lately (intake's limit on
            # acknowledgements): only mail that registered one.
            models.Index(
                fields=["sender", "received_at"],
                name="inboundmail_sender",
                condition=models.Q(outcome="complaint"),
            ),
            # Threading by subject (intake._by_subject): only mail that reached a complaint.
            # The key alone: a few rows each, and every registered mail adds one (received_at
            # beside it made each insert dearer, for nothing the lookup needs).
            models.Index(
                fields=["thread_key"],
                name="inboundmail_thread",
                condition=~models.Q(thread_key=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.subject or self.message_id}"


class MailReference(models.Model):
    """A Message-ID that a message taken in referred to (In-Reply-To, References). When the
    message it names arrives only afterwards (mail is not always delivered in order), it
    finds the complaint its answer reached."""

    mail = models.ForeignKey(
        InboundMail, models.CASCADE, related_name="referred", verbose_name=_("received e-mail")
    )
    message_id = models.CharField(_("Message-ID"), max_length=255)

    class Meta:
        verbose_name = _("referenced Message-ID")
        verbose_name_plural = _("referenced Message-IDs")
        indexes = [models.Index(fields=["message_id"], name="mailreference_message_id")]

    def __str__(self) -> str:
        return self.message_id
