"""A complaint driven through its whole life by the API, for the documents and the case file:
level 1 (the executive's approval with the expert review, QA's verification), two photos of
the same name, a return visit on the 5-option scale, closed."""

import json
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from tests.conftest import PHOTO, Api, People, complaint_payload

PHOTO_2 = PHOTO + b"\x01second"


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def soon(days=3) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def closed_complaint(people: People) -> str:
    intake, handler = people.api(people.intake), people.api(people.handler_quality)
    executive, qa = people.api(people.executive), people.api(people.qa)
    number = ok(
        intake.post(
            "/complaints",
            complaint_payload(
                description="阀门渗漏导致工人受伤,客户称将联系媒体。",
                claim_amount="80000",
                occurred_place="浦东新区张江路 88 号三号车间",
                project={"name": "张江厂房改造", "location": "三号车间东侧"},
            ),
        ),
        201,
    )["number"]
    ok(intake.act(number, "accept", {"owner": handler.user.username}))
    ok(handler.act(number, "contact", {"promised_at": soon(), "summary": "已联系客户"}))
    ok(handler.act(number, "visit", {"findings": "现场确认阀体渗漏", "sampled": True}))
    photo = ok(handler.upload(number, "现场照片.jpg", PHOTO), 201)
    ok(handler.upload(number, "现场照片.jpg", PHOTO_2), 201)  # the same name twice
    ok(handler.upload(number, "../../etc/passwd.jpg", PHOTO), 201)  # a name with folders
    ok(
        handler.act(
            number,
            "determine",
            {
                "determination": "defect",
                "root_cause": "密封圈材料批次不良",
                "responsible_department": "production",
                "evidence": [photo["id"]],
            },
        )
    )
    measure = {"description": "免费更换阀门", "owner": handler.user.username, "deadline": soon(5)}
    ok(handler.act(number, "propose_plan", {"measures": [measure], "in_warranty": True}))
    ok(
        executive.act(
            number,
            "approve_plan",
            {"comment": "同意更换", "expert_review": "技术、质量、安全专家会诊:方案可行"},
        )
    )
    ok(handler.act(number, "progress", {"message": "新阀门已发货"}))
    ok(handler.act(number, "complete", {"summary": "已更换并试压合格"}))
    ok(qa.act(number, "verify", {"passed": True, "report": "质量部验证报告:合格"}))
    ok(intake.act(number, "confirm", {"satisfied": True, "method": "phone", "comment": "很满意"}))
    answers = ["very_satisfied", "satisfied", "satisfied"]
    ok(intake.act(number, "return_visit", {"scale": 5, "answers": answers}))
    ok(intake.act(number, "close", {}))
    return number


def download(api: Api, number: str, document: str, target: Path | None = None):
    """GET one document of the complaint; its bytes are written to `target` when given."""
    response = api.get(f"/reports/complaints/{number}/{document}")
    if target is not None and response.status_code == 200:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        target.write_bytes(body)
    return response


def refusal(response) -> dict:
    return json.loads(response.content)
