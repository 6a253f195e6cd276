"""Tables of the complaint domain. Writes go through `kesu.complaints.actions` only."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kesu.complaints import limits
from kesu.complaints.choices import (
    OPEN_STATE_LIST,
    Channel,
    ContactMethod,
    Determination,
    EventType,
    Kind,
    Severity,
    SkipReason,
    State,
    SurveyScale,
    Visibility,
)
from kesu.core.append_only import AppendOnlyModel
from kesu.core.compact_json import CompactJSONEncoder
from kesu.core.epoch import EpochSecondsField


class Category(models.Model):
    """A node of the configurable category tree (SPEC §3)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    default_department = models.ForeignKey(
        "accounts.Department",
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("default responsible department"),
    )
    default_severity = models.PositiveSmallIntegerField(
        _("default severity"),
        choices=Severity.choices,
        default=Severity.LEVEL_3,
    )
    product_determination = models.BooleanField(
        _("needs the three-way product determination"),
        default=False,
    )
    quality_notice = models.BooleanField(
        _("notify the general manager and management representative"),
        default=False,
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=500,
        blank=True,
        help_text=_(
            "Words that suggest this category while a complaint is typed, separated by spaces."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Complaint(models.Model):
    """The complaint record, 《客户投诉登记表》 (SPEC §2)."""

    number = models.CharField(_("number"), max_length=limits.NUMBER, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMPLAINT)
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    version = models.PositiveIntegerField(_("version"), default=1)

    # what happened
    title = models.CharField(_("title"), max_length=limits.TITLE)
    description = models.TextField(_("description"))  # limits.DESCRIPTION, checked on entry
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    occurred_place = models.CharField(
        _("where it happened"), max_length=limits.OCCURRED_PLACE, blank=True
    )
    demand = models.TextField(_("customer's demand"), blank=True)  # limits.DEMAND
    claim_amount = models.DecimalField(
        _("claimed amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )

    # complainant
    complainant_name = models.CharField(
        _("complainant"), max_length=limits.COMPLAINANT_NAME, blank=True
    )
    complainant_org = models.CharField(
        _("organisation"), max_length=limits.COMPLAINANT_ORG, blank=True
    )
    complainant_phone = models.CharField(_("phone"), max_length=limits.PHONE, blank=True)
    complainant_email = models.EmailField(_("e-mail"), max_length=limits.EMAIL, blank=True)
    complainant_address = models.CharField(_("address"), max_length=limits.ADDRESS, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)

    # subject: product and/or project
    product_model = models.CharField(
        _("product model"), max_length=limits.PRODUCT_MODEL, blank=True
    )
    batch_no = models.CharField(_("batch / lot number"), max_length=limits.BATCH_NO, blank=True)
    order_no = models.CharField(_("order number"), max_length=limits.ORDER_NO, blank=True)
    ship_date = models.DateField(_("ship date"), null=True, blank=True)
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    project_name = models.CharField(_("project"), max_length=limits.PROJECT_NAME, blank=True)
    project_location = models.CharField(
        _("location / part of the building"), max_length=limits.PROJECT_LOCATION, blank=True
    )

    # classification and responsibility
    category = models.ForeignKey(
        Category, models.PROTECT, verbose_name=_("category"), db_index=False
    )
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    severity_proposed = models.PositiveSmallIntegerField(
        _("proposed severity"),
        choices=Severity.choices,
    )
    severity_reason = models.TextField(_("reason for the severity"), blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("responsible department"),
        db_index=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_complaints",
        verbose_name=_("owner"),
        db_index=False,
    )
    accused = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member complained about"),
        db_index=False,
        help_text=_("This person never sees the complaint (protects the complainant)."),
    )
    read_back = models.BooleanField(_("read back to and confirmed by the customer"), default=False)
    sensitive = models.BooleanField(_("sensitive"), default=False)

    # investigation
    determination = models.CharField(
        _("determination"),
        max_length=16,
        choices=Determination.choices,
        blank=True,
    )
    qa_determination = models.CharField(
        _("QA determination"),
        max_length=16,
        choices=Determination.choices,
        blank=True,
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    responsible_department = models.ForeignKey(
        "accounts.Department",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department responsible for the cause"),
        db_index=False,
    )
    responsible_person = models.CharField(
        _("person responsible for the cause"), max_length=limits.RESPONSIBLE_PERSON, blank=True
    )

    # progress
    registered_at = models.DateTimeField(_("registered"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
        db_index=False,
    )
    promised_at = models.DateTimeField(_("promised handling deadline"), null=True, blank=True)
    last_customer_update_at = models.DateTimeField(
        _("last update to the customer"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    waiting_since = models.DateTimeField(
        _("waiting for the customer since"),
        null=True,
        blank=True,
        help_text=_("Time limits are paused while the complaint waits for the customer."),
    )
    # Kept by the deadline engine (kesu.deadlines.engine) in the same transaction as
    # every event: the earliest due time of the running clocks, and the next instant the
    # sweeper has something to do (warn, breach, escalate). Only the latter is indexed.
    due_at = EpochSecondsField(_("due"), null=True, blank=True)
    next_check_at = EpochSecondsField(_("next deadline check"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    return_visit_skip = models.CharField(
        _("return visit skipped because"),
        max_length=20,
        choices=SkipReason.choices,
        blank=True,
    )
    satisfaction_pct = models.DecimalField(
        _("satisfaction (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
    )
    merged_into = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_complaints",
        verbose_name=_("merged into"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            # The list is newest first; the cursor is (registered_at, id).
            models.Index(fields=["registered_at"], name="complaint_registered"),
            # Work lists by state: a small index over the open complaints only. Its condition
            # is `closed_at IS NULL` (open ⟺ no closing time, see the constraint) because
            # SQLite matches a partial index only against literal conditions, and Django
            # sends `state IN (…)` values as parameters. It also carries every column the
            # workspace's tab counts and dashboard filter on (department, owner, due time,
            # accused), so those counts read this index alone, never the table: at 1M
            # complaints that is 15 ms instead of 250 ms, for 0.1 MiB per 100k more.
            models.Index(
                fields=["state", "registered_at", "department", "owner", "due_at", "accused"],
                name="complaint_open_work",
                condition=Q(closed_at__isnull=True),
            ),
            # The deadline sweeper reads only what is due: its cost follows the due clocks.
            models.Index(
                fields=["next_check_at"],
                name="complaint_next_check",
                condition=Q(next_check_at__isnull=False),
            ),
            models.Index(
                fields=["complainant_phone"],
                name="complaint_phone",
                condition=~Q(complainant_phone=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(state__in=OPEN_STATE_LIST) & Q(closed_at__isnull=True))
                | (~Q(state__in=OPEN_STATE_LIST) & Q(closed_at__isnull=False)),
                name="complaint_closed_at_iff_finished",
                violation_error_message=_(
                    "A finished complaint has a closing time; an open one has none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def effective_determination(self) -> str:
        """QA's word settles an undeterminable case."""
        return self.qa_determination or self.determination

    @property
    def return_visit_settled(self) -> bool:
        return self.satisfaction_pct is not None or bool(self.return_visit_skip)


class ComplaintEvent(AppendOnlyModel):
    """One entry of a complaint's timeline: append-only, never edited or deleted.

    Notifications and statistics read their facts from this table.
    """

    complaint = models.ForeignKey(
        Complaint, models.PROTECT, related_name="events", verbose_name=_("complaint")
    )
    type = models.CharField(_("event"), max_length=24, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        db_index=False,
    )
    at = models.DateTimeField(_("at"))
    from_state = models.CharField(_("from"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=State.choices, blank=True)
    # Stored as a flag (0 bytes in SQLite for "internal") rather than text; `visibility`
    # below speaks the Visibility enum, as the API does.
    customer_visible = models.BooleanField(_("visible to the customer"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=CompactJSONEncoder)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.type} {self.at:%Y-%m-%d %H:%M}"

    @property
    def visibility(self) -> Visibility:
        return Visibility.CUSTOMER if self.customer_visible else Visibility.INTERNAL

    @visibility.setter
    def visibility(self, value: Visibility | str) -> None:
        self.customer_visible = Visibility(value) == Visibility.CUSTOMER


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.complaint.registered_at:%Y/%m}/{instance.sha256}"


class Attachment(models.Model):
    """Evidence: photos, documents, audio (SPEC §2)."""

    complaint = models.ForeignKey(
        Complaint, models.PROTECT, related_name="attachments", verbose_name=_("complaint")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    visibility = models.CharField(
        _("visibility"),
        max_length=8,
        choices=Visibility.choices,
        default=Visibility.INTERNAL,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    FILED = "filed", _("Filed (no approval needed)")
    REJECTED = "rejected", _("Rejected")


class Plan(models.Model):
    """A treatment plan: measures with owners and deadlines, and the cost split (SPEC §4, §6)."""

    complaint = models.ForeignKey(
        Complaint, models.PROTECT, related_name="plans", verbose_name=_("complaint")
    )
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices)
    measures = models.JSONField(_("measures"), encoder=CompactJSONEncoder)
    cost_proposed = models.JSONField(_("proposed cost split"), encoder=CompactJSONEncoder)
    cost = models.JSONField(_("cost split"), encoder=CompactJSONEncoder)
    cost_reason = models.TextField(_("reason for changing the cost split"), blank=True)
    in_warranty = models.BooleanField(_("in warranty"), null=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    expert_review = models.TextField(_("expert review"), blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} plan {self.pk} ({self.status})"


class ReturnVisit(models.Model):
    """A return visit with its survey (SPEC §4, §8)."""

    complaint = models.ForeignKey(
        Complaint, models.PROTECT, related_name="return_visits", verbose_name=_("complaint")
    )
    method = models.CharField(_("method"), max_length=12, choices=ContactMethod.choices)
    scale = models.PositiveSmallIntegerField(_("scale"), choices=SurveyScale.choices)
    answers = models.JSONField(_("answers"), encoder=CompactJSONEncoder)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=1)
    max_points = models.DecimalField(_("maximum points"), max_digits=6, decimal_places=1)
    satisfaction_pct = models.DecimalField(_("satisfaction (%)"), max_digits=5, decimal_places=1)
    remarks = models.TextField(_("remarks"), blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("visited by"),
    )
    visited_at = models.DateTimeField(_("visited"))

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.satisfaction_pct}%"


class NumberSequence(models.Model):
    """The last number handed out per prefix (e.g. KS202611); one row per month."""

    prefix = models.CharField(max_length=32, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"


class IdempotencyKey(models.Model):
    """Registration requests already served, so a retried request returns the same complaint."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=limits.IDEMPOTENCY_KEY)
    request_hash = models.CharField(max_length=64)
    complaint = models.ForeignKey(Complaint, models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key"),
        ]

    def __str__(self) -> str:
        return self.key
