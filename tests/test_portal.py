"""The customer's side without staff: the public form, the private link's page, and what the
customer does there (issue #5)."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints import actions
from kesu.complaints.choices import Channel, EventType, State, Visibility
from kesu.complaints.models import Attachment, Complaint, ComplaintEvent, ReturnVisit
from kesu.notifications.models import Notification
from kesu.policies.models import Policy
from kesu.portal import links
from kesu.portal.models import CustomerLink, Submission
from tests.conftest import PHOTO

FORM = {
    "kind": "complaint",
    "title": "业务员态度不好",
    "description": "上周来电咨询报价，业务员回复不及时，态度冷淡。",
    "name": "李娜",
    "phone": "13900000009",
    "email": "lina@example.com",
    "consent": "on",
}


def _submit(client: Client, status=302, address="10.0.0.1", **overrides):
    data = {**FORM, **overrides}
    response = client.post("/complain/", data, REMOTE_ADDR=address)
    assert response.status_code == status, response.content.decode()[:2000]
    return response


def _token_of(response) -> str:
    return response["Location"].split("/t/")[1].split("/")[0]


def _act(people, number: str, user, action: str, payload: dict):
    response = people.api(user).act(number, action, payload)
    assert response.status_code == 200, response.json()


def _soon(days=3) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def _to_confirming(people, number: str) -> None:
    """A staff-conduct complaint of the public form, through to the customer's confirmation."""
    h = people.handler_east
    _act(people, number, people.intake, "accept", {"owner": h.username, "department": "sales_east"})
    _act(people, number, h, "contact", {"promised_at": _soon(), "summary": "已致歉"})
    _act(
        people,
        number,
        h,
        "determine",
        {"determination": "customer", "root_cause": "客户误解报价流程"},
    )
    measures = [{"description": "当面致歉", "owner": h.username, "deadline": _soon(1)}]
    _act(people, number, h, "propose_plan", {"measures": measures})
    _act(people, number, h, "complete", {"summary": "已致歉并培训"})
    _act(people, number, h, "verify", {"passed": True, "report": "已落实"})


def test_the_public_form_registers_with_a_photo_and_gives_number_and_private_link(people):
    client = Client()
    assert client.get("/complain/").status_code == 200
    photo = SimpleUploadedFile("现场.jpg", PHOTO, content_type="image/jpeg")
    response = _submit(client, files=[photo], category="staff_conduct")
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.WEB and complaint.registered_by is None
    assert complaint.complainant_email == "lina@example.com"
    assert complaint.category.code == "staff_conduct"
    attachment = Attachment.objects.get()
    assert attachment.visibility == Visibility.CUSTOMER and attachment.uploaded_by is None
    event = ComplaintEvent.objects.get(type=EventType.ATTACH)
    assert event.data["by"] == "customer" and event.customer_visible
    token = _token_of(response)
    page = client.get(response["Location"])
    text = page.content.decode()
    assert complaint.number in text and token in text and "现场.jpg" in text
    # the customer's own photo comes back through the link
    assert client.get(f"/t/{token}/files/{attachment.pk}").status_code == 200
    # the confirmation goes by e-mail (the page showed the link already), with the link
    received = Notification.objects.get(template="customer_received")
    assert received.channel == "email" and received.address == "lina@example.com"
    assert token in received.body and complaint.number in received.subject


def test_the_category_is_guessed_from_the_words_when_the_customer_does_not_know(people):
    _submit(Client(), title="墙面裂缝", description="新房交付后墙面出现多处裂缝，还有渗水。")
    assert Complaint.objects.get().category.code == "construction_crack"  # 工程质量 › 裂缝


def test_a_robot_filling_the_hidden_field_writes_nothing(people):
    response = _submit(Client(), status=400, homepage="http://spam.example")
    assert Complaint.objects.count() == 0 and Submission.objects.count() == 0
    assert "未被接受" in response.content.decode() or "not accepted" in response.content.decode()


def test_a_hundred_rapid_submissions_from_one_address_are_throttled(people):
    client = Client()
    limit = int(settings.KESU_PUBLIC_FORM_PER_ADDRESS.split("/")[0])
    statuses = []
    for i in range(100):
        response = client.post(
            "/complain/",
            {**FORM, "phone": f"1390000{i:04d}", "email": f"c{i}@example.com"},
            REMOTE_ADDR="10.9.9.9",
        )
        statuses.append(response.status_code)
    assert statuses[:limit] == [302] * limit
    assert set(statuses[limit:]) == {429}
    assert Complaint.objects.count() == limit
    refused = response.content.decode()
    assert "分钟后再试" in refused or "try again in" in refused
    assert response["Retry-After"]
    # another address is not affected
    _submit(client, address="10.9.9.10", phone="13700000000", email="other@example.com")


