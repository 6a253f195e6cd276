"""What a person typed or chose stays theirs when the page around it changes (review of
issue #14): the language switch after the bell's panel added its forms to the page, and the
files of a form sent back with errors on a page with more than one file input."""

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_bell import _accepted_for
from tests.browser.test_workspace_login import _with_password

pytestmark = pytest.mark.django_db(transaction=True)


def test_changing_the_language_after_opening_the_bell_keeps_the_typed_note(page, people):
    owner = people.handler_quality
    number = _accepted_for(people, owner, "阀门渗漏")
    _with_password(owner)
    log_in(page, owner.username)
    page.wait_for_url("**/inbox/")
    page.goto(f"/complaints/{number}/do/note")
    note = page.locator(f'form[action="/complaints/{number}/do/note"] [name="text"]')
    note.fill("已电话联系客户，明早上门查看。")
    bell = page.locator("[data-role=bell]")
    bell.locator("summary").click()
    bell.locator(".bell-panel form").first.wait_for()  # the panel's forms are now ahead of <main>
    with page.expect_navigation():
        page.get_by_label("语言").select_option("en")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert note.input_value() == "已电话联系客户，明早上门查看。"
