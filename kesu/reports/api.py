"""`/api/v1/reports/…`: the statistics and the documents as JSON and as files.

The statistics (issue #16, SPEC §10): `classified` as JSON, the monthly workbook as xlsx or
CSV. Department heads read their department, QA, executives and administrators every
complaint (`kesu.reports.access`); every other role is refused (403) with the reason.
A complaint's documents — its three forms as PDF and its case file as a zip — go to staff who
may see the complaint; anyone else is answered 404, as the complaints API answers.
"""

from collections.abc import Callable
from datetime import date
from typing import Any, Literal
from urllib.parse import urlencode

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Path as PathParam
from ninja import Query, Router, Schema
from pydantic import Field

from kesu.accounts.http import AuthenticatedHttpRequest
from kesu.accounts.models import Department, User
from kesu.appraisal import tables as scorecard_tables
from kesu.appraisal.choices import Level, Measure
from kesu.appraisal.scorecards import Scorecard, incident_list, scorecards
from kesu.complaints.errors import ComplaintError, ErrorCode, invalid
from kesu.core.refusals import refusals
from kesu.reports import access, documents, downloads, workbooks
from kesu.reports.access import statistics_scope
from kesu.reports.monthly import files
from kesu.reports.tables import HANDLER, Labels
from kesu.reports.writers import write_csv, write_xlsx
from kesu.statistics.counts import Classified, Dimension, Key, Row, classified
from kesu.statistics.periods import Period, parse

router = Router(tags=["reports"])

# ------------------------------------------------------------------------------ statistics

PERIOD_HELP = (
    "A month (2026-11), a quarter (2026-Q4), a year (2026) or a range of local days, both "
    "included (2026-11-03..2026-11-20). Days are local days in the company's time zone."
)


def _period(text: str) -> Period:
    try:
        return parse(text)
    except ValueError as error:
        raise invalid("period", str(error)) from None


def _dimensions(text: str) -> tuple[Dimension, ...]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in Dimension.__members__.values()]
    if unknown:
        raise invalid(
            "by",
            _("“%(name)s” is not a dimension; use some of: %(known)s.")
            % {"name": unknown[0], "known": ", ".join(Dimension)},
        )
    if len(set(names)) != len(names):
        raise invalid("by", _("Give each dimension once."))
    return tuple(Dimension(name) for name in names)


class PeriodOut(Schema):
    period: str = Field(description="as `period` is written: 2026-11, 2026-Q4, 2026, a..b")
    span: str = Field(description="month, quarter, year or days")
    first: date
    last: date


class KeyOut(Schema):
    dimension: Dimension
    value: int | str | None = Field(
        description="the identifier: a category's or department's code, a handler's username, "
        "the severity's level, the kind's, channel's or cause's code; null: none yet"
    )
    label: str = Field(description="what people read, in the request's language")


class RowOut(Schema):
    key: list[KeyOut]
    count: int = Field(description="registered in the period")
    previous: int = Field(description="registered in the period before")
    year_before: int = Field(description="registered in the same period a year before")
    change: int = Field(description="count − previous")
    change_pct: float | None = Field(description="change in % of previous; null when 0")
    year_change: int = Field(description="count − year_before")
    year_change_pct: float | None = Field(description="in % of year_before; null when 0")


class ClassifiedOut(Schema):
    period: PeriodOut
    previous: PeriodOut
    year_before: PeriodOut
    by: list[Dimension]
    rows: list[RowOut]
    total: RowOut


class ClassifiedQuery(Schema):
    period: str = Field(description=PERIOD_HELP)
    by: str = Field(
        "category,severity",
        description="the dimensions, comma-separated, in the order of the key: "
        + ", ".join(Dimension)
        + ". Empty: the total only.",
    )


def _period_out(period: Period) -> dict:
    return {"period": str(period), "span": period.span, "first": period.first, "last": period.last}


