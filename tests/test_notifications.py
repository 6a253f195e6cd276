"""Notifications (SPEC §7): who is told what, through one outbox, and what happens when the
other side does not answer. Real database, the conftest personas, the API where there is one."""

import base64
import hashlib
import hmac
import json
import socket
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from kesu.accounts.actions import create_user
from kesu.accounts.choices import Role
from kesu.accounts.models import Department
from kesu.complaints import actions
from kesu.complaints.authority import escalation_target
from kesu.complaints.choices import EventType, State
from kesu.complaints.models import Category, Complaint, ComplaintEvent
from kesu.core import clock
from kesu.deadlines.sweep import sweep
from kesu.notifications import delivery, rules
from kesu.notifications.choices import NotificationChannel as Ch
from kesu.notifications.choices import NotificationState as St
from kesu.notifications.models import (
    Delivery,
    DepartmentWebhook,
    Notification,
    NotificationTemplate,
)
from kesu.notifications.sms import MemorySmsBackend
from tests.conftest import complaint_payload

pytestmark = pytest.mark.django_db(transaction=False)

MEMORY_SMS = "kesu.notifications.sms.MemorySmsBackend"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def at(instant: datetime):
    return time_machine.travel(instant, tick=False)


@pytest.fixture(autouse=True)
def _sms_in_memory():
    """SMS go to a list; Huey runs tasks at once in the test's thread (see conftest)."""
    assert HUEY.immediate
    MemorySmsBackend.reset()
    with override_settings(KESU_SMS_BACKEND=MEMORY_SMS):
        yield
    MemorySmsBackend.reset()


@pytest.fixture
def cast(people):
    """The personas with addresses, and a second executive (the management representative)."""
    for user, email in (
        (people.executive, "zheng@example.com"),
        (people.handler_quality, "sun@example.com"),
        (people.head_quality, "qian@example.com"),
        (people.head_sales, "zhou@example.com"),
        (people.handler_east, "zhang@example.com"),
    ):
        user.email = email
        user.save(update_fields=["email"])
    people.rep = create_user(
        "li_rep",
        role=Role.EXECUTIVE,
        name="李代表",
        email="li@example.com",
        phone="13900000009",
        department=Department.objects.get(code="management"),
    )
    return people


CUSTOMER = {"name": "王伟", "phone": "13800000001", "email": "wangwei@example.com"}


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def register(people, **overrides) -> str:
    payload = complaint_payload(complainant=dict(CUSTOMER), **overrides)
    return ok(people.api(people.intake).post("/complaints", payload), 201)["number"]


def outbox(**filters) -> list[Notification]:
    return list(Notification.objects.filter(**filters).order_by("id"))


def sent_to(user, **filters) -> list[str]:
    return [n.template for n in outbox(recipient=user, **filters)]


def last_event(number: str) -> ComplaintEvent:
    return ComplaintEvent.objects.filter(complaint__number=number).order_by("-id").first()


def deadline_event(number: str, type_: str, **data) -> ComplaintEvent:
    """What the deadline sweeper appends (SPEC §5), then hands to the rules like it does."""
    complaint = Complaint.objects.get(number=number)
    due = (timezone.now() - timedelta(minutes=5)).isoformat()
    if "level" in data:  # as kesu.deadlines.sweep records it
        data["to"] = escalation_target(data["level"])
    event = ComplaintEvent.objects.create(
        complaint=complaint,
        type=type_,
        actor=None,
        at=clock.now(),
        data={"clock": "first_contact", "due_at": due, **data},
    )
    rules.on_event(complaint, event)
    return event


# ------------------------------------------------------------------------------------------
# receivers for webhooks


@pytest.fixture
def receiver():
    """A chat robot on 127.0.0.1: records what it gets, answers with `replies` in turn."""
    received: list[dict] = []
    replies: list[tuple[int, dict]] = []

    class Robot(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers),
                    "raw": body,
                    "json": json.loads(body.decode("utf-8")),
                }
            )
            status, answer = replies.pop(0) if replies else (200, {"errcode": 0, "errmsg": "ok"})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(
        url=f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=k1",
        received=received,
        replies=replies,
    )
    server.shutdown()
    server.server_close()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/robot"  # nobody listens there any more


