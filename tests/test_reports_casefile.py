"""The case file of a complaint for the archive (issue #16): one zip with the handling sheet,
every attachment under a safe form of its original name, the timeline as JSON and a manifest."""

import hashlib
import io
import json
import zipfile

import pytest

from kesu.complaints.models import Complaint
from kesu.core.encoding import local_instant
from kesu.reports import casefile
from tests.conftest import PHOTO
from tests.reports_cases import PHOTO_2, closed_complaint, download

pytestmark = pytest.mark.django_db


def fetch(api, number: str) -> tuple[zipfile.ZipFile, object]:
    response = download(api, number, "case-file.zip")
    assert response.status_code == 200, response.content
    assert response.streaming  # written as it is sent, never whole in memory first
    body = b"".join(response.streaming_content)
    return zipfile.ZipFile(io.BytesIO(body)), response


@pytest.fixture
def number(people) -> str:
    return closed_complaint(people)


def test_the_case_file_holds_the_sheet_every_attachment_the_timeline_and_a_manifest(people, number):
    archive, response = fetch(people.api(people.qa), number)
    assert response["Content-Type"] == "application/zip"
    assert f"{number}-case-file.zip" in response["Content-Disposition"]
    assert archive.testzip() is None  # every entry's CRC checks
    names = archive.namelist()
    assert names == [
        f"{number}/handling-sheet.pdf",
        f"{number}/timeline.json",
        f"{number}/decisions.json",
        f"{number}/attachments/现场照片.jpg",
        f"{number}/attachments/现场照片 (2).jpg",  # the same name twice, told apart
        f"{number}/attachments/passwd.jpg",  # sent as "../../etc/passwd.jpg"
        f"{number}/manifest.json",
    ]
    assert archive.read(f"{number}/handling-sheet.pdf").startswith(b"%PDF-")
    assert archive.read(f"{number}/attachments/现场照片.jpg") == PHOTO
    assert archive.read(f"{number}/attachments/现场照片 (2).jpg") == PHOTO_2
    assert archive.read(f"{number}/attachments/passwd.jpg") == PHOTO


def test_its_timeline_is_every_event_with_who_when_and_data(people, number):
    archive, _ = fetch(people.api(people.intake), number)
    timeline = json.loads(archive.read(f"{number}/timeline.json"))
    events = list(Complaint.objects.get(number=number).events.select_related("actor"))
    assert len(timeline) == len(events) > 15
    for row, event in zip(timeline, events, strict=True):
        assert row["id"] == event.pk
        assert row["type"] == event.type
        assert row["at"] == local_instant(event.at)
        assert row["at"].endswith("+08:00")  # Asia/Shanghai, with its offset
        assert row["from_state"] == event.from_state and row["to_state"] == event.to_state
        assert row["comment"] == event.comment
        assert row["data"] == event.data
        assert row["visibility"] == event.visibility
        actor = event.actor
        assert row["actor"] == (
            {"username": actor.username, "name": actor.get_full_name()} if actor else None
        )
    approval = next(row for row in timeline if row["type"] == "approve_plan")
    assert approval["actor"]["name"] == "郑副总" and approval["comment"] == "同意更换"


def test_its_manifest_gives_each_files_size_checksum_and_origin(people, number):
    archive, _ = fetch(people.api(people.intake), number)
    manifest = json.loads(archive.read(f"{number}/manifest.json"))
    complaint = Complaint.objects.get(number=number)
    assert manifest["complaint"] == number
    assert manifest["made_by"]["username"] == people.intake.username
    assert manifest["events"] == complaint.events.count()
    assert manifest["attachments"] == complaint.attachments.count() == 3
    for entry in manifest["files"]:
        body = archive.read(f"{number}/{entry['path']}")
        assert entry["size"] == len(body)
        assert entry["sha256"] == hashlib.sha256(body).hexdigest()
    attachments = [e for e in manifest["files"] if e["kind"] == "attachment"]
    assert [e["original_name"] for e in attachments] == [
        "现场照片.jpg",
        "现场照片.jpg",
        "passwd.jpg",  # the upload kept no folders; the zip would drop them too (below)
    ]
    assert all(e["intact"] for e in attachments)
    assert {e["uploaded_by"]["username"] for e in attachments} == {"sun_quality"}


