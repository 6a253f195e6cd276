"""`/api/v1/reports/classified` and `/monthly/{period}`: the figures of `classified()` in the
reader's scope (a head's department; QA, executives and administrators every complaint),
other roles refused with the reason, a bad period or dimension refused by field, and the
workbook and CSV handed out with their type and a Chinese file name."""

import csv
import io
import zipfile
from urllib.parse import quote

import openpyxl
import pytest
from django.test import Client

from kesu.accounts.actions import create_user
from kesu.accounts.choices import Role
from kesu.complaints.models import Category, Complaint
from kesu.complaints.queries import visible_complaints
from kesu.reports.api import XLSX
from kesu.statistics.counts import Dimension, classified
from kesu.statistics.periods import parse
from tests.reports_history import november

NOVEMBER = parse("2026-11")


def test_the_classified_counts_are_classifieds_with_codes_and_labels(people):
    november(people)
    answer = people.api(people.qa).get("/reports/classified", period="2026-11")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    expected = classified(NOVEMBER, by=(Dimension.CATEGORY, Dimension.SEVERITY))
    assert body["by"] == ["category", "severity"]
    assert body["period"] == {
        "period": "2026-11",
        "span": "month",
        "first": "2026-11-01",
        "last": "2026-11-30",
    }
    assert body["previous"]["period"] == "2026-10" and body["year_before"]["period"] == "2025-11"
    assert [
        (r["count"], r["previous"], r["year_before"], r["change"], r["change_pct"])
        for r in body["rows"]
    ] == [(r.count, r.previous, r.year_before, r.change, r.change_pct) for r in expected.rows]
    codes = {c.pk: c.code for c in Category.objects.all()}
    assert [[k["value"] for k in r["key"]] for r in body["rows"]] == [
        [codes[r.key[0]], int(r.key[1])] for r in expected.rows
    ]
    assert (
        body["rows"][0]["key"][0]["label"] == Category.objects.get(pk=expected.rows[0].key[0]).name
    )
    assert body["total"]["count"] == expected.total.count == 4
    assert body["total"]["key"] == []


def test_any_period_and_dimensions_and_the_department_key(people):
    november(people)
    api = people.api(people.executive)
    body = api.get("/reports/classified", period="2026-Q4", by="department,channel").json()
    expected = classified(parse("2026-Q4"), by=(Dimension.DEPARTMENT, Dimension.CHANNEL))
    assert [r["count"] for r in body["rows"]] == [r.count for r in expected.rows]
    departments = {r["key"][0]["value"] for r in body["rows"]}
    assert {"quality", "sales_east"} <= departments
    total = api.get("/reports/classified", period="2026-11-01..2026-11-30", by="").json()
    assert [r["count"] for r in total["rows"]] == [total["total"]["count"]] == [4]


def test_a_department_head_counts_their_department_only(people):
    november(people)
    answer = people.api(people.head_quality).get(
        "/reports/classified", period="2026-11", by="department"
    )
    body = answer.json()
    expected = classified(
        NOVEMBER, by=(Dimension.DEPARTMENT,), scope=visible_complaints(people.head_quality)
    )
    assert [r["key"][0]["value"] for r in body["rows"]] == ["quality"]
    assert body["total"]["count"] == expected.total.count == 2
    # the head of sales sees the east region below it, nothing of quality
    sales = people.api(people.head_sales).get(
        "/reports/classified", period="2026-11", by="department"
    )
    assert [r["key"][0]["value"] for r in sales.json()["rows"]] == ["sales_east"]


@pytest.mark.parametrize("who", ["handler_east", "intake"])
def test_handlers_and_intake_are_refused_with_the_reason(people, who):
    november(people)
    api = people.api(getattr(people, who))
    for path in ("/reports/classified?period=2026-11", "/reports/monthly/2026-11"):
        answer = api._client().get(f"/api/v1{path}")
        assert answer.status_code == 403, path
        assert answer.json()["code"] == "role_not_allowed"
        assert "部门负责人" in answer.json()["detail"]  # the reason, in the company's language