def hook(code: str, url: str, **kwargs) -> DepartmentWebhook:
    return DepartmentWebhook.objects.create(
        department=Department.objects.get(code=code), url=url, **kwargs
    )


# ------------------------------------------------------------------------------------------
# quality and level-1 notices


def test_a_quality_complaint_reaches_every_executive_in_the_app_and_by_email(
    cast, django_capture_on_commit_callbacks
):
    # given: a product-quality complaint (its category asks for the quality notice), level 2
    with django_capture_on_commit_callbacks(execute=True):
        number = register(cast)

    # then: both executives see it in the app, and got an e-mail
    for executive in (cast.executive, cast.rep):
        page = ok(cast.api(executive).get("/notifications"))
        assert [(n["template"], n["complaint"]) for n in page["results"]] == [
            ("quality_notice", number)
        ]
        assert number in page["results"][0]["subject"]
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.com", "zheng@example.com"]
    assert all(n.state == St.SENT for n in outbox(channel=Ch.EMAIL))
    # nobody else is told, least of all the clerk who registered it
    assert {n.recipient_id for n in outbox()} == {cast.executive.pk, cast.rep.pk}


def test_a_complaint_outside_the_quality_categories_notifies_nobody(cast):
    register(cast, category="price_dispute", description="报价与合同不符。")
    assert outbox() == []


def test_a_level_1_complaint_reaches_the_executives_at_once_also_by_sms(
    cast, django_capture_on_commit_callbacks
):
    # given: a product-quality complaint that is level 1 (injury, media); the quality
    # department has a group chat robot
    robot = hook("quality", closed_port_url())
    with django_capture_on_commit_callbacks(execute=True):
        number = register(cast, description="阀门爆裂导致工人受伤,客户称将联系媒体。")
    assert Complaint.objects.get(number=number).severity == 1

    # then: each executive gets the level-1 notice once per channel (not also the quality one)
    assert sent_to(cast.executive) == ["level1_notice", "level1_notice"]  # in-app, e-mail
    assert sorted(n.channel for n in outbox(recipient=cast.rep)) == ["email", "in_app", "sms"]
    assert [s.phone for s in MemorySmsBackend.outbox] == [
        "+8613900000009"
    ]  # E.164, as every number is stored
    assert number in MemorySmsBackend.outbox[0].text
    assert [(n.template, n.webhook) for n in outbox(channel=Ch.WEBHOOK)] == [
        ("level1_notice", robot)
    ]


def test_reclassifying_to_level_1_notifies_the_executives(cast):
    number = register(cast, category="service_quality", description="服务人员态度差。")
    assert outbox() == []

    ok(
        cast.api(cast.intake).act(
            number, "reclassify", {"severity": 1, "reason": "客户已向消协投诉"}
        )
    )

    assert sent_to(cast.executive, channel=Ch.IN_APP) == ["level1_notice"]


# ------------------------------------------------------------------------------------------
# acceptance: owner, customer, department webhook


def test_accepting_tells_the_owner_and_emails_the_customer_in_chinese(
    cast, django_capture_on_commit_callbacks
):
    # given: the administrator's Chinese wording for the acceptance notice
    NotificationTemplate.objects.create(
        code="customer_accepted",
        language="zh-hans",
        subject="您的投诉 {{ number }} 已受理",
        body="尊敬的客户:您反映的“{{ title }}”已受理,由{{ owner }}负责跟进。",
    )
    number = register(cast)
    mail.outbox.clear()

    # when: the clerk dispatches it to the quality handler
    with django_capture_on_commit_callbacks(execute=True):
        ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username}))

    # then: the owner is told in the app and by e-mail
    page = ok(cast.api(cast.handler_quality).get("/notifications"))
    assert [n["template"] for n in page["results"]] == ["owner_assigned"]
    assert "王客服" in page["results"][0]["body"]  # who made them the owner
    # and the customer gets the e-mail, Chinese subject and all, and an SMS
    to_customer = [m for m in mail.outbox if m.to == ["wangwei@example.com"]]
    assert len(to_customer) == 1
    message = to_customer[0]
    assert message.subject == f"您的投诉 {number} 已受理"
    assert message.body == "尊敬的客户:您反映的“阀门渗漏”已受理,由孙工负责跟进。"
    raw = message.message().as_bytes()
    assert b"=?utf-8?" in raw.lower()  # encoded header, not mangled bytes
    assert [s.phone for s in MemorySmsBackend.outbox] == ["+8613800000001"]  # as stored: E.164
    row = outbox(template="customer_accepted", channel=Ch.EMAIL)[0]
    assert row.subject == message.subject and row.state == St.SENT
    assert row.deliveries.get().ok


