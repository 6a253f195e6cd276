"""A complaint's three paper forms as PDF (issue #16): read back with poppler's pdftotext,
pdffonts and pdftoppm, as a person opening or printing them would see them."""

import subprocess
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation
from PIL import Image

from kesu.accounts.actions import create_token, create_user
from kesu.accounts.choices import Role
from kesu.complaints import limits
from kesu.complaints.models import Complaint
from kesu.reports import documents
from kesu.reports.pdf import Document, charts, fonts
from tests.conftest import PHOTO, Api, complaint_payload
from tests.reports_cases import closed_complaint, download, ok, refusal

pytestmark = pytest.mark.django_db

SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
SHANGHAI = ZoneInfo("Asia/Shanghai")

DOCUMENTS = ("registration.pdf", "handling-sheet.pdf", "confirmation.pdf")


def text_of(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    run = subprocess.run(
        ["pdftotext", *pages, "-layout", str(pdf), "-"], capture_output=True, check=True
    )
    return run.stdout.decode()


def flat(text: str) -> str:
    """The text without spaces and line ends: a wrapped value reads as one again."""
    return "".join(text.split())


def pages_of(pdf: Path) -> int:
    run = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True)
    return int(next(ln for ln in run.stdout.splitlines() if ln.startswith("Pages:")).split()[1])


@pytest.fixture
def number(people) -> str:
    return closed_complaint(people)


def test_the_handling_sheet_holds_record_cause_plan_costs_approvals_result_and_timeline(
    people, number, tmp_path
):
    sheet = tmp_path / "sheet.pdf"
    response = download(people.api(people.handler_quality), number, "handling-sheet.pdf", sheet)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{number}-handling-sheet.pdf"' in response["Content-Disposition"]
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    text = flat(text_of(sheet))
    for expected in (
        "客户投诉处理单",
        number,
        "王伟",  # the complainant
        "上海某公司",
        "DN50",
        "张江厂房改造",
        "阀门渗漏导致工人受伤",  # what happened
        "明显质量问题",  # the determination
        "密封圈材料批次不良",  # the root cause
        "免费更换阀门",  # the measure
        "更换或维修",  # a cost item, borne by the company
        "技术、质量、安全专家会诊",  # the expert review
        "同意更换",  # the executive's approval …
        "郑副总",  # … by name
        "已更换并试压合格",  # what was done
        "质量部验证报告",  # the verification report
        "77.8",  # satisfaction on the 5-option scale
        "处理人",  # a signature line
        "签字",
    ):
        assert flat(expected) in text, expected
    # every event of the timeline, in order
    events = Complaint.objects.get(number=number).events.order_by("id")
    with translation.override("zh-hans"):
        labels = [documents.label(documents.EventType, e.type) for e in events]
        timeline = text[text.index(flat(translation.gettext("Timeline"))) :]
    position = 0
    for event_label in labels:
        position = timeline.index(flat(event_label), position) + 1
    pages = pages_of(sheet)
    assert f"第1页共{pages}页" in text and f"第{pages}页共{pages}页" in text


def test_the_handling_sheets_decisions_hold_the_determination_and_qas_verification(
    people, number, tmp_path
):
    sheet = tmp_path / "sheet.pdf"
    download(people.api(people.qa), number, "handling-sheet.pdf", sheet)
    text = flat(text_of(sheet))
    decisions = text[text.index("审批与决定") :]
    for expected in ("明显质量问题:密封圈材料批次不良", "通过:质量部验证报告:合格", "吴质检"):
        assert flat(expected) in decisions, expected


def test_the_registration_form_holds_the_record_of_spec_2(people, number, tmp_path):
    form = tmp_path / "registration.pdf"
    assert download(people.api(people.intake), number, "registration.pdf", form).status_code == 200
    text = flat(text_of(form))
    for expected in (
        "客户投诉登记表",
        number,
        "电话",  # the channel
        "王客服",  # registered by
        "王伟",
        "138 0000 0001",  # the phone as people write it
        "DN50",
        "2025-07",  # batch
        "SO00012345",  # order number
        "张江厂房改造",
        "三号车间东侧",
        "浦东新区张江路88号三号车间",
        "80,000.00",  # the claimed amount
        "更换阀门",  # the demand
        "一级",  # the severity
        "质量",  # the responsible department
        "现场照片.jpg",  # the evidence, by name
        "复述",  # read back …
        "是",  # … yes
        "登记人",  # signature lines
    ):
        assert flat(expected) in text, expected