@override_settings(KESU_PUBLIC_FORM_PER_ADDRESS="2/60")
@pytest.mark.parametrize(
    ("later", "wait"), [(timedelta(minutes=20), 40), (timedelta(minutes=55), 5)]
)
def test_a_throttled_customer_is_told_the_real_wait(people, later, wait):
    # given two submissions from one address, five minutes apart, when a limit of 2 an hour
    start = timezone.now().replace(microsecond=0)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for i, at in enumerate((start, start + timedelta(minutes=5))):
        with time_machine.travel(at, tick=False):
            _submit(client, address="10.7.0.1", phone=f"1370000000{i}", email=f"w{i}@example.com")

    # when a third comes `later` after the first
    with time_machine.travel(start + later, tick=False):
        refused = _submit(client, status=429, address="10.7.0.1", phone="13700000009", email="")

    # then it may retry when the first leaves the hour: the header says so in seconds, the
    # page in minutes
    assert refused["Retry-After"] == str(wait * 60)
    assert f"try again in {wait} minutes" in refused.content.decode()


def test_the_same_contact_is_throttled_from_any_address(people):
    limit = int(settings.KESU_PUBLIC_FORM_PER_CONTACT.split("/")[0])
    client = Client()
    for i in range(limit):
        _submit(client, address=f"10.1.0.{i}")
    _submit(client, status=429, address="10.1.1.1")
    assert Complaint.objects.count() == limit


@override_settings(KESU_ATTACHMENT_MAX_BYTES=1000)
@pytest.mark.parametrize(
    ("name", "content", "status_words"),
    [
        ("big.jpg", PHOTO + b"\x00" * 2000, ("MB",)),
        ("virus.exe", b"MZ\x90\x00" + b"\x00" * 100, ("不接受", "not accepted")),
        ("fake.jpg", b"MZ\x90\x00" + b"\x00" * 100, ("不接受", "not accepted")),
    ],
)
def test_a_refused_file_stores_nothing(people, name, content, status_words):
    media = Path(settings.MEDIA_ROOT)
    before = sorted(media.rglob("*")) if media.exists() else []
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = _submit(Client(), status=422, files=[upload])
    assert any(w in response.content.decode() for w in status_words)
    assert Complaint.objects.count() == 0 and Attachment.objects.count() == 0
    assert CustomerLink.objects.count() == 0
    after = sorted(media.rglob("*")) if media.exists() else []
    assert after == before


def test_missing_contact_and_consent_come_back_by_field(people):
    response = _submit(Client(), status=422, phone="", email="", consent="")
    text = response.content.decode()
    assert 'data-field="phone"' in text and text.count('class="error"') >= 2
    assert Complaint.objects.count() == 0


def test_the_link_shows_customer_messages_never_internal_notes(people):
    client = Client()
    token = _token_of(_submit(client))
    number = Complaint.objects.get().number
    _act(
        people,
        number,
        people.intake,
        "note",
        {"text": "内部：此客户多次投诉", "visibility": "internal"},
    )
    _act(
        people,
        number,
        people.intake,
        "note",
        {"text": "您好，我们已收到", "visibility": "customer"},
    )
    page = client.get(f"/t/{token}/").content.decode()
    assert "您好，我们已收到" in page
    assert "此客户多次投诉" not in page


def test_a_wrong_revoked_or_other_complaints_link_is_not_found(people):
    client = Client()
    first = _token_of(_submit(client))
    second = _token_of(_submit(client, phone="13900000010", email="b@example.com"))
    ident, mac = first.split("-")
    other_ident = second.split("-")[0]
    assert client.get(f"/t/{other_ident}-{mac}/").status_code == 404  # mac of another link
    assert client.get(f"/t/{ident}-{'a' * len(mac)}/").status_code == 404
    assert client.get("/t/zz-nothing/").status_code == 404
    assert client.get(f"/t/{first}/").status_code == 200
    actions.revoke_customer_link(links.find(first), actor=people.intake)
    assert client.get(f"/t/{first}/").status_code == 404
    assert client.post(f"/t/{first}/add_info", {"message": "还在吗"}).status_code == 404
    assert ComplaintEvent.objects.filter(type=EventType.LINK_REVOKED).count() == 1