def test_without_an_override_the_built_in_wording_is_used(cast, django_capture_on_commit_callbacks):
    number = register(cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username}))
    (message,) = [m for m in mail.outbox if m.to == ["wangwei@example.com"]]
    assert number in message.subject
    assert "阀门渗漏" in message.body and "孙工" in message.body


def test_a_handler_accepting_for_themself_is_not_told_about_it(cast):
    number = register(cast, category="service_quality", department="quality")
    ok(
        cast.api(cast.handler_quality).act(
            number, "accept", {"owner": cast.handler_quality.username}
        )
    )
    assert sent_to(cast.handler_quality) == []
    assert [n.template for n in outbox()] == ["customer_accepted", "customer_accepted"]


def test_an_anonymous_complainant_is_never_contacted(cast):
    number = ok(
        cast.api(cast.intake).post(
            "/complaints",
            complaint_payload(
                complainant={"anonymous": True}, category="service_quality", department="quality"
            ),
        ),
        201,
    )["number"]
    ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username}))
    assert [n.template for n in outbox()] == ["owner_assigned", "owner_assigned"]


def test_reassigning_tells_the_new_owner(cast):
    number = register(cast, category="service_quality", department="quality")
    ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username}))
    ok(
        cast.api(cast.intake).act(
            number, "assign", {"owner": cast.handler_east.username, "reason": "华东区域负责"}
        )
    )
    assert sent_to(cast.handler_east, channel=Ch.IN_APP) == ["owner_assigned"]


# ------------------------------------------------------------------------------------------
# the customer along the way


def test_the_customer_hears_of_acceptance_plan_progress_completion_and_return_visit(cast):
    # given: a level-3 service complaint (its plan is filed, no approval needed)
    number = register(
        cast,
        category="service_quality",
        department="quality",
        title="安装人员迟到",
        description="安装人员迟到两小时。",
        demand="道歉",
    )
    intake, handler = cast.api(cast.intake), cast.api(cast.handler_quality)
    ok(intake.act(number, "accept", {"owner": cast.handler_quality.username}))
    ok(
        handler.act(
            number, "determine", {"determination": "customer", "root_cause": "客户改约时间未通知"}
        )
    )
    soon = (timezone.now() + timedelta(days=3)).isoformat()
    measures = [
        {"description": "重新预约上门", "owner": cast.handler_quality.username, "deadline": soon}
    ]
    assert ok(handler.act(number, "propose_plan", {"measures": measures}))["state"] == "treating"
    ok(handler.act(number, "progress", {"message": "已与您约定周五上午上门"}))
    ok(handler.act(number, "complete", {"summary": "内部备注:已处理,师傅扣绩效"}))
    ok(handler.act(number, "verify", {"passed": True, "report": "回访确认已上门"}))
    ok(intake.act(number, "confirm", {"satisfied": True, "method": "phone"}))
    ok(intake.act(number, "return_visit", {"scale": 3, "answers": ["satisfied", "satisfied"]}))

    expected = [
        "customer_accepted",
        "customer_plan",
        "customer_progress",
        "customer_completed",
        "customer_confirm",  # verified: please confirm, with the private link
        "customer_survey",  # confirmed: please answer the survey, with the link
        "customer_return_visit",
    ]
    by_email = outbox(channel=Ch.EMAIL, address=CUSTOMER["email"])
    assert [n.template for n in by_email] == expected
    assert [n.template for n in outbox(channel=Ch.SMS, address="+8613800000001")] == expected
    # what the customer was told is in the message; internal remarks are not
    assert "已与您约定周五上午上门" in by_email[2].body
    assert "扣绩效" not in by_email[3].body
    # no links into the staff application, only to the customer's private page
    assert "/complaints/" not in by_email[0].body
    link = by_email[0].body.splitlines()[-1]
    assert link.startswith("http") and "/t/" in link
    assert all(n.body.splitlines()[-1] == link for n in by_email[:6])  # one link throughout


