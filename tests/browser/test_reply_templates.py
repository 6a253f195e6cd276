"""Issue #14 point 18: reply templates (常用回复), edited in the admin per category, offered
when staff write to the customer, with the complaint's fields filled in — literally, never
evaluated as a template."""

import pytest

from kesu.complaints.models import Category, ComplaintEvent
from kesu.notifications.models import ReplyTemplate
from kesu.notifications.replies import fill
from tests.browser.conftest import log_in
from tests.browser.test_complaint_page import _accepted
from tests.browser.test_workspace_login import _with_password

pytestmark = pytest.mark.django_db(transaction=True)


def _admin_adds(page, people, name: str, body: str, category: str = "") -> None:
    _with_password(people.admin)
    page.goto("/admin/login/")
    if page.locator("#id_username").count():
        page.fill("#id_username", people.admin.username)
        page.fill("#id_password", "pass-1234-word")
        with page.expect_navigation():
            page.locator("input[type=submit]").click()
    page.goto("/admin/notifications/replytemplate/add/")
    page.fill("#id_name", name)
    if category:
        page.select_option("#id_category", label=category)
    page.fill("#id_body", body)
    with page.expect_navigation():
        page.locator("input[name=_save]").click()


def test_an_admin_writes_a_reply_and_the_owner_sends_it_filled_in(page, people):
    title = "阀门渗漏 {{ owner }} {% debug %}"  # a customer's words are never filled in again
    number = _accepted(people, people.handler_quality, title=title)

    body = (
        "{{ customer }}您好：您的投诉{{ number }}（{{ title }}）由{{ owner }}负责，我们将尽快上门。"
    )
    _admin_adds(page, people, "上门安排", body, category="产品质量")
    assert page.locator(".messagelist .success").count() == 1
    _admin_adds(page, people, "错误字段", "您好 {{ secret }}")  # refused: unknown field
    assert "{{ secret }}" in page.locator(".errorlist").inner_text()
    assert not ReplyTemplate.objects.filter(name="错误字段").exists()
    other = Category.objects.exclude(code="product_quality").filter(parent=None).first()
    ReplyTemplate.objects.create(name="别的分类", category=other, body="不该出现")
    ReplyTemplate.objects.create(name="通用问候", body="您好，{{ customer }}。")
    page.context.clear_cookies()

    _with_password(people.handler_quality)
    log_in(page, people.handler_quality.username)
    page.wait_for_url("**/inbox/")
    page.goto(f"/complaints/{number}/do/note#act")
    assert page.locator("#act [data-role=reply-picker]").inner_text().startswith("常用回复")
    picker = page.locator("#act [data-role=reply-picker] select")
    offered = picker.locator("option").all_inner_texts()[1:]
    assert offered == ["上门安排", "通用问候"]  # this category's and every category's
    picker.select_option(label="上门安排")
    expected = f"王伟您好：您的投诉{number}（{title}）由孙工负责，我们将尽快上门。"
    assert page.locator("#act textarea[name=text]").input_value() == expected
    assert page.locator("#act select[name=visibility]").input_value() == "customer"
    page.locator("#act button[type=submit]").click()
    page.wait_for_url(f"**/complaints/{number}")
    note = ComplaintEvent.objects.filter(complaint__number=number, type="note").last()
    assert note.comment == expected and note.visibility == "customer"

    page.goto(f"/complaints/{number}/do/progress#act")
    page.locator("#act [data-role=reply-picker] select").select_option(label="通用问候")
    assert page.locator("#act textarea[name=message]").input_value() == "您好，王伟。"


def test_filling_is_literal_substitution():
    assert fill("{{ a }}-{{b}}-{{ c }}", {"a": "{{ b }}", "b": "2"}) == "{{ b }}-2-{{ c }}"


def test_replies_are_offered_wherever_words_go_to_the_customer_and_a_note_says_it_is_shown(
    page, people
):
    """Review of #14, finding 8: an answer and an invalidation write to the customer too; a
    note a reply made visible to the customer says so in the form."""
    number = _accepted(people, people.handler_quality)
    ReplyTemplate.objects.create(name="通用问候", body="您好，{{ customer }}。")
    _with_password(people.handler_quality)
    log_in(page, people.handler_quality.username)
    page.wait_for_url("**/inbox/")

    page.goto(f"/complaints/{number}/do/invalidate#act")
    page.locator("#act [data-role=reply-picker] select").select_option(label="通用问候")
    assert page.locator("#act textarea[name=explanation]").input_value() == "您好，王伟。"

    page.goto(f"/complaints/{number}/do/note#act")
    told = page.locator("#act [data-role=reply-to-customer]")
    assert page.locator("#act select[name=visibility]").input_value() != "customer"
    assert not told.is_visible()
    page.locator("#act [data-role=reply-picker] select").select_option(label="通用问候")
    assert page.locator("#act select[name=visibility]").input_value() == "customer"
    assert told.is_visible() and "客户" in told.inner_text()
    page.locator("#act select[name=visibility]").select_option("internal")
    assert not told.is_visible()
