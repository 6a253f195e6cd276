"""Workspace pages without a browser: who may open what, and the attachment download."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.conftest import PHOTO, complaint_payload

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_need_a_login(people):
    number = people.api(people.intake).post("/complaints", complaint_payload()).json()["number"]
    for path in ("/inbox/", f"/complaints/{number}"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_unknown_complaint_is_404_and_another_departments_is_403(people):
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload(category="service_quality")).json()[
        "number"
    ]
    intake.act(number, "accept", {"owner": people.handler_east.username})
    assert _client(people.handler_east).get(f"/complaints/{number}").status_code == 200
    assert _client(people.handler_north).get(f"/complaints/{number}").status_code == 403
    assert _client(people.handler_north).get("/complaints/KS20990199999").status_code == 404


def test_an_attachment_downloads_for_those_who_see_the_complaint(people):
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload()).json()["number"]
    attachment = intake.upload(number, "照片.jpg", PHOTO).json()
    path = f"/complaints/{number}/attachments/{attachment['id']}"
    response = _client(people.intake).get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PHOTO
    assert response["Content-Type"] == "image/jpeg"
    assert _client(people.handler_north).get(path).status_code == 403


def test_the_dashboard_counts_what_the_user_sees_and_links_into_the_inbox(people):
    intake = people.api(people.intake)
    quality = [intake.post("/complaints", complaint_payload()).json()["number"] for _ in range(2)]
    service = intake.post("/complaints", complaint_payload(category="service_quality")).json()
    body = _client(people.head_quality).get("/").content.decode()
    # the quality head sees the two quality complaints (level 2), not the service one
    assert 'href="/inbox/?tab=all&amp;category=product_quality&amp;severity=2' in body
    assert ">2</a>" in body and "service_quality" not in body
    executive = _client(people.executive).get("/").content.decode()
    assert "service_quality" in executive  # executives see the whole company
    assert 'class="figure">3<' in executive  # three open
    # the links land on the right rows
    inbox = (
        _client(people.head_quality)
        .get("/inbox/?tab=all&category=product_quality&severity=2")
        .content.decode()
    )
    assert all(n in inbox for n in quality) and service["number"] not in inbox


def test_inbox_filters_and_the_deadline_order(people):
    intake = people.api(people.intake)
    first = intake.post("/complaints", complaint_payload()).json()["number"]
    second = intake.post(
        "/complaints",
        complaint_payload(category="service_quality", title="态度差", description="客服态度差"),
    ).json()
    assert second["severity"] == 3
    client = _client(people.executive)
    body = client.get("/inbox/?tab=all&state=registered&severity=3").content.decode()
    assert second["number"] in body and first not in body
    body = client.get("/inbox/?tab=all&sort=due").content.decode()
    # nearest deadline first: the level-2 quality complaint has the shorter limit
    assert body.index(first) < body.index(second["number"])
    # nonsense in the query string is ignored, not an error page
    assert client.get("/inbox/?tab=all&state=x&severity=9&from=bad&sort=?").status_code == 200
    # and so is a day too far back to have a local midnight
    assert client.get("/inbox/?tab=all&from=0001-01-01").status_code == 200


def test_the_tab_counts_come_separately_and_only_owners_have_mine(people):
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload()).json()["number"]
    intake.act(number, "accept", {"owner": people.handler_quality.username})
    body = _client(people.handler_quality).get("/inbox/counts").content.decode()
    assert 'id="count-mine" hx-swap-oob="true">1<' in body
    clerk = _client(people.intake)
    assert 'id="count-mine"' not in clerk.get("/inbox/counts").content.decode()
    page = clerk.get("/inbox/").content.decode()
    assert "?tab=mine" not in page and number in page  # a clerk opens on the department tab


@override_settings(KESU_TRUSTED_PROXIES=["10.0.0.254"])
def test_failed_logins_behind_a_proxy_lock_out_the_guesser_not_everyone(people):
    """Five wrong passwords from one client lock that client out of the account; a
    colleague behind the same reverse proxy still logs in."""
    people.intake.set_password("pass-1234-word")
    people.intake.save()

    def log_in(client_ip: str, password: str):
        return Client().post(
            "/login/",
            {"username": people.intake.username, "password": password},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_FORWARDED_FOR=client_ip,
        )

    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("203.0.113.66", "wrong")
    assert log_in("203.0.113.66", "pass-1234-word").status_code != 302  # locked out
    assert log_in("203.0.113.7", "pass-1234-word").status_code == 302  # not locked out


def test_a_mangled_inbox_cursor_starts_again_at_the_first_page(people):
    people.api(people.intake).post("/complaints", complaint_payload())
    client = Client()
    client.force_login(people.intake)
    for sort in ("new", "due"):
        response = client.get("/inbox/", {"cursor": "garbage", "sort": sort})
        assert response.status_code == 200 and "阀门渗漏" in response.content.decode()