def test_a_link_expires_the_configured_days_after_closing(people, time_machine):
    client = Client()
    token = _token_of(_submit(client))
    number = Complaint.objects.get().number
    _act(people, number, people.intake, "withdraw", {"reason": "客户撤回"})
    assert client.get(f"/t/{token}/").status_code == 200
    policy = Policy.current()
    policy.customer_link_days = 30
    policy.save()
    time_machine.move_to(timezone.now() + timedelta(days=31))
    response = client.get(f"/t/{token}/")
    assert response.status_code == 410


def test_not_satisfied_goes_back_to_planning_then_survey_once(people):
    client = Client()
    token = _token_of(_submit(client))
    number = Complaint.objects.get().number
    _to_confirming(people, number)
    response = client.post(f"/t/{token}/confirm", {"satisfied": "no", "comment": ""})
    assert response.status_code == 422  # the reason is required when not satisfied
    client.post(f"/t/{token}/confirm", {"satisfied": "no", "comment": "还是没人联系我"})
    complaint = Complaint.objects.get()
    assert complaint.state == State.PLANNING and complaint.reopen_count == 1
    event = complaint.events.get(type=EventType.CONFIRM)
    assert event.actor is None and event.data["by"] == "customer"
    h = people.handler_east
    measures = [{"description": "上门致歉", "owner": h.username, "deadline": _soon(1)}]
    _act(people, number, h, "propose_plan", {"measures": measures})
    _act(people, number, h, "complete", {"summary": "已上门"})
    _act(people, number, h, "verify", {"passed": True, "report": "已落实"})
    client.post(f"/t/{token}/confirm", {"satisfied": "yes"})
    assert Complaint.objects.get().state == State.RETURN_VISIT
    answers = {"q0": "very_satisfied", "q1": "satisfied", "q2": "neutral", "remarks": "好"}
    assert client.post(f"/t/{token}/return_visit", answers).status_code == 302
    complaint = Complaint.objects.get()
    assert str(complaint.satisfaction_pct) == "66.7"  # (3 + 2 + 1) / 9
    again = client.post(f"/t/{token}/return_visit", {**answers, "q2": "very_dissatisfied"})
    assert again.status_code == 409
    assert "已经回答" in again.content.decode() or "already been answered" in again.content.decode()
    assert ReturnVisit.objects.count() == 1
    assert str(Complaint.objects.get().satisfaction_pct) == "66.7"


def test_adding_information_with_a_file_and_appealing_after_closing(people):
    client = Client()
    token = _token_of(_submit(client))
    number = Complaint.objects.get().number
    photo = SimpleUploadedFile("补充.jpg", PHOTO, content_type="image/jpeg")
    client.post(f"/t/{token}/add_info", {"message": "补充一张照片", "files": [photo]})
    event = ComplaintEvent.objects.get(type=EventType.ADD_INFO)
    assert event.customer_visible and event.comment == "补充一张照片"
    assert Attachment.objects.filter(name="补充.jpg", visibility=Visibility.CUSTOMER).exists()
    _to_confirming(people, number)
    client.post(f"/t/{token}/confirm", {"satisfied": "yes"})
    _act(
        people, number, people.handler_east, "return_visit", {"scale": 3, "answers": ["satisfied"]}
    )
    _act(people, number, people.handler_east, "close", {})
    response = client.post(f"/t/{token}/appeal", {"reason": "赔偿金额不合理"})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.state == State.PLANNING
    assert complaint.events.get(type=EventType.APPEAL).data["by"] == "customer"
    assert "赔偿金额不合理" in client.get(f"/t/{token}/").content.decode()  # theirs to see


def test_a_customer_action_the_state_does_not_allow_is_refused_with_words(people):
    client = Client()
    token = _token_of(_submit(client))
    response = client.post(f"/t/{token}/confirm", {"satisfied": "yes"})
    assert response.status_code == 409
    assert 'data-role="refusal"' in response.content.decode()
    assert Complaint.objects.get().state == State.REGISTERED
    assert client.post(f"/t/{token}/merge", {}).status_code == 404  # not a customer action


