"""The registration form's fields, read back into the API's `RegisterIn` shape.

Inputs are named by their path in that shape ("complainant.phone"), so pydantic's errors
and the domain's (which speak of `NewComplaint` attributes) land on the input they are about.
"""

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

from kesu.complaints.schemas import ComplainantIn, ProductIn, ProjectIn, RegisterIn
from kesu.workspace.action_forms import error_id, local_to_iso

NESTED: dict[str, type[BaseModel]] = {
    "complainant": ComplainantIn,
    "product": ProductIn,
    "project": ProjectIn,
}
CHECKBOXES = {"read_back", "sensitive", "complainant.anonymous"}
LOCAL_DATETIMES = {"occurred_at"}

# the domain's names (NewComplaint attributes) → the form's
DOMAIN_FIELDS = {
    "complainant": "complainant.name",
    "complainant_name": "complainant.name",
    "complainant_org": "complainant.organisation",
    "complainant_phone": "complainant.phone",
    "complainant_email": "complainant.email",
    "complainant_address": "complainant.address",
    "product_model": "product.model",
    "batch_no": "product.batch_no",
    "order_no": "product.order_no",
    "ship_date": "product.ship_date",
    "arrival_date": "product.arrival_date",
    "quantity": "product.quantity",
    "project_name": "project.name",
    "project_location": "project.location",
}


def _max_lengths() -> dict[str, int]:
    """Each input's text limit, read from RegisterIn (which reads kesu.complaints.limits):
    the browser stops typing there, and the server refuses longer values anyway."""
    found = {}
    for name, info in RegisterIn.model_fields.items():
        fields = NESTED[name].model_fields.items() if name in NESTED else [(None, info)]
        for sub, sub_info in fields:
            for item in sub_info.metadata:
                if isinstance(limit := getattr(item, "max_length", None), int):
                    found[f"{name}.{sub}" if sub else name] = limit
    return found


MAX_LENGTHS = _max_lengths()


def payload_of(data: QueryDict) -> dict[str, Any]:
    """The posted form in RegisterIn's shape; empty optional inputs take the schema default."""
    payload: dict[str, Any] = {group: {} for group in NESTED}
    for name, info in RegisterIn.model_fields.items():
        if name in NESTED:
            for sub, sub_info in NESTED[name].model_fields.items():
                _put(payload[name], f"{name}.{sub}", sub, sub_info, data)
        else:
            _put(payload, name, name, info, data)
    return payload


def _put(target: dict, key: str, name: str, info, data: QueryDict) -> None:
    if key in CHECKBOXES:
        target[name] = key in data
        return
    raw = data.get(key, "").strip() if name not in ("description", "demand") else data.get(key, "")
    if raw == "" and not info.is_required():
        return
    target[name] = local_to_iso(raw) if key in LOCAL_DATETIMES and raw else raw


def form_errors(errors: dict[str, Any]) -> dict[str, str]:
    """Errors keyed by the form's input names."""
    return {DOMAIN_FIELDS.get(key, key): str(message) for key, message in errors.items()}


# the inputs' labels: register.html shows them ({% field %}, {% label_of %}), and the summary
# of errors at the top names the inputs by them
LABELS = {
    "complainant.phone": _("Phone"),
    "complainant.name": _("Name"),
    "complainant.organisation": _("Organisation"),
    "complainant.email": _("E-mail"),
    "complainant.address": _("Address"),
    "complainant.anonymous": _("Anonymous"),
    "title": _("Title"),
    "description": _("What happened"),
    "demand": _("What the customer asks for"),
    "occurred_at": _("When it happened"),
    "occurred_place": _("Where"),
    "claim_amount": _("Claimed amount (¥)"),
    "product.model": _("Model"),
    "product.batch_no": _("Batch"),
    "product.order_no": _("Order number"),
    "product.quantity": _("Quantity"),
    "product.ship_date": _("Shipped"),
    "product.arrival_date": _("Arrived"),
    "project.name": _("Project"),
    "project.location": _("Project location"),
    "category": _("Category"),
    "severity": _("Severity"),
    "department": _("Responsible department"),
    "severity_reason": _("Why the severity differs from the proposal"),
    "files": _("Photos and documents"),
    "sensitive": _("Sensitive (no return visit, restricted)"),
    "solution": _("How it was resolved"),
    "customer_confirmed": _("The customer confirmed the solution"),
    "read_back": _("I read the record back to the customer and they confirmed it"),
}


def error_summary(errors: dict[str, str]) -> list[dict[str, Any]]:
    """Every error at once, for the top of the form: its field's label and a link to it."""
    return [
        {"label": LABELS.get(key, ""), "message": message, "anchor": error_id(key)}
        for key, message in errors.items()
    ]
