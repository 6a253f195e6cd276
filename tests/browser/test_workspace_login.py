"""Log in, see one's inbox, log out; repeated wrong passwords pause the account."""

import pytest
from django.contrib.auth.hashers import make_password

from kesu.accounts.models import User
from tests.browser.conftest import log_in, screenshot
from tests.conftest import complaint_payload

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-1234-word"


def _with_password(*users: User) -> None:
    User.objects.filter(pk__in=[u.pk for u in users]).update(password=make_password(PASSWORD))


def test_a_handler_logs_in_sees_the_inbox_and_logs_out(page, people):
    _with_password(people.handler_east)
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload(category="service_quality")).json()[
        "number"
    ]
    assert intake.act(number, "accept", {"owner": people.handler_east.username}).status_code == 200
    log_in(page, people.handler_east.username)
    page.wait_for_url("**/inbox/")
    assert page.get_by_role("link", name="我的").is_visible()
    row = page.locator("#rows tr", has_text=number)
    assert row.count() == 1
    assert "张经理" in row.inner_text()
    screenshot(page, "inbox")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/")
    page.goto("/inbox/")
    assert "/login/" in page.url  # logged out: back to the login page


def test_a_wrong_password_is_refused_and_repeated_ones_pause_the_account(page, people):
    _with_password(people.handler_east)
    for _ in range(4):
        log_in(page, people.handler_east.username, "wrong-password")
        assert page.get_by_role("alert").inner_text() == "用户名或密码错误。"
    log_in(page, people.handler_east.username, "wrong-password")
    assert "登录失败次数过多" in page.content()
    # even the right password waits until the pause is over
    log_in(page, people.handler_east.username)
    assert "登录失败次数过多" in page.content()


def test_the_language_switch_speaks_english(page, people):
    _with_password(people.intake)
    log_in(page, people.intake.username)
    page.wait_for_url("**/inbox/")
    with page.expect_navigation():
        page.get_by_label("语言").select_option("en")
    assert page.get_by_role("link", name="My department").is_visible()
