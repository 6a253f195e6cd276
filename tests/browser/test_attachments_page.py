"""Issue #14 point 20: files added from the complaint page after registration (the same
judging and storing as the API), with the chosen photos previewed before they are sent."""

import pytest

from kesu.complaints.choices import EventType, Visibility
from kesu.complaints.models import Attachment, ComplaintEvent
from tests.browser.conftest import log_in
from tests.browser.test_complaint_page import _accepted, png
from tests.browser.test_workspace_login import _with_password

pytestmark = pytest.mark.django_db(transaction=True)


def _open(page, people) -> str:
    number = _accepted(people, people.handler_quality)  # has one photo from the API already
    _with_password(people.handler_quality)
    log_in(page, people.handler_quality.username)
    page.wait_for_url("**/inbox/")
    page.goto(f"/complaints/{number}")
    return number


def test_staff_add_a_photo_from_the_page_previewed_then_shown(page, people, tmp_path):
    number = _open(page, people)
    photo = tmp_path / "补充照片.png"
    photo.write_bytes(png(40, 30))
    form = page.locator("[data-role=upload]")
    form.locator("input[type=file]").set_input_files(str(photo))
    preview = form.locator("[data-role=previews] img")
    preview.wait_for()
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 40  # seen before sent
    form.locator("select[name=visibility]").select_option("customer")
    form.get_by_role("button", name="添加文件").click()
    page.wait_for_url(f"**/complaints/{number}#files")
    assert "已添加 1 个文件。" in page.locator(".messages").inner_text()

    added = Attachment.objects.get(complaint__number=number, name="补充照片.png")
    assert added.visibility == Visibility.CUSTOMER and added.uploaded_by == people.handler_quality
    event = ComplaintEvent.objects.get(type=EventType.ATTACH, data__attachment=added.pk)
    assert event.actor == people.handler_quality
    shown = page.locator("[data-role=attachments] img[alt='补充照片.png']")
    page.wait_for_load_state("networkidle")
    assert shown.evaluate("img => img.naturalWidth") == 40  # the stored photo loads in the page


def test_a_file_of_a_refused_type_adds_nothing_and_says_why(page, people, tmp_path):
    number = _open(page, people)
    before = Attachment.objects.filter(complaint__number=number).count()
    good, bad = tmp_path / "好.png", tmp_path / "setup.exe"
    good.write_bytes(png())
    bad.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    form = page.locator("[data-role=upload]")
    form.locator("input[type=file]").set_input_files([str(good), str(bad)])
    form.get_by_role("button", name="添加文件").click()
    page.wait_for_url(f"**/complaints/{number}#files")
    message = page.locator(".messages .error").inner_text()
    assert "没有添加任何文件" in message and "setup.exe" in message
    assert Attachment.objects.filter(complaint__number=number).count() == before  # all or none
