"""The monthly quality report's own record: QA's commentary and its issue.

The figures of a report are the statistics' (kesu.statistics) for its month, computed when it
is rendered; what belongs to the report itself is what people add to them and do with it: the
commentary QA writes before it goes out, and when and by whom it was issued (sent to the
executives and the management representative). `kesu.reports.actions` is the only writer; each
change appends a `ReportEvent`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.core.append_only import AppendOnlyModel
from kesu.core.compact_json import CompactJSONEncoder
from kesu.reports.choices import ReportEventType, ReportState, SummaryKind


class MonthlyReport(models.Model):
    """The 月度客户投诉分析报告 of one month ("2026-11"): one per month."""

    period = models.CharField(_("month"), max_length=7, unique=True)
    commentary = models.TextField(_("commentary"), blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=ReportState.choices, default=ReportState.DRAFT
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    issued_by = models.ForeignKey(  # None once issued: the monthly task issued it
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-period"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state=ReportState.DRAFT, issued_at__isnull=True)
                | models.Q(state=ReportState.ISSUED, issued_at__isnull=False),
                name="monthly_report_issued_iff_issued_at",
            )
        ]

    def __str__(self) -> str:
        return self.period


class ReportEvent(AppendOnlyModel):
    """One entry of a report's history: append-only, like a complaint's timeline."""

    report = models.ForeignKey(
        MonthlyReport, models.PROTECT, related_name="events", verbose_name=_("report")
    )
    type = models.CharField(_("event"), max_length=16, choices=ReportEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=CompactJSONEncoder)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.type} {self.at:%Y-%m-%d %H:%M}"


class SummarySent(AppendOnlyModel):
    """A monthly summary sent to a department's heads (kesu.reports.digests): one per month,
    kind and department, whatever the task's runs and workers; the figures as they were sent."""

    period = models.CharField(_("month"), max_length=7)
    kind = models.CharField(_("summary"), max_length=16, choices=SummaryKind.choices)
    department = models.ForeignKey(
        "accounts.Department", models.PROTECT, related_name="+", verbose_name=_("department")
    )
    at = models.DateTimeField(_("sent"))
    told = models.PositiveIntegerField(_("people told"), default=0)
    figures = models.JSONField(_("figures"), default=dict, blank=True, encoder=CompactJSONEncoder)

    class Meta:
        verbose_name = _("monthly summary sent")
        verbose_name_plural = _("monthly summaries sent")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "kind", "department"], name="summary_sent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.kind} {self.department_id}"
