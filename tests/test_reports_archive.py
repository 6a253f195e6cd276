"""The archive of a period (归档, issue #16): every complaint closed in it as its case file, the
register (登记簿) of them as CSV and xlsx, and a manifest with checksums, in one zip streamed."""

import csv
import hashlib
import io
import json
import os
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from kesu.complaints.models import Complaint
from tests.conftest import PHOTO, complaint_payload
from tests.reports_cases import closed_complaint, ok, refusal

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*parts: int) -> time_machine.travel:
    return time_machine.travel(datetime(*parts, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def november(people) -> dict[str, str]:
    """Two complaints closed in November (one at 23:30 on its last day), one closed a minute
    into December, one closed in October, one still open."""
    numbers = {}
    for name, moment in (
        ("early", (2026, 11, 3, 10, 0)),
        ("last_evening", (2026, 11, 30, 23, 30)),
        ("december", (2026, 12, 1, 0, 1)),
        ("october", (2026, 10, 31, 23, 59)),
    ):
        with at(*moment):
            numbers[name] = closed_complaint(people)
    with at(2026, 11, 10, 9, 0):
        intake = people.api(people.intake)
        numbers["open"] = ok(intake.post("/complaints", complaint_payload()), 201)["number"]
    return numbers


def fetch(api, period: str):
    response = api.get(f"/reports/archive/{period}.zip")
    if response.status_code != 200:
        return None, response
    assert response.streaming  # written as it is sent
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))), response


def test_it_holds_exactly_the_periods_closed_complaints_case_files_and_a_register(people, november):
    archive, response = fetch(people.api(people.qa), "2026-11")
    assert response["Content-Type"] == "application/zip"
    assert 'filename="KS-archive-2026-11.zip"' in response["Content-Disposition"]
    assert archive.testzip() is None
    closed = [november["early"], november["last_evening"]]
    folder = "KS-archive-2026-11"
    assert archive.namelist() == [
        f"{folder}/register.csv",
        f"{folder}/register.xlsx",
        *(f"{folder}/case-files/{n}-case-file.zip" for n in closed),
        f"{folder}/manifest.json",
    ]
    for number in closed:  # each is the complaint's own case file, whole
        case = zipfile.ZipFile(
            io.BytesIO(archive.read(f"{folder}/case-files/{number}-case-file.zip"))
        )
        assert case.testzip() is None
        names = case.namelist()
        assert names[:3] == [
            f"{number}/handling-sheet.pdf",
            f"{number}/timeline.json",
            f"{number}/decisions.json",
        ]
        assert case.read(f"{number}/attachments/现场照片.jpg") == PHOTO
        timeline = json.loads(case.read(f"{number}/timeline.json"))
        assert len(timeline) == Complaint.objects.get(number=number).events.count()

    lines = archive.read(f"{folder}/register.csv").decode("utf-8-sig").splitlines()
    rows = list(csv.reader(lines))
    header = rows.index(next(r for r in rows if r and r[0] == "编号"))
    assert rows[header] == [
        "编号",
        "登记时间",
        "结案时间",
        "分类",
        "等级",
        "部门",
        "负责人",
        "处理结果",
        "原因",
        "主题",
    ]
    register = rows[header + 1 :]
    assert [r[0] for r in register] == closed  # the register equals the case files
    last = register[1]
    assert last[2] == "2026-11-30 23:30"  # the last evening of November is November's
    assert last[5] == "质量部" and last[6] == "孙工"
    assert "已结案" in last[7] and "明显质量问题" in last[8] and "密封圈材料批次不良" in last[8]

    book = openpyxl.load_workbook(io.BytesIO(archive.read(f"{folder}/register.xlsx")))
    sheet = book.worksheets[0]
    numbers = [row[0] for row in sheet.iter_rows(values_only=True) if row[0] and row[0][:2] == "KS"]
    assert numbers == closed


def test_its_manifest_lists_the_complaints_and_each_files_checksum(people, november):
    archive, _ = fetch(people.api(people.executive), "2026-11")
    folder = "KS-archive-2026-11"
    manifest = json.loads(archive.read(f"{folder}/manifest.json"))
    assert manifest["period"] == "2026-11"
    assert manifest["first_day"] == "2026-11-01" and manifest["last_day"] == "2026-11-30"
    assert manifest["made_by"]["username"] == people.executive.username
    assert manifest["complaints"] == [november["early"], november["last_evening"]]
    assert len(manifest["files"]) == 4
    for entry in manifest["files"]:
        body = archive.read(f"{folder}/{entry['path']}")
        assert entry["size"] == len(body)
        assert entry["sha256"] == hashlib.sha256(body).hexdigest()


