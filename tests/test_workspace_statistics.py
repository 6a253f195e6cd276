"""The statistics section: who opens it and over which complaints, the figures it prints are
`classified`'s, a period or breakdown it cannot read is a message, and every figure is a link
to a list of exactly that many complaints."""

import re
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from kesu.accounts.models import Department
from kesu.complaints import actions
from kesu.complaints.choices import Channel, Kind, Severity
from kesu.complaints.models import Category
from kesu.complaints.queries import visible_complaints
from kesu.statistics.counts import classified
from kesu.statistics.periods import parse
from kesu.workspace.statistics import BREAKDOWNS, breakdown_code

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIGURE = re.compile(r'<a href="([^"]+)" data-figure="(\d+)">')
ROW = re.compile(r'<tr data-number="')


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def register(people, at, category_code, *, severity=Severity.LEVEL_3, **fields):
    complaint, _created = actions.register(
        actions.NewComplaint(
            channel=fields.pop("channel", Channel.PHONE),
            title="阀门渗漏",
            description="客户反映阀门渗漏",
            category=Category.objects.get(code=category_code),
            complainant_name="王伟",
            **fields,
        ),
        actor=people.intake,
        registered_at=at,
        severity=severity,
        severity_reason="统计测试",
    )
    return complaint


@pytest.fixture
def history(people):
    """November 2026 with October before it and November 2025 a year before, across
    departments, categories and their subcategories, kinds, channels and severities."""
    Category.objects.create(code="unrouted", name="未分派", sort_order=99)  # no department
    east = Department.objects.get(code="sales_east")
    north = Department.objects.get(code="sales_north")
    for day in (2, 3, 4):
        register(people, local(2026, 11, day, 9), "product_quality", severity=Severity.LEVEL_2)
    register(people, local(2026, 11, 30, 23, 30), "product_quality")  # November's, late
    register(people, local(2026, 12, 1, 0, 0), "product_quality")  # December's
    register(people, local(2026, 11, 5, 9), "construction_crack", channel=Channel.EMAIL)
    register(people, local(2026, 11, 6, 9), "construction_crack", channel=Channel.EMAIL)
    register(people, local(2026, 11, 7, 9), "construction_leak", channel=Channel.WECHAT)
    register(people, local(2026, 11, 8, 9), "construction_quality", severity=Severity.LEVEL_1)
    register(people, local(2026, 11, 9, 9), "service_quality", kind=Kind.SUGGESTION)
    register(people, local(2026, 11, 10, 9), "staff_conduct", department=east)
    register(people, local(2026, 11, 11, 9), "staff_conduct", department=east)
    register(people, local(2026, 11, 12, 9), "unrouted")
    register(people, local(2026, 10, 12, 9), "product_quality")
    register(people, local(2026, 10, 13, 9), "staff_conduct", department=north)
    register(people, local(2025, 11, 14, 9), "product_quality")
    register(people, local(2025, 11, 15, 9), "product_quality")
    register(people, local(2026, 3, 1, 9), "schedule")


def page(user, **params):
    return _client(user).get("/statistics/", params)


# Who opens it


