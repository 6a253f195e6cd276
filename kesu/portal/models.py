"""Private links to a complaint, and the public form's record of who submitted when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.portal.choices import ThrottleScope


class CustomerLink(models.Model):
    """A private link that shows one complaint to its customer (SPEC §1).

    The link carries the row's id and an HMAC of it with the row's random nonce, keyed by the
    installation's secret key (`kesu.portal.links`): the database alone does not give the
    links away, and a message can always carry the current link. Revoked links and links of
    complaints closed longer ago than the policy allows lead nowhere.
    """

    complaint = models.ForeignKey(
        "complaints.Complaint",
        models.PROTECT,
        related_name="customer_links",
        verbose_name=_("complaint"),
    )
    nonce = models.CharField(_("nonce"), max_length=32)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="customer_links",
        verbose_name=_("customer account"),
        help_text=_("The customer account this link was saved to, if any."),
    )
    created_at = models.DateTimeField(_("created"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer link")
        verbose_name_plural = _("customer links")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} #{self.pk}"


class Submission(models.Model):
    """One use of the public form, by address and by contact (hashed), for the rate limit.

    Rows older than the longest window are pruned as new ones arrive.
    """

    scope = models.CharField(_("counted by"), max_length=8, choices=ThrottleScope.choices)
    key = models.CharField(_("hashed address or contact"), max_length=64)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("public form submission")
        verbose_name_plural = _("public form submissions")
        indexes = [models.Index(fields=["scope", "key", "at"], name="submission_window")]

    def __str__(self) -> str:
        return f"{self.scope} {self.at:%Y-%m-%d %H:%M}"
