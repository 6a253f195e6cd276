"""A level-2 quality complaint from the hotline to the closed case, through the workspace
alone: every step is a click on the complaint page's action button and the form it opens."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kesu.complaints.models import Complaint
from tests.browser.conftest import CHROMIUM_ARGS, chinese_context, screenshot  # noqa: F401
from tests.browser.test_complaint_page import png
from tests.browser.test_workspace_login import _with_password

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(chromium, live_server):
    """One browser context per person, each logged in through the login page."""
    contexts = []

    def open_for(user):
        _with_password(user)
        context = chinese_context(
            chromium, live_server.url, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill("pass-1234-word")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/inbox/")
        return page

    yield open_for
    for context in contexts:
        context.close()


def act(page, number: str, action: str, fill=None) -> None:
    """Open the action's form from its button, fill it in, submit, and expect it done."""
    page.goto(f"/complaints/{number}")
    page.locator(f'.actions [data-action="{action}"]').click()
    form = page.locator("#act form")
    form.wait_for()
    if fill:
        fill(form)
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    errors = page.locator(".error").all_inner_texts()
    assert not errors, f"{action}: {errors}"
    assert page.locator(".messages li").count() == 1, action


def _local(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_a_clerk_registers_and_the_case_walks_to_its_close(desk, people, tmp_path):
    # -- the hotline clerk registers, with a photo
    clerk = desk(people.intake)
    clerk.get_by_role("link", name="登记投诉").click()
    clerk.wait_for_url("**/register/")
    form = clerk.locator("#register-form")
    form.locator('[name="complainant.phone"]').fill("13812345678")
    form.locator('[name="complainant.name"]').fill("陈先生")
    form.locator('[name="complainant.organisation"]').fill("苏州某机电公司")
    form.locator('[name="title"]').fill("DN80阀门密封失效")
    form.locator('[name="description"]').fill("上月到货的DN80阀门安装后出现渗漏,影响生产线运行。")
    form.locator('[name="product.model"]').fill("DN80")
    form.locator('[name="product.batch_no"]').fill("2026-09-B")
    # the assist panel proposes as the clerk types
    clerk.locator("#proposed-severity", has_text="二级").wait_for()
    form.locator('select[name="category"]').select_option("product_quality")
    photo = tmp_path / "渗漏照片.png"
    photo.write_bytes(png())
    form.locator("#files").set_input_files(str(photo))
    assert "渗漏照片.png" in form.locator("#chosen").inner_text()
    form.get_by_label("已向客户复述").check()  # labels are real <label>s: found by their text
    screenshot(clerk, "register")
    form.get_by_role("button", name="登记", exact=True).click()
    clerk.wait_for_url("**/complaints/KS*")
    number = clerk.url.rsplit("/", 1)[1]
    complaint = Complaint.objects.get(number=number)
    assert complaint.severity == 2 and complaint.category.code == "product_quality"
    assert complaint.attachments.count() == 1

    # -- the quality handler accepts, visits, determines, proposes
    handler = desk(people.handler_quality)
    act(handler, number, "accept")
    act(
        handler,
        number,
        "visit",
        lambda f: (
            f.locator('textarea[name="findings"]').fill("现场确认阀门密封圈失效。"),
            f.locator('input[name="attachments"]').first.check(),
        ),
    )
    act(
        handler,
        number,
        "determine",
        lambda f: (
            f.locator('select[name="determination"]').select_option("defect"),
            f.locator('textarea[name="root_cause"]').fill("密封圈材料批次不合格"),
            f.locator('input[name="evidence"]').first.check(),
        ),
    )
    act(
        handler,
        number,
        "propose_plan",
        lambda f: (
            f.locator('input[name="measures.0.description"]').fill("免费更换同批次阀门"),
            f.locator('select[name="measures.0.owner"]').select_option(
                people.handler_quality.username
            ),
            f.locator('input[name="measures.0.deadline"]').fill(_local(3)),
        ),
    )
    # the handler has no approval button; the head of quality has
    assert handler.locator('.actions [data-action="approve_plan"]').count() == 0

    head = desk(people.head_quality)
    act(head, number, "approve_plan", lambda f: f.locator("textarea").first.fill("同意"))

    act(handler, number, "complete", lambda f: f.locator("textarea").first.fill("已更换。"))
    act(
        handler,
        number,
        "verify",
        lambda f: (
            f.locator('select[name="passed"]').select_option("yes"),
            f.locator('textarea[name="report"]').fill("复验无渗漏"),
        ),
    )
    act(
        handler,
        number,
        "confirm",
        lambda f: f.locator('select[name="satisfied"]').select_option("yes"),
    )

    # -- the return visit on the 5-option scale: (3 + 2 + 2) / 9 = 77.8 %
    def survey(f):
        # the form opens on the 5-option scale (choosing another scale redraws it by htmx;
        # tests/test_workspace_actions.py covers that)
        assert f.locator('select[name="scale"]').input_value() == "5"
        for i, answer in enumerate(("very_satisfied", "satisfied", "satisfied")):
            f.page.locator(f'#act input[name="answers.{i}"][value="{answer}"]').check()

    act(handler, number, "return_visit", survey)
    assert "77.8" in handler.locator(".satisfaction").inner_text()
    act(handler, number, "close")
    assert handler.locator(".page-head .state").first.inner_text() == "已结案"
    complaint.refresh_from_db()
    assert complaint.state == "closed" and str(complaint.satisfaction_pct) == "77.8"
    types = list(complaint.events.values_list("type", flat=True))
    assert types[-1] == "close" and "approve_plan" in types and "return_visit" in types

    # -- the dashboard, as the head of quality sees it afterwards
    head.goto("/")
    assert head.get_by_role("heading", name="总览").is_visible()
    screenshot(head, "dashboard")
