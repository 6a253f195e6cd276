"""The inbox as people work from it (issue #14): tabs built from what each person may
decide, a phone-sized handler's path, bulk actions, saved views, the export of the list,
and the notice that someone else changed what is on the screen."""

import io

import openpyxl
import pytest

from kesu.complaints.models import Complaint
from tests.browser.conftest import chinese_context, log_in, screenshot
from tests.browser.test_full_path import _local
from tests.browser.test_workspace_login import _with_password
from tests.inbox_cases import LEVEL_1, plan_approval, planning, registered, verifying

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_as(chromium, live_server):
    contexts = []

    def open_for(user, **options):
        _with_password(user)
        context = chinese_context(chromium, live_server.url, **options)
        contexts.append(context)
        page = context.new_page()
        log_in(page, user.username)
        page.wait_for_load_state()  # executives land on the overview, everyone else on the inbox
        page.goto("/inbox/")
        return page

    yield open_for
    for context in contexts:
        context.close()


def _tab(page, label: str):
    return page.locator(".tabs a", has_text=label)


def _listed(page) -> list[str]:
    return page.locator("#rows tr[data-number]").evaluate_all(
        "rows => rows.map(r => r.dataset.number)"
    )


# ------------------------------------------------------------------------------ point 5


def test_work_tabs_list_what_the_person_may_decide_and_say_who_decides_the_rest(browser_as, people):
    major = plan_approval(people, **LEVEL_1)
    plan = plan_approval(people)
    major_result = verifying(people, **LEVEL_1)

    head = browser_as(people.head_quality)
    _tab(head, "待审批").click()
    head.wait_for_url("**tab=approval*")
    assert _listed(head) == [plan]  # the level-1 plan is the executive's, not the head's
    _tab(head, "本部门").click()
    row = head.locator(f'#rows tr[data-number="{major}"]')
    assert "一级投诉的处理方案由公司领导审批。" in row.inner_text()
    head.locator(f'#rows a:text-is("{major}")').click()
    assert head.locator('[data-role="decided-by"]').inner_text() == (
        "一级投诉的处理方案由公司领导审批。"
    )

    qa = browser_as(people.qa)
    _tab(qa, "待验证").click()
    qa.wait_for_url("**tab=verify*")
    assert _listed(qa) == [major_result]
    assert _tab(qa, "待审批").count() == 0  # QA approves nothing

    executive = browser_as(people.executive)
    _tab(executive, "待审批").click()
    assert set(_listed(executive)) == {major}


# ------------------------------------------------------------------------------ point 15


def _fits_the_phone(page) -> None:
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: {width} px wide"


def test_a_handler_on_a_phone_goes_from_the_inbox_to_a_proposed_plan(browser_as, people):
    number = planning(people, title="现场阀门渗漏导致车间停产,需要尽快更换同批次全部阀门")
    handler = browser_as(people.handler_quality, viewport=PHONE, is_mobile=True, has_touch=True)
    _fits_the_phone(handler)
    title = handler.locator(f'#rows tr[data-number="{number}"] td.title')
    box = title.bounding_box()
    assert box["width"] >= 300  # the title reads across the card, not a character a line
    screenshot(handler, "phone-inbox")

    handler.locator(f'#rows a:text-is("{number}")').click()
    handler.wait_for_url(f"**/complaints/{number}")
    _fits_the_phone(handler)
    assert handler.locator(".page-head h1").bounding_box()["width"] >= 300
    screenshot(handler, "phone-complaint")

    handler.locator('.actions [data-action="propose_plan"]').click()
    form = handler.locator("#act form")
    form.wait_for()
    _fits_the_phone(handler)
    form.locator('input[name="measures.0.description"]').fill("免费更换同批次阀门")
    form.locator('select[name="measures.0.owner"]').select_option(people.handler_quality.username)
    form.locator('input[name="measures.0.deadline"]').fill(_local(3))
    form.locator('button[type="submit"]').click()
    handler.wait_for_load_state()
    assert handler.locator(".messages li").count() == 1
    _fits_the_phone(handler)
    assert Complaint.objects.get(number=number).state == "plan_approval"


