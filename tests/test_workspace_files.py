"""Files added after registration (review of #14, findings 13 and 6): one action, used by the
complaint page and the API alike; all or none, nothing left in storage when a later file
fails; each file one event and a raised version, so a colleague's poll announces it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kesu.complaints.choices import EventType
from kesu.complaints.models import Attachment, Complaint, ComplaintEvent
from tests.conftest import PHOTO
from tests.inbox_cases import registered

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _accepted(people) -> Complaint:
    number = registered(people, title="墙面开裂")
    people.api(people.intake).act(number, "accept", {"owner": people.handler_quality.username})
    return Complaint.objects.get(number=number)


def _photo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PHOTO, content_type="image/jpeg")


def _stored() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_a_colleague_adding_files_on_the_page_is_announced_by_the_poll(people):
    c = _accepted(people)
    handler = _client(people.handler_quality)
    assert handler.get(f"/complaints/{c.number}/fresh", {"v": c.version}).status_code == 204

    head = _client(people.head_quality)
    sent = head.post(
        f"/complaints/{c.number}/attachments",
        {"files": [_photo("现场1.jpg"), _photo("现场2.jpg")], "visibility": "internal"},
    )
    assert sent.status_code == 302
    assert Attachment.objects.filter(complaint=c).count() == 2
    attached = ComplaintEvent.objects.filter(complaint=c, type=EventType.ATTACH)
    assert attached.count() == 2  # one event a file
    assert Complaint.objects.get(pk=c.pk).version == c.version + 2

    told = handler.get(f"/complaints/{c.number}/fresh", {"v": c.version})
    assert told.status_code == 286
    assert "钱部长" in told.content.decode()


def test_a_file_added_through_the_api_raises_the_version_too(people):
    c = _accepted(people)
    answer = people.api(people.handler_quality).upload(c.number, "现场.jpg", PHOTO)
    assert answer.status_code == 201
    assert Complaint.objects.get(pk=c.pk).version == c.version + 1
    poll = _client(people.head_quality).get(f"/complaints/{c.number}/fresh", {"v": c.version})
    assert poll.status_code == 286


def test_a_failure_on_a_later_file_leaves_nothing_behind_in_storage(people, monkeypatch):
    c = _accepted(people)
    before = _stored()
    real = ComplaintEvent.save
    calls = []

    def second_fails(event, *args, **kwargs):
        calls.append(event.type)
        if event.type == EventType.ATTACH and calls.count(EventType.ATTACH) == 2:
            raise RuntimeError("the disk is full")
        return real(event, *args, **kwargs)

    monkeypatch.setattr(ComplaintEvent, "save", second_fails)
    head = _client(people.head_quality)
    head.raise_request_exception = False
    answer = head.post(
        f"/complaints/{c.number}/attachments",
        {"files": [_photo("a.jpg"), _photo("b.jpg")]},
    )
    assert answer.status_code == 500
    assert not Attachment.objects.filter(complaint=c).exists()
    assert _stored() == before  # the first file's bytes went with its row
    assert Complaint.objects.get(pk=c.pk).version == c.version


def test_an_archived_complaint_offers_no_file_form_and_refuses_files(people):
    from kesu.complaints.attachments import may_attach

    c = _accepted(people)
    people.api(people.handler_quality).act(c.number, "withdraw", {"reason": "客户撤回"})
    c.refresh_from_db()
    assert not may_attach(c)
    head = _client(people.head_quality)
    assert 'name="files"' not in head.get(f"/complaints/{c.number}").content.decode()
    page = head.post(
        f"/complaints/{c.number}/attachments", {"files": [_photo("a.jpg")]}, follow=True
    )
    assert "没有添加任何文件" in page.content.decode()
    assert not Attachment.objects.filter(complaint=c).exists()


def test_an_escalation_by_the_sweeper_raises_the_version_a_warning_does_not(people):
    from kesu.deadlines.sweep import sweep
    from tests.test_notifications import at, local, register

    with at(local(2026, 11, 23, 9, 0)):
        number = register(people)
        people.api(people.intake).act(number, "accept", {"owner": people.handler_quality.username})
    accepted = Complaint.objects.get(number=number).version
    with at(local(2026, 11, 24, 4, 12)):  # 80 %: the owner is warned, nobody else acts
        sweep()
    assert Complaint.objects.get(number=number).version == accepted
    with at(local(2026, 11, 25, 9, 0)):  # breached, then escalated: others must act
        sweep()
    escalated = Complaint.objects.get(number=number)
    assert escalated.escalation_level > 0 and escalated.version > accepted
