"""Policy as data: every number of SPEC.md is a row an administrator can change."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kesu.complaints.choices import Channel, Kind, Severity, SurveyScale
from kesu.policies.choices import ClockKind, TimeBasis, TimeUnit


class Policy(models.Model):
    """The company-wide rules. There is one row (pk=1); `Policy.current()` reads it."""

    number_pattern = models.CharField(
        _("complaint number pattern"),
        max_length=40,
        default="KS{YYYYMM}{seq:05d}",
        help_text=_(
            "Placeholders: {YYYY}, {YY}, {MM}, {YYYYMM}, {seq:05d}. "
            "The sequence restarts whenever the rest of the number changes."
        ),
    )
    level1_claim_amount = models.DecimalField(
        _("claim amount that makes a complaint level 1 (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("50000"),
    )
    level1_channels = models.JSONField(
        _("channels that make a complaint level 1"),
        default=list,
        blank=True,
        help_text=_("Channel codes, e.g. consumer_association, government, media, legal."),
    )
    handler_transport_penalty_pct = models.PositiveSmallIntegerField(
        _("handler's share of the transport cost for an avoidable return (%)"),
        default=50,
        validators=[MinValueValidator(30), MaxValueValidator(60)],
    )
    progress_update_working_days = models.PositiveSmallIntegerField(
        _("progress update to the customer at least every (working days)"),
        default=3,
    )
    recurrence_count = models.PositiveSmallIntegerField(
        _("recurring cause: complaints"),
        default=3,
    )
    recurrence_window_days = models.PositiveSmallIntegerField(
        _("recurring cause: within days"),
        default=30,
    )
    deadline_warn_pct = models.PositiveSmallIntegerField(
        _("warn the owner at this share of a time limit (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    breach_escalation_working_days = models.DecimalField(
        _("after a breach, tell the executives this many working days later"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    audit_sample_pct = models.PositiveSmallIntegerField(
        _("closed complaints sampled for audit each month (%)"),
        default=5,
        validators=[MaxValueValidator(100)],
    )

    customer_link_days = models.PositiveSmallIntegerField(
        _("customer links stay open after closing (days)"),
        default=90,
        help_text=_(
            "A customer's private link shows the complaint until this many days after it is "
            "closed, withdrawn, marked invalid or merged."
        ),
    )
    mail_thread_window_days = models.PositiveSmallIntegerField(
        _("e-mail replies without thread headers join a complaint within (days)"),
        default=14,
        help_text=_(
            "A reply whose subject is the same after 回复/Re/转发 and the complaint number are "
            "left out, from the complaint's own customer, joins that open complaint when the "
            "last mail of the conversation came within this many days. 0 turns this off."
        ),
    )
    survey_scale = models.PositiveSmallIntegerField(
        _("scale of the customer's online survey"),
        choices=SurveyScale.choices,
        default=SurveyScale.FIVE,
    )

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policy")

    def __str__(self) -> str:
        return str(_("Company policy"))

    @classmethod
    def current(cls) -> "Policy":
        policy, _created = cls.objects.get_or_create(
            pk=1, defaults={"level1_channels": list(DEFAULT_LEVEL1_CHANNELS)}
        )
        return policy


DEFAULT_LEVEL1_CHANNELS = ("consumer_association", "government", "media", "legal")


class SeverityKeyword(models.Model):
    """A word in a complaint's text that suggests a severity (SPEC §3)."""

    word = models.CharField(_("word"), max_length=40, unique=True)
    level = models.PositiveSmallIntegerField(
        _("suggested level"),
        choices=[(s.value, s.label) for s in Severity if s != Severity.LEVEL_3],
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("severity keyword")
        verbose_name_plural = _("severity keywords")
        ordering = ["level", "word"]

    def __str__(self) -> str:
        return self.word


class ClockPolicy(models.Model):
    """One time limit of SPEC §5, optionally narrowed to a severity, category, channel or kind.

    The most specific active row wins; the engine that runs the clocks reads these rows.
    """

    clock = models.CharField(_("clock"), max_length=32, choices=ClockKind.choices)
    limit = models.DecimalField(_("limit"), max_digits=8, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=8, choices=TimeUnit.choices)
    basis = models.CharField(_("basis"), max_length=8, choices=TimeBasis.choices)
    severity = models.PositiveSmallIntegerField(
        _("only for level"), choices=Severity.choices, null=True, blank=True
    )
    category = models.ForeignKey(
        "complaints.Category",
        models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("only for category"),
    )
    channel = models.CharField(
        _("only for channel"), max_length=32, choices=Channel.choices, blank=True
    )
    kind = models.CharField(_("only for kind"), max_length=16, choices=Kind.choices, blank=True)
    starts_on = models.JSONField(
        _("starts on"),
        default=list,
        blank=True,
        help_text=_(
            "Timeline events that start the clock, e.g. register, accept. "
            "'contact:sampling_needed' needs that flag in the event; 'propose_plan@treating' "
            "needs the event to leave the complaint in that state."
        ),
    )
    stops_on = models.JSONField(
        _("met by"),
        default=list,
        blank=True,
        help_text=_(
            "Timeline events that meet the clock. 'customer_update' is any message the "
            "customer sees."
        ),
    )
    repeats = models.BooleanField(
        _("repeats"),
        default=False,
        help_text=_("Restarts after each time it is met, while the state stays the same."),
    )
    active = models.BooleanField(_("active"), default=True)
    # A change the administrator made for new complaints only ends the old row and starts a
    # new one: each applies to the complaints registered in its own span of time.
    registered_from = models.DateTimeField(
        _("applies to complaints registered from"), null=True, blank=True, editable=False
    )
    registered_before = models.DateTimeField(
        _("applies to complaints registered before"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["clock", "severity"]

    def __str__(self) -> str:
        return _("%(clock)s: %(limit)s %(unit)s") % {
            "clock": self.get_clock_display(),
            "limit": self.limit,
            "unit": self.get_unit_display(),
        }

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from kesu.complaints.choices import EventType

        known = {*EventType.values, "customer_update"}
        errors: dict[str, str | Promise] = {}
        for name in ("starts_on", "stops_on"):
            value = getattr(self, name)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[name] = _("A list of event names.")
                continue
            unknown = [v for v in value if v.partition("@")[0].partition(":")[0] not in known]
            if unknown:
                errors[name] = _("Unknown event: %(name)s") % {"name": unknown[0]}
        if self.limit is not None and self.limit <= 0:
            errors["limit"] = _("The limit must be more than zero.")
        if errors:
            raise ValidationError(errors)
