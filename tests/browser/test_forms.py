"""The forms as people meet them (issue 14, points 1, 3, 6, 8, 9, 10, 11, 13 and two of 14):
in Chromium, zh-Hans."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from kesu.complaints.models import Complaint
from tests.browser.conftest import chinese_context, log_in
from tests.browser.test_complaint_page import png
from tests.browser.test_workspace_login import _with_password
from tests.conftest import complaint_payload

pytestmark = pytest.mark.django_db(transaction=True)
LONG = "楼上卫生间防水层老化导致墙面渗漏开裂，" * 30  # 600 characters: once a 414 by GET


def _accepted(people, owner, **payload) -> str:
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload(**payload)).json()["number"]
    assert intake.act(number, "accept", {"owner": owner.username}).status_code == 200
    return number


def _staff(page, user) -> None:
    _with_password(user)
    log_in(page, user.username)
    page.wait_for_url("**/inbox/")


def _local(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


# ------------------------------------------------------------------------------ registration


def test_the_assistant_posts_a_long_description_and_keeps_its_suggestion(page, people):
    """Point 1 and the stale hint of point 14."""
    _staff(page, people.intake)
    page.goto("/register/")
    form = page.locator("#register-form")
    with page.expect_response("**/register/assist") as first:
        form.locator('[name="title"]').fill("卫生间墙面渗漏")
    page.locator("#suggested-category[data-code=construction_leak]").wait_for()
    assert form.locator('select[name="category"]').input_value() == "construction_leak"
    with page.expect_response("**/register/assist") as answer:
        form.locator('[name="description"]').fill(LONG)
    request = answer.value.request
    assert first.value.request.method == "POST" and request.method == "POST"
    assert "?" not in request.url and "description" in (request.post_data or "")
    assert answer.value.status == 200
    hint = page.locator("#suggested-category").inner_text()
    assert "填写投诉经过后将建议分类" not in hint and "渗漏" in hint, hint
    # the clerk's own choice is said to be theirs and no longer follows the words
    form.locator('select[name="category"]').select_option("product_quality")
    page.locator("#suggested-category", has_text="已选择").wait_for()
    assert "产品质量" in page.locator("#suggested-category").inner_text()
    form.locator('[name="demand"]').fill("尽快上门修复渗漏")
    page.wait_for_load_state("networkidle")
    assert form.locator('select[name="category"]').input_value() == "product_quality"


def test_registration_errors_stand_by_their_field_in_chinese_with_a_summary(page, people, tmp_path):
    """Points 8 and 11 (registration) and 6 (marked fields, every error at once)."""
    _staff(page, people.intake)
    page.goto("/register/")
    form = page.locator("#register-form")
    assert form.locator('[data-cell="title"] .req').count() == 1
    assert form.locator('[name="description"][aria-required="true"]').count() == 1
    form.locator('[name="complainant.email"]').fill("not-an-address")
    form.locator('[name="claim_amount"]').fill("-5")
    photo = tmp_path / "裂缝.png"
    photo.write_bytes(png())
    form.locator("#files").set_input_files(str(photo))
    form.get_by_role("button", name="登记", exact=True).click()
    page.locator("[data-error-summary]").wait_for()  # sent in the background: a file is chosen
    email_cell = page.locator('[data-cell="complainant.email"]')
    assert "邮箱地址" in email_cell.locator(".field-error").inner_text()
    assert page.locator('[data-cell="complainant.phone"] .field-error').count() == 0
    described = email_cell.locator("input").get_attribute("aria-describedby")
    error = email_cell.locator(".field-error").inner_text()
    assert page.locator(f"#{described}").inner_text() == error
    amount = page.locator('[data-cell="claim_amount"] .field-error').inner_text()
    assert "不小于 0" in amount and "Input should" not in amount
    summary = page.locator("[data-error-summary]")
    text = summary.inner_text()
    for label in ("标题", "投诉事由", "分类", "电子邮件", "索赔金额"):
        assert label in text, text
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert "Input should" not in page.locator("main").inner_text()
    # the photo is still chosen: correct the form and register, photo and all
    files = form.locator("#files").evaluate("input => Array.from(input.files, f => f.name)")
    assert files == ["裂缝.png"] and page.locator('[data-role="files-again"]').count() == 0
    form = page.locator("#register-form")
    form.locator('[name="complainant.email"]').fill("chen@example.com")
    form.locator('[name="claim_amount"]').fill("")
    form.locator('[name="title"]').fill("墙面开裂")
    form.locator('[name="description"]').fill("新房墙面出现多条裂缝。")
    form.locator('select[name="category"]').select_option("construction_leak")
    form.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url("**/complaints/KS*")
    complaint = Complaint.objects.get(number=page.url.rsplit("/", 1)[1])
    assert [a.name for a in complaint.attachments.all()] == ["裂缝.png"]


# ------------------------------------------------------------------------------ action forms


def test_every_date_time_of_the_action_forms_is_a_local_date_time_widget(page, people):
    """Point 3: 勘查时间 (optional) is a date-time widget and takes the local time."""
    number = _accepted(people, people.handler_east, category="staff_conduct")
    _staff(page, people.handler_east)
    for action in ("contact", "visit"):
        page.goto(f"/complaints/{number}/do/{action}#act")
        assert page.locator('#act input[name$="_at"]:not([type="datetime-local"])').count() == 0
    page.locator('#act textarea[name="findings"]').fill("现场查看，客户反映属实。")
    visited = (timezone.localtime() - timedelta(hours=2)).replace(second=0, microsecond=0)
    page.locator('#act input[name="visited_at"]').fill(visited.strftime("%Y-%m-%dT%H:%M"))
    page.locator('#act button[type="submit"]').click()
    page.wait_for_url(f"**/complaints/{number}")
    assert page.locator(".error").count() == 0
    visit = Complaint.objects.get(number=number).events.get(type="visit")
    assert datetime.fromisoformat(visit.data["visited_at"]) == visited  # the wall clock, as typed


def test_an_action_form_marks_its_required_fields_and_names_every_missing_one(page, people):
    """Point 6: contact's 承诺处理时间 and 摘要; determination's cause and evidence at once."""
    number = _accepted(people, people.handler_quality)
    _staff(page, people.handler_quality)
    page.goto(f"/complaints/{number}/do/contact#act")
    for name in ("promised_at", "summary"):
        assert page.locator(f'#act [data-cell="{name}"] .req').count() == 1, name
    page.locator('#act button[type="submit"]').click()
    page.wait_for_load_state()
    assert page.locator('#act [data-cell="promised_at"] .field-error').count() == 1
    assert page.locator('#act [data-cell="summary"] .field-error').count() == 1
    page.goto(f"/complaints/{number}/do/determine#act")
    # a product-quality complaint needs its evidence: marked before anything is sent
    assert page.locator('#act [data-cell="evidence"] .req').count() == 1
    assert page.locator('#act [data-cell="root_cause"] .req').count() == 1
    page.locator('#act button[type="submit"]').click()
    page.wait_for_load_state()
    for name in ("determination", "root_cause", "evidence"):
        assert page.locator(f'#act [data-cell="{name}"] .field-error').count() == 1, name
    summary = page.locator("#act [data-error-summary]").inner_text()
    assert "判定结果" in summary and "证据" in summary


def test_a_form_overtaken_by_someone_else_says_what_changed_and_offers_what_is_left(page, people):
    """Point 13."""
    number = _accepted(people, people.handler_east, category="staff_conduct")
    _staff(page, people.handler_east)
    page.goto(f"/complaints/{number}/do/contact#act")
    page.locator('#act textarea[name="summary"]').fill("已电话致歉，约定三天内答复。")
    page.locator('#act input[name="promised_at"]').fill(_local(3))
    # meanwhile, through the API, the cause is determined: contact is no longer possible
    api = people.api(people.handler_east)
    determined = api.act(number, "determine", {"determination": "customer", "root_cause": "误解"})
    assert determined.status_code == 200
    page.locator('#act button[type="submit"]').click()
    page.wait_for_load_state()
    stale = page.locator('[data-role="stale"]')
    text = stale.inner_text()
    assert "其他人已更改" in text and "张经理" in text and "方案制定" in text, text
    assert "版本" not in page.locator("main").inner_text()
    assert "联系客户" in stale.locator('[data-role="no-longer"]').inner_text()
    assert page.locator('#act button[type="submit"]').count() == 0  # no form for it any more
    assert stale.locator('[data-action="propose_plan"]').count() == 1
    assert "已电话致歉" in text  # what was typed is still shown


# ------------------------------------------------------------------------------ customers


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


def _in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] < 844


def test_the_public_form_on_a_phone_sums_up_its_errors_at_the_top(phone, people, tmp_path):
    """Points 9 and 11 (public form)."""
    page = phone.new_page()
    page.goto("/complain/")
    page.fill('[name="description"]', "门店服务态度差。")
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(png())
    page.set_input_files('[name="files"]', str(photo))
    page.click('button[type="submit"]')
    summary = page.locator("[data-error-summary]")
    summary.wait_for()  # the form was sent in the background (a file is chosen)
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert _in_view(page, "[data-error-summary]")
    text = summary.inner_text()
    assert "尚未提交" in text and "主题" in text, text
    names = "input => Array.from(input.files, f => f.name)"
    chosen = page.locator('[name="files"]').evaluate(names)
    assert chosen == ["现场照片.png"]  # still chosen after the errors came back
    described = page.locator('[name="title"]').get_attribute("aria-describedby")
    assert described and page.locator(f"#{described}").count() == 1
    page.fill('[name="title"]', "门店服务")
    page.fill('[name="name"]', "李娜")
    page.fill('[name="phone"]', "13900000019")
    page.check('[name="consent"]')
    page.click('button[type="submit"]')
    page.wait_for_url("**/t/**?new=1")
    complaint = Complaint.objects.get(number=page.locator(".number").inner_text())
    assert [a.name for a in complaint.attachments.all()] == ["现场照片.png"]


def test_the_customers_page_sums_up_a_refused_answer_at_the_top(phone, people):
    """Point 9 (the customer's page)."""
    from django.test import Client

    from tests.test_portal import _submit, _token_of

    token = _token_of(_submit(Client(), category="staff_conduct"))
    page = phone.new_page()
    page.goto(f"/t/{token}/")
    add = page.locator('[data-action="add_info"]')
    add.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    assert page.locator("[data-error-summary]").count() == 1
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert _in_view(page, "[data-error-summary]")


# ------------------------------------------------------------------------------ pages


def test_unknown_links_and_numbers_get_the_products_pages_in_both_languages(page, people):
    """Point 10, and favicon.ico of point 14."""
    response = page.goto("/t/KS2026-not-a-link/")
    assert response.status == 404
    assert page.get_by_role("heading", name="此链接无法打开").is_visible()
    assert page.locator("header.top").count() == 1  # the customer's look
    assert "Not Found" not in page.content()
    _staff(page, people.handler_east)
    response = page.goto("/complaints/KS20269999999")
    assert response.status == 404
    assert page.get_by_role("heading", name="页面不存在").is_visible()
    assert page.locator("header.bar nav").count() == 1  # the workspace's look, with its menu
    english = page.context.browser.new_context(
        base_url=page.url.split("/complaints")[0], extra_http_headers={"Accept-Language": "en"}
    )
    other = english.new_page()
    assert other.goto("/t/nothing/").status == 404
    assert other.get_by_role("heading", name="This link does not work").is_visible()
    icon = other.goto("/favicon.ico")
    assert icon.status == 200 and "svg" in icon.headers["content-type"]
    english.close()
    assert page.locator('link[rel="icon"]').count() == 1