def test_a_customer_account_is_refused(people):
    customer = create_user("kehu_li", role=Role.CUSTOMER, name="李先生")
    answer = people.api(customer).get("/reports/classified", period="2026-11")
    assert answer.status_code == 403


def test_no_token_is_401(people):
    assert Client().get("/api/v1/reports/classified", {"period": "2026-11"}).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "November"}, "period"),
        ({"period": "2026-11-20..2026-11-03"}, "period"),
        ({"period": "1000-01-01..2026-12-31"}, "period"),  # the period before reaches year 0
        ({"period": "9999"}, "period"),  # the next day has no local midnight
        ({"period": "2026-11", "by": "category,colour"}, "by"),
        ({"period": "2026-11", "by": "severity,severity"}, "by"),
        ({}, "period"),
    ],
)
def test_a_bad_period_or_dimension_is_422_naming_the_field(people, params, field):
    answer = people.api(people.qa).get("/reports/classified", **params)
    assert answer.status_code == 422, answer.content
    errors = answer.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    if field == "period" and params:
        assert params["period"] in errors[0]["message"]  # Period.parse's refusal names it


def test_the_monthly_workbook_is_an_xlsx_with_a_chinese_file_name(people):
    november(people)
    answer = people.api(people.qa).get("/reports/monthly/2026-11")
    assert answer.status_code == 200
    assert answer["Content-Type"] == XLSX
    disposition = answer["Content-Disposition"]
    assert disposition.startswith('attachment; filename="kesu-statistics-2026-11.xlsx"')
    assert "filename*=UTF-8''" + quote("顾客投诉统计 2026-11.xlsx") in disposition
    book = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content)), read_only=True)
    assert len(book.sheetnames) == 10  # with the indicators' sheet before the raw list
    assert book.sheetnames[-2] == "指标"


def test_a_heads_workbook_lists_their_departments_complaints(people):
    made = november(people)
    answer = people.api(people.head_quality).get("/reports/monthly/2026-11", table="complaints")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content)), read_only=True)
    numbers = [row[0] for row in book.active.iter_rows(min_row=4, values_only=True)]
    assert numbers == [made["valve"].number, made["late"].number]
    assert Complaint.objects.count() > 2


def test_csv_is_a_zip_of_every_table_or_one_table(people):
    november(people)
    api = people.api(people.executive)
    answer = api.get("/reports/monthly/2026-11", format="csv")
    assert answer["Content-Type"] == "application/zip"
    assert "filename*=UTF-8''" + quote("顾客投诉统计 2026-11.zip") in answer["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))) as archive:
        assert len(archive.namelist()) == 11  # with the two indicator tables
    one = api.get("/reports/monthly/2026-11", format="csv", table="classified")
    assert one["Content-Type"] == "text/csv; charset=utf-8"
    data = b"".join(one.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[-1][4] == "4"  # the total of November's three severities


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/reports/monthly/2026-13", {}, "period"),
        ("/reports/monthly/2026-11", {"format": "docx"}, "format"),
        ("/reports/monthly/2026-11", {"format": "pdf", "table": "kind"}, "table"),
        ("/reports/monthly/2026-11", {"table": "everything"}, "table"),
    ],
)
def test_the_monthly_files_refuse_bad_parameters_by_field(people, path, params, field):
    answer = people.api(people.qa).get(path, **params)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_the_openapi_document_describes_the_file_formats(people):
    from kesu.api import api

    operation = api.get_openapi_schema()["paths"]["/api/v1/reports/monthly/{period}"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {
        XLSX,
        "text/csv; charset=utf-8",
        "application/zip",
        "application/pdf",
    }
    assert "zip of one CSV file per table" in operation["description"]
    assert {"403", "422"} <= {str(status) for status in operation["responses"]}
