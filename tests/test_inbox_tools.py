"""The inbox's tools without a browser: the cost of the inbox and of its polls, bulk
actions' refusals, saved views' rules, and the export by `kesu export`'s writers."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kesu.complaints.importing import COLUMNS
from kesu.complaints.models import Complaint
from kesu.workspace import inbox_tools
from kesu.workspace.models import SavedView
from tests.inbox_cases import registered

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _accepted(people, n: int) -> list[str]:
    intake = people.api(people.intake)
    numbers = [registered(people, title=f"第{i}条") for i in range(n)]
    for number in numbers:
        intake.act(number, "accept", {"owner": people.handler_quality.username})
    return numbers


def test_the_inbox_costs_the_same_queries_for_3_rows_as_for_20(people):
    client = _client(people.head_quality)
    _accepted(people, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/inbox/?tab=department").status_code == 200
    _accepted(people, 17)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/inbox/?tab=department")
    assert page.content.decode().count('name="pick"') == 20
    assert len(many) == len(few)  # no query per row (who decides, the bulk boxes, versions)


def test_the_polls_are_one_read_and_stop_once_they_told(people):
    number = _accepted(people, 1)[0]
    complaint = Complaint.objects.get(number=number)
    client = _client(people.handler_quality)
    client.get("/inbox/")  # the session is loaded once; the polls then read one row
    with CaptureQueriesContext(connection) as queries:
        same = client.get(f"/complaints/{number}/fresh", {"v": complaint.version})
    assert same.status_code == 204
    complaint_reads = [q for q in queries if "complaints_complaint" in q["sql"]]
    assert len(complaint_reads) == 1
    seen = f"{complaint.pk}:{complaint.version}"
    assert client.get("/inbox/fresh", {"seen": seen}).status_code == 204

    people.api(people.head_quality).act(number, "note", {"text": "看一下"})
    changed = client.get(f"/complaints/{number}/fresh", {"v": complaint.version})
    assert changed.status_code == 286  # htmx stops polling
    assert "钱部长" in changed.content.decode()
    listed = client.get("/inbox/fresh", {"seen": seen})
    assert listed.status_code == 286 and number in listed.content.decode()

    gone = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/complaints/{number}/fresh", {"v": 1})
    assert gone.status_code == 286 and "Your session has ended" in gone.content.decode()


def test_bulk_refuses_what_the_person_cannot_see_and_validates_the_form_first(people):
    number = _accepted(people, 1)[0]
    east = _client(people.handler_east)
    page = east.post(
        "/inbox/bulk", {"pick": [f"{number}@1"], "do": "escalate", "text": "升级"}, follow=True
    )
    assert "No such complaint, or not one of yours." in page.content.decode()
    head = _client(people.head_quality)
    empty = head.post("/inbox/bulk", {"pick": [number], "do": "note", "text": ""}, follow=True)
    assert "Note or message was not done on any complaint" in empty.content.decode()
    assert not Complaint.objects.get(number=number).events.filter(type="note").exists()
    clerk = _client(people.intake)
    assert clerk.get("/inbox/bulk").url == "/inbox/"  # a login's `next` after a lost session
    done = clerk.post("/inbox/bulk", {"pick": [number], "do": "note", "text": "已回电"})
    assert done.status_code == 200 and b'tr class="done"' in done.content


def test_bulk_export_writes_the_ticked_complaints_only(people):
    first, _second = _accepted(people, 2)
    response = _client(people.intake).post(
        "/inbox/bulk", {"pick": [f"{first}@2"], "do": "export", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [first]


def test_saved_views_are_shared_by_heads_only_and_deleted_by_their_owner(people):
    handler = people.handler_quality
    mine = inbox_tools.save_view(handler, "我的一级", "tab=all&severity=1", share=True)
    assert mine.department is None  # a handler keeps views to themselves
    odd = inbox_tools.save_view(handler, "乱", "tab=nope&severity=9&state=open&evil=1", False)
    assert odd.query == "state=open"  # only what the inbox itself reads is kept
    odd.delete()
    shared = inbox_tools.save_view(people.head_quality, "本部门一级", "severity=1", share=True)
    assert shared.department == people.head_quality.department
    assert {v.name for v in inbox_tools.saved_views_for(handler)} == {"我的一级", "本部门一级"}
    assert {v.name for v in inbox_tools.saved_views_for(people.handler_east)} == set()
    inbox_tools.save_view(people.head_sales, "营销部逾期", "tab=overdue", share=True)
    east = {v.name for v in inbox_tools.saved_views_for(people.handler_east)}
    assert east == {"营销部逾期"}  # shared down to the regions under the head's department
    with pytest.raises(ValueError):
        inbox_tools.save_view(handler, "我的一级", "", share=False)
    assert not inbox_tools.delete_view(handler, shared.pk)
    _client(handler).post(f"/inbox/views/{mine.pk}/delete")
    assert not SavedView.objects.filter(pk=mine.pk).exists()


def test_the_export_writes_the_columns_kesu_export_writes(people):
    numbers = _accepted(people, 2)
    response = _client(people.intake).get("/inbox/export", {"tab": "all", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [column.header for column in COLUMNS]
    assert sorted(row[0] for row in rows[1:]) == sorted(numbers)


def test_an_export_refused_by_an_excel_cell_says_why_and_goes_back_to_the_inbox(people):
    number = _accepted(people, 1)[0]
    Complaint.objects.filter(number=number).update(description="长" * 40_000)  # an old text
    client = _client(people.intake)
    page = client.get("/inbox/export", {"tab": "all", "format": "xlsx"}, follow=True)
    assert page.redirect_chain[-1][0] == "/inbox/?tab=all"
    assert "more than an Excel cell holds" in page.content.decode()
    ticked = client.post(
        "/inbox/bulk",
        {"pick": [number], "do": "export", "format": "xlsx", "back": "tab=all"},
        follow=True,
    )
    assert ticked.redirect_chain[-1][0] == "/inbox/?tab=all"
    assert "export to a .csv file" in ticked.content.decode()


def test_a_row_refused_by_validation_is_told_in_the_persons_language(people):
    number = _accepted(people, 1)[0]
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(people.head_quality)
    page = client.post("/inbox/bulk", {"pick": [f"{number}@0"], "do": "note", "text": "看一下"})
    text = page.content.decode()
    assert page.status_code == 200 and "Input should be" not in text
    assert "请输入不小于 1 的数字。" in text
    assert not Complaint.objects.get(number=number).events.filter(type="note").exists()


def test_a_posted_query_or_way_back_goes_into_the_location_as_the_inbox_writes_it(people):
    number = _accepted(people, 1)[0]
    client = _client(people.head_quality)
    evil = "tab=all\\r\\nSet-Cookie: x=1&severity=1&evil=2".replace("\\r\\n", "\r\n")
    nothing = client.post("/inbox/bulk", {"back": evil, "do": "note", "text": "看"})
    assert nothing.status_code == 302 and nothing.url == "/inbox/?severity=1"
    unnamed = client.post("/inbox/views", {"name": "", "query": evil})
    assert unnamed.status_code == 302 and unnamed.url == "/inbox/?severity=1"
    done = client.post("/inbox/bulk", {"pick": [number], "do": "note", "text": "看", "back": evil})
    assert done.status_code == 200 and 'href="/inbox/?severity=1"' in done.content.decode()


def test_the_export_lists_in_the_order_the_inbox_shows(people):
    first, second, third = _accepted(people, 3)
    now = timezone.now()
    for number, days in ((first, 9), (second, 1), (third, 5)):
        Complaint.objects.filter(number=number).update(due_at=now + timedelta(days=days))
    client = _client(people.intake)

    def exported(query: dict) -> list[str]:
        response = client.get("/inbox/export", {**query, "format": "csv"})
        return [row[0] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))][1:]

    page = client.get("/inbox/", {"tab": "all", "sort": "due"}).content.decode()
    shown = sorted((first, second, third), key=page.index)
    assert shown == [second, third, first]
    assert exported({"tab": "all", "sort": "due"}) == shown
    assert exported({"tab": "all"}) == [third, second, first]  # newest first, as listed
    ticked = client.post(
        "/inbox/bulk",
        {"pick": [first, second, third], "do": "export", "format": "csv", "back": "sort=due"},
    )
    rows = list(csv.reader(io.StringIO(ticked.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == shown
