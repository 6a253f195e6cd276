"""What a person typed or chose stays theirs when the page around it changes (review of
issue #14): the language switch after the bell's panel added its forms to the page, and the
files of a form sent back with errors on a page with more than one file input."""

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_bell import _accepted_for
from tests.browser.test_complaint_page import png
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


# another form on the answer, ahead of the one sent, with a file input of the same name
DECOY = (
    '<form id="decoy" method="post" action="/elsewhere/"><input type="file" name="files"></form>'
)


def test_files_chosen_before_an_error_stay_in_the_form_that_was_sent(page, people, tmp_path):
    _with_password(people.intake)
    log_in(page, people.intake.username)
    page.wait_for_url("**/inbox/")

    def with_decoy(route):
        if route.request.method != "POST":
            return route.continue_()
        answer = route.fetch()
        body = answer.text().replace("<main>", DECOY + "<main>", 1)
        return route.fulfill(response=answer, body=body)

    page.route("**/register/", with_decoy)
    page.goto("/register/")
    photo = tmp_path / "裂缝.png"
    photo.write_bytes(png())
    page.locator("#register-form #files").set_input_files(str(photo))
    page.locator("#register-form").get_by_role("button", name="登记", exact=True).click()
    page.locator("[data-error-summary]").wait_for()  # sent in the background: a file is chosen
    assert page.locator("#decoy").count() == 1
    names = "input => Array.from(input.files, f => f.name)"
    assert page.locator("#register-form #files").evaluate(names) == ["裂缝.png"]
    assert page.locator("#decoy input").evaluate(names) == []
