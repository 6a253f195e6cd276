"""The appraisal's settings: a target and a weight per indicator and level.

An administrator edits them (Django admin, which logs who changed what and when); the seeds
give the defaults (`kesu.site.defaults`). A scorecard reads them as they stand when it is
computed, and says which target it applied beside each figure.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.appraisal.choices import LOWER_IS_BETTER, Level, Measure


class Target(models.Model):
    level = models.CharField(_("for"), max_length=10, choices=Level.choices)
    measure = models.CharField(_("indicator"), max_length=24, choices=Measure.choices)
    target_pct = models.DecimalField(
        _("target (%)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("A floor to reach; for reopened and repeat complaints, a ceiling."),
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        validators=[MaxValueValidator(100)],
        help_text=_("Its share of the score; the weights of a level need not add up to 100."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("appraisal target")
        verbose_name_plural = _("appraisal targets")
        ordering = ["level", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["level", "measure"], name="appraisal_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.get_measure_display()}"

    @property
    def lower_is_better(self) -> bool:
        return self.measure in LOWER_IS_BETTER
