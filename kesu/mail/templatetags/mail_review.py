"""`{% held_mail_notice %}`: the count of mail held for review, for those who may review it."""

from django import template
from django.urls import reverse

from kesu.mail import review
from kesu.mail.choices import MailOutcome

register = template.Library()


@register.inclusion_tag("mail/_held_notice.html", takes_context=True)
def held_mail_notice(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not review.may_review(user):
        return {"held": 0}
    url = reverse("admin:mail_inboundmail_changelist") + f"?outcome={MailOutcome.HELD.value}"
    held = review.held_count()
    return {"held": held.count, "shown": held.shown, "url": url}
