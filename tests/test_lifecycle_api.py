"""One complaint of each severity through the whole path, through the API alone."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from kesu.complaints.schemas import ComplaintOut
from tests.conftest import PHOTO, complaint_payload

pytestmark = pytest.mark.django_db(transaction=False)


def soon(days=3) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def timeline_types(body) -> list[str]:
    return [event["type"] for event in body["timeline"]]


def test_level_1_needs_expert_review_executive_approval_and_qa_verification(people):
    intake, handler = people.api(people.intake), people.api(people.handler_quality)
    head, executive, qa = (
        people.api(people.head_quality),
        people.api(people.executive),
        people.api(people.qa),
    )

    body = ok(
        intake.post(
            "/complaints",
            complaint_payload(
                description="阀门渗漏导致工人受伤,客户称将联系媒体。", claim_amount="80000"
            ),
        ),
        201,
    )
    number = body["number"]
    assert body["state"] == "registered"
    assert body["severity"] == body["severity_proposed"] == 1
    ComplaintOut.model_validate(body)  # the documented shape, though rendered directly
    assert body["department"]["code"] == "quality"

    detail = ok(intake.get(f"/complaints/{number}"))
    assert {"accept", "resolve_on_spot", "withdraw", "merge", "note"} <= set(
        detail["allowed_actions"]
    )
    assert "determine" not in detail["allowed_actions"]

    ok(intake.act(number, "accept", {"owner": handler.user.username}))
    ok(
        handler.act(
            number, "contact", {"promised_at": soon(), "summary": "已联系客户,承诺三日内处理"}
        )
    )
    ok(handler.act(number, "visit", {"findings": "现场确认阀体渗漏", "sampled": True}))
    photo = ok(handler.upload(number, "现场照片.jpg", PHOTO), 201)
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
    body = ok(
        handler.act(
            number,
            "propose_plan",
            {
                "measures": [
                    {
                        "description": "免费更换阀门",
                        "owner": handler.user.username,
                        "deadline": soon(5),
                    }
                ],
                "in_warranty": True,
            },
        )
    )
    assert body["state"] == "plan_approval"
    plan_cost = body["plans"][-1]["cost"]
    assert {(line["item"], line["bearer"]) for line in plan_cost} == {
        ("replacement_or_repair", "company"),
        ("transport", "company"),
    }

    # authority: a department head may not decide a level-1 plan; the executive may, with
    # the expert review
    refused = head.act(number, "approve_plan", {"comment": "同意"})
    assert refused.status_code == 403 and refused.json()["code"] == "not_authorised"
    assert "approve_plan" not in ok(head.get(f"/complaints/{number}"))["allowed_actions"]
    assert "approve_plan" in ok(executive.get(f"/complaints/{number}"))["allowed_actions"]
    missing = executive.act(number, "approve_plan", {"comment": "同意"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "expert_review"
    ok(
        executive.act(
            number,
            "approve_plan",
            {"comment": "同意", "expert_review": "技术、质量、安全专家会诊:方案可行"},
        )
    )

    ok(handler.act(number, "progress", {"message": "新阀门已发货"}))
    ok(handler.act(number, "complete", {"summary": "已更换并试压合格"}))
    refused = handler.act(number, "verify", {"passed": True, "report": "自检合格"})
    assert refused.status_code == 403
    ok(qa.act(number, "verify", {"passed": True, "report": "质量部验证报告:合格"}))
    ok(intake.act(number, "confirm", {"satisfied": True, "method": "phone"}))
    body = ok(
        intake.act(
            number,
            "return_visit",
            {"scale": 5, "answers": ["very_satisfied", "satisfied", "satisfied"]},
        )
    )
    assert body["satisfaction_pct"] == "77.8"  # (3+2+2) / 9
    body = ok(intake.act(number, "close", {}))

    assert body["state"] == "closed"
    assert body["allowed_actions"] == ["appeal"]  # archived: an appeal is all that is left
    assert timeline_types(body) == [
        "register",
        "accept",
        "contact",
        "visit",
        "attach",
        "determine",
        "propose_plan",
        "approve_plan",
        "progress",
        "complete",
        "verify",
        "confirm",
        "return_visit",
        "close",
    ]
    assert [e["to_state"] for e in body["timeline"]][-1] == "closed"


def test_level_2_is_approved_by_the_department_head_and_verified_by_the_team(people):
    intake, handler = people.api(people.intake), people.api(people.handler_quality)
    head, executive, qa = (
        people.api(people.head_quality),
        people.api(people.executive),
        people.api(people.qa),
    )
    body = ok(intake.post("/complaints", complaint_payload()), 201)
    number = body["number"]
    assert body["severity"] == 2

    ok(handler.act(number, "accept", {"owner": handler.user.username}))  # takes it himself
    ok(handler.act(number, "contact", {"promised_at": soon(), "summary": "已电话联系"}))
    photo = ok(handler.upload(number, "p.jpg", PHOTO), 201)
    ok(
        handler.act(
            number, "determine", {"determination": "undeterminable", "evidence": [photo["id"]]}
        )
    )
    body = ok(handler.get(f"/complaints/{number}"))
    assert body["state"] == "investigating"
    assert "determine" not in body["allowed_actions"]  # waiting for QA
    assert "qa_determine" in ok(qa.get(f"/complaints/{number}"))["allowed_actions"]
    ok(qa.act(number, "qa_determine", {"determination": "misuse", "report": "检测报告:超压使用"}))
    body = ok(
        handler.act(
            number,
            "propose_plan",
            {
                "measures": [
                    {
                        "description": "更换密封件",
                        "owner": handler.user.username,
                        "deadline": soon(4),
                    }
                ],
                "in_warranty": True,
                "returned_to_company": True,
            },
        )
    )
    cost = {(line["item"], line["bearer"]) for line in body["plans"][-1]["cost"]}
    # returned at the company's cost; in warranty, labour free and parts at cost
    assert cost == {("return_transport", "company"), ("labour", "company"), ("parts", "customer")}

    assert executive.act(number, "approve_plan", {}).status_code == 403
    ok(head.act(number, "reject_plan", {"reason": "费用划分需与客户确认"}))
    assert ok(head.get(f"/complaints/{number}"))["state"] == "planning"
    ok(
        handler.act(
            number,
            "propose_plan",
            {
                "measures": [
                    {
                        "description": "更换密封件并培训",
                        "owner": handler.user.username,
                        "deadline": soon(4),
                    }
                ],
                "in_warranty": True,
                "returned_to_company": True,
            },
        )
    )
    ok(head.act(number, "approve_plan", {"comment": "同意"}))
    ok(handler.act(number, "complete", {"summary": "已处理"}))
    assert qa.act(number, "verify", {"passed": True, "report": "x"}).status_code == 403
    ok(handler.act(number, "verify", {"passed": False, "report": "仍有渗漏"}))
    assert ok(handler.get(f"/complaints/{number}"))["state"] == "treating"
    ok(handler.act(number, "complete", {"summary": "二次处理"}))
    ok(head.act(number, "verify", {"passed": True, "report": "复验合格"}))
    body = ok(intake.act(number, "confirm", {"satisfied": False, "comment": "要求补偿运费"}))
    assert body["state"] == "planning" and body["reopen_count"] == 1
    ok(
        handler.act(
            number,
            "propose_plan",
            {
                "measures": [
                    {"description": "补偿运费", "owner": handler.user.username, "deadline": soon(2)}
                ]
            },
        )
    )
    ok(head.act(number, "approve_plan", {}))
    ok(handler.act(number, "complete", {"summary": "已补偿"}))
    ok(handler.act(number, "verify", {"passed": True, "report": "合格"}))
    ok(intake.act(number, "confirm", {"satisfied": True}))
    body = ok(
        handler.act(number, "return_visit", {"scale": 3, "answers": ["satisfied", "neutral"]})
    )
    assert body["satisfaction_pct"] == "83.3"
    body = ok(handler.act(number, "close", {}))
    assert body["state"] == "closed"
    assert len(body["timeline"]) == 22  # registration, 20 actions, the upload


def test_level_3_needs_no_approval_the_plan_is_filed(people):
    intake, handler = people.api(people.intake), people.api(people.handler_east)
    body = ok(
        intake.post(
            "/complaints",
            complaint_payload(
                category="staff_conduct",
                title="业务员态度不好",
                description="业务员回复不及时",
                product={},
            ),
        ),
        201,
    )
    number = body["number"]
    assert body["severity"] == 3 and body["department"]["code"] == "sales"
    # the east handler does not see a complaint of the sales department as a whole ...
    assert handler.get(f"/complaints/{number}").status_code == 404
    ok(intake.act(number, "accept", {"owner": handler.user.username, "department": "sales_east"}))
    # ... but does once it is dispatched to the east region and to him
    ok(handler.act(number, "contact", {"promised_at": soon(), "summary": "已致歉"}))
    ok(
        handler.act(
            number, "determine", {"determination": "customer", "root_cause": "客户误解了报价流程"}
        )
    )
    body = ok(
        handler.act(
            number,
            "propose_plan",
            {
                "measures": [
                    {
                        "description": "再次说明报价流程",
                        "owner": handler.user.username,
                        "deadline": soon(1),
                    }
                ]
            },
        )
    )
    assert body["state"] == "treating"
    assert body["plans"][-1]["status"] == "filed"
    assert "approve_plan" not in body["allowed_actions"]
    ok(handler.act(number, "complete", {"summary": "已说明"}))
    ok(handler.act(number, "verify", {"passed": True, "report": "客户认可"}))
    ok(handler.act(number, "confirm", {"satisfied": True}))
    assert handler.act(number, "close", {}).status_code == 409  # no return visit yet
    ok(handler.act(number, "return_visit", {"scale": 3, "answers": ["satisfied"]}))
    body = ok(handler.act(number, "close", {}))
    assert body["state"] == "closed" and body["satisfaction_pct"] == "100.0"
    assert len(body["timeline"]) == 10


def test_resolved_on_the_spot_closes_at_once_as_level_3(people):
    intake = people.api(people.intake)
    number = ok(intake.post("/complaints", complaint_payload()), 201)["number"]
    body = ok(
        intake.act(
            number, "resolve_on_spot", {"solution": "现场更换密封圈", "customer_confirmed": True}
        )
    )
    assert body["state"] == "closed"
    assert body["severity"] == 3 and body["severity_proposed"] == 2
    assert body["return_visit_skip"] == "resolved_on_spot"
    assert timeline_types(body) == ["register", "resolve_on_spot"]


def test_inquiry_takes_the_short_path(people):
    intake = people.api(people.intake)
    body = ok(
        intake.post(
            "/complaints",
            complaint_payload(kind="inquiry", title="保修期多久", description="客户咨询阀门保修期"),
        ),
        201,
    )
    assert body["severity"] == 3
    detail = ok(intake.get(f"/complaints/{body['number']}"))
    assert "answer" in detail["allowed_actions"]
    assert "resolve_on_spot" not in detail["allowed_actions"]
    refused = intake.act(
        body["number"], "resolve_on_spot", {"solution": "x", "customer_confirmed": True}
    )
    assert refused.status_code == 409 and refused.json()["code"] == "wrong_kind"
    ok(intake.act(body["number"], "accept", {"owner": people.handler_quality.username}))
    handler = people.api(people.handler_quality)
    body = ok(handler.act(body["number"], "answer", {"answer": "保修期一年"}))
    assert body["state"] == "closed"


def test_side_exits_withdraw_invalidate_merge(people):
    intake, handler = people.api(people.intake), people.api(people.handler_quality)
    first = ok(intake.post("/complaints", complaint_payload()), 201)["number"]
    second = ok(intake.post("/complaints", complaint_payload()), 201)["number"]
    third = ok(intake.post("/complaints", complaint_payload()), 201)["number"]
    fourth = ok(intake.post("/complaints", complaint_payload()), 201)["number"]

    body = ok(intake.act(second, "merge", {"into": first, "comment": "重复登记"}))
    assert body["state"] == "merged" and body["merged_into"] == first
    assert timeline_types(ok(intake.get(f"/complaints/{first}")))[-1] == "merged_in"
    assert intake.act(third, "merge", {"into": second}).status_code == 422  # not open

    body = ok(intake.act(third, "withdraw", {"reason": "客户自行解决"}))
    assert body["state"] == "withdrawn" and body["allowed_actions"] == []

    assert intake.act(fourth, "invalidate", {"explanation": "x"}).status_code == 403
    ok(intake.act(fourth, "accept", {"owner": handler.user.username}))
    body = ok(handler.act(fourth, "invalidate", {"explanation": "误会,已向客户解释安装方法"}))
    assert body["state"] == "invalid"


def test_escalate_twice_then_refused_and_reopen_and_appeal(people):
    intake, handler = people.api(people.intake), people.api(people.handler_quality)
    head, executive = people.api(people.head_quality), people.api(people.executive)
    number = ok(intake.post("/complaints", complaint_payload()), 201)["number"]
    assert ok(intake.act(number, "escalate", {"reason": "客户情绪激动"}))["escalation_level"] == 1
    assert ok(intake.act(number, "escalate", {"reason": "仍未联系"}))["escalation_level"] == 2
    refused = intake.act(number, "escalate", {"reason": "再次"})
    assert refused.status_code == 409

    ok(intake.act(number, "resolve_on_spot", {"solution": "现场解决", "customer_confirmed": True}))
    assert handler.act(number, "reopen", {"reason": "x"}).status_code == 403  # role
    body = ok(head.act(number, "reopen", {"reason": "客户再次来电", "to_state": "investigating"}))
    assert body["state"] == "investigating" and body["reopen_count"] == 1

    number2 = ok(intake.post("/complaints", complaint_payload()), 201)["number"]
    ok(intake.act(number2, "resolve_on_spot", {"solution": "现场解决", "customer_confirmed": True}))
    missing = intake.act(number2, "appeal", {"kind": "quality_determination", "reason": "不认可"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "authority"
    body = ok(
        intake.act(
            number2,
            "appeal",
            {
                "kind": "quality_determination",
                "reason": "不认可鉴定结论",
                "authority": "市质量技术监督局",
            },
        )
    )
    assert body["state"] == "planning" and body["timeline"][-1]["data"]["ruling_by"] == "external"
    assert executive.get(f"/complaints/{number2}").status_code == 200


def test_an_anonymous_complaint_needs_no_contact_confirmation_or_visit(people):
    intake, handler = people.api(people.intake), people.api(people.handler_east)
    number = ok(
        intake.post(
            "/complaints",
            complaint_payload(
                category="staff_conduct",
                title="业务员索要好处费",
                description="匿名来信反映",
                channel="letter",
                complainant={"anonymous": True},
                product={},
            ),
        ),
        201,
    )["number"]
    ok(intake.act(number, "accept", {"owner": handler.user.username, "department": "sales_east"}))
    # the investigation starts without a customer contact
    ok(handler.act(number, "visit", {"findings": "走访相关客户核实"}))
    ok(handler.act(number, "determine", {"determination": "customer", "root_cause": "查无实据"}))
    ok(
        handler.act(
            number,
            "propose_plan",
            {
                "measures": [
                    {
                        "description": "内部通报提醒",
                        "owner": handler.user.username,
                        "deadline": soon(2),
                    }
                ]
            },
        )
    )
    ok(handler.act(number, "complete", {"summary": "已通报"}))
    body = ok(handler.act(number, "verify", {"passed": True, "report": "核查完毕"}))
    # nobody to confirm with: straight to the return visit, skipped for that reason
    assert body["state"] == "return_visit" and body["return_visit_skip"] == "anonymous"
    assert body["allowed_actions"][:1] == ["close"]
    body = ok(handler.act(number, "close", {}))
    assert body["state"] == "closed"
    assert timeline_types(body) == [
        "register",
        "accept",
        "visit",
        "determine",
        "propose_plan",
        "complete",
        "verify",
        "close",
    ]


@pytest.mark.django_db
def test_reassigning_out_of_ones_sight_still_answers_with_the_record(people):
    """A sales head hands a complaint to the quality department: the action succeeds and the
    answer is the record as it now stands, though the head can no longer open it."""
    intake = people.api(people.intake)
    r = intake.post("/complaints", complaint_payload(category="service_quality"))
    number = r.json()["number"]
    assert intake.act(number, "accept", {"owner": people.handler_east.username}).status_code == 200
    head = people.api(people.head_sales)
    r = head.act(
        number, "assign", {"owner": people.handler_quality.username, "reason": "属于质量问题"}
    )
    assert r.status_code == 200, r.content
    assert r.json()["owner"]["username"] == people.handler_quality.username
    assert r.json()["allowed_actions"] == []
    assert head.get(f"/complaints/{number}").status_code == 404


def test_merging_into_a_complaint_the_caller_cannot_see_is_answered_as_into_a_missing_one(people):
    """A number the caller cannot read is no more a merge target than one that does not exist,
    and the two answers are the same, so the answer never tells that a number exists."""
    from django.test import Client

    from kesu.complaints.models import ComplaintEvent

    intake, handler = people.api(people.intake), people.api(people.handler_quality)
    mine = ok(intake.post("/complaints", complaint_payload()), 201)["number"]  # quality
    elsewhere = ok(  # the sales department's, which the quality handler does not see
        intake.post("/complaints", complaint_payload(category="price_dispute")), 201
    )["number"]
    assert handler.get(f"/complaints/{elsewhere}").status_code == 404
    missing = mine[:-5] + "99999"
    events = ComplaintEvent.objects.count()

    invisible = handler.act(mine, "merge", {"into": elsewhere})
    absent = handler.act(mine, "merge", {"into": missing})
    assert invisible.status_code == absent.status_code == 422
    assert invisible.json() == json.loads(absent.content.decode().replace(missing, elsewhere))
    assert [e["field"] for e in invisible.json()["errors"]] == ["into"]

    # the web workspace takes the action the same way
    browser = Client()
    browser.force_login(people.handler_quality)
    page = browser.post(f"/complaints/{mine}/do/merge", {"into": elsewhere, "expected_version": 1})
    assert page.status_code == 422
    assert ComplaintEvent.objects.count() == events
    assert timeline_types(ok(intake.get(f"/complaints/{elsewhere}")))[-1] == "register"
    assert ok(intake.get(f"/complaints/{mine}"))["state"] == "registered"
