"""The writes a person makes to their own in-app notifications."""

from django.db.models import QuerySet
from django.utils import timezone

from kesu.accounts.models import User
from kesu.notifications.choices import NotificationChannel
from kesu.notifications.models import Notification


def inbox(user: User) -> QuerySet[Notification]:
    """The person's in-app notifications."""
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP)


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one notification read (or, with no id, all of them); the first reading time stays.
    Returns how many were marked now."""
    unread = inbox(user).filter(read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


UNREAD_SHOWN = 99  # the bell says "99+" past this


def unread_count(user: User) -> int:
    """How many of the person's notifications are unread, counted up to `UNREAD_SHOWN` + 1:
    one query on the partial `notification_unread` index, whatever the backlog."""
    unread = inbox(user).filter(read_at__isnull=True).values("pk")[: UNREAD_SHOWN + 1]
    return unread.count()