def test_a_customer_account_keeps_its_links(people):
    customer = User.objects.create_user("lina", password="pw-12345678", role=Role.CUSTOMER)
    client = Client()
    client.force_login(customer)
    token = _token_of(_submit(client))
    assert CustomerLink.objects.get().account == customer
    page = client.get("/my/").content.decode()
    assert Complaint.objects.get().number in page and token in page
    # staff are sent to their inbox instead
    staff = Client()
    staff.force_login(people.intake)
    assert staff.get("/my/")["Location"].endswith("/inbox/")


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_staff_send_a_new_link_without_seeing_it_or_revoke_it_for_good(people):
    from django.core import mail

    from kesu.notifications import delivery

    customer = User.objects.create_user("lina3", password="pw-12345678", role=Role.CUSTOMER)
    client = Client()
    client.force_login(customer)
    old = _token_of(_submit(client))
    number = Complaint.objects.get().number
    staff = Client()
    staff.force_login(people.intake)
    page = staff.get(f"/complaints/{number}").content.decode()
    assert old not in page and 'data-role="customer-link"' in page  # staff never see it
    mail.outbox = []
    staff.post(f"/complaints/{number}/customer-link", {"do": "send"})
    assert client.get(f"/t/{old}/").status_code == 404
    new = links.working(Complaint.objects.get())
    assert new.account == customer  # the customer's account keeps the new link
    delivery.retry_due()
    sent = [m for m in mail.outbox if "lina@example.com" in m.to and links.token(new) in m.body]
    assert len(sent) == 1
    assert client.get(f"/t/{links.token(new)}/").status_code == 200
    staff.post(f"/complaints/{number}/customer-link", {"do": "revoke"})
    assert client.get(f"/t/{links.token(new)}/").status_code == 404
    # revoked stays revoked: the next message to the customer carries no new link
    _act(
        people,
        number,
        people.intake,
        "accept",
        {"owner": people.handler_east.username, "department": "sales_east"},
    )
    assert links.working(Complaint.objects.get()) is None
    accepted = Notification.objects.get(template="customer_accepted", channel="email")
    assert "/t/" not in accepted.body
    assert ComplaintEvent.objects.filter(type=EventType.LINK_REVOKED).count() == 2
    assert ComplaintEvent.objects.filter(type=EventType.LINK_SENT).count() == 1


def test_staff_logged_in_cannot_act_through_the_customers_link(people):
    client = Client()
    token = _token_of(_submit(client))
    client.force_login(people.handler_east)
    assert client.get(f"/t/{token}/").status_code == 200  # may look
    response = client.post(f"/t/{token}/add_info", {"message": "我替客户说"})
    assert response.status_code == 403
    assert not ComplaintEvent.objects.filter(type=EventType.ADD_INFO).exists()


def test_a_sensitive_complaint_offers_no_survey(people):
    client = Client()
    token = _token_of(_submit(client))
    number = Complaint.objects.get().number
    Complaint.objects.filter(number=number).update(sensitive=True)
    _to_confirming(people, number)
    client.post(f"/t/{token}/confirm", {"satisfied": "yes"})
    page = client.get(f"/t/{token}/").content.decode()
    assert 'data-action="return_visit"' not in page
    answers = {"q0": "satisfied", "q1": "satisfied", "q2": "satisfied"}
    assert client.post(f"/t/{token}/return_visit", answers).status_code == 403
    assert not Notification.objects.filter(template="customer_survey").exists()


def test_the_same_phone_or_address_written_differently_counts_once(people):
    limit = int(settings.KESU_PUBLIC_FORM_PER_CONTACT.split("/")[0])
    client = Client()
    spellings = ["13900000009", "139-0000-0009", "+86 139 0000 0009", "0086 13900000009"]
    for i in range(limit):
        _submit(
            client,
            address=f"10.2.0.{i}",
            phone=spellings[i % len(spellings)],
            email=f"LiNa+{i}@Example.com",
        )
    _submit(client, status=429, address="10.2.1.1", phone="139 0000 0009", email="")
    _submit(client, status=429, address="10.2.1.2", phone="", email="lina+x@example.com")