class _Codes:
    """The identifiers of the keys: category and department codes."""

    def __init__(self, labels: Labels) -> None:
        self.labels = labels
        self._departments: dict[int, str] | None = None

    def value(self, dimension: Dimension, key: Key) -> int | str | None:
        if key is None:
            return None
        if dimension in (Dimension.CATEGORY, Dimension.SUBCATEGORY):
            category = self.labels.categories.get(int(key))
            return category.code if category else None
        if dimension == HANDLER:
            return self.labels.username(int(key))
        if dimension == Dimension.DEPARTMENT:
            if self._departments is None:
                self._departments = dict(Department.objects.values_list("pk", "code"))
            return self._departments.get(int(key))
        return key  # the enum's value: a severity's level, a kind's or channel's code


def _row_out(row: Row, by: tuple[Dimension, ...], codes: _Codes) -> dict:
    return {
        "key": [
            {"dimension": d, "value": codes.value(d, k), "label": codes.labels.of(d, k)}
            for d, k in zip(by, row.key, strict=True)
        ],
        "count": row.count,
        "previous": row.previous,
        "year_before": row.year_before,
        "change": row.change,
        "change_pct": row.change_pct,
        "year_change": row.year_change,
        "year_change_pct": row.year_change_pct,
    }


def classified_out(result: Classified) -> dict:
    codes = _Codes(Labels())
    return {
        "period": _period_out(result.period),
        "previous": _period_out(result.previous),
        "year_before": _period_out(result.year_before),
        "by": list(result.by),
        "rows": [_row_out(row, result.by, codes) for row in result.rows],
        "total": _row_out(result.total, (), codes),
    }


@router.get("/classified", response={200: ClassifiedOut, **refusals(403, 422)})
def classified_counts(request: AuthenticatedHttpRequest, query: Query[ClassifiedQuery]):
    """The classified counts (《顾客投诉分类统计表》): complaints registered in the period
    (by their registration event) by the dimensions asked for, each row beside the period
    before (month-on-month, quarter-on-quarter…) and the same period a year before. The
    category is the top of the tree (subcategories rolled up); `subcategory` is the
    complaint's own. A department head counts their department's complaints; QA,
    executives and administrators every complaint; other roles are refused (403)."""
    scope = statistics_scope(request.user)
    period, by = _period(query.period), _dimensions(query.by)
    return classified_out(classified(period, by=by, scope=scope))


XLSX, CSV, ZIP, PDF = files.XLSX, files.CSV, files.ZIP, files.PDF
_BINARY = {"schema": {"type": "string", "format": "binary"}}
content_disposition = files.content_disposition


class MonthlyQuery(Schema):
    format: Literal["xlsx", "csv", "pdf"] = Field("xlsx", description="the file's format")
    table: Literal[workbooks.TABLE_CODES] | None = Field(  # type: ignore[valid-type]
        None, description="one table only (xlsx: a workbook of that sheet; csv: one file)"
    )