# ------------------------------------------------------------------------------------------
# escalation and time limits


def test_escalation_goes_to_the_heads_then_to_the_executives(cast):
    number = register(cast, category="service_quality", description="服务人员态度差。")
    ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_east.username}))
    handler = cast.api(cast.handler_east)

    ok(handler.act(number, "escalate", {"reason": "客户要求领导出面"}))
    # sales_east has no head of its own: the head of sales above it
    assert sent_to(cast.head_sales, channel=Ch.IN_APP) == ["escalation"]
    assert "客户要求领导出面" in outbox(recipient=cast.head_sales)[0].body
    assert sent_to(cast.executive) == []

    ok(handler.act(number, "escalate", {"reason": "部门无法协调"}))
    assert sent_to(cast.executive, channel=Ch.IN_APP) == ["escalation"]
    assert sent_to(cast.head_sales, channel=Ch.IN_APP) == ["escalation"]  # not again


def test_the_owner_is_warned_and_on_breach_the_heads_are_told_too(cast):
    number = register(cast, category="service_quality", description="服务人员态度差。")
    ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_east.username}))

    deadline_event(number, EventType.DEADLINE_WARNED)
    assert sent_to(cast.handler_east, channel=Ch.IN_APP) == [
        "owner_assigned",
        "owner_deadline_warning",
    ]
    assert sent_to(cast.head_sales) == []

    deadline_event(number, EventType.DEADLINE_BREACHED)
    assert sent_to(cast.handler_east, channel=Ch.IN_APP)[-1] == "owner_deadline_breach"
    assert sent_to(cast.head_sales, channel=Ch.IN_APP) == ["deadline_breach"]
    breach = outbox(recipient=cast.head_sales, channel=Ch.IN_APP)[0]
    assert "首次联系" in breach.body or "First contact" in breach.body  # the clock's name
    assert "张经理" in breach.body  # the owner

    deadline_event(number, EventType.DEADLINE_ESCALATED, level=2)
    assert sent_to(cast.executive, channel=Ch.IN_APP) == ["breach_escalation"]


def test_the_sweeper_warns_the_owner_then_tells_the_head_then_the_executives(cast):
    # given: a product-quality complaint accepted on Monday 09:00, the customer never contacted
    intake = cast.api(cast.intake)
    with at(local(2026, 11, 23, 9, 0)):
        number = register(cast)
        ok(intake.act(number, "accept", {"owner": cast.handler_quality.username}))

    # 80 % of the 24 h first-contact limit: the owner is warned, with the due time
    with at(local(2026, 11, 24, 4, 12)):
        sweep()
    (warned,) = outbox(
        recipient=cast.handler_quality, channel=Ch.IN_APP, template="owner_deadline_warning"
    )
    assert "2026-11-24 09:00" in warned.body
    assert sent_to(cast.head_quality) == []

    # 100 %: breached; the owner and the head of the quality department are told
    with at(local(2026, 11, 24, 9, 0)):
        sweep()
    assert sent_to(cast.head_quality, channel=Ch.IN_APP) == ["deadline_breach"]
    assert "owner_deadline_breach" in sent_to(cast.handler_quality, channel=Ch.IN_APP)

    # a working day later: the executives
    with at(local(2026, 11, 25, 9, 0)):
        sweep()
    assert "breach_escalation" in sent_to(cast.executive, channel=Ch.IN_APP)
    assert "breach_escalation" in sent_to(cast.rep, channel=Ch.IN_APP)


def test_a_warning_before_anyone_owns_the_complaint_goes_to_the_department_heads(cast):
    number = register(cast)  # product quality → quality department, no owner yet
    deadline_event(number, EventType.DEADLINE_WARNED)
    assert sent_to(cast.head_quality, channel=Ch.IN_APP) == ["owner_deadline_warning"]


