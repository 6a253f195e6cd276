"""Reply templates (常用回复): wording staff pick when they write to the customer, with the
complaint's fields filled in.

Filling is plain substitution of `{{ name }}` placeholders from a fixed list, one pass, values
taken literally: never the Django template engine, so a template can read nothing but these
fields, and a customer's own words (a title holding "{{ owner }}") are not filled in again.
"""

from __future__ import annotations

import re

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Complaint
from kesu.complaints.queries import categories_by_id, category_ancestors
from kesu.notifications.models import ReplyTemplate

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")

# the fields a reply may use, and what each holds (shown to the admin)
FIELDS = {
    "number": _("the complaint's number"),
    "title": _("its title"),
    "customer": _("the customer's name (empty when anonymous)"),
    "category": _("its category"),
    "owner": _("the owner's name"),
    "department": _("the responsible department"),
    "promised": _("the promised date and time"),
    "registered": _("when it was registered"),
}


def unknown_placeholders(body: str) -> list[str]:
    """The placeholders of `body` that are not among `FIELDS` (for the admin's form)."""
    return sorted({name for name in PLACEHOLDER.findall(body) if name not in FIELDS})


def _local(instant) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M") if instant else ""


def values(complaint: Complaint) -> dict[str, str]:
    category = categories_by_id().get(complaint.category_id)
    owner = complaint.owner if complaint.owner_id else None
    return {
        "number": complaint.number,
        "title": complaint.title,
        "customer": "" if complaint.anonymous else complaint.complainant_name,
        "category": category.name if category else "",
        "owner": (owner.get_full_name() or owner.username) if owner else "",
        "department": complaint.department.name if complaint.department_id else "",
        "promised": _local(complaint.promised_at),
        "registered": _local(complaint.registered_at),
    }


def fill(body: str, fields: dict[str, str]) -> str:
    """`body` with each known placeholder replaced by its value, literally; others are kept."""
    return PLACEHOLDER.sub(lambda m: fields.get(m.group(1), m.group(0)), body)


def for_complaint(complaint: Complaint) -> list[tuple[int, str, str]]:
    """The active replies for the complaint's category (one above it, or every category),
    filled in: (id, name, text)."""
    categories = category_ancestors(complaint.category_id) if complaint.category_id else []
    rows = ReplyTemplate.objects.filter(
        Q(category__isnull=True) | Q(category__in=categories), active=True
    ).order_by("position", "name", "id")
    fields = values(complaint)
    return [(r.pk, r.name, fill(r.body, fields)) for r in rows]
