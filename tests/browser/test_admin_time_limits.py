"""The administrator changes a time limit (issue #14, point 12): events as words, a preview
of the open complaints that would move, and the choice of what the change applies to."""

import pytest

from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.policies.models import ClockPolicy
from tests.browser.conftest import accessibility_violations
from tests.browser.test_workspace_login import _with_password
from tests.conftest import complaint_payload

pytestmark = pytest.mark.django_db(transaction=True)


def admin_login(page, user) -> None:
    _with_password(user)
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill("pass-1234-word")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/")


def test_the_admin_previews_the_moves_and_then_moves_the_open_complaints(page, people):
    number = people.api(people.intake).post("/complaints", complaint_payload()).json()["number"]
    due_before = Complaint.objects.get(number=number).due_at
    row = ClockPolicy.objects.get(clock="first_contact", severity=None, category=None)
    admin_login(page, people.admin)
    page.goto(f"/admin/policies/clockpolicy/{row.pk}/change/")

    assert not accessibility_violations(page)
    starts = page.locator("#id_starts_on")
    assert starts.get_by_label("已登记", exact=True).is_checked()  # a word, not ["register"]
    assert '["register"]' not in page.content()
    page.locator("#id_limit").fill("12")
    page.get_by_label("也适用于未结投诉：其到期时间立即调整").check()
    page.get_by_role("button", name="预览哪些未结投诉会调整").click()

    assert not accessibility_violations(page)
    moves = page.locator("#moves")
    assert number in moves.inner_text()
    assert "首次联系客户" in moves.inner_text()
    assert ClockPolicy.objects.get(pk=row.pk).limit == 24  # nothing saved by the preview
    assert Complaint.objects.get(number=number).due_at == due_before

    page.get_by_role("button", name="保存并调整这些到期时间").click()
    page.wait_for_url("**/admin/policies/clockpolicy/")
    assert "1 件未结投诉的到期时间已调整" in page.locator(".messagelist").inner_text()
    (event,) = ComplaintEvent.objects.filter(
        complaint__number=number, type="time_limit_changed", actor=people.admin
    )
    (moved,) = event.data["clocks"]
    assert moved["clock"] == "first_contact" and moved["to"] < moved["from"]
    page.goto(f"/complaints/{number}")  # the timeline says it in words
    timeline = page.locator("main").inner_text()
    assert "时限已调整" in timeline and "首次联系客户：到期时间" in timeline


def test_new_complaints_only_is_the_default_and_moves_nothing(page, people):
    number = people.api(people.intake).post("/complaints", complaint_payload()).json()["number"]
    due_before = Complaint.objects.get(number=number).due_at
    row = ClockPolicy.objects.get(clock="first_contact", severity=None, category=None)
    admin_login(page, people.admin)
    page.goto(f"/admin/policies/clockpolicy/{row.pk}/change/")
    assert page.get_by_label("仅适用于新投诉：未结投诉保持原到期时间").is_checked()
    page.locator("#id_limit").fill("12")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/admin/policies/clockpolicy/")
    assert Complaint.objects.get(number=number).due_at == due_before
    assert ClockPolicy.objects.get(pk=row.pk).registered_before is not None
    assert ClockPolicy.objects.filter(clock="first_contact", limit=12).exists()