def test_the_confirmation_says_what_was_done_as_the_customer_is_told_never_staffs_notes(
    people, number, tmp_path
):
    letter = tmp_path / "confirmation.pdf"
    assert (
        download(people.api(people.intake), number, "confirmation.pdf", letter).status_code == 200
    )
    text = flat(text_of(letter))
    for expected in (
        "客户问题处理确认书",
        number,
        "王伟",
        "免费更换阀门",
        "77.8",
        "很满意",
        "满意",
    ):
        assert flat(expected) in text, expected
    assert "客户签字" in text or ("客户" in text and "签字" in text)
    # staff's own words stay out of what the customer signs
    for internal in (
        "密封圈材料批次不良",
        "质量部验证报告",
        "已联系客户",
        "技术、质量、安全专家会诊",
    ):
        assert flat(internal) not in text, internal


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_chinese_font_is_embedded_and_is_the_only_font(people, number, document, tmp_path):
    pdf = tmp_path / "doc.pdf"
    assert download(people.api(people.intake), number, document, pdf).status_code == 200
    run = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True)
    fonts = run.stdout.splitlines()[2:]
    assert len(fonts) == 1, run.stdout
    name, *_middle, emb, sub, uni, _obj, _gen = fonts[0].split()
    assert "NotoSansCJK" in name
    assert (emb, sub, uni) == ("yes", "yes", "yes")


def render_page(pdf: Path, page: int, resolution: int, target: Path) -> Image.Image:
    """Page `page` of `pdf` as a PNG at `target` (pdftoppm), and the image read back."""
    stem = target.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(resolution),
            "-png",
            "-singlefile",
            "-f",
            str(page),
            "-l",
            str(page),
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    return Image.open(BytesIO(target.read_bytes()))


def test_pages_render_to_images_with_ink_on_them_which_the_readme_shows(people, tmp_path):
    """The handling sheet's first page and the registration form, rendered as a printer
    would, are the README's screenshots of the documents. The complaint is made at a fixed
    instant, so that the pictures change only when the documents do."""
    with time_machine.travel(datetime(2026, 11, 20, 9, 30, tzinfo=SHANGHAI), tick=False):
        number = closed_complaint(people)
        api = people.api(people.intake)
        for document, name in (
            ("handling-sheet.pdf", "document-handling-sheet.png"),
            ("registration.pdf", "document-registration.png"),
        ):
            pdf = tmp_path / document
            download(api, number, document, pdf)
            image = render_page(pdf, 1, 90, SCREENSHOTS / name).convert("L")
            assert image.size[0] < image.size[1]  # A4, upright
            dark = sum(image.histogram()[:128])
            assert dark > image.size[0] * image.size[1] * 0.01  # text and rules, not blank


def test_nobody_who_may_not_see_the_complaint_gets_its_documents(people, number):
    outsider = people.api(people.handler_north)  # another region's handler
    account = create_user("wangwei", role=Role.CUSTOMER, name="王伟")
    customer = Api(account, create_token(account))
    for document in (*DOCUMENTS, "case-file.zip"):
        for caller in (outsider, customer):
            response = download(caller, number, document)
            assert response.status_code == 404, (document, caller.user.username)
            assert refusal(response)["code"] == "not_found"
        missing = download(people.api(people.intake), "KS209912999999", document)
        assert missing.status_code == 404
        anonymous = Client().get(f"/api/v1/reports/complaints/{number}/{document}")
        assert anonymous.status_code == 401


def test_a_long_timeline_runs_onto_more_pages_with_its_headings_on_each(people, tmp_path):
    intake = people.api(people.intake)
    number = ok(intake.post("/complaints", complaint_payload()), 201)["number"]
    for index in range(70):
        ok(intake.act(number, "note", {"text": f"第{index}次备注:客户再次来电询问进度,已解释。"}))
    sheet = tmp_path / "sheet.pdf"
    download(intake, number, "handling-sheet.pdf", sheet)
    pages = pages_of(sheet)
    assert pages >= 3
    assert "第69次备注" in flat(text_of(sheet, pages - 1, pages))
    timeline_pages = [
        flat(text_of(sheet, page, page))
        for page in range(2, pages + 1)
        if "客户再次来电询问进度" in flat(text_of(sheet, page, page))
    ]
    assert len(timeline_pages) >= 2
    for page_text in timeline_pages:  # each page the timeline runs onto starts with its headings
        assert "时间事件操作人状态意见" in page_text


def test_the_documents_speak_the_callers_language(people, number, tmp_path):
    sheet = tmp_path / "sheet.pdf"
    api = people.api(people.intake)
    response = api._client().get(
        f"/api/v1/reports/complaints/{number}/handling-sheet.pdf", HTTP_ACCEPT_LANGUAGE="en"
    )
    sheet.write_bytes(response.content)
    text = text_of(sheet)
    assert "Customer complaint handling sheet" in text
    assert "Page 1 of" in text
    assert "王伟" in text  # the record stays as it was written


