"""The bench's registration ladder (bench/ladder_urls.py) does what its rungs claim.

Its endpoints repeat registration's numbering and rows through `PreparedInsert`, so a change
there shows here, not only in the next `make bench`.
"""

import json

import pytest
from django.db import connection
from django.test import Client, override_settings

from bench import ladder_urls
from kesu.complaints.models import Complaint, ComplaintEvent, NumberSequence
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


@pytest.mark.parametrize("rung", ["validate", "write_small", "write_rows"])
def test_every_rung_refuses_bad_input_as_the_product_does_and_writes_nothing(post, rung):
    post(rung)
    before = (counts(), probe_rows())
    for field, value in (("channel", "pigeon"), ("category", "nope")):
        response = post(rung, **{field: value})
        assert response.status_code == 422
        assert field in {error["field"] for error in response.json()["errors"]}
    assert (counts(), probe_rows()) == before


def test_write_small_writes_one_probe_row_and_no_complaint(post):
    post("write_small")
    before = probe_rows()
    assert post("write_small").status_code == 201
    assert post("write_small").status_code == 201
    assert probe_rows() == before + 2
    assert counts() == (1, 1)


def test_write_rows_repeats_the_registered_rows_with_the_next_number(post):
    first = post("write_rows").json()
    sequence = NumberSequence.objects.get()
    assert post("write_rows").status_code == 201
    assert post("write_rows").status_code == 201
    assert counts() == (3, 3)
    original, *copies = Complaint.objects.order_by("pk")
    assert first["number"] == original.number
    # numbered by the sequence registration uses, as registration does
    assert NumberSequence.objects.get().last == sequence.last + 2
    assert [c.number for c in copies] == [
        original.number[:-5] + f"{sequence.last + k:05d}" for k in (1, 2)
    ]

    def columns(row, *skip):
        names = [f.attname for f in type(row)._meta.concrete_fields if f.attname not in skip]
        return [getattr(row, name) for name in names]

    for copy in copies:
        assert columns(copy, "id", "number") == columns(original, "id", "number")
        event = ComplaintEvent.objects.get(complaint=copy)
        assert columns(event, "id", "complaint_id") == columns(
            ComplaintEvent.objects.get(complaint=original), "id", "complaint_id"
        )


@override_settings(ROOT_URLCONF="kesu.urls")
def test_the_product_does_not_mount_the_ladder(post):
    assert post("validate").status_code == 404
