"""What the workspace keeps of its own: the inbox's saved views."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import Department

SAVED_VIEW_NAME = 40
SAVED_VIEW_QUERY = 600


class SavedView(models.Model):
    """A named inbox filter and order (the tab, the words, the filters, the order), shown as a
    tab to its owner — and, when a head shares it, to everyone of the head's department. It
    keeps a query, never a list of complaints: each person sees what their own rights allow."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=SAVED_VIEW_NAME)
    query = models.CharField(_("query"), max_length=SAVED_VIEW_QUERY, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared with department"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="savedview_owner_name"),
        ]
        indexes = [
            models.Index(
                fields=["department"],
                name="savedview_shared",
                condition=models.Q(department__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name