def test_heads_qa_executives_and_admins_open_it_others_are_refused(people):
    for user in (people.head_quality, people.qa, people.executive, people.admin):
        assert page(user, period="2026-11").status_code == 200, user.role
    for user in (people.handler_east, people.intake):
        refused = page(user)
        assert refused.status_code == 403
        assert "统计数据供部门负责人" in refused.content.decode()
    anonymous = Client().get("/statistics/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_the_navigation_and_the_dashboard_lead_there_for_those_roles(people):
    head = _client(people.head_quality).get("/").content.decode()
    assert 'href="/statistics/"' in head  # the navigation's 统计
    assert ">统计<" in head
    assert 'href="/statistics/?period=' in head and "by=category%2Cseverity" in head
    handler = _client(people.handler_east).get("/").content.decode()
    assert 'href="/statistics/"' not in handler  # their own scorecard only (考核)


def test_each_sees_their_own_scope(history, people):
    november = parse("2026-11")
    company = page(people.executive, period="2026-11").context["table"].total.count.value
    assert company == classified(november, by=()).total.count == 12
    quality = page(people.head_quality, period="2026-11").context["table"]
    assert quality.total.count.value == 4  # the product quality complaints only
    assert [line.label for line in quality.lines] == ["产品质量"]
    sales = page(people.head_sales, period="2026-11", by="department").context["table"]
    assert [(line.label, line.count.value, line.previous.value) for line in sales.lines] == [
        ("华东区域", 2, 0),
        ("华北区域", 0, 1),
    ]
    assert page(people.qa, period="2026-11").context["table"].total.count.value == 12


@pytest.mark.parametrize("dims", BREAKDOWNS, ids=breakdown_code)
def test_the_figures_are_classifieds(history, people, dims):
    for user in (people.executive, people.head_sales):
        period = parse("2026-11")
        table = page(user, period="2026-11", by=breakdown_code(dims)).context["table"]
        expected = classified(period, by=dims, scope=visible_complaints(user))
        assert (
            table.total.count.value,
            table.total.previous.value,
            table.total.year_before.value,
            table.total.change_pct,
            table.total.year_change_pct,
        ) == (
            expected.total.count,
            expected.total.previous,
            expected.total.year_before,
            expected.total.change_pct,
            expected.total.year_change_pct,
        )
        if len(dims) == 1:
            assert [
                (line.count.value, line.previous.value, line.year_before.value, line.change)
                for line in table.lines
            ] == [(r.count, r.previous, r.year_before, r.change) for r in expected.rows]
        else:  # the grid: every cell is a row of the table, every line the sum of its cells
            cells = {r.key: r.count for r in expected.rows}
            assert sum(f.value for line in table.lines for f in line.cells) == sum(cells.values())
            assert sorted(f.value for line in table.lines for f in line.cells if f.value) == (
                sorted(n for n in cells.values() if n)
            )
            for line in table.lines:
                assert line.count.value == sum(f.value for f in line.cells)


def test_the_classified_grid_is_the_paper_forms(history, people):
    body = page(people.executive, period="2026-11", by="category,severity").content.decode()
    table = page(people.executive, period="2026-11", by="category,severity").context["table"]
    assert table.columns == [
        "一级（重大）",
        "二级",
        "三级（一般）",
    ]  # the severities met this period, in order
    by_label = {line.label: line for line in table.lines}
    assert [f.value for f in by_label["产品质量"].cells] == [0, 3, 1]
    # the construction subcategories roll up into their root
    assert by_label["工程质量"].count.value == 4
    assert [f.value for f in by_label["工程质量"].cells] == [1, 0, 3]
    assert "环比" in body and "同比" in body
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in body


def figures(body: str) -> list[tuple[str, int]]:
    return [(unescape(href), int(n)) for href, n in FIGURE.findall(body)]


def rows_behind(client: Client, href: str) -> int:
    body = client.get(href).content.decode()
    return len(ROW.findall(body))


@pytest.mark.parametrize(
    "by", ["category,severity", "subcategory", "kind", "channel", "department"]
)
def test_every_figure_opens_a_list_of_that_many_complaints(history, people, by):
    for user in (people.executive, people.head_sales):
        client = _client(user)
        body = client.get("/statistics/", {"period": "2026-11", "by": by}).content.decode()
        found = figures(body)
        assert len(found) > 5
        for href, n in found:  # the table, its totals, the Pareto and the trend
            assert n < 25  # one page of the list shows them all
            assert rows_behind(client, href) == n, (href, n)


def test_a_subcategory_row_is_that_category_itself_and_the_list_says_so(history, people):
    client = _client(people.executive)
    table = client.get("/statistics/", {"period": "2026-11", "by": "subcategory"}).context["table"]
    root = next(line for line in table.lines if line.label == "工程质量")
    assert root.count.value == 1  # not its cracks and leaks
    assert "category_exact=construction_quality" in root.count.href
    listed = client.get(root.count.href).content.decode()
    assert len(ROW.findall(listed)) == 1
    assert "1 条投诉" in listed and "登记于 2026-11" in listed


def test_the_month_ends_at_local_midnight_in_the_figures_and_the_list(history, people):
    client = _client(people.executive)
    months = {
        month: f
        for month, f in client.get("/statistics/", {"period": "2026-12"}).context["trend"]["points"]
    }
    assert months["2026-11"].value == 12 and months["2026-12"].value == 1
    assert rows_behind(client, months["2026-12"].href) == 1


def test_the_pareto_and_trend_are_the_periods(history, people):
    response = page(people.executive, period="2026-11")
    pareto = response.context["pareto"]["lines"]
    assert [(p.label, p.count.value, p.cumulative_pct, p.vital) for p in pareto] == [
        ("产品质量", 4, 33.3, True),  # ties keep the table's order
        ("工程质量", 4, 66.7, True),
        ("营业人员工作事务", 2, 83.3, True),  # crosses the 80 % line: the last vital one
        ("服务质量", 1, 91.7, False),
        ("未分派", 1, 100.0, False),
    ]  # categories with nothing this month are not drawn
    points = response.context["trend"]["points"]
    assert (points[0][0], points[-1][0]) == ("2025-12", "2026-11")
    assert [f.value for _m, f in points] == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 12]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "2026-13"}, "“2026-13”不是有效的期间"),
        ({"period": "november"}, "“november”不是有效的期间"),
        ({"period": "9999"}, "“9999”距今太远"),
        (
            {"from": "2026-11-20", "to": "2026-11-03"},
            "“2026-11-20..2026-11-03”的结束日期早于开始日期",
        ),
        ({"from": "2026-11-20"}, "不是有效的期间"),
        ({"by": "handler"}, "“handler”不是可选的分组方式"),
        ({"by": "severity,severity"}, "“severity,severity”不是可选的分组方式"),
    ],
)
def test_what_it_cannot_read_is_a_message_not_an_error(people, params, message):
    response = page(people.executive, **params)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'role="alert"' in body and 'data-role="classified"' not in body


