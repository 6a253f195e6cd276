"""Workspace pages without a browser: who may open what, and the attachment download."""

import pytest
from django.test import Client

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
