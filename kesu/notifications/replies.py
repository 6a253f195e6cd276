"""Reply templates (常用回复): wording staff pick when they write to the customer, with the
complaint's fields filled in.

Filling is plain substitution of `{{ name }}` placeholders from a fixed list, one pass, values
taken literally (`kesu.notifications.wording.fill`): never the Django template engine, so a
template can read nothing but these fields, and a customer's own words (a title holding
"{{ owner }}") are not filled in again.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from kesu.complaints.models import Complaint
from kesu.complaints.queries import categories_by_id, category_ancestors
from kesu.notifications.models import ReplyTemplate
from kesu.notifications.wording import fill


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
        "department": complaint.department.name if complaint.department else "",
        "promised": _local(complaint.promised_at),
        "registered": _local(complaint.registered_at),
    }


def for_complaint(complaint: Complaint) -> list[tuple[int, str, str]]:
    """The active replies for the complaint's category (one above it, or every category),
    filled in: (id, name, text)."""
    categories = category_ancestors(complaint.category_id) if complaint.category_id else []
    rows = ReplyTemplate.objects.filter(
        Q(category__isnull=True) | Q(category__in=categories), active=True
    ).order_by("position", "name", "id")
    fields = values(complaint)
    return [(r.pk, r.name, fill(r.body, fields)) for r in rows]