def test_the_charts_draw_their_labels_and_values(tmp_path):
    doc = Document("图表")
    charts.bar_chart(doc, ["产品质量", "服务态度"], [12, 5], x=16, y=40, w=90, h=60, title="分类")
    charts.line_chart(
        doc, ["9月", "10月", "11月"], [("及时率", [80, 90, 95.5])], x=110, y=40, w=85, h=60
    )
    pdf = tmp_path / "charts.pdf"
    pdf.write_bytes(doc.bytes())
    text = flat(text_of(pdf))
    for expected in ("分类", "产品质量", "服务态度", "12", "9月", "11月", "及时率", "100"):
        assert expected in text, expected
    assert charts.nice_top(0) == 1 and charts.nice_top(12) == 20 and charts.nice_top(95.5) == 100


def test_the_complaint_page_has_a_print_menu_whose_links_download_the_documents(people, number):
    browser = Client()
    browser.force_login(people.handler_quality)
    page = browser.get(f"/complaints/{number}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-role="print-menu"' in html and "打印" in html
    for document, title in (
        ("registration", "客户投诉登记表"),
        ("handling-sheet", "客户投诉处理单"),
        ("confirmation", "客户问题处理确认书"),
        ("site-service-report", "外出服务报告"),
        ("case-file", "案卷"),
    ):
        link = f"/complaints/{number}/print/{document}"
        assert f'href="{link}"' in html and title in html
        response = browser.get(link)
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.startswith(b"%PDF-" if document != "case-file" else b"PK\x03\x04")
    assert f'href="/complaints/{number}/print/liaison"' in html and "内联单" in html
    assert browser.get(f"/complaints/{number}/print/nothing").status_code == 404
    assert browser.get("/complaints/KS209912999999/print/registration").status_code == 404
    outsider = Client()
    outsider.force_login(people.handler_north)
    assert outsider.get(f"/complaints/{number}/print/handling-sheet").status_code == 403
    assert Client().get(f"/complaints/{number}/print/handling-sheet").status_code == 302  # login


def test_a_note_longer_than_a_page_goes_on_over_the_next_pages(people, tmp_path):
    """fpdf2 never splits a table row; a note may hold 10,000 characters (and characters the
    font lacks, such as emoji): the timeline carries it on in the rows below, to its end."""
    intake = people.api(people.intake)
    number = ok(intake.post("/complaints", complaint_payload()), 201)["number"]
    text = "开头标记😀" + "客户再次反映阀门渗漏。" * 908 + "结尾标记"
    assert len(text) <= limits.ACTION_TEXT
    ok(intake.act(number, "note", {"text": text}))
    sheet = tmp_path / "sheet.pdf"
    assert download(intake, number, "handling-sheet.pdf", sheet).status_code == 200
    assert pages_of(sheet) >= 5
    whole = flat(text_of(sheet))
    assert "开头标记" in whole and "结尾标记" in whole
    assert whole.count("客户再次反映阀门渗漏") >= 908 - pages_of(sheet)  # cut only by pages


def test_the_font_is_read_once_per_process_and_comes_from_the_mplfonts_package(monkeypatch):
    assert fonts.font_path().parts[-3:] == ("mplfonts", "fonts", "NotoSansCJKsc-Regular.otf")
    Document("第一份").bytes()  # the process has read the font by now
    reads = []
    original = fonts.TTFFont.__init__

    def counting(self, *args, **kwargs):
        reads.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(fonts.TTFFont, "__init__", counting)
    for title in ("第二份", "第三份"):
        document = Document(title)
        document.form_grid([[("编号", "KS20261100001")]])
        assert document.bytes().startswith(b"%PDF-")
    assert reads == []


# ------------------------------------------------------------------- 内联单, 外出服务报告


def liaised_complaint(people) -> str:
    """Taken by the east sales region, handed to quality (a 内联单), escalated to quality's
    head (another, on the escalated reply clock), answered by the head; visited twice."""
    intake, east = people.api(people.intake), people.api(people.handler_east)
    quality, head = people.api(people.handler_quality), people.api(people.head_quality)
    payload = complaint_payload(
        occurred_place="浦东新区张江路 88 号三号车间",
        project={"name": "张江厂房改造", "location": "三号车间东侧"},
    )
    number = ok(intake.post("/complaints", payload), 201)["number"]
    ok(intake.act(number, "accept", {"owner": east.user.username}))
    ok(
        intake.act(
            number, "assign", {"owner": quality.user.username, "reason": "请质量部现场取样鉴定"}
        )
    )
    ok(quality.act(number, "escalate", {"reason": "赔偿要求超出权限,请部长审批"}))
    ok(head.act(number, "note", {"text": "同意先行更换,费用待鉴定后划分"}))
    photo = ok(quality.upload(number, "渗漏照片.jpg", PHOTO), 201)
    ok(
        quality.act(
            number,
            "visit",
            {"findings": "阀体铸造砂眼渗漏", "sampled": True, "attachments": [photo["id"]]},
        )
    )
    ok(quality.act(number, "note", {"text": "现场已临时封堵,客户认可"}))
    ok(quality.act(number, "visit", {"findings": "复查:封堵有效,无渗漏"}))
    return number


def test_the_liaison_form_holds_from_to_matter_request_deadline_answer_and_signatures(
    people, tmp_path
):
    number = liaised_complaint(people)
    pdf = tmp_path / "liaison.pdf"
    response = download(people.api(people.intake), number, "liaison.pdf", pdf)
    assert response.status_code == 200
    assert f'filename="{number}-liaison.pdf"' in response["Content-Disposition"]
    assert pages_of(pdf) == 2  # one form per liaison: the assignment and the escalation
    first, second = flat(text_of(pdf, 1, 1)), flat(text_of(pdf, 2, 2))
    for expected in (
        "内联单",
        number,
        "华东",  # from: the east sales region …
        "质量",  # … to: quality
        "请质量部现场取样鉴定",  # what is asked
        "批号2025-07的阀门出现渗漏",  # the matter
        "王客服",  # sent by
        "接收部门负责人",  # a signature line
    ):
        assert flat(expected) in first, expected
    for expected in (
        "赔偿要求超出权限,请部长审批",
        "部门负责人",  # to: quality's head
        "同意先行更换,费用待鉴定后划分",  # the head's answer, which met the reply clock
        "钱部长",
    ):
        assert expected in second, expected
    escalated = Complaint.objects.get(number=number).events.get(type="escalate")
    due = timezone.localtime(escalated.at + timedelta(hours=24)).strftime("%Y-%m-%d%H:%M")
    assert due in second  # the escalated reply clock: 24 natural hours


def test_the_site_service_report_has_a_section_per_visit_with_the_customers_signature(
    people, tmp_path
):
    number = liaised_complaint(people)
    pdf = tmp_path / "visits.pdf"
    response = download(people.api(people.handler_quality), number, "site-service-report.pdf", pdf)
    assert response.status_code == 200
    assert pages_of(pdf) == 2
    first, second = flat(text_of(pdf, 1, 1)), flat(text_of(pdf, 2, 2))
    for expected in (
        "外出服务报告",
        "王伟",
        "孙工",  # who went
        "张江厂房改造·三号车间东侧·浦东新区张江路88号三号车间",  # where
        "阀体铸造砂眼渗漏",  # findings
        "渗漏照片.jpg",  # evidence
        "现场已临时封堵,客户认可",  # what was done on site
        "客户签字",  # the customer signs (the line: 客户 签字:)
    ):
        assert expected in first, expected
    assert "复查:封堵有效,无渗漏" in second
    assert "阀体铸造砂眼渗漏" not in second


def test_without_a_visit_or_a_liaison_those_forms_are_refused_with_the_reason(people):
    intake = people.api(people.intake)
    number = ok(intake.post("/complaints", complaint_payload()), 201)["number"]
    for document, words in (
        ("site-service-report.pdf", "No site visit"),
        ("liaison.pdf", "never passed to another department"),
    ):
        response = intake._client().get(
            f"/api/v1/reports/complaints/{number}/{document}", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 404
        assert words in refusal(response)["detail"], refusal(response)
    page = Client()
    page.force_login(people.intake)
    response = page.get(f"/complaints/{number}/print/site-service-report")
    assert response.status_code == 404
    assert "外出" in response.content.decode() or "visit" in response.content.decode()


def test_the_site_service_reports_first_page_is_the_readmes_screenshot(people, tmp_path):
    """Made at a fixed instant, so that the picture changes only when the document does."""
    with time_machine.travel(datetime(2026, 11, 20, 9, 30, tzinfo=SHANGHAI), tick=False):
        number = liaised_complaint(people)
        pdf = tmp_path / "visits.pdf"
        download(people.api(people.qa), number, "site-service-report.pdf", pdf)
        target = SCREENSHOTS / "document-site-service-report.png"
        image = render_page(pdf, 1, 90, target).convert("L")
        assert image.size[0] < image.size[1]  # A4, upright
        assert sum(image.histogram()[:128]) > image.size[0] * image.size[1] * 0.01


def test_nobody_who_may_not_see_the_complaint_gets_the_new_forms(people):
    number = liaised_complaint(people)
    outsider = people.api(people.handler_north)
    for document in ("liaison.pdf", "site-service-report.pdf"):
        response = download(outsider, number, document)
        assert response.status_code == 404
        assert refusal(response)["code"] == "not_found"
        anonymous = Client().get(f"/api/v1/reports/complaints/{number}/{document}")
        assert anonymous.status_code == 401