def test_a_custom_range_and_the_other_forms_are_read(history, people):
    ranged = page(people.executive, **{"from": "2026-11-01", "to": "2026-11-04"})
    assert ranged.status_code == 200
    assert str(ranged.context["period"]) == "2026-11-01..2026-11-04"
    assert ranged.context["table"].total.count.value == 3
    quarter = page(people.executive, period="2026-q4", by="kind").context
    assert str(quarter["period"]) == "2026-Q4" and quarter["table"].total.count.value == 15
    year = page(people.executive, period="2026", by="channel").context["table"]
    assert year.total.count.value == 16 and year.total.year_before.value == 2
    assert [line.label for line in year.lines] == ["电话热线", "电子邮件", "微信"]


def test_the_downloads_have_a_place_and_no_dead_links(history, people):
    body = page(people.executive, period="2026-11").content.decode()
    assert 'data-role="downloads"' in body
    links = re.findall(r'<a class="action" href="(/statistics/[^"]+)">', body)
    assert len(links) == 4  # xlsx, CSV zip, PDF, the month's report (tests/test_workspace_reports)
    for link in links:
        assert _client(people.executive).get(unescape(link)).status_code == 200, link


def test_the_inbox_reads_the_drill_down_filters_leniently(history, people):
    client = _client(people.executive)
    everything = rows_behind(client, "/inbox/?tab=all")
    for bad in (
        "period=2026-13",
        "period=9999",
        "department=abc",
        "kind=x",
        "channel=post",
        "category_exact=nowhere",
    ):
        response = client.get(f"/inbox/?tab=all&{bad}")
        assert response.status_code == 200
        assert len(ROW.findall(response.content.decode())) == everything
    none = client.get("/inbox/?tab=all&department=0&period=2026-11").content.decode()
    assert len(ROW.findall(none)) == 1 and "尚无部门" in none
    # a drilled list keeps its filters across the search form and paging
    drilled = client.get("/inbox/?tab=all&period=2026-11&channel=email").content.decode()
    assert '<input type="hidden" name="period" value="2026-11">' in drilled
    assert '<input type="hidden" name="channel" value="email">' in drilled


def test_the_page_costs_a_fixed_number_of_queries(history, people, django_assert_max_num_queries):
    client = _client(people.executive)
    client.get("/statistics/", {"period": "2026-11"})  # the category tree cached, as in use
    # session and user, the three periods of the table and of the Pareto, the trend, the
    # departments' names, the indicators table (two reads of the facts, six queries each), the
    # Pareto of causes (its three periods, the causes read beside the events): however many
    # complaints there are
    with django_assert_max_num_queries(12 + 12 + 6):
        assert client.get("/statistics/", {"period": "2026", "by": "department"}).status_code == 200


def test_the_quick_links_stop_where_the_calendar_does(people):
    for text in ("9998", "5000-01-01..9000-01-01"):
        response = page(people.executive, period=text)
        assert response.status_code == 200, text
        labels = [label for label, _value in response.context["quick"]]
        assert "上一期" in labels and "下一期" not in labels
    quick = dict(page(people.executive, period="2026-Q4").context["quick"])
    assert (quick["上一期"], quick["下一期"]) == ("2026-Q3", "2027-Q1")
    days = dict(page(people.executive, period="2026-11-03..2026-11-20").context["quick"])
    assert days["下一期"] == "2026-11-21..2026-12-08"
