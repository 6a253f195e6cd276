"""The customer's forms: the public complaint form and the portal's answers.

They only parse and check what a customer can type; the rules (what a complaint needs, which
state allows what) stay in the domain, whose refusals are shown next to the field they name.
The limits are the complaint's own (`kesu.complaints.limits`): the public form's are those of
registration, the portal's answers those of the same actions through the API and the
workspace. Its phone is read as every entrance reads one (`kesu.core.phones`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.complaints import limits
from kesu.complaints.choices import Kind
from kesu.complaints.queries import categories_by_code
from kesu.complaints.satisfaction import ANSWER_LABELS, SCALE_POINTS, SURVEY_QUESTIONS
from kesu.core import phones

HONEYPOT = "homepage"  # a field people never see: only robots fill it in


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class TelInput(forms.TextInput):
    """Phones and tablets show the telephone keypad; browsers offer the saved number."""

    input_type = "tel"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "tel", "autocomplete": "tel", **(attrs or {})})


class PhoneField(forms.CharField):
    """A phone number however it is written, cleaned to its stored form (E.164)."""

    widget = TelInput

    def __init__(self, **kwargs):
        super().__init__(max_length=limits.PHONE, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            return phones.normalise(text)
        except phones.InvalidPhone as error:
            raise forms.ValidationError(str(error), code="invalid") from None


def _category_choices() -> list[tuple[str, str]]:
    top = [c for c in categories_by_code().values() if c.active and c.parent_id is None]
    unsure = str(_("I am not sure (we will classify it)"))  # in the request's language
    return [("", unsure), *[(c.code, str(c)) for c in top]]


class PublicComplaintForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it?"), choices=Kind.choices, initial=Kind.COMPLAINT)
    title = forms.CharField(label=_("Subject"), max_length=limits.TITLE)
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=limits.DESCRIPTION,
    )
    category = forms.ChoiceField(label=_("About"), required=False)
    occurred_on = forms.DateField(
        label=_("When did it happen"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    occurred_place = forms.CharField(
        label=_("Where"), max_length=limits.OCCURRED_PLACE, required=False
    )
    demand = forms.CharField(
        label=_("What would you like us to do"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.DEMAND,
        required=False,
    )
    claim_amount = forms.DecimalField(
        label=_("Amount claimed (yuan)"), min_value=0, max_digits=14, required=False
    )
    product_model = forms.CharField(
        label=_("Product model"), max_length=limits.PRODUCT_MODEL, required=False
    )
    batch_no = forms.CharField(
        label=_("Batch / lot number"), max_length=limits.BATCH_NO, required=False
    )
    order_no = forms.CharField(label=_("Order number"), max_length=limits.ORDER_NO, required=False)
    project_name = forms.CharField(
        label=_("Project"), max_length=limits.PROJECT_NAME, required=False
    )
    project_location = forms.CharField(
        label=_("Building / part"), max_length=limits.PROJECT_LOCATION, required=False
    )
    name = forms.CharField(label=_("Your name"), max_length=limits.COMPLAINANT_NAME, required=False)
    organisation = forms.CharField(
        label=_("Company"), max_length=limits.COMPLAINANT_ORG, required=False
    )
    phone = PhoneField(label=_("Phone"), required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=limits.EMAIL, required=False)
    address = forms.CharField(label=_("Address"), max_length=limits.ADDRESS, required=False)
    # a declared field: the form's metaclass moves it into `base_fields`, so the form's own
    # `files` (the uploads) is not shadowed, which mypy cannot see
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Photos or documents"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx,.txt"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the company stores these details and uses them to handle my "
            "complaint and to contact me about it."
        ),
    )
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = _category_choices()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("phone") or data.get("email")):
            message = _("Give a phone number or an e-mail address so that we can reach you.")
            self.add_error("phone", message)
        return data

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get(HONEYPOT))

    def contacts(self) -> list[str]:
        return [self.data.get("phone", ""), self.data.get("email", "")]


class AddInfoForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.ACTION_TEXT,
    )
    files = MultipleFileField(  # type: ignore[assignment]  # a declared field, as above
        label=_("Photos or documents"), required=False
    )


class ConfirmForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Are you satisfied with the result?"),
        choices=[("yes", _("Yes, I am satisfied")), ("no", _("No, I am not satisfied"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What is not resolved? (required when not satisfied)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.ACTION_TEXT,
        required=False,
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("What do you disagree with?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.ACTION_TEXT,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw the complaint?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.ACTION_TEXT,
    )


class SurveyForm(forms.Form):
    """One question per row of `SURVEY_QUESTIONS`, on the policy's scale (SPEC §8)."""

    remarks = forms.CharField(
        label=_("Anything else you want to tell us?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.ACTION_TEXT,
        required=False,
    )

    def __init__(self, *args, scale: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale = scale
        choices = [(code, ANSWER_LABELS[code]) for code in SCALE_POINTS[scale]]
        for i, question in enumerate(SURVEY_QUESTIONS):
            self.fields[f"q{i}"] = forms.ChoiceField(
                label=question, choices=choices, widget=forms.RadioSelect
            )
        self.order_fields([*(f"q{i}" for i in range(len(SURVEY_QUESTIONS))), "remarks"])

    def answers(self) -> list[str]:
        return [self.cleaned_data[f"q{i}"] for i in range(len(SURVEY_QUESTIONS))]
