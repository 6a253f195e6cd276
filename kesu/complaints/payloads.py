"""Validated payloads (the pydantic shapes of `schemas`) turned into the domain's arguments.

The REST API and the web workspace both validate what they receive with the same schemas and
then call these, so a username, a department code or a category code is resolved — and
refused with the field it came from — in one place.
"""

from typing import Any

from django.utils.translation import gettext as _

from kesu.accounts.models import Department, User
from kesu.complaints import actions, limits
from kesu.complaints.choices import Action
from kesu.complaints.errors import ComplaintError, FieldErrors, invalid
from kesu.complaints.models import Category
from kesu.complaints.queries import categories_by_code, departments_by_code
from kesu.complaints.schemas import ActionIn, RegisterIn


def category(code: str) -> Category:
    found = categories_by_code().get(code)
    if found is None:
        raise invalid("category", _("Unknown category “%(code)s”.") % {"code": code})
    return found


def department(code: str | None, field: str = "department") -> Department | None:
    if not code:
        return None
    found = departments_by_code().get(code)
    if found is None:
        raise invalid(field, _("Unknown department “%(code)s”.") % {"code": code})
    return found


def user(username: str | None, field: str) -> User | None:
    if not username:
        return None
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise invalid(field, _("Unknown user “%(username)s”.") % {"username": username})
    return found


def idempotency_key(text: str, field: str) -> str:
    """A registration's retry key as given, or refused when longer than a key is kept (never
    cut: two keys that differ only after the cut would be one)."""
    if (refusal := limits.too_long(text, limits.IDEMPOTENCY_KEY)) is not None:
        raise invalid(field, refusal)
    return text


def _resolved(errors: FieldErrors, resolve, *args):
    """`resolve(*args)`, or None with its refusal gathered into `errors`."""
    try:
        return resolve(*args)
    except ComplaintError as error:
        errors.absorb(error)
        return None


def new_complaint(payload: RegisterIn) -> actions.NewComplaint:
    """The domain's record; every reference that does not resolve is refused at once."""
    errors = FieldErrors()
    found_category = _resolved(errors, category, payload.category)
    found_department = _resolved(errors, department, payload.department)
    accused = _resolved(errors, user, payload.accused, "accused")
    errors.check()
    return actions.NewComplaint(
        kind=payload.kind,
        channel=payload.channel,
        title=payload.title,
        description=payload.description,
        category=found_category,
        occurred_at=payload.occurred_at,
        occurred_place=payload.occurred_place,
        demand=payload.demand,
        claim_amount=payload.claim_amount,
        complainant_name=payload.complainant.name,
        complainant_org=payload.complainant.organisation,
        complainant_phone=payload.complainant.phone,
        complainant_email=payload.complainant.email,
        complainant_address=payload.complainant.address,
        anonymous=payload.complainant.anonymous,
        product_model=payload.product.model,
        batch_no=payload.product.batch_no,
        order_no=payload.product.order_no,
        ship_date=payload.product.ship_date,
        arrival_date=payload.product.arrival_date,
        quantity=payload.product.quantity,
        project_name=payload.project.name,
        project_location=payload.project.location,
        department=found_department,
        accused=accused,
        read_back=payload.read_back,
        sensitive=payload.sensitive,
    )


def action_kwargs(action: Action, payload: ActionIn) -> dict[str, Any]:
    """The action's keyword arguments: references (usernames, codes) become domain objects."""
    data = payload.model_dump(exclude={"expected_version"})
    errors = FieldErrors()
    if "owner" in data:
        data["owner"] = _resolved(errors, user, data["owner"], "owner")
    if "department" in data:
        data["department"] = _resolved(errors, department, data["department"])
    if "responsible_department" in data:
        data["responsible_department"] = _resolved(
            errors, department, data["responsible_department"], "responsible_department"
        )
    if action == Action.PROPOSE_PLAN:
        data["measures"] = [
            actions.Measure(
                description=m["description"],
                owner=_resolved(errors, user, m["owner"], f"measures.{i}.owner"),
                deadline=m["deadline"],
            )
            for i, m in enumerate(data["measures"])
        ]
        data["repair_scope"] = data["repair_scope"] or ""
    errors.check()
    return data


def perform(action: Action, number: str, payload: ActionIn, actor: User):
    """Take the action on the complaint with a validated payload; the domain's refusals
    (ComplaintError) pass through to the caller."""
    verb = actions.ACTIONS[action].using(expected_version=payload.expected_version)
    return verb(number, actor=actor, **action_kwargs(action, payload))
