"""The verbs outside the state machine (files, customer links) on the actions' frame: they lock
the complaint row first, raise the version by the frame's rule and tell whom the rules name,
once (issue #15 point 1)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kesu.complaints import actions
from kesu.complaints.choices import ContactMethod, EventType, Visibility
from kesu.complaints.customer import CustomerActor
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.notifications import rules
from kesu.notifications.choices import TemplateCode
from kesu.notifications.models import Notification
from kesu.portal import links
from tests.conftest import PHOTO, complaint_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced(monkeypatch) -> list[str]:
    """The types of the events handed to the notification rules, in order."""
    told: list[str] = []
    real = rules.on_events

    def on_events(pairs):
        pairs = list(pairs)
        told.extend(event.type for _complaint, event in pairs)
        return real(pairs)

    monkeypatch.setattr(rules, "on_events", on_events)
    return told


def _registered(people) -> Complaint:
    payload = complaint_payload()
    payload["complainant"] = {**payload["complainant"], "email": "wangwei@example.com"}
    number = people.api(people.intake).post("/complaints", payload).json()["number"]
    return Complaint.objects.get(number=number)


def _statements(captured) -> list[str]:
    """The statements run, without the transaction's own (BEGIN, SAVEPOINT, RELEASE)."""
    skipped = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")
    return [q["sql"] for q in captured if not q["sql"].lstrip().upper().startswith(skipped)]


def test_sending_a_link_locks_the_complaint_first_and_announces_the_link_once(people, announced):
    complaint = _registered(people)
    old = links.current(complaint)
    version = complaint.version
    announced.clear()
    with CaptureQueriesContext(connection) as captured:
        new = actions.send_customer_link(complaint.number, actor=people.intake)
    first = _statements(captured.captured_queries)[0]
    assert 'FROM "complaints_complaint"' in first  # the complaint row, before any link
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in first
    assert announced == [EventType.LINK_REVOKED, EventType.LINK_SENT]
    sent = ComplaintEvent.objects.get(type=EventType.LINK_SENT)
    assert sent.data == {"link": new.pk} and sent.actor == people.intake
    revoked = ComplaintEvent.objects.get(type=EventType.LINK_REVOKED)
    assert revoked.data == {"link": old.pk}
    told = Notification.objects.filter(event=sent, template=TemplateCode.CUSTOMER_LINK)
    assert told.exists() and all(links.token(new) in n.body for n in told)
    assert not Notification.objects.filter(event=revoked).exists()  # no rule asks for it
    assert Complaint.objects.get(pk=complaint.pk).version == version  # quiet events


def test_revoking_the_links_records_each_once_and_tells_nobody(people, announced):
    complaint = _registered(people)
    links.current(complaint)
    actions.renew_customer_link(complaint, actor=people.intake)
    working = links.working(complaint)
    announced.clear()
    notifications = Notification.objects.count()
    revoked = actions.revoke_customer_links(complaint.number, actor=people.intake)
    assert [e.data["link"] for e in revoked] == [working.pk]
    assert links.working(complaint) is None
    assert actions.revoke_customer_links(complaint.number, actor=people.intake) == []
    assert ComplaintEvent.objects.filter(type=EventType.LINK_REVOKED).count() == 2
    assert announced == [EventType.LINK_REVOKED]
    assert Notification.objects.count() == notifications


def _photo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PHOTO, content_type="image/jpeg")


def test_each_file_raises_the_version_by_the_frame_and_tells_nobody(people, announced):
    complaint = _registered(people)
    version = complaint.version
    announced.clear()
    stored = actions.attach_files(
        complaint.number, [_photo("a.jpg"), _photo("b.jpg")], actor=people.intake
    )
    assert Complaint.objects.get(pk=complaint.pk).version == version + 2
    events = ComplaintEvent.objects.filter(complaint=complaint, type=EventType.ATTACH)
    assert [e.data["attachment"] for e in events] == [a.pk for a in stored]
    assert all(e.actor == people.intake and not e.customer_visible for e in events)
    assert announced == []


def test_a_customers_file_is_marked_theirs_and_tells_the_owner_nothing_by_itself(people):
    complaint = _registered(people)
    notifications = Notification.objects.count()
    customer = CustomerActor(complaint.pk, via=ContactMethod.PORTAL)
    actions.add_attachment(
        complaint.number, _photo("c.jpg"), actor=customer, visibility=Visibility.CUSTOMER
    )
    event = ComplaintEvent.objects.get(complaint=complaint, type=EventType.ATTACH)
    assert event.customer_visible and event.data["by"] == "customer" and event.actor is None
    assert Notification.objects.count() == notifications  # its message tells (add_info)


def test_only_staff_who_see_the_complaint_send_or_revoke_its_links(people):
    """The link verbs refuse inside the lock, as the guard does for the state machine: someone
    who may not see the complaint is told it does not exist, a customer account is refused, and
    nothing changes."""
    from kesu.accounts.actions import create_user
    from kesu.accounts.choices import Role
    from kesu.complaints.errors import ComplaintError, ErrorCode

    complaint = _registered(people)
    old = links.current(complaint)
    events = complaint.events.count()
    customer = create_user("wangwei_account", role=Role.CUSTOMER, name="王伟")
    for actor, code in (
        (people.handler_east, ErrorCode.NOT_FOUND),  # another department's handler
        (customer, ErrorCode.ROLE_NOT_ALLOWED),
    ):
        for verb in (actions.send_customer_link, actions.revoke_customer_links):
            with pytest.raises(ComplaintError) as refused:
                verb(complaint.number, actor=actor)
            assert refused.value.code == code
    assert complaint.events.count() == events
    assert links.working(complaint) == old


def test_a_link_is_not_sent_to_a_customer_without_email_or_phone(people):
    """The verb refuses (the page only reports it): nothing revoked, nothing recorded."""
    from kesu.complaints.errors import ComplaintError, ErrorCode

    complaint = _registered(people)
    old = links.current(complaint)
    Complaint.objects.filter(pk=complaint.pk).update(complainant_email="", complainant_phone="")
    events = complaint.events.count()
    with pytest.raises(ComplaintError) as refused:
        actions.send_customer_link(complaint.number, actor=people.intake)
    assert refused.value.code == ErrorCode.INVALID and "contact" in refused.value.fields
    assert complaint.events.count() == events
    assert links.working(complaint) == old
