from typing import cast

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.complaints.choices import Channel, EventType, State
from kesu.deadlines.clocks import CUSTOMER_UPDATE
from kesu.policies import actions
from kesu.policies.choices import LimitScope
from kesu.policies.models import ClockPolicy, Policy, SeverityKeyword

# Conditions the default time limits use (kesu.site.defaults); any other in a saved row is
# offered too, with a label built the same way.
CONDITIONED = ("contact:sampling_needed", "escalate@plan_approval", "propose_plan@treating")
FLAG_LABELS = {"sampling_needed": gettext_lazy("product sampling needed")}


def event_label(code: str) -> str:
    """A readable name for an event code of `starts_on`/`stops_on`."""
    if code == CUSTOMER_UPDATE:
        return _("Any message the customer sees")
    name, _at, state = code.partition("@")
    name, _colon, flag = name.partition(":")
    try:
        label = str(EventType(name).label)
    except ValueError:
        return code
    if flag:
        label = _("%(event)s, with “%(flag)s”") % {
            "event": label,
            "flag": FLAG_LABELS.get(flag, flag),
        }
    if state:
        try:
            state_label = str(State(state).label)
        except ValueError:
            state_label = state
        label = _("%(event)s, leaving the complaint in “%(state)s”") % {
            "event": label,
            "state": state_label,
        }
    return label


# The timeline's own bookkeeping (the ladder's steps, moved due times) neither starts nor
# meets a clock: not offered, unless a saved row already names one.
NOT_OFFERED = frozenset(
    {
        EventType.DEADLINE_WARNED,
        EventType.DEADLINE_BREACHED,
        EventType.DEADLINE_ESCALATED,
        EventType.TIME_LIMIT_CHANGED,
    }
)


def event_choices(*in_use: list[str]) -> list[tuple[str, str]]:
    offered = [v for v in EventType.values if v not in NOT_OFFERED]
    codes = [*offered, CUSTOMER_UPDATE, *CONDITIONED]
    for values in in_use:
        codes += [v for v in values or () if v not in codes]
    return [(code, event_label(code)) for code in codes]


class ClockPolicyForm(forms.ModelForm):
    starts_on = forms.MultipleChoiceField(
        label=gettext_lazy("starts on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The clock starts when one of these happens."),
    )
    stops_on = forms.MultipleChoiceField(
        label=gettext_lazy("met by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The clock is met when one of these happens."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("apply the change to"),
        choices=LimitScope.choices,
        initial=LimitScope.NEW_ONLY,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ClockPolicy
        fields = (
            "clock",
            "limit",
            "unit",
            "basis",
            "severity",
            "category",
            "channel",
            "kind",
            "starts_on",
            "stops_on",
            "repeats",
            "active",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        saved = self.instance
        choices = event_choices(saved.starts_on, saved.stops_on)
        for name in ("starts_on", "stops_on"):  # the MultipleChoiceFields declared above
            cast(forms.MultipleChoiceField, self.fields[name]).choices = choices


class PolicyForm(forms.ModelForm):
    level1_channels = forms.MultipleChoiceField(
        label=gettext_lazy("channels that make a complaint level 1"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Policy
        fields = (
            "number_pattern",
            "level1_claim_amount",
            "level1_channels",
            "handler_transport_penalty_pct",
            "progress_update_working_days",
            "recurrence_count",
            "recurrence_window_days",
            "deadline_warn_pct",
            "breach_escalation_working_days",
            "audit_sample_pct",
            "customer_link_days",
            "mail_thread_window_days",
            "survey_scale",
        )


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyForm  # channels chosen by name, not typed as a JSON list of codes

    def has_add_permission(self, request):
        return not Policy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SeverityKeyword)
class SeverityKeywordAdmin(admin.ModelAdmin):
    list_display = ("word", "level", "active")
    list_filter = ("level", "active")
    search_fields = ("word",)


@admin.register(ClockPolicy)
class ClockPolicyAdmin(admin.ModelAdmin):
    """Time limits: readable event choices, a preview of the open complaints a change would
    move, and the choice between new complaints only and open complaints too."""

    form = ClockPolicyForm
    preview_template = "admin/policies/clockpolicy/preview.html"
    list_display = (
        "clock",
        "limit",
        "unit",
        "basis",
        "severity",
        "category",
        "channel",
        "kind",
        "starts",
        "stops",
        "repeats",
        "active",
        "registered_from",
        "registered_before",
    )
    list_filter = ("clock", "basis", "active")
    readonly_fields = ("registered_from", "registered_before")

    @admin.display(description=gettext_lazy("starts on"))
    def starts(self, obj: ClockPolicy) -> str:
        return "、".join(event_label(c) for c in obj.starts_on or ())

    @admin.display(description=gettext_lazy("met by"))
    def stops(self, obj: ClockPolicy) -> str:
        return "、".join(event_label(c) for c in obj.stops_on or ())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_confirmed" not in request.POST:
            response = self._preview(request, object_id)
            if response is not None:
                return response
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _preview(self, request, object_id):
        """The page that lists the open complaints the change would move, before saving:
        asked for ("Preview"), or whenever open complaints are to move."""
        obj = self.get_object(request, object_id) if object_id else None
        form = self.get_form(request, obj, change=obj is not None)(request.POST, instance=obj)
        if not form.is_valid():
            return None  # the change form shows the errors
        scope = LimitScope(form.cleaned_data["scope"])
        if "_preview" not in request.POST and scope == LimitScope.NEW_ONLY:
            return None
        row = form.save(commit=False)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Preview the change of a time limit"),
            "row": row,
            "scope": scope,
            "preview": actions.preview(row),
            "posted": [
                (name, value)
                for name, values in request.POST.lists()
                if name not in ("csrfmiddlewaretoken", "_preview", "_save", "_continue")
                for value in values
            ],
        }
        return TemplateResponse(request, self.preview_template, context)

    def save_model(self, request, obj, form, change):
        scope = LimitScope(form.cleaned_data["scope"])
        moved = actions.change_time_limit(obj, actor=request.user, scope=scope)
        if scope == LimitScope.ALSO_OPEN:
            self.message_user(
                request,
                _("%(count)s open complaints had their due times moved.")
                % {"count": len({m.complaint.pk for m in moved})},
                messages.INFO,
            )
