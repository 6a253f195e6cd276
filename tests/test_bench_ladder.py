"""The bench's registration ladder (bench/ladder_urls.py) does what its rungs claim.

Its endpoints call into registration's internals (`actions._prepare`, `PreparedInsert`), so a
change there shows here, not only in the next `make bench`.
"""

import json

import pytest
from django.db import connection
from django.test import Client, override_settings

from bench import ladder_urls
from kesu.complaints.models import Complaint, ComplaintEvent
from tests.conftest import complaint_payload

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.ladder_urls")]


@pytest.fixture(autouse=True)
def _fresh_ladder():
    ladder_urls._first.clear()  # per worker process in the bench; per test here
    yield
    ladder_urls._first.clear()


@pytest.fixture
def post(people):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {people.api(people.intake).token}")

    def send(rung: str, **overrides):
        return client.post(
            f"/bench-ladder/{rung}",
            json.dumps(complaint_payload(**overrides)),
            content_type="application/json",
        )

    return send


def counts() -> tuple[int, int]:
    return Complaint.objects.count(), ComplaintEvent.objects.count()


def probe_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {ladder_urls.PROBE_TABLE}")  # noqa: S608 (ours)
        return cursor.fetchone()[0]


def test_the_first_request_registers_for_real_and_validate_writes_nothing_after(post):
    first = post("validate")
    assert first.status_code == 201
    assert counts() == (1, 1)
    assert first.json()["number"] == Complaint.objects.get().number

    again = post("validate", title="另一个标题")
    assert again.status_code == 201
    assert again.json() == first.json()  # the same record, as the bench needs
    assert counts() == (1, 1)


def test_validate_still_refuses_bad_input(post):
    post("validate")
    assert post("validate", channel="pigeon").status_code == 422
    assert post("validate", category="no-such-category").status_code == 422


def test_write_small_writes_one_probe_row_and_no_complaint(post):
    post("write_small")
    before = probe_rows()
    assert post("write_small").status_code == 201
    assert post("write_small").status_code == 201
    assert probe_rows() == before + 2
    assert counts() == (1, 1)


def test_write_rows_writes_registrations_rows_with_the_next_number(post):
    first = post("write_rows").json()
    assert post("write_rows").status_code == 201
    assert counts() == (2, 2)
    original, copy = Complaint.objects.order_by("pk")
    assert int(copy.number[-5:]) == int(original.number[-5:]) + 1
    assert copy.number[:-5] == original.number[:-5]
    assert first["number"] == original.number
    skip = {"id", "number"}
    fields = [f.attname for f in Complaint._meta.concrete_fields if f.attname not in skip]
    assert [getattr(copy, f) for f in fields] == [getattr(original, f) for f in fields]
    event = ComplaintEvent.objects.get(complaint=copy)
    assert event.type == ComplaintEvent.objects.get(complaint=original).type


@override_settings(ROOT_URLCONF="kesu.urls")
def test_the_product_does_not_mount_the_ladder(post):
    assert post("validate").status_code == 404