@router.get(
    "/monthly/{period}",
    response=refusals(403, 422),
    openapi_extra={
        "responses": {
            "200": {
                "description": "the file",
                "content": {XLSX: _BINARY, CSV: _BINARY, ZIP: _BINARY, PDF: _BINARY},
            }
        }
    },
)
def monthly(
    request: AuthenticatedHttpRequest,
    query: Query[MonthlyQuery],
    period: str = PathParam(..., description=PERIOD_HELP),
):
    """The monthly statistics workbook for `period` (any period `classified` takes):
    a summary (totals, month-on-month, year-on-year), one sheet per breakdown (category,
    subcategory, severity, kind, channel, department), the 《顾客投诉分类统计表》 (category ×
    severity), the indicators (the reader's scope as a whole, then per department) and the raw
    list of the complaints registered in the period.

    `format=xlsx` (default): one workbook (`application/vnd.openxmlformats-officedocument.
    spreadsheetml.sheet`). `format=csv`: a zip of one CSV file per table (`application/zip`);
    with `table=` (summary, category, subcategory, severity, kind, channel, department,
    classified, complaints) that one table as a CSV file (`text/csv`), or with xlsx a
    workbook of that one sheet. CSV is UTF-8 with a byte-order mark; a text a spreadsheet
    would run as a formula starts with an apostrophe. `format=pdf`: the quality report
    《月度客户投诉分析报告》 (a quarter's, a year's or a range's for those periods): key
    figures, charts, the classified table, indicators by department, top causes, repeat
    complaints, overdue cases, QA's commentary and the signature lines (`application/pdf`;
    `table=` is refused with it). The file's name is Chinese, given by RFC 5987
    (`filename*=UTF-8''…`) beside an ASCII `filename`. Scope and refusals as `classified`."""
    statistics_scope(request.user)  # the refusal first (403), before the input (422)
    found = _period(period)
    if query.format == "pdf" and query.table is not None:
        raise invalid("table", _("The PDF report is one document; leave out `table`."))
    return files.monthly_response(request.user, found, query.format, query.table)


# -------------------------------------------------------------------- a complaint's documents
# 《客户投诉登记表》, 《客户投诉处理单》, 《客户问题处理确认书》 as PDF, and the case file as a zip,
# for staff who may see the complaint (anyone else: 404, as the complaints API answers).


def _file(media_type: str, description: str) -> dict[str, Any]:
    """The 200 answer of a file download, for the OpenAPI document."""
    content = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {"responses": {200: {"description": description, "content": content}}}


# slug → the operation's summary and description (the docs speak English)
_ABOUT: dict[str, tuple[str, str]] = {
    "registration": (
        "The registration form (PDF)",
        "《客户投诉登记表》: the record as intake took it, with the signature lines.",
    ),
    "handling-sheet": (
        "The handling sheet (PDF)",
        "《客户投诉处理单》: the record, determination and cause, plan, cost responsibility, "
        "approvals, result, the whole timeline and the signature lines.",
    ),
    "confirmation": (
        "The confirmation (PDF)",
        "《客户问题处理确认书》: what was agreed and done as the customer is told it, their "
        "confirmation and satisfaction, and the lines the customer and the handler sign.",
    ),
    "liaison": (
        "The internal liaison forms (PDF)",
        "《内联单》: one form per time the complaint was passed to another department (an "
        "assignment there) or escalated: from and to, the matter, the request, the deadline "
        "(the escalated reply clock), the answer, signature lines. 404 when there is none.",
    ),
    "site-service-report": (
        "The site service report (PDF)",
        "《外出服务报告》: one section per site visit: when, where, who went, findings, evidence, "
        "what was done on site, and the line the customer signs. 404 when there was no visit.",
    ),
}