def test_the_same_event_handled_twice_notifies_once(cast):
    number = register(cast, category="service_quality", description="服务人员态度差。")
    ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_east.username}))
    breach = deadline_event(number, EventType.DEADLINE_BREACHED)
    accepted = ComplaintEvent.objects.get(complaint__number=number, type=EventType.ACCEPT)
    before = Notification.objects.count()

    # when: the sweeper (racing with itself) and a replay hand the same events over again
    rules.on_event(breach.complaint, breach)
    rules.on_event(accepted.complaint, accepted)

    assert Notification.objects.count() == before


def test_a_batch_of_sweeper_events_costs_the_same_queries_as_one(cast, django_assert_num_queries):
    # given: complaints with owners, read afresh (as the sweeper reads them: owners not loaded)
    numbers = [register(cast, category="service_quality", department="quality") for _ in range(4)]
    for number in numbers:
        ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username}))

    def breaches(few):
        complaints = Complaint.objects.filter(number__in=few).order_by("pk")
        return [
            (
                c,
                ComplaintEvent.objects.create(
                    complaint=c,
                    type=EventType.DEADLINE_BREACHED,
                    at=clock.now(),
                    data={"clock": "site_visit", "due_at": timezone.now().isoformat()},
                ),
            )
            for c in complaints
        ]

    one, three = breaches(numbers[:1]), breaches(numbers[1:])
    rules.staff()  # the heads and executives are cached, as in a running worker
    with django_assert_num_queries(4) as one_event:  # owners, savepoint, INSERT, release
        rules.on_events(one)
    with django_assert_num_queries(len(one_event.captured_queries)):
        rules.on_events(three)
    assert len(outbox(template="owner_deadline_breach", channel=Ch.IN_APP)) == 4
    assert len(outbox(template="deadline_breach", recipient=cast.head_quality)) == 8


# ------------------------------------------------------------------------------------------
# the person complained about


def test_the_accused_is_never_notified_and_no_webhook_names_the_complaint(cast, receiver):
    # given: a level-1 complaint about the quality department's head, whose department has a
    # group chat robot
    hook("quality", receiver.url)
    number = ok(
        cast.api(cast.intake).post(
            "/complaints",
            complaint_payload(
                complainant=dict(CUSTOMER),
                description="质量部负责人态度恶劣,客户称将联系媒体。",
                accused=cast.head_quality.username,
            ),
        ),
        201,
    )["number"]

    # when: it is escalated to the heads and breaches its time limit
    ok(cast.api(cast.intake).act(number, "escalate", {"reason": "客户要求领导出面"}))
    deadline_event(number, EventType.DEADLINE_WARNED)
    deadline_event(number, EventType.DEADLINE_BREACHED)

    # then: the executives hear of it, the accused head never does, and no webhook row exists
    assert "level1_notice" in sent_to(cast.executive)
    assert sent_to(cast.head_quality) == []
    assert outbox(channel=Ch.WEBHOOK) == []


# ------------------------------------------------------------------------------------------
# webhooks and failures


def test_a_new_complaint_dispatched_to_a_department_reaches_its_wecom_robot(
    cast, receiver, django_capture_on_commit_callbacks
):
    hook("quality", receiver.url)
    number = register(cast)

    with django_capture_on_commit_callbacks(execute=True):
        ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username}))

    (request,) = receiver.received
    assert request["path"] == "/cgi-bin/webhook/send?key=k1"
    message = request["json"]
    assert message["msgtype"] == "text" and set(message) == {"msgtype", "text"}
    assert number in message["text"]["content"] and "孙工" in message["text"]["content"]
    row = outbox(channel=Ch.WEBHOOK)[0]
    assert (row.template, row.state, row.attempts) == ("dispatched", St.SENT, 1)
    assert row.deliveries.get().status_code == 200


