"""考核 in the workspace: who opens the scorecards and sees whom, each deduction's link to
exactly its incidents, the figure drill-down behind the indicators table on /statistics/
listing exactly the counted complaints, and the navigation entry."""

import html
import re

import pytest
from django.test import Client

from kesu.accounts.models import Department
from tests.test_appraisal_scorecards import october


@pytest.fixture
def history(people):
    return october(people)


PERIOD = "2026-10"


def page(user, url: str, **params) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(url, params)
    return response.status_code, response.content.decode()


def links(body: str, marker: str) -> list[str]:
    """The hrefs of the links carrying `marker` (an attribute)."""
    found = re.findall(rf'<a href="([^"]+)"[^>]*{marker}', body)
    return [html.unescape(href) for href in found]


def numbers(body: str) -> set[str]:
    return set(re.findall(r'data-number="([^"]+)"', body))


def follow(user, href: str) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(href)
    return response.status_code, response.content.decode()


def test_a_head_sees_their_people_and_each_deduction_opens_its_incidents(history, people):
    status, body = page(people.head_sales, "/statistics/scorecards/", period=PERIOD)
    assert status == 200
    assert "张经理" in body and "赵经理" in body and "周总监" in body
    assert "孙工" not in body  # the quality department's handler is not theirs
    assert 'data-role="ranking"' in body and ">88.3<" in body
    deductions = links(body, 'data-role="deduction"')
    east = people.handler_east.pk
    reopen = next(h for h in deductions if f"/person/{east}/" in h and "measure=reopen" in h)
    status, incidents = follow(people.head_sales, reopen)
    assert status == 200 and numbers(incidents) == {history["repeat"].number}
    handling = next(h for h in deductions if f"/{east}/" in h and "handling_on_time" in h)
    status, incidents = follow(people.head_sales, handling)
    expected = {history[n].number for n in ("clean", "partial", "repeat", "late")}
    assert numbers(incidents) == expected
    # each of its figure links lists exactly those complaints of the figure
    listed: set[str] = set()
    for href in links(incidents, 'data-role="figure-link"'):
        status, figure = follow(people.head_sales, href)
        assert status == 200
        listed |= numbers(figure)
    assert listed == expected
    # no deduction link where nothing is deducted: north's card is clean
    assert not [h for h in deductions if f"/person/{people.handler_north.pk}/" in h]


def test_a_head_sees_departments_of_their_own_only(history, people):
    status, body = page(
        people.head_quality, "/statistics/scorecards/", period=PERIOD, level="department"
    )
    assert status == 200 and "质量部" in body and "华东区域" not in body
    east = Department.objects.get(code="sales_east").pk
    url = f"/statistics/scorecards/department/{east}/incidents/"
    assert page(people.head_quality, url, period=PERIOD, measure="repeat")[0] == 404
    status, body = page(people.head_sales, url, period=PERIOD, measure="repeat")
    assert status == 200 and numbers(body) == {history["repeat"].number}


def test_a_handler_lands_on_their_own_card_and_nothing_else(history, people):
    east = people.handler_east
    status, body = page(east, "/statistics/scorecards/", period=PERIOD, level="department")
    assert status == 200
    assert body.count('data-role="scorecard"') == 1 and "张经理" in body
    assert 'data-role="ranking"' not in body and "赵经理" not in body
    assert 'href="/statistics/scorecards/"' in body  # the navigation's 考核
    assert page(east, "/statistics/")[0] == 403
    deduction = links(body, 'data-role="deduction"')[0]
    status, incidents = follow(east, deduction)
    assert status == 200
    for href in links(incidents, 'data-role="figure-link"'):
        assert follow(east, href)[0] == 200  # the figures of their own card
    north = people.handler_north.pk
    assert (
        page(
            east,
            f"/statistics/scorecards/person/{north}/incidents/",
            period=PERIOD,
            measure="reopen",
        )[0]
        == 404
    )
    other = {"figure": "reopen", "period": PERIOD, "by": "handler", "key": north}
    assert page(east, "/statistics/figure/", **other)[0] == 403
    company = {"figure": "reopen", "period": PERIOD}
    assert page(east, "/statistics/figure/", **company)[0] == 403


def test_intake_neither_sees_the_entry_nor_opens_the_pages(history, people):
    status, body = page(people.intake, "/inbox/")
    assert status == 200 and 'href="/statistics/scorecards/"' not in body
    assert page(people.intake, "/statistics/scorecards/")[0] == 403
    assert page(people.intake, "/statistics/figure/", figure="reopen", period=PERIOD)[0] == 403


def test_the_indicators_table_links_lead_to_exactly_the_counted_complaints(history, people):
    status, body = page(people.qa, "/statistics/", period=PERIOD)
    assert status == 200 and 'data-role="indicators"' in body
    table = body[
        body.index('data-role="indicators"') : body.index(
            "</table>", body.index('data-role="indicators"')
        )
    ]
    east_row = table[table.index("华东区域") :].split("</tr>")[0]
    cells = re.findall(r"<td data-column=\"(\d+)\">(.*?)</td>", east_row)
    by_column = dict(cells)

    def listed(cell: str, which: int = 0) -> set[str]:
        href = html.unescape(re.findall(r'href="([^"]+)"', cell)[which])
        status, figure = follow(people.qa, href)
        assert status == 200
        return numbers(figure)

    every = {history[n].number for n in ("first", "clean", "partial", "repeat", "late")}
    closed = every - {history["late"].number}
    # 1 accepted on time (4 of 5), 3 resolution, 8 reopened, 9 repeats, 11 breaches
    assert listed(by_column["1"]) == every - {history["late"].number}
    assert listed(by_column["1"], 1) == every
    assert listed(by_column["3"], 1) == closed
    assert listed(by_column["8"]) == {history["repeat"].number}
    assert listed(by_column["9"]) == {history["repeat"].number}
    assert listed(by_column["11"]) == {
        history[n].number for n in ("clean", "partial", "repeat", "late")
    }
    # every single-figure count of complaints is the length of its list
    for column in ("1", "3", "7", "8", "9"):
        shown = re.findall(r'data-(?:figure|runs)="(\d+)"', by_column[column])
        assert int(shown[0]) == len(listed(by_column[column])), column
    total = table[table.index('data-role="indicators-total"') :]
    assert re.search(r'data-runs="6"', total)  # six registered in October, all departments


@pytest.mark.parametrize("bad", [{"figure": "nope"}, {"figure": "reopen", "part": "x"}])
def test_the_figure_page_says_what_is_wrong(people, bad):
    status, body = page(people.qa, "/statistics/figure/", period=PERIOD, **bad)
    assert status == 400 and 'data-role="error"' in body
