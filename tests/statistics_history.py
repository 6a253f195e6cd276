"""A random history of complaints driven through the real verbs, each at its own instant
(time_machine), with the deadline sweeper run before every step so breaches and escalations
land on the timelines as they would in production. Shared by the statistics tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from hypothesis import strategies as st

from kesu.complaints import actions
from kesu.complaints.choices import (
    OPEN_STATES,
    TRANSITIONS,
    Action,
    AppealKind,
    Channel,
    ContactMethod,
    Determination,
    Kind,
    Severity,
    SkipReason,
)
from kesu.complaints.models import Category, Complaint
from kesu.deadlines.sweep import sweep

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 8, 1, tzinfo=SHANGHAI)
SPAN_HOURS = 24 * 112  # registrations from 1 August to about 20 November
END = datetime(2026, 12, 28, tzinfo=SHANGHAI)  # the last sweep: every clock has settled
PHONES = ["13800000001", "13800000002", "13800000003", "13900000004", ""]
MODELS = ["DN50", "DN80", "", "DN50 "]
CATEGORIES = ["business_policy", "schedule", "price_dispute", "other"]
ANSWERS = {
    3: ["satisfied", "neutral", "dissatisfied"],
    5: ["very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied"],
}

# One complaint's script: how far its case goes and what is decided on the way.
script = st.fixed_dictionaries(
    {
        "at": st.integers(0, SPAN_HOURS * 4).map(lambda q: START + timedelta(minutes=15 * q)),
        "kind": st.sampled_from([Kind.COMPLAINT] * 5 + [Kind.INQUIRY]),
        "category": st.integers(0, len(CATEGORIES) - 1),
        "severity": st.sampled_from(
            [Severity.LEVEL_3, Severity.LEVEL_3, Severity.LEVEL_2, Severity.LEVEL_1]
        ),
        "phone": st.integers(0, len(PHONES) - 1),
        "model": st.integers(0, len(MODELS) - 1),
        "sensitive": st.booleans(),
        "owner": st.integers(0, 2),
        # how many of the path's stages happen (the rest stay undone: an open complaint)
        "reach": st.integers(0, 40),
        "spot": st.integers(0, 9),  # 0: resolved on the spot
        "ends": st.sampled_from(["", "", "", "withdraw", "invalidate"]),
        "unsatisfied_first": st.booleans(),
        "skip_visit": st.integers(0, 3),  # 0: skipped when it may be (sensitive)
        "scale": st.sampled_from([3, 5]),
        "answers": st.lists(st.integers(0, 4), min_size=1, max_size=3),
        "reopen": st.integers(0, 3),  # 0: reopened after closing, 1: appealed
        "appeal_kind": st.sampled_from(list(AppealKind)),
        "cause": st.sampled_from([Determination.CUSTOMER, Determination.THIRD_PARTY]),
        "returned": st.booleans(),
        "handler_could": st.booleans(),
        # hours before each stage (the sweeper may breach a clock meanwhile)
        "delays": st.lists(
            st.sampled_from([0.2, 0.5, 1, 1.5, 3, 6, 20, 30, 50, 80]), min_size=40, max_size=40
        ),
    }
)
# A history, not the simplest one (every script alike, all at one instant), which would reach
# none of the figures.
history = st.lists(script, min_size=150, max_size=220).filter(
    lambda scripts: (
        len({s["at"] for s in scripts}) > 100
        and len({s["reach"] for s in scripts}) > 10
        and len({d for s in scripts for d in s["delays"]}) > 5
    )
)


@dataclass
class Step:
    at: datetime
    order: int
    complaint: int  # index into the history
    stage: str


def stages(s: dict) -> list[str]:
    """The path this script takes, cut at `reach`, perhaps ending in a withdrawal."""
    if s["kind"] == Kind.INQUIRY:
        path = ["answer"]
    elif s["spot"] == 0:
        path = ["resolve_on_spot"]
    else:
        treat = ["propose", "approve", "complete", "verify"]
        path = ["accept", "contact", "determine", *treat]
        if s["unsatisfied_first"]:
            path += ["confirm_no", *treat]
        path += ["confirm_yes", "visit_or_skip", "close"]
        if s["reopen"] == 0:
            path += ["reopen", *treat, "confirm_yes", "visit_or_skip", "close"]
        elif s["reopen"] == 1:
            path += ["appeal", *treat, "confirm_yes", "visit_or_skip", "close"]
    path = path[: s["reach"]]
    if s["ends"] and (not path or path[-1] != "close"):
        path.append(s["ends"])
    return ["register", *path]


def drive(people, scripts: list[dict]) -> list[Complaint]:
    """Every script's steps, all complaints interleaved in time, the sweeper before each."""
    owners = [people.handler_east, people.handler_north, people.handler_quality]
    heads = [people.head_sales, people.head_sales, people.head_quality]
    categories = [Category.objects.get(code=code) for code in CATEGORIES]
    steps: list[Step] = []
    for index, s in enumerate(scripts):
        at = s["at"]
        for order, stage in enumerate(stages(s)):
            if order:
                at = at + timedelta(hours=s["delays"][order % len(s["delays"])])
            steps.append(Step(at, order, index, stage))
    steps.sort(key=lambda step: (step.at, step.complaint, step.order))
    made: dict[int, Complaint] = {}
    with actions.unannounced():
        for step in steps:
            with time_machine.travel(step.at, tick=False):
                sweep(step.at)
                s = scripts[step.complaint]
                owner, head = owners[s["owner"]], heads[s["owner"]]
                if step.stage == "register":
                    made[step.complaint] = _register(people, s, categories)
                else:
                    _act(people, made[step.complaint], step.stage, s, owner, head)
        with time_machine.travel(END, tick=False):
            sweep(END)
    return [made[i] for i in range(len(scripts))]


