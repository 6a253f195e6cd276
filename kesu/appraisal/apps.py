from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    """考核 (SPEC §10): departments and people scored on the statistics' indicators against the
    targets and weights an administrator sets, with the incidents behind every deduction."""

    name = "kesu.appraisal"
    label = "appraisal"
    verbose_name = _("Appraisal")
