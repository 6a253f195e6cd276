"""Issue #14 point 19: the outbox's in-app notifications under a bell in the workspace, with
the unread count, opened in a panel, marked read one by one or all at once."""

import pytest

from kesu.notifications.models import Notification
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_workspace_login import _with_password
from tests.conftest import complaint_payload

pytestmark = pytest.mark.django_db(transaction=True)


def _accepted_for(people, owner, title: str) -> str:
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload(title=title)).json()["number"]
    assert intake.act(number, "accept", {"owner": owner.username}).status_code == 200
    return number


def test_the_bell_counts_unread_opens_a_panel_and_marks_read(page, people):
    owner = people.handler_quality
    first = _accepted_for(people, owner, "阀门渗漏")
    second = _accepted_for(people, owner, "管件开裂")
    _with_password(owner)
    log_in(page, owner.username)
    page.wait_for_url("**/inbox/")
    bell = page.locator("[data-role=bell]")
    assert bell.locator("[data-role=unread]").inner_text() == "2"
    assert "2 条未读" in bell.locator("summary").get_attribute("aria-label")

    bell.locator("summary").click()
    rows = bell.locator(".bell-panel [data-role=notifications] li")
    rows.first.wait_for()
    assert rows.count() == 2
    assert f"您已被指定为投诉 {second} 的负责人" in rows.nth(0).inner_text()  # newest first
    screenshot(page, "bell")

    rows.nth(1).locator("button").click()  # opens the complaint, read from now on
    page.wait_for_url(f"**/complaints/{first}")
    assert page.locator("[data-role=bell] [data-role=unread]").inner_text() == "1"
    assert Notification.objects.get(recipient=owner, complaint__number=first).read_at is not None

    page.locator("[data-role=bell] summary").click()
    page.locator("[data-role=bell] [data-role=read-all]").click()
    page.wait_for_url(f"**/complaints/{first}")  # back where the person was
    assert page.locator("[data-role=bell] [data-role=unread]").count() == 0
    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()

    page.goto("/notifications/")
    assert page.locator("[data-role=notifications] li.read").count() == 2
    assert page.locator("[data-role=notifications] li.unread").count() == 0


def test_the_bell_shows_only_the_persons_own_notifications(page, people):
    _accepted_for(people, people.handler_quality, "阀门渗漏")
    _with_password(people.handler_east)
    log_in(page, people.handler_east.username)
    page.wait_for_url("**/inbox/")
    assert page.locator("[data-role=bell] [data-role=unread]").count() == 0
    page.locator("[data-role=bell] summary").click()
    page.locator(".bell-panel .empty").wait_for()
    assert page.locator(".bell-panel [data-role=notifications] li.unread").count() == 0


def test_the_bell_panel_fits_a_phone(chromium, live_server, people):
    from tests.browser.conftest import chinese_context

    _accepted_for(people, people.handler_quality, "阀门渗漏")
    _with_password(people.handler_quality)
    context = chinese_context(chromium, live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, people.handler_quality.username)
    page.wait_for_url("**/inbox/")
    page.locator("[data-role=bell] summary").click()
    panel = page.locator(".bell-panel")
    panel.locator("[data-role=notifications] li").first.wait_for()
    box = panel.bounding_box()
    width = page.evaluate("window.innerWidth")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # wholly on the screen
    context.close()