def test_every_staff_page_and_action_form_fits_a_phone(browser_as, people):
    numbers = [planning(people), plan_approval(people), verifying(people)]
    too_wide = []
    for user in (people.handler_quality, people.head_quality, people.intake):
        page = browser_as(user, viewport=PHONE, is_mobile=True)
        urls = ["/", "/inbox/", "/register/"]
        for number in numbers:
            urls.append(f"/complaints/{number}")
            page.goto(urls[-1])
            actions = page.locator(".actions .action").evaluate_all(
                "links => links.map(a => a.dataset.action)"
            )
            urls += [f"/complaints/{number}/do/{action}" for action in actions]
        for url in urls:
            page.goto(url)
            width = page.evaluate("document.scrollingElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append((user.username, url, width))
    assert not too_wide


# ------------------------------------------------------------------------------ point 16


def test_bulk_actions_take_each_complaint_on_its_own_and_say_what_was_refused(browser_as, people):
    first, second, third = (registered(people, title=f"批量{i}") for i in range(3))
    intake = people.api(people.intake)
    for number in (first, second, third):
        intake.act(number, "accept", {"owner": people.handler_quality.username})
    for _ in range(2):  # the third is already with the executives: escalating it is refused
        assert intake.act(third, "escalate", {"reason": "客户多次来电"}).status_code == 200

    head = browser_as(people.head_quality)
    _tab(head, "本部门").click()
    for number in (first, second, third):
        head.locator(f'#rows tr[data-number="{number}"] input[name="pick"]').check()
    bulk = head.locator("#bulk")
    bulk.locator('select[name="do"]').select_option("escalate")
    assert bulk.locator('select[name="owner"]').is_hidden()  # escalate names no owner
    bulk.locator('input[name="text"]').fill("同批次问题集中,升级处理")
    screenshot(head, "inbox-bulk")
    bulk.get_by_role("button", name="执行").click()
    head.wait_for_url("**/inbox/bulk")
    assert head.locator("tr.done").count() == 2
    refused = head.locator(f'tr.refused[data-number="{third}"]').inner_text()
    assert "已升级至公司领导" in refused
    screenshot(head, "inbox-bulk-result")
    for number, level in ((first, 1), (second, 1), (third, 2)):
        complaint = Complaint.objects.get(number=number)
        assert complaint.escalation_level == level
        assert complaint.events.filter(type="escalate").count() == level

    # a note on two, one of them changed since the list was drawn: that one is refused
    head.goto("/inbox/?tab=department")
    for number in (first, second):
        head.locator(f'#rows tr[data-number="{number}"] input[name="pick"]').check()
    intake.act(second, "note", {"text": "客户又来电"})
    bulk.locator('select[name="do"]').select_option("note")
    bulk.locator('input[name="text"]').fill("已批量通知现场")
    bulk.get_by_role("button", name="执行").click()
    head.wait_for_url("**/inbox/bulk")
    assert head.locator(f'tr.done[data-number="{first}"]').count() == 1
    assert head.locator(f'tr.refused[data-number="{second}"]').count() == 1


# ------------------------------------------------------------------------------ point 17


def test_a_head_saves_a_view_and_shares_it_with_the_department(browser_as, people):
    level_1 = registered(people, **LEVEL_1)
    other = registered(people)
    head = browser_as(people.head_quality)
    head.goto("/inbox/?tab=all")
    head.locator('.search select[name="severity"]').select_option("1")
    head.locator(".search button").click()
    head.wait_for_url("**severity=1*")
    head.locator(".save-view summary").click()
    head.locator('.save-view input[name="name"]').fill("一级投诉")
    head.locator('.save-view input[name="share"]').check()
    head.locator(".save-view button").click()
    head.wait_for_url("**view=*")
    saved = head.locator('.tabs a[data-view="一级投诉"]')
    assert saved.get_attribute("aria-current") == "page"
    assert _listed(head) == [level_1]
    screenshot(head, "inbox-saved-view")

    handler = browser_as(people.handler_quality)  # same department: the shared tab is there
    handler.locator('.tabs a[data-view="一级投诉"]').click()
    handler.wait_for_url("**view=*")
    assert level_1 in _listed(handler) and other not in _listed(handler)
    assert handler.get_by_role("button", name="删除视图“一级投诉”").count() == 0  # not theirs
    east = browser_as(people.handler_east)  # another department: not shared with them
    assert east.locator('.tabs a[data-view="一级投诉"]').count() == 0


# ------------------------------------------------------------------------------ point 21


def test_the_list_as_filtered_downloads_as_excel_and_csv(browser_as, people):
    wanted = registered(people, category="service_quality", title="服务态度")
    registered(people)  # product quality: filtered out
    clerk = browser_as(people.intake)
    clerk.goto("/inbox/?tab=all&category=service_quality")
    with clerk.expect_download() as download:
        clerk.locator('[data-role="export-xlsx"]').click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == wanted  # the header, then the one complaint
    with clerk.expect_download() as download:
        clerk.locator('[data-role="export-csv"]').click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert wanted in text and text.count("\n") == 2


# ------------------------------------------------------------------------------ point 22


def test_someone_elses_change_is_announced_before_the_person_submits(browser_as, people):
    number = planning(people)
    handler = browser_as(people.handler_quality)
    handler.goto(f"/complaints/{number}/do/propose_plan")
    head = people.api(people.head_quality)
    assert head.act(number, "note", {"text": "请先和客户确认更换时间"}).status_code == 200
    notice = handler.locator('[data-role="fresh"]')
    notice.wait_for(timeout=15_000)
    assert "钱部长" in notice.inner_text()

    handler.goto("/inbox/?tab=mine")
    assert number in _listed(handler)
    assert head.act(number, "note", {"text": "再提醒一次"}).status_code == 200
    handler.locator('[data-role="fresh"]').wait_for(timeout=15_000)
    assert number in handler.locator('[data-role="fresh"]').inner_text()
