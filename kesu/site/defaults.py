"""The default configuration of SPEC.md: departments, categories, time limits, severity words.

`load_defaults()` is idempotent: it adds what is missing and never overwrites what an
administrator has changed.
"""

from datetime import time
from decimal import Decimal

from django.db import transaction

from kesu.accounts.models import Department
from kesu.appraisal.choices import Level, Measure
from kesu.appraisal.models import Target
from kesu.complaints.models import Category
from kesu.deadlines.models import WorkCalendar, WorkingPeriod
from kesu.policies.choices import ClockKind, TimeBasis, TimeUnit
from kesu.policies.models import DEFAULT_LEVEL1_CHANNELS, ClockPolicy, Policy, SeverityKeyword

# code, name, parent code
DEPARTMENTS = [
    ("management", "总经办", None),
    ("customer_service", "客户服务部", None),
    ("sales", "营销部", None),
    ("sales_east", "华东区域", "sales"),
    ("sales_north", "华北区域", "sales"),
    ("sales_south", "华南区域", "sales"),
    ("quality", "质量部", None),
    ("technical", "技术部", None),
    ("engineering", "工程部", None),
    ("production", "生产部", None),
    ("logistics", "物流部", None),
    ("purchasing", "采购部", None),
]

# code, name, English name, parent, default department, default severity,
# three-way product determination, quality notice (SPEC §3, §7)
CATEGORIES = [
    ("product_quality", "产品质量", "Product quality", None, "quality", 2, True, True),
    (
        "transport_packaging",
        "运输包装",
        "Transport & packaging",
        None,
        "logistics",
        3,
        False,
        False,
    ),
    (
        "service_quality",
        "服务质量",
        "Service quality / attitude",
        None,
        "customer_service",
        3,
        False,
        False,
    ),
    (
        "staff_conduct",
        "营业人员工作事务",
        "Staff conduct & professional work",
        None,
        "sales",
        3,
        False,
        False,
    ),
    ("business_policy", "营业政策", "Business policy", None, "sales", 3, False, False),
    ("schedule", "进度", "Schedule / delay", None, "engineering", 2, False, False),
    ("technical_design", "技术/设计", "Technical / design", None, "technical", 2, False, False),
    (
        "construction_quality",
        "工程质量",
        "Construction quality",
        None,
        "engineering",
        2,
        False,
        True,
    ),
    ("construction_crack", "裂缝", "Cracks", "construction_quality", "engineering", 2, False, True),
    ("construction_leak", "渗漏", "Leaks", "construction_quality", "engineering", 2, False, True),
    ("price_dispute", "价格纠纷", "Price / contract dispute", None, "sales", 3, False, False),
    ("other", "其他", "Other", None, "customer_service", 3, False, False),
]

# Words that suggest a category while the clerk types (admin-editable afterwards).
CATEGORY_KEYWORDS = {
    "product_quality": "质量 故障 损坏 不合格 失灵 坏了 阀门 零件 产品",
    "transport_packaging": "运输 包装 破损 物流 快递 送货 压坏",
    "service_quality": "态度 服务 不理 推诿 敷衍 客服 怠慢",
    "staff_conduct": "业务员 销售人员 工作人员 违规 失职 收回扣",
    "business_policy": "政策 优惠 规定 活动 积分",
    "schedule": "进度 延误 工期 拖延 停工 逾期 交付 迟迟",
    "technical_design": "设计 技术 图纸 方案 参数 选型",
    "construction_quality": "施工 工程 返工 不平 空鼓 脱落",
    "construction_crack": "裂缝 开裂 裂纹",
    "construction_leak": "渗漏 漏水 渗水 返潮 滴水",
    "price_dispute": "价格 合同 收费 退款 多收 发票 结算",
}

LEVEL1_WORDS = [
    "安全",
    "受伤",
    "伤亡",
    "死亡",
    "媒体",
    "记者",
    "曝光",
    "律师",
    "起诉",
    "法院",
    "诉讼",
    "消协",
    "12315",
    "12345",
    "报警",
    "公安",
    "坍塌",
    "倒塌",
    "火灾",
    "爆炸",
    "漏电",
    "触电",
    "大面积返工",
    "结构",
]
LEVEL2_WORDS = ["渗漏", "漏水", "裂缝", "延误", "停工", "无法使用", "故障", "返工", "损坏"]

# Monday to Friday (SPEC §5); statutory holidays and 调休 come from the holiday source.
WORKING_HOURS = [(time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))]

