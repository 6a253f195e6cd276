"""Complaints walked through the API to where the inbox's tests need them (shared by the
unit and browser tests of the inbox)."""

from datetime import timedelta

from django.utils import timezone

from tests.conftest import PHOTO, complaint_payload

LEVEL_1 = {"description": "阀门渗漏导致工人受伤,客户称将联系媒体。", "claim_amount": "80000"}


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


def soon(days: int = 3) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def registered(people, **payload) -> str:
    return _ok(people.api(people.intake).post("/complaints", complaint_payload(**payload)), 201)[
        "number"
    ]


def planning(people, **payload) -> str:
    """A quality complaint owned by the quality handler, determined: a plan is next."""
    number = registered(people, **payload)
    handler = people.api(people.handler_quality)
    _ok(people.api(people.intake).act(number, "accept", {"owner": handler.user.username}))
    _ok(handler.act(number, "visit", {"findings": "现场确认阀体渗漏"}))
    photo = _ok(handler.upload(number, "现场照片.jpg", PHOTO), 201)["id"]
    determined = {"determination": "defect", "root_cause": "密封圈不良", "evidence": [photo]}
    _ok(handler.act(number, "determine", determined))
    return number


def plan_approval(people, **payload) -> str:
    number = planning(people, **payload)
    measure = {"description": "免费更换阀门", "owner": people.handler_quality.username}
    _ok(
        people.api(people.handler_quality).act(
            number, "propose_plan", {"measures": [{**measure, "deadline": soon(5)}]}
        )
    )
    return number


def verifying(people, **payload) -> str:
    number = plan_approval(people, **payload)
    level_1 = payload.get("claim_amount") is not None
    approver = people.api(people.executive if level_1 else people.head_quality)
    review = {"expert_review": "专家会诊:方案可行"} if level_1 else {}
    _ok(approver.act(number, "approve_plan", {"comment": "同意", **review}))
    _ok(people.api(people.handler_quality).act(number, "complete", {"summary": "已更换"}))
    return number