def test_a_period_without_closed_complaints_gives_an_empty_register(people, november):
    archive, _ = fetch(people.api(people.admin), "2026-09")
    names = archive.namelist()
    assert [n.rsplit("/", 1)[1] for n in names] == [
        "register.csv",
        "register.xlsx",
        "manifest.json",
    ]
    quarter, _ = fetch(people.api(people.admin), "2026-Q4")  # any period
    manifest = json.loads(quarter.read("KS-archive-2026-Q4/manifest.json"))
    assert sorted(manifest["complaints"]) == sorted(
        [november["october"], november["early"], november["last_evening"], november["december"]]
    )


def test_only_qa_executives_and_administrators_take_it(people, november):
    for user in (people.handler_quality, people.head_quality, people.intake):
        _, response = fetch(people.api(user), "2026-11")
        assert response.status_code == 403, user.username
        assert refusal(response)["code"] == "role_not_allowed"
    assert Client().get("/api/v1/reports/archive/2026-11.zip").status_code == 401
    _, response = fetch(people.api(people.qa), "2026-13")
    assert response.status_code == 422


def test_texts_that_look_like_formulas_are_written_as_text(people, november):
    number = november["early"]
    Complaint.objects.filter(number=number).update(
        title='=HYPERLINK("http://x")', root_cause="+1-2 @cmd"
    )
    archive, _ = fetch(people.api(people.qa), "2026-11")
    folder = "KS-archive-2026-11"
    text = archive.read(f"{folder}/register.csv").decode("utf-8-sig")
    row = next(r for r in csv.reader(text.splitlines()) if r and r[0] == number)
    assert row[9] == '\'=HYPERLINK("http://x")'  # the house's CSV escape, as kesu import reads
    book = openpyxl.load_workbook(io.BytesIO(archive.read(f"{folder}/register.xlsx")))
    cells = next(r for r in book.worksheets[0].iter_rows() if r[0].value == number)
    assert cells[9].value == '=HYPERLINK("http://x")' and cells[9].data_type == "s"
    assert cells[8].data_type == "s" and cells[8].value.endswith("+1-2 @cmd")


def test_it_is_streamed_a_piece_at_a_time_never_whole_in_memory(people):
    """Three complaints with 1 MiB of incompressible evidence each: the zip comes in pieces
    no larger than about one attachment chunk, never the period (or one case file) at once."""
    with at(2026, 11, 12, 10, 0):
        numbers = []
        for _index in range(3):
            intake, handler = people.api(people.intake), people.api(people.handler_quality)
            number = ok(intake.post("/complaints", complaint_payload()), 201)["number"]
            ok(intake.act(number, "accept", {"owner": handler.user.username}))
            ok(handler.upload(number, "大文件.jpg", PHOTO + os.urandom(1024 * 1024)), 201)
            ok(intake.act(number, "withdraw", {"reason": "客户撤诉"}))
            numbers.append(number)
    response = people.api(people.qa).get("/reports/archive/2026-11.zip")
    assert response.status_code == 200
    sizes, body = [], bytearray()
    for piece in response.streaming_content:
        sizes.append(len(piece))
        body += piece
    assert len(body) > 3 * 1024 * 1024
    assert max(sizes) < 512 * 1024  # pieces, not files
    assert len(sizes) > 48
    archive = zipfile.ZipFile(io.BytesIO(bytes(body)))
    assert json.loads(archive.read("KS-archive-2026-11/manifest.json"))["complaints"] == numbers


def test_the_command_writes_the_same_archive(people, november, tmp_path, capsys):
    target = tmp_path / "nov.zip"
    call_command("report", "archive", "2026-11", "-o", str(target))
    archive = zipfile.ZipFile(target)
    manifest = json.loads(archive.read("KS-archive-2026-11/manifest.json"))
    assert manifest["complaints"] == [november["early"], november["last_evening"]]
    assert manifest["made_by"] is None  # whoever runs the server
    assert "2" in capsys.readouterr().err


def test_qa_finds_the_month_of_a_closed_complaint_in_its_print_menu(people, november):
    page = Client()
    page.force_login(people.qa)
    html = page.get(f"/complaints/{november['early']}").content.decode()
    assert 'href="/api/v1/reports/archive/2026-11.zip"' in html
    download = page.get("/api/v1/reports/archive/2026-11.zip")  # the session is enough
    assert download.status_code == 200 and download.streaming
    head = Client()
    head.force_login(people.head_quality)
    html = head.get(f"/complaints/{november['early']}").content.decode()
    assert "/api/v1/reports/archive/" not in html
    assert (
        'data-role="period-archive"'
        not in page.get(f"/complaints/{november['open']}").content.decode()
    )