def _document_endpoint(slug: str) -> Callable[..., HttpResponse]:
    def endpoint(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
        complaint = access.visible_or_not_found(request.user, number)
        try:
            return downloads.pdf_response(complaint, slug)
        except documents.NothingToPrint as nothing:
            raise ComplaintError(ErrorCode.NOT_FOUND, nothing.message) from nothing

    endpoint.__name__ = f"complaint_{slug.replace('-', '_')}_pdf"
    endpoint.__doc__ = _ABOUT[slug][1]
    return endpoint


for _slug in downloads.PRINTABLE:
    router.get(
        f"/complaints/{{number}}/{_slug}.pdf",
        response=refusals(404),
        summary=_ABOUT[_slug][0],
        operation_id=f"complaint_{_slug.replace('-', '_')}_pdf",
        openapi_extra=_file("application/pdf", _ABOUT[_slug][1]),
    )(_document_endpoint(_slug))


@router.get(
    "/complaints/{number}/case-file.zip",
    response=refusals(404),
    summary="The case file for the archive (zip)",
    operation_id="complaint_case_file_zip",
    openapi_extra=_file(
        "application/zip",
        "One zip: the handling sheet, every attachment, the timeline as JSON and a manifest",
    ),
)
def complaint_case_file(request: AuthenticatedHttpRequest, number: str) -> StreamingHttpResponse:
    """The handling sheet (PDF), every attachment under its original name, the whole timeline
    as JSON and a manifest with each file's size and SHA-256, in one zip, streamed."""
    complaint = access.visible_or_not_found(request.user, number)
    return downloads.case_file_response(complaint, request.user)


# The archive of a period (归档, issue #16): every complaint closed in it, each one's case file,
# the register as CSV and xlsx, and a manifest, in one zip streamed; for QA, executives and
# administrators.


@router.get(
    "/archive/{period}.zip",
    response=refusals(403, 422),
    summary="The archive of a period (zip)",
    operation_id="reports_archive_zip",
    openapi_extra=_file(
        "application/zip",
        "One zip: the case file of every complaint closed in the period, the register (CSV "
        "and xlsx) and a manifest with each file's size and SHA-256",
    ),
)
def period_archive(request: AuthenticatedHttpRequest, period: str) -> StreamingHttpResponse:
    """归档: every complaint closed in the period (2026-11, 2026-Q4, 2026 or a range of days),
    each one's case file (handling sheet, attachments, timeline), the register (登记簿) of
    them as CSV and xlsx (number, registered, closed, category, severity, department, owner,
    outcome, cause) and a manifest with checksums, streamed. For quality assurance,
    executives and administrators (403 for anyone else)."""
    scope = access.archive_scope(request.user)
    return downloads.archive_response(_period(period), request.user, scope)


# ------------------------------------------------------------------------------ scorecards
# 考核 (SPEC §10): each department or person of a period scored against the targets and
# weights of the appraisal, ranked, and the complaints behind every deduction. A head reads
# their department and its people, QA, executives and administrators everyone, a handler
# their own card only (`access.scorecard_scope`).


class ScorecardQuery(Schema):
    period: str = Field(description=PERIOD_HELP)
    level: Level = Field(Level.PERSON, description="department or person")
    format: Literal["json", "xlsx", "csv"] = Field(
        "json", description="json (default), or the ranked table as xlsx or CSV"
    )


class LineOut(Schema):
    measure: Measure
    label: str
    numerator: int
    denominator: int
    pct: float | None = Field(description="one decimal; null: nothing to count (0/0)")
    figure: str = Field(description='as people read it: "17/20 = 85.0 %"')
    target_pct: float = Field(description="a floor, or for reopened and repeat a ceiling")
    lower_is_better: bool
    weight: int
    points: float | None = Field(description="null: the line does not apply (0/0)")
    deduction: float
    incidents: str = Field(description="the URL of the complaints behind the deduction")


class ScorecardOut(Schema):
    subject_id: int
    code: str = Field(description="the department's code or the person's username")
    name: str
    score: float | None = Field(description="out of 100; null: nothing to score")
    rank: int | None = Field(description="shared on equal scores; null: nothing to score")
    deduction: float
    lines: list[LineOut]


class ScorecardsOut(Schema):
    period: PeriodOut
    level: Level
    subjects: list[ScorecardOut]


class IncidentsQuery(Schema):
    period: str = Field(description=PERIOD_HELP)
    measure: Measure


class IncidentOut(Schema):
    number: str
    title: str
    state: str
    owner: str | None = Field(description="the owner's username")
    reasons: list[str] = Field(description="why it counts against the figure")


class IncidentsOut(Schema):
    period: PeriodOut
    level: Level
    subject_id: int
    measure: Measure
    incidents: list[IncidentOut]


def _subject_codes(level: Level) -> dict[int, str]:
    if level == Level.DEPARTMENT:
        return dict(Department.objects.values_list("pk", "code"))
    return dict(User.objects.values_list("pk", "username"))


def _scorecard_out(card: Scorecard, period: Period, codes: dict[int, str]) -> dict:
    base = f"/api/v1/reports/scorecards/{card.level}/{card.subject_id}/incidents"
    return {
        "subject_id": card.subject_id,
        "code": codes.get(card.subject_id, ""),
        "name": card.name,
        "score": card.score,
        "rank": card.rank,
        "deduction": card.deduction,
        "lines": [
            {
                "measure": line.measure,
                "label": str(Measure(line.measure).label),
                "numerator": line.figure.numerator,
                "denominator": line.figure.denominator,
                "pct": line.figure.pct,
                "figure": scorecard_tables.shown(line),
                "target_pct": line.target_pct,
                "lower_is_better": line.lower_is_better,
                "weight": line.weight,
                "points": line.points,
                "deduction": line.deduction,
                "incidents": f"{base}?{urlencode({'period': period, 'measure': line.measure})}",
            }
            for line in card.lines
        ],
    }


@router.get(
    "/scorecards",
    response={200: ScorecardsOut, **refusals(403, 422)},
    openapi_extra={
        "responses": {"200": {"content": {XLSX: _BINARY, CSV: _BINARY}}},
    },
)
def scorecards_endpoint(request: AuthenticatedHttpRequest, query: Query[ScorecardQuery]):
    """The scorecards (考核) of every department or person for a period (a month, quarter,
    year or range of days), best first: each indicator's figure ("17/20 = 85.0 %"), the
    target and weight applied, the points and the deduction, the score out of 100 and the
    rank (shared on equal scores; nothing to score: last, no rank). `format=xlsx|csv`: the
    ranked table as a file. A head reads their department and its people, QA, executives and
    administrators everyone, a handler their own card (level person) only; other roles are
    refused (403)."""
    reach = access.scorecard_scope(request.user)
    period = _period(query.period)
    cards = scorecards(period, query.level, scope=reach.complaints, only=reach.only(query.level))
    if query.format == "json":
        codes = _subject_codes(query.level)
        return {
            "period": _period_out(period),
            "level": query.level,
            "subjects": [_scorecard_out(card, period, codes) for card in cards],
        }
    table = scorecard_tables.scorecards_table(period, query.level, cards)
    if query.format == "xlsx":
        return files.file_download(
            lambda stream: write_xlsx([table], stream),
            XLSX,
            f"{table.title}.xlsx",
            f"kesu-scorecards-{period}-{query.level}.xlsx",
        )
    return files.file_download(
        lambda stream: write_csv(table, stream),
        CSV,
        f"{table.title}.csv",
        f"kesu-scorecards-{period}-{query.level}.csv",
    )


@router.get(
    "/scorecards/{level}/{subject_id}/incidents",
    response={200: IncidentsOut, **refusals(403, 404, 422)},
)
def scorecard_incidents(
    request: AuthenticatedHttpRequest,
    level: Level,
    subject_id: int,
    query: Query[IncidentsQuery],
):
    """The complaints behind one deduction of one scorecard, each with why it counts: accepted
    late, a time limit breached (which), closed without the customer satisfied, a survey
    short of full marks, no return visit made, reopened, a repeat complaint. A scorecard out
    of the reader's reach is answered as one that does not exist (404)."""
    reach = access.scorecard_scope(request.user)
    period = _period(query.period)
    if not reach.sees(level, subject_id):
        raise ComplaintError(ErrorCode.NOT_FOUND, _("There is no such scorecard in your reach."))
    found = incident_list(period, level, subject_id, query.measure, scope=reach.complaints)
    return {
        "period": _period_out(period),
        "level": level,
        "subject_id": subject_id,
        "measure": query.measure,
        "incidents": [
            {
                "number": i.complaint.number,
                "title": i.complaint.title,
                "state": i.complaint.state,
                "owner": i.complaint.owner.username if i.complaint.owner else None,
                "reasons": list(i.reasons),
            }
            for i in found
        ],
    }
