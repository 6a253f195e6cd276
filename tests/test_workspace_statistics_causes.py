"""The Pareto of causes on the statistics page (row 63): its bars are `classified` by cause,
ranked with their cumulative share, and each opens a list of exactly the complaints it counts;
the inbox's cause filter reads the cause as the statistics do (QA's determination, else the
owner's) and says so above the list."""

import re
from collections import Counter
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from kesu.complaints import actions
from kesu.complaints.choices import Channel, Determination, Severity
from kesu.complaints.models import Category, Complaint
from kesu.statistics.counts import Dimension, classified
from kesu.statistics.periods import parse

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECTION = re.compile(r'data-role="pareto-causes">(.*?)</table>', re.S)
FIGURE = re.compile(r'<a href="([^"]+)" data-figure="(\d+)">')
ROW = re.compile(r'<tr data-number="([^"]+)"')
D = Determination


def register(people, at: datetime, department=None):
    complaint, _created = actions.register(
        actions.NewComplaint(
            channel=Channel.PHONE,
            title="阀门渗漏",
            description="客户反映阀门渗漏",
            category=Category.objects.get(code="product_quality"),
            complainant_name="王伟",
            department=department,
        ),
        actor=people.intake,
        registered_at=at,
        severity=Severity.LEVEL_3,
        severity_reason="统计测试",
    )
    return complaint


# (owner's determination, QA's) → what counts: QA's where it decided, else the owner's
CASES = [
    (D.DEFECT, ""),
    (D.DEFECT, ""),
    (D.DEFECT, ""),
    (D.UNDETERMINABLE, D.DEFECT),  # QA settled it: a defect
    (D.UNDETERMINABLE, D.MISUSE),
    (D.MISUSE, ""),
    (D.COMPANY, ""),
    (D.CUSTOMER, ""),
    ("", ""),  # not determined yet
    ("", ""),
]


@pytest.fixture
def causes(people):
    made = []
    for day, (own, qa) in enumerate(CASES, start=2):
        c = register(people, datetime(2026, 11, day, 9, tzinfo=SHANGHAI))
        # the determinations as the workflow leaves them on the complaint (what `classified`
        # and the inbox read); the timeline's own path is the facts' tests' business
        Complaint.objects.filter(pk=c.pk).update(determination=own, qa_determination=qa)
        made.append(c.number)
    register(people, datetime(2026, 10, 30, 9, tzinfo=SHANGHAI))  # October's: not counted
    return made


def section(client: Client, **params) -> str:
    body = client.get("/statistics/", {"period": "2026-11", **params}).content.decode()
    (found,) = SECTION.findall(body)
    return found


def test_the_bars_rank_the_causes_and_open_exactly_their_complaints(causes, people):
    client = Client()
    client.force_login(people.executive)
    html = section(client)
    bars = [(unescape(href), int(n)) for href, n in FIGURE.findall(html)]
    expected = Counter({"defect": 4, "none": 2, "misuse": 2, "company": 1, "customer": 1})
    assert [n for _href, n in bars] == sorted(expected.values(), reverse=True)
    assert sum(n for _href, n in bars) == 10 == classified(parse("2026-11")).total.count
    table = classified(parse("2026-11"), by=[Dimension.CAUSE])
    assert {(r.key[0] or "none"): r.count for r in table.rows if r.count} == expected
    listed: set[str] = set()
    for href, n in bars:
        cause = re.search(r"cause=([a-z_]+)", href)
        assert cause is not None and "period=2026-11" in href
        body = client.get(href).content.decode()
        numbers = ROW.findall(body)
        assert len(numbers) == n == expected[cause.group(1)], href
        listed |= set(numbers)
        want = {
            number
            for number, (own, qa) in zip(causes, CASES, strict=True)
            if (qa or own or "none") == cause.group(1)
        }
        assert set(numbers) == want, href
    assert listed == set(causes)  # every complaint of the month behind exactly one bar
    # the first bar is the defects, bold (vital), with its share and cumulative share
    assert "40.0 %" in html and "60.0 %" in html and 'class="vital"' in html


def test_a_head_sees_the_causes_of_their_department_only(causes, people):
    east = people.handler_east.department
    ours = register(people, datetime(2026, 11, 20, 9, tzinfo=SHANGHAI), department=east)
    Complaint.objects.filter(pk=ours.pk).update(determination=D.MISUSE)
    client = Client()
    client.force_login(people.head_sales)
    bars = [(unescape(href), int(n)) for href, n in FIGURE.findall(section(client))]
    assert [n for _href, n in bars] == [1]
    assert ROW.findall(client.get(bars[0][0]).content.decode()) == [ours.number]


def test_the_inbox_reads_the_cause_filter_leniently_and_names_it(causes, people):
    client = Client()
    client.force_login(people.executive)
    body = client.get("/inbox/", {"tab": "all", "cause": "defect"}).content.decode()
    assert len(ROW.findall(body)) == 4
    named = client.get("/inbox/", {"tab": "all", "cause": "none", "period": "2026-11"})
    text = named.content.decode()
    assert len(ROW.findall(text)) == 2
    assert "cause not determined" in text or "原因未判定" in text
    nonsense = client.get("/inbox/", {"tab": "all", "cause": "nonsense"})
    assert nonsense.status_code == 200
    assert len(ROW.findall(nonsense.content.decode())) == 11  # ignored: every complaint
