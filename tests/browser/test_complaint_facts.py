"""Issue #14 point 7: the executive's expert review (专家评审意见) and the address the clerk
typed are shown on the complaint page."""

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_workspace_login import _with_password
from tests.conftest import PHOTO, complaint_payload
from tests.test_portal import _act, _soon

pytestmark = pytest.mark.django_db(transaction=True)


def _level_1_approved(people) -> str:
    """A level-1 complaint with an address, its plan approved by the executive with the
    expert review."""
    intake, h = people.api(people.intake), people.handler_quality
    payload = complaint_payload(
        description="阀门渗漏导致工人受伤,客户称将联系媒体。", claim_amount="80000"
    )
    payload["complainant"]["address"] = "上海市浦东新区张江路88号3栋"
    number = intake.post("/complaints", payload).json()["number"]
    _act(people, number, people.intake, "accept", {"owner": h.username})
    _act(people, number, h, "contact", {"promised_at": _soon(), "summary": "已联系客户"})
    photo = people.api(h).upload(number, "现场照片.jpg", PHOTO).json()["id"]
    determination = {
        "determination": "defect",
        "root_cause": "密封圈不良",
        "responsible_department": "production",
        "evidence": [photo],
    }
    _act(people, number, h, "determine", determination)
    measures = [{"description": "免费更换阀门", "owner": h.username, "deadline": _soon(5)}]
    _act(people, number, h, "propose_plan", {"measures": measures, "in_warranty": True})
    review = {"comment": "同意", "expert_review": "技术、质量、安全专家会诊：方案可行，需试压"}
    _act(people, number, people.executive, "approve_plan", review)
    return number


def test_the_complaint_page_shows_the_expert_review_and_the_address(page, people):
    number = _level_1_approved(people)
    _with_password(people.handler_quality)
    log_in(page, people.handler_quality.username)
    page.wait_for_url("**/inbox/")
    page.goto(f"/complaints/{number}")
    assert page.get_by_role("heading", name="专家评审意见").is_visible()
    review = page.locator("[data-role=expert-review]")
    assert review.inner_text() == "技术、质量、安全专家会诊：方案可行，需试压"
    decision = page.locator("[data-role=plan-decision]").inner_text()
    assert "郑副总" in decision and "同意" in decision
    assert page.locator("[data-role=address]").inner_text() == "上海市浦东新区张江路88号3栋"
    assert page.locator("dt", has_text="地址").is_visible()