def test_a_generic_receiver_gets_the_facts_as_json_signed_with_the_secret(
    cast, receiver, django_capture_on_commit_callbacks
):
    hook("quality", receiver.url, style="generic", secret="s3cret")
    number = register(cast)
    with django_capture_on_commit_callbacks(execute=True):
        ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username}))

    (request,) = receiver.received
    message = request["json"]
    assert (message["event"], message["message"], message["complaint"]) == (
        "accept",
        "dispatched",
        number,
    )
    assert message["url"] == f"http://127.0.0.1:8000/complaints/{number}"
    assert number in message["subject"] and "孙工" in message["body"]
    expected = hmac.new(b"s3cret", request["raw"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Kesu-Signature"] == f"sha256={expected}"


def test_a_signed_dingtalk_robot_gets_timestamp_and_sign(
    cast, receiver, django_capture_on_commit_callbacks
):
    hook("quality", receiver.url, style="dingtalk", secret="SECabc")
    number = register(cast)
    with django_capture_on_commit_callbacks(execute=True):
        ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username}))

    (request,) = receiver.received
    query = parse_qs(urlsplit(request["path"]).query)
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    digest = hmac.new(b"SECabc", f"{timestamp}\nSECabc".encode(), hashlib.sha256).digest()
    assert sign == base64.b64encode(digest).decode()
    assert query["key"] == ["k1"]
    assert request["json"]["msgtype"] == "text"


def test_a_receiver_that_fails_once_is_retried_and_the_action_went_through_regardless(
    cast, receiver, django_capture_on_commit_callbacks
):
    # given: the robot answers 500 to the first message
    hook("quality", receiver.url)
    receiver.replies.append((500, {"error": "busy"}))
    number = register(cast)

    # when: the complaint is accepted
    with django_capture_on_commit_callbacks(execute=True):
        body = ok(
            cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username})
        )

    # then: the acceptance stands, the attempt is recorded as failed, a retry is planned
    assert body["state"] == "accepted"
    row = outbox(channel=Ch.WEBHOOK)[0]
    assert (row.state, row.attempts) == (St.FAILED, 1)
    assert "500" in row.last_error
    first = row.deliveries.get()
    assert (first.ok, first.status_code) == (False, 500)
    assert timedelta(seconds=50) < row.next_attempt_at - first.at <= timedelta(minutes=1)

    # not before it is due…
    delivery.retry_due()
    assert (outbox(channel=Ch.WEBHOOK)[0].state, len(receiver.received)) == (St.FAILED, 1)
    # …and a minute later the sweep sends it
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        delivery.retry_due()
    row.refresh_from_db()
    assert (row.state, row.attempts, row.next_attempt_at) == (St.SENT, 2, None)
    assert [d.ok for d in row.deliveries.order_by("attempt")] == [False, True]
    assert len(receiver.received) == 2


def test_a_receiver_that_is_down_fails_the_delivery_not_the_action(
    cast, django_capture_on_commit_callbacks
):
    hook("quality", closed_port_url())
    number = register(cast)

    with django_capture_on_commit_callbacks(execute=True):
        body = ok(
            cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username})
        )

    assert body["state"] == "accepted"
    assert Complaint.objects.get(number=number).state == State.ACCEPTED
    row = outbox(channel=Ch.WEBHOOK)[0]
    assert row.state == St.FAILED and row.last_error.startswith("no answer")
    assert row.deliveries.get().status_code is None


def test_a_robot_refusing_with_an_errcode_is_a_failure(
    cast, receiver, django_capture_on_commit_callbacks
):
    hook("quality", receiver.url)
    receiver.replies.append((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
    number = register(cast)
    with django_capture_on_commit_callbacks(execute=True):
        ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username}))
    row = outbox(channel=Ch.WEBHOOK)[0]
    assert row.state == St.FAILED and "93000" in row.last_error


def test_after_the_last_backoff_the_notification_is_given_up(cast):
    hook("quality", closed_port_url())
    number = register(cast)
    ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username}))
    (row,) = outbox(channel=Ch.WEBHOOK)
    delivery.deliver([row.pk])

    gaps = []
    at = timezone.now()
    for _ in range(len(delivery.BACKOFF)):
        row.refresh_from_db()
        gaps.append(round((row.next_attempt_at - row.deliveries.last().at).total_seconds()))
        at = row.next_attempt_at + timedelta(seconds=1)
        with time_machine.travel(at, tick=False):
            delivery.retry_due()

    row.refresh_from_db()
    assert gaps == [60, 300, 1800, 7200, 21600]
    assert (row.state, row.attempts, row.next_attempt_at) == (St.DEAD, 6, None)
    with time_machine.travel(at + timedelta(days=1), tick=False):
        assert delivery.retry_due() == 0
    assert row.deliveries.count() == 6


