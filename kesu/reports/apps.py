from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """What Kesu hands out on paper and in files (issue #16): the workbooks and CSV of the
    statistics, the monthly quality report, a complaint's forms and its case file."""

    name = "kesu.reports"
    label = "reports"
    verbose_name = _("Reports")