def _register(people, s: dict, categories: list[Category]) -> Complaint:
    phone = PHONES[s["phone"]]
    complaint, _created = actions.register(
        actions.NewComplaint(
            channel=Channel.PHONE,
            kind=s["kind"],
            title="阀门渗漏",
            description="客户反映阀门渗漏",
            category=categories[s["category"]],
            complainant_name="" if not phone else "王伟",
            complainant_phone=phone,
            anonymous=not phone,
            product_model=MODELS[s["model"]],
            sensitive=s["sensitive"],
        ),
        actor=people.intake,
        severity=s["severity"] if s["spot"] else Severity.LEVEL_3,
        severity_reason="统计测试",
    )
    return complaint


STAGE_ACTION = {
    "propose": Action.PROPOSE_PLAN,
    "complete": Action.COMPLETE,
    "verify": Action.VERIFY,
    "close": Action.CLOSE,
    "reopen": Action.REOPEN,
    "appeal": Action.APPEAL,
}


def _act(people, c: Complaint, stage: str, s: dict, owner, head) -> None:
    c.refresh_from_db()
    if stage in STAGE_ACTION and c.state not in TRANSITIONS[STAGE_ACTION[stage]].sources:
        return  # an earlier stage went another way (nobody to confirm with: no second round)
    now = datetime.now(tz=SHANGHAI)
    match stage:
        case "answer":
            actions.answer(c, actor=people.intake, answer="已答复")
        case "resolve_on_spot":
            actions.resolve_on_spot(
                c, actor=people.intake, solution="当场解决", customer_confirmed=True
            )
        case "accept":
            actions.accept(c, actor=people.intake, owner=owner)
        case "contact":
            actions.contact(
                c,
                actor=owner,
                method=ContactMethod.PHONE,
                promised_at=now + timedelta(days=7),
                summary="已联系",
            )
        case "determine":
            actions.determine(c, actor=owner, determination=s["cause"], root_cause="原因")
        case "propose":
            actions.propose_plan(
                c,
                actor=owner,
                measures=[actions.Measure("更换", owner, now + timedelta(days=5))],
                returned_to_company=s["returned"],
                handler_could_determine=s["returned"] and s["handler_could"],
            )
        case "approve":
            if c.state == "plan_approval":
                if c.severity == Severity.LEVEL_1:
                    actions.approve_plan(c, actor=people.executive, expert_review="专家意见")
                else:
                    actions.approve_plan(c, actor=head)
        case "complete":
            actions.complete(c, actor=owner, summary="已完成")
        case "verify":
            verifier = people.qa if c.severity == Severity.LEVEL_1 else owner
            actions.verify(c, actor=verifier, passed=True, report="验证通过")
        case "confirm_no" | "confirm_yes":
            if c.state == "confirming":
                actions.confirm(
                    c,
                    actor=owner,
                    satisfied=stage == "confirm_yes",
                    method=ContactMethod.PHONE,
                    comment="客户不满意",
                )
        case "visit_or_skip":
            if c.return_visit_skip:
                return
            if s["skip_visit"] == 0 and c.sensitive:
                actions.skip_return_visit(c, actor=owner, reason=SkipReason.SENSITIVE)
            else:
                options = ANSWERS[s["scale"]]
                answers = [options[i % len(options)] for i in s["answers"]]
                actions.return_visit(
                    c, actor=owner, method=ContactMethod.PHONE, scale=s["scale"], answers=answers
                )
        case "close":
            actions.close(c, actor=owner)
        case "reopen":
            actions.reopen(c, actor=people.qa, reason="复查")
        case "appeal":
            actions.appeal(
                c, actor=owner, kind=s["appeal_kind"], reason="客户异议", authority="质监站"
            )
        case "withdraw" if c.state in OPEN_STATES:
            actions.withdraw(c, actor=owner if c.owner_id else people.intake, reason="撤回")
        case "invalidate" if c.state in OPEN_STATES:
            if c.owner_id:
                actions.invalidate(c, actor=owner, explanation="误解")