@override_settings(KESU_TRUSTED_PROXIES=["10.0.0.254"], KESU_PUBLIC_FORM_PER_ADDRESS="2/60")
def test_behind_a_trusted_proxy_the_forwarded_address_counts(people):
    client = Client()
    for i in range(2):
        response = client.post(
            "/complain/",
            {**FORM, "phone": f"1380000000{i}", "email": f"p{i}@example.com"},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
        assert response.status_code == 302
    # two different clients behind one proxy are not one address; a spoofed hop is not trusted
    response = client.post(
        "/complain/",
        {**FORM, "phone": "13800000009", "email": "p9@example.com"},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.0",
    )
    assert response.status_code == 302
    response = client.post(
        "/complain/",
        {**FORM, "phone": "13800000008", "email": "p8@example.com"},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="203.0.113.0",
    )
    assert response.status_code == 429  # 203.0.113.0's third


def test_a_closed_complaint_takes_words_but_no_files(people):
    client = Client()
    token = _token_of(_submit(client))
    number = Complaint.objects.get().number
    _act(people, number, people.intake, "withdraw", {"reason": "客户撤回"})
    page = client.get(f"/t/{token}/").content.decode()
    assert 'name="files"' not in page
    photo = SimpleUploadedFile("晚了.jpg", PHOTO, content_type="image/jpeg")
    response = client.post(f"/t/{token}/add_info", {"message": "其实还有问题", "files": [photo]})
    assert response.status_code == 302
    assert ComplaintEvent.objects.filter(type=EventType.ADD_INFO).count() == 1
    assert not Attachment.objects.filter(name="晚了.jpg").exists()


def test_a_customer_saves_a_link_only_by_asking(people):
    customer = User.objects.create_user("lina4", password="pw-12345678", role=Role.CUSTOMER)
    token = _token_of(_submit(Client()))
    client = Client()
    client.force_login(customer)
    assert f"/t/{token}/save" in client.get(f"/t/{token}/").content.decode()
    assert CustomerLink.objects.get().account is None  # opening it binds nothing
    client.post(f"/t/{token}/save")
    assert CustomerLink.objects.get().account == customer


def test_a_customer_logging_in_lands_on_their_complaints(people):
    User.objects.create_user("lina2", password="pw-12345678", role=Role.CUSTOMER)
    response = Client().post("/login/", {"username": "lina2", "password": "pw-12345678"})
    assert response.status_code == 302 and response["Location"] == "/my/"


@pytest.mark.django_db(transaction=True)
@override_settings(KESU_PUBLIC_FORM_PER_ADDRESS="3/60")
def test_parallel_submissions_cannot_slip_under_the_limit(people):
    import threading

    from django.db import connection

    barrier = threading.Barrier(8)
    statuses = []

    def submit(i: int) -> None:
        try:
            barrier.wait()
            response = Client().post(
                "/complain/",
                {**FORM, "phone": f"1360000000{i}", "email": f"par{i}@example.com"},
                REMOTE_ADDR="10.7.7.7",
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302] * 3 + [429] * 5
    assert Complaint.objects.count() == 3


def test_the_customers_page_draws_in_every_state_of_the_demo_data(people):
    """Every demo complaint (every state, kind and channel) through its customer link."""
    from collections import Counter

    from kesu.demo.loader import load_demo

    load_demo(count=60)
    client, states = Client(), Counter()
    for complaint in Complaint.objects.all():
        link = links.current(complaint) or actions.renew_customer_link(
            complaint, actor=people.admin
        )
        response = client.get(f"/t/{links.token(link)}/")
        assert response.status_code in (200, 410), (complaint.number, complaint.state)
        if response.status_code == 200:
            assert complaint.number in response.content.decode()
            states[complaint.state] += 1
    assert len(states) >= 8, states  # most states were drawn, not only the open ones


def test_a_message_on_a_merged_complaint_reaches_the_one_that_lives_on_for_staff(people):
    client = Client()
    kept_token = _token_of(_submit(client))
    merged_token = _token_of(_submit(client, phone="13900000099", email="other@example.com"))
    kept, merged = Complaint.objects.order_by("id")
    _act(people, merged.number, people.intake, "merge", {"into": kept.number})
    owner = {"owner": people.handler_east.username, "department": "sales_east"}
    _act(people, kept.number, people.intake, "accept", owner)
    response = client.post(f"/t/{merged_token}/add_info", {"message": "我的问题还没解决"})
    assert response.status_code == 302
    added = kept.events.get(type=EventType.ADD_INFO)
    assert added.visibility == Visibility.INTERNAL
    # the owner hears of it with the words, though the customer's page would not show them
    wrote = Notification.objects.get(template="customer_wrote", event=added, channel="in_app")
    assert wrote.recipient == people.handler_east and "我的问题还没解决" in wrote.body
    assert added.data["merged_from"] == merged.number and added.data["by"] == "customer"
    page = client.get(response["Location"]).content.decode()
    assert kept.number in page  # "passed on to …"
    assert "我的问题还没解决" not in client.get(f"/t/{kept_token}/").content.decode()
