"""The default configuration of SPEC.md: departments, categories, time limits, severity words.

`load_defaults()` is idempotent: it adds what is missing and never overwrites what an
administrator has changed.
"""

from decimal import Decimal

from django.db import transaction

from kesu.accounts.models import Department
from kesu.complaints.models import Category
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

# clock, limit, unit, basis, severity, kind, repeats (SPEC §5)
CLOCKS = [
    (ClockKind.FIRST_CONTACT, "24", TimeUnit.HOURS, TimeBasis.NATURAL, None, "", False),
    (ClockKind.DISPATCH, "2", TimeUnit.HOURS, TimeBasis.WORKING, None, "", False),
    (ClockKind.INQUIRY_ANSWER, "24", TimeUnit.HOURS, TimeBasis.NATURAL, None, "inquiry", False),
    (ClockKind.SITE_VISIT, "2", TimeUnit.DAYS, TimeBasis.WORKING, None, "", False),
    (ClockKind.SAMPLING_ARRIVAL, "3", TimeUnit.HOURS, TimeBasis.WORKING, None, "", False),
    (ClockKind.ESCALATED_REPLY, "24", TimeUnit.HOURS, TimeBasis.NATURAL, None, "", False),
    (ClockKind.ESCALATED_APPROVAL, "1", TimeUnit.DAYS, TimeBasis.WORKING, None, "", False),
    (ClockKind.PLAN_REPLY, "1", TimeUnit.HOURS, TimeBasis.WORKING, None, "", False),
    (ClockKind.TREATMENT_REPORT, "2", TimeUnit.DAYS, TimeBasis.NATURAL, None, "", False),
    (ClockKind.PROGRESS_UPDATE, "3", TimeUnit.DAYS, TimeBasis.WORKING, None, "", True),
    (ClockKind.WARRANTY_DISPATCH, "12", TimeUnit.HOURS, TimeBasis.NATURAL, None, "", False),
    (ClockKind.WARRANTY_DISPATCH_URGENT, "2", TimeUnit.HOURS, TimeBasis.NATURAL, None, "", False),
]


@transaction.atomic
def load_defaults() -> dict[str, int]:
    """Add the default configuration where it is missing; returns how many rows were added."""
    added = {"departments": 0, "categories": 0, "keywords": 0, "time_limits": 0}
    departments: dict[str, Department] = {}
    for code, name, parent in DEPARTMENTS:
        dept, created = Department.objects.get_or_create(
            code=code, defaults={"name": name, "parent": departments.get(parent or "")}
        )
        departments[code] = dept
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
                severity=severity,
                kind=kind,
                repeats=repeats,
            )
            for clock, limit, unit, basis, severity, kind, repeats in CLOCKS
        )
        added["time_limits"] = len(CLOCKS)
    return added
