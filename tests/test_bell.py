"""The bell's unread count: one query on every workspace page, capped however large the
backlog (issue #14 point 19)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kesu.notifications import actions
from kesu.notifications.choices import NotificationChannel, NotificationState
from kesu.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _in_app(user, count: int, *, read: bool = False) -> None:
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            channel=NotificationChannel.IN_APP,
            template="owner_assigned",
            recipient=user,
            language="zh-hans",
            subject=f"通知 {i}",
            body="",
            state=NotificationState.SENT,
            sent_at=now,
            created_at=now,
            read_at=now if read else None,
        )
        for i in range(count)
    )


def test_the_count_is_one_query_and_stops_past_the_cap(people):
    user = people.handler_east
    _in_app(user, actions.UNREAD_SHOWN + 30)
    _in_app(user, 5, read=True)
    _in_app(people.handler_north, 3)
    with CaptureQueriesContext(connection) as queries:
        assert actions.unread_count(user) == actions.UNREAD_SHOWN + 1
    assert len(queries) == 1
    assert actions.unread_count(people.handler_north) == 3


def test_every_page_shows_the_capped_count_and_mark_all_read_clears_it(people):
    user = people.handler_east
    _in_app(user, actions.UNREAD_SHOWN + 1)
    client = Client()
    client.force_login(user)
    page = client.get("/inbox/").content.decode()
    assert 'data-role="unread">99+<' in page
    response = client.post("/notifications/read-all", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert actions.unread_count(user) == 0
    assert 'data-role="unread"' not in client.get("/inbox/").content.decode()


def test_a_person_cannot_mark_someone_elses_notification(people):
    _in_app(people.handler_north, 1)
    theirs = Notification.objects.get(recipient=people.handler_north)
    client = Client()
    client.force_login(people.handler_east)
    assert client.post(f"/notifications/{theirs.pk}/read").status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(f"/notifications/{theirs.pk}/read").status_code == 405


def test_the_list_pages_back_through_older_notifications(people):
    from kesu.notifications import views

    user = people.handler_east
    _in_app(user, views.PAGE_SIZE + 2)
    client = Client()
    client.force_login(user)
    first = client.get("/notifications/").content.decode()
    assert first.count('class="unread" data-id=') == views.PAGE_SIZE
    older = first.split('data-role="older"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get("/notifications/" + older.replace("&amp;", "&")).content.decode()
    assert second.count('class="unread" data-id=') == 2 and 'data-role="older"' not in second
    assert client.get("/notifications/?cursor=nonsense").status_code == 200
