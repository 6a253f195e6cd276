"""The reply templates (常用回复) offered on a complaint's page, filled in."""

from django import template

from kesu.notifications.replies import for_complaint

register = template.Library()


@register.simple_tag
def reply_choices(complaint):
    return for_complaint(complaint)
