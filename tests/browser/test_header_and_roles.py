"""The header and the first page of each role (issue #14, point 14): executives land on the
overview, administrators find the admin (its login-attempt section in Chinese), QA reads
one name for its department, and changing the language keeps what was typed."""

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_complaint_page import png
from tests.browser.test_workspace_login import _with_password

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_executive_lands_on_the_overview(page, people):
    _with_password(people.executive)
    log_in(page, people.executive.username)
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.get_by_role("heading", name="总览").is_visible()


def test_a_handler_still_lands_on_the_inbox(page, people):
    _with_password(people.handler_east)
    log_in(page, people.handler_east.username)
    page.wait_for_url("**/inbox/")


def test_only_administrators_get_a_link_to_the_admin(page, people):
    _with_password(people.admin, people.qa)
    log_in(page, people.qa.username)
    page.wait_for_url("**/inbox/")
    assert page.locator("header.bar").get_by_role("link", name="管理后台").count() == 0
    page.context.clear_cookies()

    log_in(page, people.admin.username)
    page.wait_for_url("**/inbox/")
    page.locator("header.bar").get_by_role("link", name="管理后台").click()
    page.wait_for_url("**/admin/")
    admin = page.locator("#content-main").inner_text()
    assert "登录尝试" in admin and "登录记录" in admin  # the AXES section, translated
    assert "Axes" not in admin and "Access attempts" not in admin


def test_qa_reads_its_department_once_and_its_role_as_a_role(page, people):
    _with_password(people.qa)
    log_in(page, people.qa.username)
    page.wait_for_url("**/inbox/")
    who = page.locator("header.bar .who").inner_text()
    assert "（质检员，质量部）" in who
    assert who.count("质量部") == 1 and "质保部" not in page.content()


def test_changing_the_language_keeps_a_half_filled_form(page, people):
    _with_password(people.intake)
    log_in(page, people.intake.username)
    page.wait_for_url("**/inbox/")
    page.goto("/register/")
    page.locator('[name="title"]').fill("墙体开裂")
    page.locator('[name="description"]').fill("客户反映新房客厅墙体出现多条裂缝，长约一米。")
    with page.expect_navigation():
        page.get_by_label("语言").select_option("en")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator('[name="title"]').input_value() == "墙体开裂"
    assert page.locator('[name="description"]').input_value().startswith("客户反映新房客厅")
    # kept only until the page came back
    kept = "Object.keys(sessionStorage).filter(k => k.startsWith('kesu:typed:')).length"
    assert page.evaluate(kept) == 0


def test_on_the_public_form_the_customer_is_told_chosen_files_must_be_chosen_again(
    page, tmp_path, db
):
    page.goto("/complain/")
    page.fill('[name="title"]', "地板起鼓")
    photo = tmp_path / "地板.png"
    photo.write_bytes(png(16, 16))
    page.set_input_files('[name="files"]', str(photo))
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss()  # first: stay, the files stay chosen

    page.once("dialog", answer)
    page.get_by_label("语言").select_option("en")
    assert asked and "重新选择" in asked[0]
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_label("语言").input_value() == "zh-hans"

    page.once("dialog", lambda dialog: dialog.accept())  # then: change, the text comes along
    with page.expect_navigation():
        page.get_by_label("语言").select_option("en")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator('[name="title"]').input_value() == "地板起鼓"
