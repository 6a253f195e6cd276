"""The customer's whole path in a phone-sized headless Chromium: the public form with a
photo, the private link, a staff message (never an internal note), "not satisfied" (back to
planning), the survey once, and someone else's link refused."""

import pytest

from kesu.complaints import actions
from kesu.complaints.choices import State, Visibility
from kesu.complaints.models import Attachment, Complaint, ReturnVisit
from tests.browser.conftest import chinese_context, screenshot
from tests.browser.test_complaint_page import png
from tests.test_portal import _act, _soon, _to_confirming

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(chromium, live_server):
    context = chinese_context(
        chromium,
        live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    yield context
    context.close()


def _submit(page, tmp_path, *, phone: str, email: str, shot: str = "") -> tuple[str, str]:
    """Fill in the public form like a customer; returns (number, private link)."""
    page.goto("/complain/")
    page.fill('[name="title"]', "业务员态度不好")
    page.fill('[name="description"]', "上周来电咨询报价，业务员回复不及时，态度冷淡。")
    page.fill('[name="name"]', "李娜")
    page.fill('[name="phone"]', phone)
    page.fill('[name="email"]', email)
    photo = tmp_path / f"现场-{phone}.png"
    photo.write_bytes(png(32, 24))
    page.set_input_files('[name="files"]', str(photo))
    page.check('[name="consent"]')
    if shot:
        screenshot(page, shot)
    page.click('button[type="submit"]')
    page.wait_for_url("**/t/**?new=1")
    number = page.locator(".number").inner_text()
    link = page.locator('[data-role="private-link"]').inner_text()
    return number, link


def test_the_customer_follows_confirms_and_answers_from_the_link(people, phone, tmp_path):
    page = phone.new_page()
    number, link = _submit(
        page, tmp_path, phone="13900000009", email="lina@example.com", shot="complain"
    )
    assert number.startswith("KS") and "/t/" in link
    complaint = Complaint.objects.get(number=number)
    assert complaint.channel == "web"
    assert Attachment.objects.get(complaint=complaint).visibility == Visibility.CUSTOMER
    assert "现场-13900000009.png" in page.locator('[data-role="timeline"]').inner_text()
    assert "现场-13900000009.png" in page.locator(".files").inner_text()

    # staff write to the customer, and keep a note for themselves
    clerk = people.intake
    actions.note(number, actor=clerk, text="您好，我们已收到，明天联系您", visibility="customer")
    actions.note(number, actor=clerk, text="内部：该客户曾多次投诉", visibility="internal")
    page.goto(link)
    timeline = page.locator('[data-role="timeline"]').inner_text()
    assert "您好，我们已收到，明天联系您" in timeline
    assert "该客户曾多次投诉" not in page.content()

    # the result is checked; the customer is not satisfied: back to planning
    _to_confirming(people, number)
    page.goto(link)
    form = page.locator('[data-action="confirm"] form')
    form.locator('input[name="satisfied"][value="no"]').check()
    form.locator('[name="comment"]').fill("还是没有人上门道歉")
    form.locator('button[type="submit"]').click()
    page.wait_for_url("**?done=confirm")
    complaint.refresh_from_db()
    assert complaint.state == State.PLANNING and complaint.reopen_count == 1
    assert "还是没有人上门道歉" in page.locator('[data-role="timeline"]').inner_text()

    # treated again, then satisfied; the survey opens on the same link
    h = people.handler_east
    measures = [{"description": "上门致歉", "owner": h.username, "deadline": _soon(1)}]
    _act(people, number, h, "propose_plan", {"measures": measures})
    _act(people, number, h, "complete", {"summary": "已上门致歉"})
    _act(people, number, h, "verify", {"passed": True, "report": "客户认可"})
    page.goto(link)
    form = page.locator('[data-action="confirm"] form')
    form.locator('input[name="satisfied"][value="yes"]').check()
    form.locator('button[type="submit"]').click()
    page.wait_for_url("**?done=confirm")

    stale = phone.new_page()  # the same link open in a second tab, before answering
    stale.goto(link)
    survey = page.locator('[data-action="return_visit"] form')
    for question, answer in (("q0", "very_satisfied"), ("q1", "satisfied"), ("q2", "neutral")):
        survey.locator(f'input[name="{question}"][value="{answer}"]').check()
    survey.locator('[name="remarks"]').fill("师傅很耐心")
    screenshot(page, "portal")
    survey.locator('button[type="submit"]').click()
    page.wait_for_url("**?done=return_visit")
    assert page.locator('[data-role="survey-answered"]').count() == 1
    assert page.locator('[data-action="return_visit"]').count() == 0
    complaint.refresh_from_db()
    assert str(complaint.satisfaction_pct) == "66.7"

    # a second answer on the same link is refused, and changes nothing
    again = stale.locator('[data-action="return_visit"] form')
    for question in ("q0", "q1", "q2"):
        again.locator(f'input[name="{question}"][value="very_dissatisfied"]').check()
    again.locator('button[type="submit"]').click()
    stale.wait_for_load_state()
    assert stale.locator('[data-role="refusal"]').count() == 1
    assert ReturnVisit.objects.filter(complaint=complaint).count() == 1
    complaint.refresh_from_db()
    assert str(complaint.satisfaction_pct) == "66.7"

    # another complaint's token leads nowhere
    other = phone.new_page()
    _other_number, other_link = _submit(
        other, tmp_path, phone="13700000001", email="other@example.com"
    )
    ident, _mac = link.rsplit("/t/", 1)[1].strip("/").split("-")
    other_ident = other_link.rsplit("/t/", 1)[1].strip("/").split("-")[0]
    forged = link.replace(f"/t/{ident}-", f"/t/{other_ident}-")
    assert page.goto(forged).status == 404
    assert page.goto(link).status == 200
