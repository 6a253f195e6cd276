"""Issue #14 point 4: before the customer confirms, their page (and the message asking them
to confirm) says in plain words what was agreed and what was done — customer-facing facts only,
never what staff wrote for themselves."""

import pytest

from kesu.notifications.choices import NotificationChannel, TemplateCode
from kesu.notifications.models import Notification
from tests.browser.test_portal_path import _submit, phone  # noqa: F401 (fixture)
from tests.test_portal import _act, _soon

pytestmark = pytest.mark.django_db(transaction=True)


def _treated_and_checked(people, number: str) -> None:
    h = people.handler_east
    _act(people, number, people.intake, "accept", {"owner": h.username, "department": "sales_east"})
    promised = _soon(3)
    contact = {"promised_at": promised, "summary": "内部：客户情绪激动，曾威胁投诉媒体"}
    _act(people, number, h, "contact", contact)
    determination = {"determination": "customer", "root_cause": "内部：报价流程说明不清"}
    _act(people, number, h, "determine", determination)
    measures = [
        {"description": "业务员当面致歉", "owner": h.username, "deadline": _soon(1)},
        {"description": "重新提供正式报价单", "owner": h.username, "deadline": _soon(2)},
    ]
    _act(people, number, h, "propose_plan", {"measures": measures})
    _act(people, number, h, "complete", {"summary": "内部：已扣业务员绩效"})
    _act(people, number, h, "verify", {"passed": True, "report": "内部：抽查录音合格"})


def test_the_customer_reads_what_was_agreed_and_done_before_confirming(people, phone, tmp_path):  # noqa: F811
    page = phone.new_page()
    number, link = _submit(page, tmp_path, phone="13900000019", email="lina@example.com")
    page.goto(link)
    assert page.locator("[data-role=agreed]").count() == 0  # nothing agreed yet

    _treated_and_checked(people, number)
    page.goto(link)
    agreed = page.locator("[data-role=agreed]")
    assert agreed.get_by_role("heading", name="我们的约定与处理").is_visible()
    facts = agreed.locator("ol > li").evaluate_all("els => els.map(e => e.dataset.fact)")
    assert facts == ["accepted", "contacted", "plan", "completed", "verified"]
    text = agreed.inner_text()
    assert "张经理负责处理" in text
    assert "承诺在" in text and "前处理" in text
    assert "业务员当面致歉" in text and "重新提供正式报价单" in text
    assert "措施已落实" in text and "已核查处理结果" in text
    assert "内部" not in page.content()  # what staff wrote for themselves stays with staff

    # the summary stands before the question, and the question refers to it
    confirm = page.locator('[data-action="confirm"]')
    assert agreed.bounding_box()["y"] < confirm.bounding_box()["y"]
    assert "我们的约定与处理" in confirm.locator("[data-role=confirm-what]").inner_text()

    # the channel they used says the same
    mail = Notification.objects.get(
        complaint__number=number,
        template=TemplateCode.CUSTOMER_CONFIRM,
        channel=NotificationChannel.EMAIL,
    )
    assert "业务员当面致歉" in mail.body and "措施已落实" in mail.body
    assert "内部" not in mail.body
    assert mail.body.index("我们的约定与处理") < mail.body.index("是否满意")
