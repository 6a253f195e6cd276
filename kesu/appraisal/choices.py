from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Who a scorecard is for."""

    DEPARTMENT = "department", _("Department")
    PERSON = "person", _("Person")


class Measure(models.TextChoices):
    """The indicators a scorecard weighs (SPEC §10; the seeds' 及时率, 解决率, 满意度, 回访率)."""

    ACCEPTANCE_ON_TIME = "acceptance_on_time", _("Accepted on time (%)")
    HANDLING_ON_TIME = "handling_on_time", _("Time limits met (%)")
    RESOLUTION = "resolution", _("Resolved (%)")
    SATISFACTION = "satisfaction", _("Satisfaction (%)")
    RETURN_VISIT = "return_visit", _("Return visits made (%)")
    REOPEN = "reopen", _("Reopened (%)")
    REPEAT = "repeat", _("Repeat complaints (%)")


# The measures where less is better: a target is a ceiling, not a floor.
LOWER_IS_BETTER = frozenset({Measure.REOPEN, Measure.REPEAT})
