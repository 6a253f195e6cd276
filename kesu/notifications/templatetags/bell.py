"""The bell in the workspace's header: the unread count, on every page."""

from django import template

from kesu.notifications import actions

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def bell(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    count = actions.unread_count(user)
    return {
        "show": True,
        "unread": count,
        "shown": f"{actions.UNREAD_SHOWN}+" if count > actions.UNREAD_SHOWN else str(count),
        "request": request,
    }
