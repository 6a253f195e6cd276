"""The reply templates (常用回复) offered on a complaint's page, filled in."""

from django import template

from kesu.complaints.choices import TO_CUSTOMER_FIELD
from kesu.notifications.replies import for_complaint

register = template.Library()


@register.simple_tag
def reply_choices(complaint):
    return for_complaint(complaint)


@register.simple_tag
def reply_field(action) -> str:
    """The field of the action's form that goes to the customer ("" for none)."""
    return TO_CUSTOMER_FIELD.get(action, "")