def test_a_switched_off_webhook_is_given_up_at_once(cast):
    robot = hook("quality", closed_port_url())
    number = register(cast)
    ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username}))
    robot.active = False
    robot.save()
    (row,) = outbox(channel=Ch.WEBHOOK)
    delivery.deliver([row.pk])
    row.refresh_from_db()
    assert row.state == St.DEAD and "switched off" in row.last_error


def test_a_row_already_sent_is_not_sent_again(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(cast)
    sent = len(mail.outbox)
    ids = [n.pk for n in outbox(channel=Ch.EMAIL)]
    assert delivery.deliver(ids) == 0
    assert len(mail.outbox) == sent
    assert Delivery.objects.count() == len(ids)


def test_a_failing_sms_provider_is_recorded_and_retried(cast, django_capture_on_commit_callbacks):
    MemorySmsBackend.failures.append(RuntimeError("provider quota exceeded"))
    number = register(cast)
    with django_capture_on_commit_callbacks(execute=True):
        ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username}))
    (row,) = outbox(channel=Ch.SMS)
    assert row.state == St.FAILED and "quota" in row.last_error
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        delivery.retry_due()
    row.refresh_from_db()
    assert row.state == St.SENT
    assert row.deliveries.last().response == MemorySmsBackend.outbox[0].message_id


