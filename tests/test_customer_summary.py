"""What the customer is told was agreed and done (issue #14 point 4): facts only, never what
staff wrote for themselves; the plan in force, not one still waiting for approval."""

import pytest
from django.utils import translation

from kesu.complaints.models import Complaint
from kesu.portal.summary import Summary, facts
from tests.conftest import PHOTO, complaint_payload
from tests.test_portal import _act, _soon

pytestmark = pytest.mark.django_db

INTERNAL = ("会诊", "内部", "同意但需注意舆情")


def _level_1_to_approval(people) -> str:
    h = people.handler_quality
    payload = complaint_payload(description="阀门渗漏导致工人受伤,客户称将联系媒体。")
    number = people.api(people.intake).post("/complaints", payload).json()["number"]
    _act(people, number, people.intake, "accept", {"owner": h.username})
    _act(people, number, h, "contact", {"promised_at": _soon(), "summary": "内部：客户激动"})
    photo = people.api(h).upload(number, "现场.jpg", PHOTO).json()["id"]
    determination = {
        "determination": "defect",
        "root_cause": "内部：密封圈批次不良",
        "responsible_department": "production",
        "evidence": [photo],
    }
    _act(people, number, h, "determine", determination)
    measures = [{"description": "免费更换阀门", "owner": h.username, "deadline": _soon(5)}]
    _act(people, number, h, "propose_plan", {"measures": measures, "in_warranty": True})
    return number


def _text(number: str) -> str:
    with translation.override("zh-hans"):
        return str(Summary(Complaint.objects.get(number=number)))


def test_a_plan_waiting_for_approval_is_not_told_an_approved_one_is(people):
    number = _level_1_to_approval(people)
    complaint = Complaint.objects.get(number=number)
    assert [f.kind for f in facts(complaint)] == ["accepted", "contacted"]
    assert "免费更换阀门" not in _text(number)

    review = {"comment": "同意但需注意舆情", "expert_review": "专家会诊：可行"}
    _act(people, number, people.executive, "approve_plan", review)
    h = people.handler_quality
    _act(people, number, h, "complete", {"summary": "内部：已更换"})
    _act(people, number, people.qa, "verify", {"passed": True, "report": "内部：验证合格"})
    assert [f.kind for f in facts(complaint)] == [
        "accepted",
        "contacted",
        "plan",
        "completed",
        "verified",
    ]
    text = _text(number)
    assert text.startswith("我们的约定与处理：") and "免费更换阀门" in text
    assert not any(word in text for word in INTERNAL)


def test_nothing_to_tell_before_acceptance(people):
    payload = complaint_payload()
    number = people.api(people.intake).post("/complaints", payload).json()["number"]
    summary = Summary(Complaint.objects.get(number=number))
    assert not summary and str(summary) == ""


def test_a_customer_account_reads_the_same_facts_through_the_api(people):
    from kesu.accounts.actions import create_token, create_user
    from kesu.accounts.choices import Role
    from kesu.portal import links
    from tests.conftest import Api

    number = _level_1_to_approval(people)
    account = create_user("wangwei", role=Role.CUSTOMER, name="王伟")
    links.save_to_account(links.current(Complaint.objects.get(number=number)), account)
    body = Api(account, create_token(account)).get(f"/complaints/{number}").json()
    assert [fact["kind"] for fact in body["agreed"]] == ["accepted", "contacted"]
    assert "孙工" in body["agreed"][0]["text"]
    assert not any(word in str(body["agreed"]) for word in INTERNAL)


def test_an_edited_message_template_reaches_nothing_of_the_complaint_through_the_summary(
    people,
):
    """Review finding 1: administrators edit the customer's messages, and the template engine
    follows attributes; the summary must show its text and nothing behind it."""
    from kesu.notifications.models import Notification, NotificationTemplate

    h = people.handler_quality
    h.set_password("s3cret-Passw0rd")
    h.save(update_fields=["password"])
    reach = (
        "{{ summary.complaint.owner.password }}{{ summary.complaint.number }}"
        "{{ summary.facts }}{{ summary.facts.0.text }}{{ summary.complaint.customer.phone }}"
    )
    NotificationTemplate.objects.create(
        code="customer_accepted",
        language="zh-hans",
        subject="受理",
        body=f"<{reach}>|{{{{ summary }}}}",
    )
    payload = complaint_payload(complainant={"name": "王伟", "email": "wangwei@example.com"})
    number = people.api(people.intake).post("/complaints", payload).json()["number"]
    _act(people, number, people.intake, "accept", {"owner": h.username})

    bodies = [
        n.body for n in Notification.objects.filter(template="customer_accepted", recipient=None)
    ]
    assert bodies, "the customer was told of the acceptance"
    for body in bodies:
        reached, said = body.split("|", 1)
        assert reached == "<>", reached
        assert said.startswith("我们的约定与处理：") and "孙工" in said
        assert number not in body and "pbkdf2" not in body and h.password not in body
