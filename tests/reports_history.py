"""A small history for the reports' tests: complaints registered in November 2026, October
2026 and November 2025 (local time), in several categories, severities, channels and
departments, one on the last half hour of November."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from kesu.accounts.models import Department
from kesu.complaints import actions
from kesu.complaints.choices import Channel, Kind, Severity
from kesu.complaints.models import Category, Complaint

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def register(people, at: datetime, category: str, **fields) -> Complaint:
    department = fields.pop("department", None)
    severity = fields.pop("severity", None)
    complaint, _created = actions.register(
        actions.NewComplaint(
            channel=fields.pop("channel", Channel.PHONE),
            kind=fields.pop("kind", Kind.COMPLAINT),
            title=fields.pop("title", "阀门渗漏"),
            description="客户反映阀门渗漏",
            category=Category.objects.get(code=category),
            department=Department.objects.get(code=department) if department else None,
            complainant_name=fields.pop("name", "王伟"),
            **fields,
        ),
        actor=people.intake,
        registered_at=at,
        severity=severity,
        severity_reason="报表测试" if severity else "",
    )
    return complaint


def november(people) -> dict[str, Complaint]:
    """The history; returns a few complaints by name."""
    made = {
        "leak": register(
            people,
            local(2026, 11, 3, 9),
            "construction_leak",
            severity=Severity.LEVEL_1,
            channel=Channel.WECHAT,
            claim_amount=Decimal("1234.50"),
        ),
        "valve": register(people, local(2026, 11, 5, 10), "product_quality", department="quality"),
        "east": register(
            people,
            local(2026, 11, 12, 14),
            "service_quality",
            department="sales_east",
            channel=Channel.EMAIL,
            title='=HYPERLINK("http://x")',
            name="-张三",
        ),
        "late": register(
            people,
            local(2026, 11, 30, 23, 30),
            "product_quality",
            department="quality",
            kind=Kind.SUGGESTION,
            anonymous=True,
        ),
        "december": register(people, local(2026, 12, 1, 0, 0), "product_quality"),
    }
    register(people, local(2026, 10, 8, 9), "product_quality", department="quality")
    register(people, local(2026, 10, 9, 9), "service_quality", department="sales_east")
    register(people, local(2025, 11, 20, 9), "construction_leak")
    register(people, local(2025, 11, 21, 9), "construction_leak")
    return made