def test_a_broken_rule_never_stops_the_action(cast, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("bug in a template")

    monkeypatch.setattr(rules, "_rows", broken)
    number = register(cast)
    assert Complaint.objects.filter(number=number).exists()
    assert outbox() == []
    assert "not written" in caplog.text


def test_history_that_is_imported_notifies_nobody(cast):
    long_ago = timezone.now() - timedelta(days=200)
    new = actions.NewComplaint(
        channel="phone",
        title="阀门渗漏",
        description="旧台账导入:阀门渗漏,有工人受伤。",
        category=Category.objects.get(code="product_quality"),
        complainant_name="王伟",
    )
    actions.register(new, actor=cast.intake, registered_at=long_ago)
    assert outbox() == []


def test_a_broken_override_falls_back_to_the_built_in_wording(cast):
    NotificationTemplate.objects.create(
        code="quality_notice", language="zh-hans", subject="{% if %}", body="x"
    )
    number = register(cast)
    assert number in outbox(recipient=cast.executive)[0].subject


# ------------------------------------------------------------------------------------------
# the in-app inbox


def test_reading_notifications_one_at_a_time_and_all_at_once(cast):
    # given: three quality complaints the executive was told about
    numbers = [register(cast) for _ in range(3)]
    executive = cast.api(cast.executive)

    # when: they page through two at a time
    first = ok(executive.get("/notifications", limit=2))
    assert [n["complaint"] for n in first["results"]] == numbers[::-1][:2]
    cursor = first["next"].split("cursor=")[1]
    second = ok(executive.get("/notifications", limit=2, cursor=cursor))
    assert [n["complaint"] for n in second["results"]] == [numbers[0]]
    assert second["next"] is None

    # when: one is read
    newest = first["results"][0]
    read = ok(executive.post(f"/notifications/{newest['id']}/read"))
    assert read["read_at"] is not None
    unread = ok(executive.get("/notifications", unread="true"))
    assert [n["complaint"] for n in unread["results"]] == numbers[::-1][1:]
    # reading it again keeps the first time
    assert ok(executive.post(f"/notifications/{newest['id']}/read"))["read_at"] == read["read_at"]

    # when: all are read
    assert ok(executive.post("/notifications/read_all")) == {"marked": 2}
    assert ok(executive.get("/notifications", unread="true"))["results"] == []
    assert len(ok(executive.get("/notifications"))["results"]) == 3


def test_nobody_reads_anyone_elses_notifications(cast):
    register(cast)
    theirs = outbox(recipient=cast.executive, channel=Ch.IN_APP)[0]
    other = cast.api(cast.rep)
    refused = other.post(f"/notifications/{theirs.pk}/read")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    assert ok(cast.api(cast.intake).get("/notifications"))["results"] == []
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_bad_cursor_is_refused(cast):
    refused = cast.api(cast.executive).get("/notifications", cursor="not-a-cursor")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "cursor"


def test_only_the_email_and_sms_rows_wait_for_delivery(cast):
    register(cast, description="阀门爆裂导致工人受伤,客户称将联系媒体。")
    for n in outbox():
        if n.channel == Ch.IN_APP:
            assert (n.state, n.next_attempt_at) == (St.SENT, None)
        else:
            assert n.state == St.PENDING and n.next_attempt_at is not None


# ------------------------------------------------------------------------------------------
# the admin


def test_the_admin_shows_failures_and_edits_webhooks_and_wording(cast):
    from django.test import Client

    hook("quality", closed_port_url())
    number = register(cast)
    ok(cast.api(cast.intake).act(number, "accept", {"owner": cast.handler_quality.username}))
    (failed,) = outbox(channel=Ch.WEBHOOK)
    delivery.deliver([failed.pk])
    admin = Client()
    admin.force_login(cast.admin)

    listing = admin.get("/admin/notifications/notification/", {"state__exact": "failed"})
    assert listing.status_code == 200
    assert number in listing.content.decode()
    page = admin.get(f"/admin/notifications/notification/{failed.pk}/change/")
    assert page.status_code == 200 and "Connection refused" in page.content.decode()

    assert admin.get("/admin/notifications/departmentwebhook/add/").status_code == 200
    refused = admin.post(
        "/admin/notifications/notificationtemplate/add/",
        {"code": "quality_notice", "language": "zh-hans", "subject": "{% if %}", "body": "x"},
    )
    assert refused.status_code == 200 and not NotificationTemplate.objects.exists()
    saved = admin.post(
        "/admin/notifications/notificationtemplate/add/",
        {
            "code": "quality_notice",
            "language": "zh-hans",
            "subject": "质量投诉 {{ number }}",
            "body": "请关注质量投诉 {{ number }}。",
            "active": "on",
        },
    )
    assert saved.status_code == 302
    assert (
        admin.get(
            f"/admin/notifications/notificationtemplate/{NotificationTemplate.objects.get().pk}/change/"
        ).status_code
        == 200
    )

    # the outbox cannot be edited there, but a failure can be tried again
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        response = admin.post(
            "/admin/notifications/notification/",
            {"action": "retry_now", "_selected_action": [failed.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.attempts == 2


def test_the_api_documents_the_notification_endpoints(cast):
    schema = ok(cast.api(cast.executive).get("/openapi.json"))
    assert {"/api/v1/notifications", "/api/v1/notifications/read_all"} <= set(schema["paths"])
    assert "/api/v1/notifications/{notification_id}/read" in schema["paths"]


def _injury(description: str) -> actions.NewComplaint:
    """A level-1 record (an injury): its registration tells the executives."""
    return actions.NewComplaint(
        channel="phone",
        title="阀门渗漏",
        description=description,
        category=Category.objects.get(code="product_quality"),
        complainant_name="王伟",
    )


def test_a_recent_import_notifies_nobody_either(cast):
    """Only the domain knows an import is history; its age does not matter."""
    new = _injury("半小时前在旧台账登记:阀门渗漏,有工人受伤。")
    actions.register(new, actor=cast.intake, registered_at=timezone.now() - timedelta(minutes=30))
    assert outbox() == []


def test_history_written_unannounced_notifies_nobody(cast):
    """The demo's stories say so (`actions.unannounced`); the clock alone does not."""
    new = _injury("演示数据:阀门渗漏,有工人受伤。")
    with clock.as_of(timezone.now() - timedelta(minutes=5)), actions.unannounced():
        actions.register(new, actor=cast.intake)
    assert outbox() == []
    actions.register(new, actor=cast.intake)  # the same, now: the executives are told
    assert outbox() != []


def test_an_action_run_as_of_an_earlier_time_is_announced(cast):
    """`clock.as_of` moves the clock and nothing else: tests under it keep their messages."""
    with clock.as_of(timezone.now() - timedelta(minutes=5)):
        actions.register(_injury("阀门渗漏,有工人受伤。"), actor=cast.intake)
    assert outbox() != []
