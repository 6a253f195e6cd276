"""PostgreSQL hands out event ids at insert and commits in whatever order transactions end: a
withdrawal that took an id first and commits last is still caught up. Real threads, each
with its own connection (SQLite hands out ids under its one write lock and commits in that
order, so there the case cannot arise: tests/test_statistics_facts.py simulates it on both)."""

import threading

import pytest
from django.db import connection, transaction

from kesu.complaints import actions
from kesu.complaints.choices import Channel, State
from kesu.complaints.models import Category, Complaint, ComplaintEvent
from kesu.statistics.models import ComplaintFact, Watermark
from kesu.statistics.projection import catch_up

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's commit order"),
]


def register(people, phone: str) -> Complaint:
    complaint, _created = actions.register(
        actions.NewComplaint(
            channel=Channel.PHONE,
            title="阀门渗漏",
            description="客户反映阀门渗漏",
            category=Category.objects.get(code="business_policy"),
            complainant_name="王伟",
            complainant_phone=phone,
        ),
        actor=people.intake,
    )
    return complaint


def test_a_withdrawal_committed_after_a_later_note_was_read_is_caught_up(people):
    slow, fast = register(people, "13800000001"), register(people, "13800000002")
    catch_up()
    inserted, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def withdraw_slowly() -> None:
        try:
            with transaction.atomic():
                actions.withdraw(slow, actor=people.intake, reason="客户撤回")
                inserted.set()
                assert release.wait(timeout=30)
        except BaseException as error:  # reported by the test below
            failures.append(error)
        finally:
            connection.close()

    # given a withdrawal that has taken its event id but not committed yet
    worker = threading.Thread(target=withdraw_slowly)
    worker.start()
    assert inserted.wait(timeout=30), failures
    held = ComplaintEvent.objects.order_by("-id").values_list("id", flat=True).first()
    # when a later event on another complaint commits and the statistics read it
    actions.note(fast, actor=people.intake, text="已回电")
    catch_up()
    mark = Watermark.objects.get()
    note_id = ComplaintEvent.objects.filter(complaint=fast).latest("id").pk
    assert mark.last_event_id == note_id
    assert held is not None and note_id > held + 1  # the withdrawal's id lies below
    assert str(note_id - 1) in mark.gaps
    assert ComplaintFact.objects.get(pk=slow.pk).outcome == ""
    # then once the withdrawal commits, the next read counts it
    release.set()
    worker.join(timeout=30)
    assert not failures, failures
    catch_up()
    assert ComplaintFact.objects.get(pk=slow.pk).outcome == State.WITHDRAWN
    assert str(note_id - 1) not in Watermark.objects.get().gaps
