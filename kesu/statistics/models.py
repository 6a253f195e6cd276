"""The statistics' own tables: the per-complaint facts, their frozen copies per month, the
catch-up's watermark, the settings, and the append-only record of freezing and restating.

`ComplaintFact` is a projection: one row per complaint, every figure its timeline yields
(`facts.fact_of`), kept current by `facts.catch_up` from the events above a watermark. It is
never a source of truth: `kesu statistics rebuild` recomputes it from the timelines.
`FrozenFact` holds the facts of a closed month as they were when it was frozen (a version per
freeze or restatement); `StatisticsEvent` says who froze or restated which month, when and why.
Only `kesu.statistics.actions` and `kesu.statistics.facts` write these tables.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kesu.core.append_only import AppendOnlyModel
from kesu.core.compact_json import CompactJSONEncoder
from kesu.policies.choices import ClockKind


class Outcome(models.TextChoices):
    """How a complaint stands at the end of its timeline."""

    OPEN = "", _("Open")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    INVALID = "invalid", _("Invalid")
    MERGED = "merged", _("Merged")


class AppealEnd(models.TextChoices):
    """How a complaint's last appeal ended."""

    NONE = "", _("No appeal")
    OPEN = "open", _("Still open")
    RESOLVED = "resolved", _("Closed, the customer satisfied")
    UNRESOLVED = "unresolved", _("Closed, the customer not satisfied")
    OTHER = "other", _("Withdrawn, invalid or merged")


def clock_columns(kind: str) -> tuple[str, str, str]:
    """The three columns of one clock: runs settled (met or late), met on time, escalated."""
    return f"{kind}_settled", f"{kind}_on_time", f"{kind}_escalated"


class FactColumns(models.Model):
    """The figures of one complaint (the columns `ComplaintFact` and `FrozenFact` share)."""

    # the instants that place a complaint in a period (docs/statistics.md)
    registered_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True)  # when it reached its final state, if it did
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)

    # the dimensions, as the complaint stands when the fact was computed
    category_id = models.IntegerField()
    category_root_id = models.IntegerField()
    severity = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12)
    channel = models.CharField(max_length=24)
    department_id = models.IntegerField(null=True)
    handler_id = models.IntegerField(null=True)  # the owner
    cause = models.CharField(max_length=16, blank=True)  # QA's determination, else the owner's

    # closing figures (counted when the complaint closed)
    resolved = models.BooleanField(default=False)  # closed with the customer satisfied
    survey_scale = models.PositiveSmallIntegerField(default=0)  # 0: no survey
    survey_points = models.SmallIntegerField(default=0)
    survey_max = models.PositiveSmallIntegerField(default=0)
    visit_needed = models.BooleanField(default=False)
    visit_done = models.BooleanField(default=False)
    reopens = models.PositiveSmallIntegerField(default=0)
    handling_seconds = models.BigIntegerField(null=True)  # working time, registration → closed
    cost_company = models.PositiveIntegerField(default=0)  # item shares, % (100 = one item)
    cost_customer = models.PositiveIntegerField(default=0)
    cost_handler = models.PositiveIntegerField(default=0)  # the handler's penalty shares
    cost_transport_company = models.PositiveIntegerField(default=0)
    cost_transport_customer = models.PositiveIntegerField(default=0)
    cost_transport_handler = models.PositiveIntegerField(default=0)

    # registration figures (counted when the complaint was registered)
    appeals = models.PositiveSmallIntegerField(default=0)
    appeal_kind = models.CharField(max_length=24, blank=True)  # the last appeal's
    appeal_end = models.CharField(max_length=10, choices=AppealEnd.choices, blank=True)
    repeat = models.BooleanField(default=False)
    customer_key = models.CharField(max_length=200, blank=True)
    subject_key = models.CharField(max_length=260, blank=True)

    last_event_id = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


# Three columns per clock of SPEC §5; a new clock kind needs a migration of these tables.
for _kind in ClockKind:
    for _column in clock_columns(_kind.value):
        FactColumns.add_to_class(_column, models.PositiveSmallIntegerField(default=0))


class ComplaintFact(FactColumns):
    """The live facts of one complaint, recomputed after each of its events (`catch_up`)."""

    complaint = models.OneToOneField(
        "complaints.Complaint", models.CASCADE, primary_key=True, related_name="+"
    )

    class Meta:
        indexes = [
            # every indicator reads a range of one placing instant
            models.Index(fields=["registered_at"], name="fact_registered"),
            models.Index(
                fields=["closed_at"], name="fact_closed", condition=Q(closed_at__isnull=False)
            ),
            # repeat complaints: the same customer and subject within a window
            models.Index(
                fields=["customer_key", "subject_key", "registered_at"],
                name="fact_repeat",
                condition=~Q(customer_key="") & ~Q(subject_key=""),
            ),
        ]

    def __str__(self) -> str:
        return f"fact {self.pk}"