# The time limits of SPEC §5: clock, limit, unit, basis, kind, category, repeats.
H, D = TimeUnit.HOURS, TimeUnit.DAYS
W, N = TimeBasis.WORKING, TimeBasis.NATURAL
CLOCKS = [
    (ClockKind.FIRST_CONTACT, "24", H, N, "complaint", None, False),
    (ClockKind.DISPATCH, "2", H, W, "complaint", None, False),
    (ClockKind.INQUIRY_ANSWER, "24", H, N, "inquiry", None, False),
    (ClockKind.SITE_VISIT, "2", D, W, "complaint", None, False),
    (ClockKind.SAMPLING_ARRIVAL, "3", H, W, "complaint", None, False),
    (ClockKind.ESCALATED_REPLY, "24", H, N, "", None, False),
    (ClockKind.ESCALATED_APPROVAL, "1", D, W, "", None, False),
    (ClockKind.PLAN_REPLY, "1", H, W, "complaint", None, False),
    # quality complaints only: one row per quality category (its subtree included)
    (ClockKind.TREATMENT_REPORT, "2", D, N, "complaint", "product_quality", False),
    (ClockKind.TREATMENT_REPORT, "2", D, N, "complaint", "construction_quality", False),
    (ClockKind.PROGRESS_UPDATE, "3", D, W, "complaint", None, True),
    (ClockKind.WARRANTY_DISPATCH, "12", H, N, "", None, False),
    (ClockKind.WARRANTY_DISPATCH_URGENT, "2", H, N, "", None, False),
]
# Which timeline events start each clock and which meet it (see kesu.deadlines.clocks).
_TREATING = ["approve_plan", "propose_plan@treating"]  # level 3 plans need no approval
CLOCK_EVENTS: dict[str, tuple[list[str], list[str]]] = {
    ClockKind.FIRST_CONTACT: (["register"], ["contact", "visit", "resolve_on_spot"]),
    ClockKind.DISPATCH: (["register"], ["accept", "resolve_on_spot"]),
    ClockKind.INQUIRY_ANSWER: (["register"], ["answer"]),
    ClockKind.SITE_VISIT: (["accept"], ["visit", "determine"]),
    ClockKind.SAMPLING_ARRIVAL: (["contact:sampling_needed"], ["visit"]),
    ClockKind.ESCALATED_REPLY: (
        ["escalate"],
        ["note", "propose_plan", "approve_plan", "reject_plan", "assign", "customer_update"],
    ),
    ClockKind.ESCALATED_APPROVAL: (["escalate@plan_approval"], ["approve_plan", "reject_plan"]),
    ClockKind.PLAN_REPLY: (_TREATING, ["customer_update", "contact"]),
    ClockKind.TREATMENT_REPORT: (_TREATING, ["progress", "customer_update"]),
    ClockKind.PROGRESS_UPDATE: (_TREATING, ["progress", "customer_update", "complete"]),
    # warranty repair orders (SPEC §11) start these when they exist
    ClockKind.WARRANTY_DISPATCH: ([], []),
    ClockKind.WARRANTY_DISPATCH_URGENT: ([], []),
}


# The appraisal's targets (%) and weights, the same for departments and people: the seeds ask
# for timeliness, resolution, satisfaction and return visits (S2-六(一), S4C-4) without
# numbers; these are where a department that takes complaints seriously starts. Reopened and
# repeat complaints are ceilings.
TARGETS = [
    (Measure.ACCEPTANCE_ON_TIME, "98", 15),
    (Measure.HANDLING_ON_TIME, "95", 25),
    (Measure.RESOLUTION, "90", 20),
    (Measure.SATISFACTION, "85", 20),
    (Measure.RETURN_VISIT, "100", 10),
    (Measure.REOPEN, "5", 5),
    (Measure.REPEAT, "5", 5),
]


@transaction.atomic
def load_defaults() -> dict[str, int]:
    """Add the default configuration where it is missing; returns how many rows were added."""
    added = {
        "departments": 0,
        "categories": 0,
        "keywords": 0,
        "time_limits": 0,
        "working_hours": 0,
        "targets": 0,
    }
    departments: dict[str, Department] = {}
    for code, name, parent in DEPARTMENTS:
        department, created = Department.objects.get_or_create(
            code=code, defaults={"name": name, "parent": departments.get(parent or "")}
        )
        departments[code] = department
        added["departments"] += created
    categories: dict[str, Category] = {}
    for order, (code, name, name_en, parent, dept, severity, product, notice) in enumerate(
        CATEGORIES
    ):
        category, created = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "parent": categories.get(parent or ""),
                "default_department": departments[dept],
                "default_severity": severity,
                "product_determination": product,
                "quality_notice": notice,
                "sort_order": order,
                "keywords": CATEGORY_KEYWORDS.get(code, ""),
            },
        )
        categories[code] = category
        added["categories"] += created
    policy = Policy.current()
    if not policy.level1_channels:
        policy.level1_channels = list(DEFAULT_LEVEL1_CHANNELS)
        policy.save(update_fields=["level1_channels"])
    for level, words in ((1, LEVEL1_WORDS), (2, LEVEL2_WORDS)):
        for word in words:
            _kw, created = SeverityKeyword.objects.get_or_create(
                word=word, defaults={"level": level}
            )
            added["keywords"] += created
    if not ClockPolicy.objects.exists():
        ClockPolicy.objects.bulk_create(
            ClockPolicy(
                clock=clock,
                limit=Decimal(limit),
                unit=unit,
                basis=basis,
                kind=kind,
                category=categories[category] if category else None,
                starts_on=CLOCK_EVENTS[clock][0],
                stops_on=CLOCK_EVENTS[clock][1],
                repeats=repeats,
            )
            for clock, limit, unit, basis, kind, category, repeats in CLOCKS
        )
        added["time_limits"] = len(CLOCKS)
    calendar = WorkCalendar.current()
    if not calendar.periods.exists():
        WorkingPeriod.objects.bulk_create(
            WorkingPeriod(calendar=calendar, weekday=day, start=start, end=end)
            for day in range(5)
            for start, end in WORKING_HOURS
        )
        added["working_hours"] = 5 * len(WORKING_HOURS)
    for scope in Level:
        for measure, target, weight in TARGETS:
            _target, created = Target.objects.get_or_create(
                level=scope,
                measure=measure,
                defaults={"target_pct": Decimal(target), "weight": weight},
            )
            added["targets"] += created
    return added
