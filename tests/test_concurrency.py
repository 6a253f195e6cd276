"""Concurrency is tested, not assumed: real threads, each with its own database connection."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from kesu.complaints.models import Complaint, ComplaintEvent
from tests.conftest import complaint_payload

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(calls: list[Callable[[], object]]) -> list[object]:
    """Start every call at the same instant (a barrier) and collect the results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_eight_parallel_registrations_never_share_a_number(people):
    intake = people.api(people.intake)
    responses = run_together(
        [
            (lambda i=i: intake.post("/complaints", complaint_payload(title=f"并发登记 {i}")))
            for i in range(8)
        ]
    )
    assert [r.status_code for r in responses] == [201] * 8, responses
    numbers = [r.json()["number"] for r in responses]
    assert len(set(numbers)) == 8
    assert sorted(int(n[-5:]) for n in numbers) == list(range(1, 9))  # no gaps either
    assert Complaint.objects.count() == 8


def test_ten_identical_requests_with_one_key_create_one_complaint(people):
    intake = people.api(people.intake)
    payload = complaint_payload(title="重复提交")
    responses = run_together(
        [
            (lambda: intake.post("/complaints", payload, headers={"Idempotency-Key": "call-42"}))
            for _ in range(10)
        ]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 9 + [201], [r.content for r in responses]
    assert len({r.json()["number"] for r in responses}) == 1
    assert Complaint.objects.count() == 1
    assert ComplaintEvent.objects.count() == 1


def _registered(intake) -> str:
    return intake.post("/complaints", complaint_payload()).json()["number"]


def test_two_parallel_accepts_one_wins_the_other_conflicts(people):
    intake = people.api(people.intake)
    head = people.api(people.head_quality)
    number = _registered(intake)
    responses = run_together(
        [
            lambda: intake.act(number, "accept", {"owner": people.handler_quality.username}),
            lambda: head.act(number, "accept", {"owner": people.head_quality.username}),
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 409], responses
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["code"] == "wrong_state"
    events = list(
        ComplaintEvent.objects.filter(complaint__number=number).values_list("type", flat=True)
    )
    assert events == ["register", "accept"]


def test_withdraw_racing_resolve_on_spot_leaves_exactly_one_event(people):
    intake = people.api(people.intake)
    handler = people.api(people.handler_quality)
    for _round in range(3):
        number = _registered(intake)
        responses = run_together(
            [
                lambda n=number: intake.act(n, "withdraw", {"reason": "客户撤回"}),
                lambda n=number: handler.act(
                    n, "resolve_on_spot", {"solution": "现场解决", "customer_confirmed": True}
                ),
            ]
        )
        assert sorted(r.status_code for r in responses) == [200, 409], responses
        complaint = Complaint.objects.get(number=number)
        events = ComplaintEvent.objects.filter(complaint=complaint).order_by("id")
        assert events.count() == 2
        assert events.last().to_state == complaint.state
        assert complaint.version == 2


def test_parallel_merges_in_opposite_directions_do_not_deadlock(people):
    intake = people.api(people.intake)
    a, b = _registered(intake), _registered(intake)
    responses = run_together(
        [
            lambda: intake.act(a, "merge", {"into": b}),
            lambda: intake.act(b, "merge", {"into": a}),
        ]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409] or statuses == [200, 422], responses
    states = sorted(Complaint.objects.filter(number__in=[a, b]).values_list("state", flat=True))
    assert states == ["merged", "registered"]