class FrozenFact(FactColumns, AppendOnlyModel):
    """A complaint's facts as they were when `month` was frozen (or restated: `version`):
    added, never changed (a restatement is a new version)."""

    month = models.DateField()  # its first day
    version = models.PositiveIntegerField()
    complaint_id = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["month", "version", "registered_at"], name="frozen_registered"),
            models.Index(fields=["month", "version", "closed_at"], name="frozen_closed"),
        ]

    def __str__(self) -> str:
        return f"frozen {self.month:%Y-%m} v{self.version} {self.complaint_id}"


class RollupMonth(models.Model):
    """A month whose roll-ups (`MonthCount`, `MonthIndicators`) are built: version 0 from the
    live facts and timeline (dropped again by `catch_up` when an event touches a complaint of
    the month), a frozen version from its snapshot (never changes). `kesu.statistics.rollups`
    builds them; a read uses a month's roll-ups only while this row is there."""

    month = models.DateField()  # its first day
    version = models.PositiveIntegerField()  # 0: live
    terms = models.JSONField(default=list, encoder=CompactJSONEncoder)  # the term keys summed
    built_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="rollup_month_version")
        ]

    def __str__(self) -> str:
        return f"roll-up {self.month:%Y-%m} v{self.version}"


class MonthCount(models.Model):
    """The registrations of a month per combination of the classified table's dimensions (all
    but the handler): what `counts.classified` sums for a whole month instead of its events."""

    month = models.DateField()
    version = models.PositiveIntegerField()
    category_id = models.IntegerField()
    category_root_id = models.IntegerField(null=True)  # a frozen month's root, kept with it
    severity = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12)
    channel = models.CharField(max_length=24)
    department_id = models.IntegerField(null=True)
    cause = models.CharField(max_length=16, null=True)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["version", "month"], name="monthcount_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} v{self.version}: {self.n}"


class MonthIndicators(models.Model):
    """The sums of every indicator term (`indicators.SPECS`) of a month per department and
    person, for one placing instant, and the handling times closed in it (seconds → how
    many, so the 90th percentile of any run of months is exact)."""

    month = models.DateField()
    version = models.PositiveIntegerField()
    placement = models.CharField(max_length=16)
    department_id = models.IntegerField(null=True)
    handler_id = models.IntegerField(null=True)
    sums = models.JSONField(default=dict, encoder=CompactJSONEncoder)  # term key → sum
    durations = models.JSONField(default=dict, encoder=CompactJSONEncoder)

    class Meta:
        indexes = [models.Index(fields=["version", "month"], name="monthindicators_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} v{self.version} {self.placement}"


class Watermark(models.Model):
    """How far `catch_up` has read the timeline: the highest event id it has seen, and the
    ids below it that were not there yet (another transaction may commit them later)."""

    last_event_id = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=dict, encoder=CompactJSONEncoder)  # id → first seen (ISO)

    def __str__(self) -> str:
        return f"statistics read to event {self.last_event_id}"


class StatisticsSettings(models.Model):
    """The statistics' policy (one row, pk=1), edited by an administrator."""

    repeat_window_days = models.PositiveSmallIntegerField(
        _("repeat complaint: same customer and product or project within (days)"), default=90
    )
    freeze_grace_days = models.PositiveSmallIntegerField(
        _("freeze a month's figures this many days after it ends"), default=5
    )

    class Meta:
        verbose_name = _("statistics settings")
        verbose_name_plural = _("statistics settings")

    def __str__(self) -> str:
        return str(_("Statistics settings"))

    @classmethod
    def current(cls) -> "StatisticsSettings":
        return cls.objects.get_or_create(pk=1)[0]


class StatisticsEventType(models.TextChoices):
    FROZEN = "frozen", _("Month frozen")
    RESTATED = "restated", _("Month restated")


class StatisticsEvent(AppendOnlyModel):
    """Append-only: a month's figures frozen, or restated with a reason."""

    type = models.CharField(_("event"), max_length=10, choices=StatisticsEventType.choices)
    month = models.DateField(_("month"))
    version = models.PositiveIntegerField(_("version"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=CompactJSONEncoder)

    class Meta:
        verbose_name = _("statistics event")
        verbose_name_plural = _("statistics events")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="statistics_month_version")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} v{self.version} {self.type}"
