"""The complaint page: the record, its clocks, the timeline; other departments' complaints
are refused with a page, not a crash."""

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.browser.test_workspace_login import _with_password
from tests.conftest import complaint_payload


def png(width: int = 4, height: int = 3) -> bytes:
    """A real (decodable) PNG: grey pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


pytestmark = pytest.mark.django_db(transaction=True)


def _accepted(people, owner, **payload) -> str:
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload(**payload)).json()["number"]
    assert intake.upload(number, "现场照片.png", png(), "image/png").status_code == 201
    intake.act(number, "note", {"text": "已告知客户受理进度。", "visibility": "customer"})
    assert intake.act(number, "accept", {"owner": owner.username}).status_code == 200
    return number


def test_the_owner_sees_record_clocks_timeline_photo_and_only_their_actions(page, people):
    number = _accepted(people, people.handler_quality)
    _with_password(people.handler_quality)
    log_in(page, people.handler_quality.username)
    page.wait_for_url("**/inbox/")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/complaints/{number}")
    assert page.get_by_role("heading", name="阀门渗漏").is_visible()
    clocks = page.locator("table.clocks").inner_text()
    assert "首次联系客户" in clocks and "现场勘查" in clocks and "已完成" in clocks
    assert page.locator(".timeline li.to-customer", has_text="已告知客户受理进度。").count() == 1
    assert page.locator(".files img").count() == 1
    page.wait_for_load_state("networkidle")
    assert page.locator(".files img").evaluate("img => [img.naturalWidth, img.naturalHeight]") == [
        4,
        3,
    ]  # the photo really loads and decodes
    actions = page.locator(".actions .action").evaluate_all("els => els.map(e => e.dataset.action)")
    assert "contact" in actions and "visit" in actions
    assert "approve_plan" not in actions and "qa_determine" not in actions
    screenshot(page, "complaint")


def test_a_handler_of_another_department_gets_a_refusal_page(page, people):
    number = _accepted(people, people.handler_quality)
    _with_password(people.handler_north)
    log_in(page, people.handler_north.username)
    page.wait_for_url("**/inbox/")
    response = page.goto(f"/complaints/{number}")
    assert response.status == 403
    assert page.get_by_role("heading", name="无权查看").is_visible()
    assert page.locator(".actions").count() == 0