def test_a_file_missing_from_storage_is_said_in_the_manifest_and_the_zip_still_opens(
    people, number
):
    lost = Complaint.objects.get(number=number).attachments.order_by("id").first()
    lost.file.storage.delete(lost.file.name)
    archive, _ = fetch(people.api(people.intake), number)
    assert archive.testzip() is None
    manifest = json.loads(archive.read(f"{number}/manifest.json"))
    missing = [e for e in manifest["files"] if e.get("missing")]
    assert [(e["attachment_id"], e["path"]) for e in missing] == [(lost.pk, None)]
    assert len([n for n in archive.namelist() if "/attachments/" in n]) == 2


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("现场照片.jpg", "现场照片.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\王\\报告.pdf", "报告.pdf"),
        (".hidden.png", "hidden.png"),
        ("a<b>c:d|e?f*g\x00h.txt", "a_b_c_d_e_f_g_h.txt"),
        ("..", "attachment-7"),
        ("   ", "attachment-7"),
        ("长" * 300 + ".jpeg", "长" * 115 + ".jpeg"),
    ],
)
def test_a_name_is_one_safe_path_segment(name, safe):
    assert casefile.safe_name(name, "attachment-7") == safe


def test_names_are_told_apart_without_regard_to_case():
    taken: set[str] = set()
    got = [casefile.distinct(n, taken) for n in ("a.jpg", "A.JPG", "a.jpg", "a (2).jpg")]
    assert got == ["a.jpg", "A (2).JPG", "a (3).jpg", "a (2) (2).jpg"]


def test_the_zip_comes_in_pieces_no_larger_than_what_was_just_compressed(people, number):
    """Memory stays bounded: a piece holds at most one read of a file, compressed, plus the
    zip's own headers, however large the attachments are."""
    complaint = Complaint.objects.get(number=number)
    case = casefile.case_file(complaint, by=people.intake)
    pieces = list(case.chunks())
    assert len(pieces) > 6
    largest_other = max(len(p) for p in pieces if not p.startswith(b"%PDF"))
    assert largest_other <= casefile.CHUNK + len(case.sheet) + 4096


def test_it_keeps_the_approval_data_and_qas_determination_apart_with_who_and_when(people, number):
    """S3A-§5.8.2-3: approval data, QA's inspection and determination (处理意见书) archived."""
    archive, _ = fetch(people.api(people.qa), number)
    decisions = json.loads(archive.read(f"{number}/decisions.json"))
    assert decisions["determination"] == "defect"
    assert decisions["root_cause"] == "密封圈材料批次不良"
    [plan] = decisions["plans"]
    assert plan["status"] == "approved"
    assert plan["proposed_by"]["username"] == people.handler_quality.username
    assert plan["decided_by"] == {"username": people.executive.username, "name": "郑副总"}
    assert plan["decision_comment"] == "同意更换"
    assert plan["expert_review"] == "技术、质量、安全专家会诊:方案可行"
    assert plan["measures"][0]["description"] == "免费更换阀门"
    assert plan["decided_at"] is not None and plan["proposed_at"] is not None
    kinds = [(e["type"], e["actor"]["username"]) for e in decisions["events"]]
    assert kinds == [
        ("determine", people.handler_quality.username),
        ("propose_plan", people.handler_quality.username),
        ("approve_plan", people.executive.username),
        ("verify", people.qa.username),
    ]
    verify = decisions["events"][-1]
    assert verify["comment"] == "质量部验证报告:合格" and verify["at"]
    manifest = json.loads(archive.read(f"{number}/manifest.json"))
    entry = next(f for f in manifest["files"] if f["path"] == "decisions.json")
    assert entry["kind"] == "decisions" and entry["plans"] == 1
    body = archive.read(f"{number}/decisions.json")
    assert entry["sha256"] == hashlib.sha256(body).hexdigest()
