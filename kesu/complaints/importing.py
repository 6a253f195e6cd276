"""Complaints in bulk: read a register from Excel or CSV, write one back (SPEC §10, §12).

`import_file` turns each row of the file into a `NewComplaint` and registers it through
`actions.register`, so every rule of a normal registration applies; a row that was already
finished in the old register is then archived with `actions.archive_imported`. Each row is its
own transaction: a bad row is reported by its row number and skipped, good rows are kept.
`write_csv` / `write_xlsx` write the same columns, so an export imports again.

Every text has the limit of `kesu.complaints.limits` (too long: refused, never cut), phone
numbers are read and stored as every other entrance does (`kesu.core.phones`), and an
open complaint whose time limits ran out in the old register gets those ladder steps on its
timeline without a message for each (one digest per person at the end of the import).

Spreadsheets run what looks like a formula: an export writes a text that starts with
= + - @, a tab or a carriage return as text (xlsx: a string cell with Excel's quote prefix;
CSV: a leading apostrophe, which the import takes off again), and an import refuses a cell
that holds a formula instead of taking whatever value Excel last computed for it.

The columns, the values they take and what happens to each row are documented in
docs/import.md; the tables below are the single source of those names. Header names and value
aliases are identifiers of the file format, so they are not translated.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import openpyxl
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Choices, DecimalField, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from kesu.accounts.models import Department, User
from kesu.complaints import actions, limits
from kesu.complaints.actions import IMPORTABLE_FINAL_STATES, NewComplaint
from kesu.complaints.choices import Channel, EventType, Kind, Severity, State
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Category, Complaint, ComplaintEvent
from kesu.core import phones
from kesu.core.encoding import in_range
from kesu.core.language import in_company_language
from kesu.notifications import rules as notification_rules

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

# ------------------------------------------------------------------------------------------
# the file format


@dataclass(frozen=True)
class Column:
    code: str
    chinese: str
    required: bool = False

    @property
    def header(self) -> str:
        """What an export writes in the first row, e.g. `编号 number`."""
        return f"{self.chinese} {self.code}"


COLUMNS: tuple[Column, ...] = (
    Column("number", "编号"),
    Column("registered_at", "登记时间"),
    Column("kind", "类型"),
    Column("channel", "渠道", required=True),
    Column("title", "标题", required=True),
    Column("description", "描述", required=True),
    Column("category", "分类", required=True),
    Column("severity", "等级"),
    Column("state", "状态"),
    Column("closed_at", "结案时间"),
    Column("complainant_name", "客户姓名"),
    Column("complainant_org", "单位"),
    Column("complainant_phone", "电话"),
    Column("complainant_email", "邮箱"),
    Column("complainant_address", "地址"),
    Column("anonymous", "匿名"),
    Column("product_model", "产品型号"),
    Column("batch_no", "批号"),
    Column("order_no", "订单号"),
    Column("ship_date", "发货日期"),
    Column("arrival_date", "到货日期"),
    Column("quantity", "数量"),
    Column("project_name", "项目"),
    Column("project_location", "部位"),
    Column("demand", "诉求"),
    Column("claim_amount", "索赔金额"),
    Column("department", "责任部门"),
    Column("owner", "负责人"),
    Column("occurred_at", "发生时间"),
    Column("occurred_place", "发生地点"),
)
REQUIRED_COLUMNS = tuple(c.code for c in COLUMNS if c.required)

TEXT_FIELDS = (
    "title",
    "description",
    "complainant_name",
    "complainant_org",
    "complainant_phone",
    "complainant_email",
    "complainant_address",
    "product_model",
    "batch_no",
    "order_no",
    "project_name",
    "project_location",
    "demand",
    "occurred_place",
)

# Values: the first name of each is what an export writes; the code is always accepted too.
KIND_NAMES: dict[Kind, tuple[str, ...]] = {
    Kind.COMPLAINT: ("投诉",),
    Kind.SUGGESTION: ("建议",),
    Kind.INQUIRY: ("咨询",),
}
CHANNEL_NAMES: dict[Channel, tuple[str, ...]] = {
    Channel.PHONE: ("电话热线", "电话", "热线"),
    Channel.EMAIL: ("电子邮件", "邮件"),
    Channel.WEB: ("网站/门户", "网站", "门户", "网页"),
    Channel.CHAT: ("在线客服", "在线咨询"),
    Channel.WECHAT: ("微信",),
    Channel.ON_SITE: ("现场", "来访"),
    Channel.LETTER: ("信函", "来信"),
    Channel.FAX: ("传真",),
    Channel.ACCOUNT_MANAGER: ("客户经理", "业务员"),
    Channel.CONSUMER_ASSOCIATION: ("消协/12315", "消协", "12315"),
    Channel.GOVERNMENT: ("政府/12345", "政府", "12345"),
    Channel.MEDIA: ("媒体",),
    Channel.LEGAL: ("律师/法院", "律师", "法院"),
}
SEVERITY_NAMES: dict[Severity, tuple[str, ...]] = {
    Severity.LEVEL_1: ("一级", "1级"),
    Severity.LEVEL_2: ("二级", "2级"),
    Severity.LEVEL_3: ("三级", "3级"),
}
STATE_NAMES: dict[State, tuple[str, ...]] = {
    State.REGISTERED: ("已登记", "登记", "待受理"),
    State.ACCEPTED: ("已受理",),
    State.INVESTIGATING: ("调查中",),
    State.PLANNING: ("方案制定",),
    State.PLAN_APPROVAL: ("方案审批",),
    State.TREATING: ("处理中",),
    State.VERIFYING: ("验证中",),
    State.CONFIRMING: ("客户确认",),
    State.RETURN_VISIT: ("回访",),
    State.CLOSED: ("已结案", "结案", "已关闭", "关闭"),
    State.WITHDRAWN: ("已撤销", "撤销", "已撤诉", "撤诉"),
    State.INVALID: ("无效", "无效投诉"),
    State.MERGED: ("已合并",),
}
IMPORTABLE_STATES = (State.REGISTERED, *IMPORTABLE_FINAL_STATES)
YES, NO = "是", "否"
BOOLEAN_NAMES = {YES: True, "true": True, "1": True, "yes": True, "y": True, "对": True}
BOOLEAN_NAMES |= {NO: False, "false": False, "0": False, "no": False, "n": False}


def _key(text: str) -> str:
    """Compare names the way people type them: full-width letters, digits, `／` and case
    do not matter."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _lookup(names: dict[Any, tuple[str, ...]]) -> dict[str, Any]:
    table = {}
    for value, aliases in names.items():
        for alias in (str(value.value), *aliases):
            table[_key(alias)] = value
    return table


KINDS, CHANNELS = _lookup(KIND_NAMES), _lookup(CHANNEL_NAMES)
SEVERITIES, STATES = _lookup(SEVERITY_NAMES), _lookup(STATE_NAMES)
HEADERS = {_key(alias): c.code for c in COLUMNS for alias in (c.code, c.chinese, c.header)}


# ------------------------------------------------------------------------------------------
# results


class RegisterFileError(Exception):
    """The file as a whole cannot be read or written (unreadable, wrong type, no header, a
    required column missing)."""


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.message}"


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    archived: int = 0
    overdue: int = 0  # open complaints already past a time limit when imported
    told: int = 0  # people sent one digest of those (instead of one message per step)
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    recorded_steps: list[tuple[Complaint, ComplaintEvent]] = field(default_factory=list, repr=False)

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


# ------------------------------------------------------------------------------------------
# formulas: never run on export, never taken for values on import

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may take for a formula
CSV_ESCAPE = "'"


def csv_escaped(text: str) -> str:
    """A text as a CSV cell: one a spreadsheet would run as a formula (or one that starts
    with the escape itself) gets a leading apostrophe, the usual CSV-injection defence."""
    if text.startswith((*FORMULA_STARTS, CSV_ESCAPE)):
        return CSV_ESCAPE + text
    return text


def csv_unescaped(text: str) -> str:
    """The text `csv_escaped` was given: the apostrophe it added comes off again."""
    if text.startswith(CSV_ESCAPE) and text[1:].startswith((*FORMULA_STARTS, CSV_ESCAPE)):
        return text[1:]
    return text


@dataclass(frozen=True)
class Formula:
    """An xlsx cell that holds a formula: its value is whatever Excel computed last, if it
    computed at all, so the import refuses it and asks for the values."""

    text: str

    def __str__(self) -> str:
        return self.text


def _formula_message(formula: Formula) -> str:
    shown = formula.text if len(formula.text) <= 40 else formula.text[:40] + "…"
    return _(
        "This cell holds a formula (%(formula)s), not a value. Save the values, not the "
        "formulas: in Excel, copy the column and paste it as values (选择性粘贴 → 数值)."
    ) % {"formula": shown}


# ------------------------------------------------------------------------------------------
# reading the file


@dataclass(frozen=True)
class SourceRow:
    number: int  # as Excel shows it: the header is usually row 1
    values: dict[str, Any]


@dataclass
class SourceTable:
    rows: list[SourceRow]
    ignored_columns: list[str]


HEADER_SEARCH_ROWS = 10  # a register often has a title row above the header
HEADER_MIN_KNOWN = 2  # the header is the first row naming at least this many columns


def read_table(path: Path) -> SourceTable:
    """All non-empty rows of the first sheet (xlsx) or of the CSV file, keyed by column code."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw_rows = _xlsx_rows(path)
    elif suffix == ".csv":
        raw_rows = _csv_rows(path)
    else:
        raise RegisterFileError(
            _("Import reads .xlsx or .csv files, not “%(name)s”.") % {"name": path.name}
        )
    return _table(raw_rows)


def _xlsx_rows(path: Path) -> list[tuple[Any, ...]]:
    # data_only=False: a formula cell is read as its formula (and refused), not as the value
    # Excel cached for it, which a file written by a program does not have at all.
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise RegisterFileError(
            _("“%(name)s” is not a readable Excel file: %(error)s")
            % {"name": path.name, "error": error}
        ) from None
    try:
        return [
            tuple(Formula(str(c.value)) if c.data_type == "f" else c.value for c in row)
            for row in workbook.worksheets[0].iter_rows()
        ]
    finally:
        workbook.close()


def _csv_rows(path: Path) -> list[tuple[Any, ...]]:
    text = decode_csv(path.read_bytes())
    return [tuple(csv_unescaped(cell) for cell in row) for row in csv.reader(io.StringIO(text))]


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else GB18030 as Chinese Excel saves."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise RegisterFileError(
            _("The CSV file is neither UTF-8 nor GB18030 text. Save it as “CSV UTF-8”.")
        ) from None


def _table(raw_rows: list[tuple[Any, ...]]) -> SourceTable:
    header_index, columns = _find_header(raw_rows)
    known = {code: i for i, code in enumerate(columns) if code}
    missing = [code for code in REQUIRED_COLUMNS if code not in known]
    if missing:
        raise RegisterFileError(
            _("The file has no column for: %(columns)s.")
            % {"columns": ", ".join(_header_of(code) for code in missing)}
        )
    header = raw_rows[header_index]
    ignored = [str(header[i]).strip() for i, code in enumerate(columns) if code is None]
    rows = []
    for index in range(header_index + 1, len(raw_rows)):
        cells = raw_rows[index]
        values = {code: _clean(cells[i]) if i < len(cells) else None for code, i in known.items()}
        if any(v is not None for v in values.values()):
            rows.append(SourceRow(index + 1, values))
    return SourceTable(rows, [name for name in ignored if name and name != "None"])


def _find_header(raw_rows: list[tuple[Any, ...]]) -> tuple[int, list[str | None]]:
    for index, cells in enumerate(raw_rows[:HEADER_SEARCH_ROWS]):
        columns = [_column_code(cell) for cell in cells]
        if sum(1 for code in columns if code) >= HEADER_MIN_KNOWN:
            duplicated = {code for code in columns if code and columns.count(code) > 1}
            if duplicated:
                raise RegisterFileError(
                    _("The column %(column)s appears twice.")
                    % {"column": _header_of(sorted(duplicated)[0])}
                )
            return index, columns
    raise RegisterFileError(
        _("No header row found: one of the first rows must name the columns (see docs/import.md).")
    )


def _column_code(cell: Any) -> str | None:
    """`编号`, `number`, `编号 number`, `编号(number)` and `*编号` all name the number column."""
    if cell is None:
        return None
    text = _key(str(cell)).strip("* ")
    if text in HEADERS:
        return HEADERS[text]
    for part in re.split(r"[\s()\[\]/]+", text):
        if part.strip("*") in HEADERS:
            return HEADERS[part.strip("*")]
    return None


def _header_of(code: str) -> str:
    return next(c.header for c in COLUMNS if c.code == code)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# ------------------------------------------------------------------------------------------
# reading the values of one row


class BadValue(Exception):
    """A cell that cannot be read; the message says why, for people."""


def as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone or order number Excel stored as a number
    if isinstance(value, datetime) and value.time() == time(0):
        return f"{value:%Y-%m-%d}"
    return str(value)


def as_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise BadValue(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    text = re.sub(r"[,\s¥元]", "", unicodedata.normalize("NFKC", str(value)))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_finite():
        raise BadValue(_("“%(value)s” is not a number.") % {"value": value})
    return number


_DATE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?$"
)


def _parts(value: str) -> tuple[int, int, int, int, int, int] | None:
    """Year, month, day, hour, minute, second (0 where not written), or None."""
    match = _DATE.match(re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value).strip()))
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(p) if p else 0 for p in match.groups())
    return year, month, day, hour, minute, second


def as_datetime(value: Any) -> datetime:
    """Naive values are local time (settings.TIME_ZONE); Excel cells or `2025-03-04 09:30`,
    `2025/3/4 9:30`, `2025年3月4日`."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0))
    else:
        moment = _parse_datetime(str(value))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    if not in_range(moment):
        raise BadValue(_("“%(value)s” is out of range.") % {"value": value})
    return moment


def _parse_datetime(text: str) -> datetime:
    parts = _parts(text)
    try:
        if parts is not None:
            return datetime(*parts)  # noqa: DTZ001 (made aware by the caller)
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(
            _("“%(value)s” is not a date and time like 2025-03-04 09:30.") % {"value": text}
        ) from None


def as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parts = _parts(str(value))
    try:
        if parts is None or any(parts[3:]):
            raise ValueError
        return date(*parts[:3])
    except ValueError:
        raise BadValue(_("“%(value)s” is not a date like 2025-03-04.") % {"value": value}) from None


def as_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    answer = BOOLEAN_NAMES.get(_key(as_text(value)))
    if answer is None:
        raise BadValue(_("Write 是 or 否 (yes or no), not “%(value)s”.") % {"value": value})
    return answer


def _choice(table: dict[str, Any], value: Any, message: str) -> Any:
    key = _key(as_text(value))
    found = table.get(key)
    if found is None:
        # The labels the product shows, in either language, are accepted too.
        sample: Choices = next(iter(table.values()))
        found = _labels(type(sample)).get(key)
    if found is None:
        raise BadValue(message % {"value": value})
    return found


@functools.cache
def _labels(enum: type[Choices]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for member in enum:
                table.setdefault(_key(str(member.label)), member)
    return table


def as_kind(value: Any) -> Kind:
    return _choice(KINDS, value, _("Unknown kind “%(value)s”: use 投诉, 建议 or 咨询."))


def as_channel(value: Any) -> Channel:
    return _choice(CHANNELS, value, _("Unknown channel “%(value)s” (see docs/import.md)."))


def as_severity(value: Any) -> Severity:
    return _choice(SEVERITIES, value, _("Unknown severity “%(value)s”: use 一级, 二级 or 三级."))


def as_state(value: Any) -> State:
    state = _choice(STATES, value, _("Unknown state “%(value)s”."))
    if state not in IMPORTABLE_STATES:
        raise BadValue(
            _(
                "A complaint in state “%(value)s” cannot be imported: import it as registered "
                "(已登记), or as closed, withdrawn or invalid (已结案, 已撤销, 无效) with its "
                "closing time."
            )
            % {"value": value}
        )
    return state


# ------------------------------------------------------------------------------------------
# one row into domain types


@dataclass
class ParsedRow:
    new: NewComplaint
    number: str
    registered_at: datetime | None
    severity: Severity | None
    state: State
    closed_at: datetime | None
    owner: User | None


class RowReader:
    """Turns the raw values of a row into a `ParsedRow`, or into the errors per column.

    Categories, departments and people are looked up once per import and kept.
    """

    def __init__(self) -> None:
        self._categories: dict[str, Category] = {}
        self._departments: dict[str, Department] = {}
        self._users: dict[str, User] = {}

    def read(self, values: dict[str, Any]) -> tuple[ParsedRow | None, dict[str, str]]:
        errors = {
            code: _formula_message(value)
            for code, value in values.items()
            if isinstance(value, Formula)
        }
        values = {code: None if code in errors else value for code, value in values.items()}

        def get(code: str, convert: Callable[[Any], Any]) -> Any:
            raw = values.get(code)
            if raw is None:
                return None
            try:
                return convert(raw)
            except BadValue as bad:
                errors[code] = str(bad)
                return None

        for code in REQUIRED_COLUMNS:
            if values.get(code) is None:
                errors.setdefault(code, _("A value is required."))
        texts = {code: self._text(code, values.get(code), errors) for code in TEXT_FIELDS}
        if texts["complainant_email"]:
            self._check_email(texts["complainant_email"], errors)
        if texts["complainant_phone"] and "complainant_phone" not in errors:
            texts["complainant_phone"] = self._phone(texts["complainant_phone"], errors)
        new_fields = {
            **texts,
            "kind": get("kind", as_kind) or Kind.COMPLAINT,
            "channel": get("channel", as_channel),
            "category": get("category", self.category),
            "anonymous": bool(get("anonymous", as_boolean)),
            "ship_date": get("ship_date", as_date),
            "arrival_date": get("arrival_date", as_date),
            "quantity": get("quantity", self._amount("quantity")),
            "claim_amount": get("claim_amount", self._amount("claim_amount")),
            "department": get("department", self.department),
            "occurred_at": get("occurred_at", as_datetime),
        }
        record = {
            "number": get("number", self._number) or "",
            "registered_at": get("registered_at", as_datetime),
            "severity": get("severity", as_severity),
            "state": get("state", as_state) or State.REGISTERED,
            "closed_at": get("closed_at", as_datetime),
            "owner": get("owner", self.user),
        }
        self._check_times_and_state(record, values, errors)
        if errors:
            return None, errors
        return ParsedRow(new=NewComplaint(**new_fields), **record), {}

    # -- columns that need more than a conversion

    def _text(self, code: str, raw: Any, errors: dict[str, str]) -> str:
        text = as_text(raw).strip() if raw is not None else ""
        if (refusal := limits.too_long(text, limits.COMPLAINT_TEXT[code])) is not None:
            errors[code] = refusal
        return text

    @staticmethod
    def _phone(text: str, errors: dict[str, str]) -> str:
        try:
            return phones.normalise(text)
        except phones.InvalidPhone as error:
            errors["complainant_phone"] = str(error)
            return text

    @staticmethod
    def _check_email(email: str, errors: dict[str, str]) -> None:
        try:
            validate_email(email)
        except ValidationError:
            errors["complainant_email"] = _("“%(value)s” is not an e-mail address.") % {
                "value": email
            }

    @staticmethod
    def _amount(code: str) -> Callable[[Any], Decimal]:
        model_field = Complaint._meta.get_field(code)
        if not isinstance(model_field, DecimalField):
            raise TypeError(f"{code} is not a decimal field")
        places, digits = model_field.decimal_places, model_field.max_digits

        def convert(raw: Any) -> Decimal:
            number = as_decimal(raw)
            if number < 0:
                raise BadValue(_("The value cannot be negative."))
            exponent = number.normalize().as_tuple().exponent
            if isinstance(exponent, int) and exponent < -places:
                raise BadValue(_("At most %(places)d decimal places.") % {"places": places})
            if number >= Decimal(10) ** (digits - places):
                raise BadValue(_("The number %(value)s is too large.") % {"value": raw})
            return number

        return convert

    @staticmethod
    def _number(raw: Any) -> str:
        number = as_text(raw).strip()
        if len(number) > limits.NUMBER:
            raise BadValue(_("The number “%(value)s” is too long.") % {"value": number})
        if Complaint.objects.filter(number=number).exists():
            raise BadValue(
                _("Complaint %(number)s already exists; this row is a duplicate.")
                % {"number": number}
            )
        return number

    @staticmethod
    def _check_times_and_state(record: dict, values: dict, errors: dict[str, str]) -> None:
        now = timezone.now()
        for code in ("registered_at", "closed_at"):
            moment = record[code]
            if moment is not None and moment > now:
                errors[code] = _("The time %(value)s is in the future.") % {"value": values[code]}
        if "state" in errors or "closed_at" in errors:
            return
        if record["state"] == State.REGISTERED:
            if record["closed_at"] is not None:
                errors["closed_at"] = _(
                    "An open (registered) complaint has no closing time; give its final "
                    "state or leave the closing time empty."
                )
            if record["owner"] is not None:
                errors["owner"] = _(
                    "An open complaint gets its owner when it is accepted in Kesu; leave the "
                    "owner empty or give the final state."
                )
        elif record["closed_at"] is None:
            errors["closed_at"] = _(
                "A closed, withdrawn or invalid complaint needs its closing time."
            )

    # -- look-ups

    def category(self, raw: Any) -> Category:
        """By code, else by Chinese or English name."""
        name = as_text(raw).strip()
        if name not in self._categories:
            found = list(Category.objects.filter(code=name)) or list(
                Category.objects.filter(Q(name=name) | Q(name_en__iexact=name))
            )
            if not found:
                raise BadValue(_("Unknown category “%(value)s”.") % {"value": name})
            if len(found) > 1:
                raise BadValue(
                    _("Several categories are called “%(value)s”; use the category code.")
                    % {"value": name}
                )
            self._categories[name] = found[0]
        return self._categories[name]

    def department(self, raw: Any) -> Department:
        """An active department, by code or name."""
        name = as_text(raw).strip()
        if name not in self._departments:
            active = Department.objects.filter(active=True)
            found = list(active.filter(code=name)) or list(active.filter(name=name))
            if len(found) != 1:
                message = (
                    _("Several departments are called “%(value)s”; use the department code.")
                    if found
                    else _("Unknown department “%(value)s”.")
                )
                raise BadValue(message % {"value": name})
            self._departments[name] = found[0]
        return self._departments[name]

    def user(self, raw: Any) -> User:
        """A person by username; people who have left (inactive) may own finished cases."""
        username = as_text(raw).strip()
        if username not in self._users:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise BadValue(_("Unknown user “%(value)s”.") % {"value": username})
            self._users[username] = user
        return self._users[username]


# ------------------------------------------------------------------------------------------
# the import


Track = Callable[[Iterable[SourceRow], int], Iterable[SourceRow]]


def import_file(
    path: Path,
    *,
    actor: User | None,
    dry_run: bool = False,
    track: Track | None = None,
) -> ImportResult:
    """Register every row of the file; returns the counts and the bad rows.

    Rows that carry their own number go first, so the numbers given to rows without one come
    after every kept number of the same month. `track` wraps the rows (a progress bar).
    With `dry_run`, everything runs and is then rolled back.
    """
    table = read_table(path)
    result = ImportResult(
        rows=len(table.rows), dry_run=dry_run, ignored_columns=table.ignored_columns
    )
    ordered = sorted(table.rows, key=lambda row: row.values.get("number") is None)
    reader = RowReader()
    with _rolled_back_if(dry_run):
        for row in track(ordered, len(ordered)) if track else ordered:
            _import_row(row, reader, actor, result)
        # One message per person for the time limits that had run out before the import,
        # instead of one per step (which is what the sweeper would have sent).
        result.told = notification_rules.digest_recorded_steps(result.recorded_steps)
    result.errors.sort(key=lambda error: error.row)
    return result


@contextmanager
def _rolled_back_if(dry_run: bool) -> Iterator[None]:
    if not dry_run:
        yield
        return
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _import_row(row: SourceRow, reader: RowReader, actor: User | None, result: ImportResult):
    parsed, errors = reader.read(row.values)
    if parsed is None:
        result.errors.extend(RowError(row.number, code, msg) for code, msg in errors.items())
        return
    try:
        # One transaction for the row: archiving cannot fail after a registration is kept,
        # and the sweeper never sees an open row without the steps it had missed.
        with transaction.atomic():
            recorded = _save(parsed, actor)
    except ComplaintError as error:
        if error.code == ErrorCode.ROLE_NOT_ALLOWED:
            raise RegisterFileError(str(error.message)) from None
        fields = error.fields or {"": error.message}
        result.errors.extend(RowError(row.number, code, str(msg)) for code, msg in fields.items())
        return
    except IntegrityError as error:
        message = _("The row conflicts with a complaint already saved: %(error)s")
        result.errors.append(RowError(row.number, "number", message % {"error": error}))
        return
    result.imported += 1
    result.archived += parsed.state != State.REGISTERED
    result.overdue += any(e.type == EventType.DEADLINE_BREACHED for _c, e in recorded)
    result.recorded_steps += recorded


def _save(parsed: ParsedRow, actor: User | None) -> list[tuple[Complaint, ComplaintEvent]]:
    """Register the row (and archive it when it was finished); returns the ladder steps an
    open row had already missed, recorded now."""
    complaint, _created = actions.register(
        parsed.new,
        actor=actor,
        severity=parsed.severity,
        severity_reason=_severity_reason(parsed.new, parsed.severity),
        number=parsed.number,
        registered_at=parsed.registered_at,
        announce=False,  # a register moved in is history: nobody is told about each row
    )
    if parsed.state == State.REGISTERED:
        return [(complaint, e) for e in actions.record_past_deadline_steps(complaint)]
    assert parsed.closed_at is not None  # checked by RowReader
    actions.archive_imported(
        complaint,
        actor=actor,
        state=parsed.state,
        closed_at=parsed.closed_at,
        owner=parsed.owner,
    )
    return []


def _severity_reason(new: NewComplaint, severity: Severity | None) -> str:
    """The register's reason is needed only where the old register's level differs from ours."""
    if severity is None:
        return ""
    proposal = actions.propose_for(new)
    if proposal.level == severity:
        return ""
    return in_company_language(gettext_lazy("Imported from the previous register."))


# ------------------------------------------------------------------------------------------
# the export


def exported_values(complaint: Complaint) -> list[Any]:
    """One row in the order of COLUMNS, as domain values (local naive times, Decimals)."""
    c = complaint
    by_code: dict[str, Any] = {
        "number": c.number,
        "registered_at": _local(c.registered_at),
        "kind": KIND_NAMES[Kind(c.kind)][0],
        "channel": CHANNEL_NAMES[Channel(c.channel)][0],
        "category": c.category.code,
        "severity": SEVERITY_NAMES[Severity(c.severity)][0],
        "state": STATE_NAMES[State(c.state)][0],
        "closed_at": _local(c.closed_at),
        "anonymous": YES if c.anonymous else NO,
        "ship_date": c.ship_date,
        "arrival_date": c.arrival_date,
        "quantity": c.quantity,
        "claim_amount": c.claim_amount,
        "department": c.department.code if c.department else None,
        "owner": c.owner.username if c.owner else None,
        "occurred_at": _local(c.occurred_at),
        **{code: getattr(c, code) for code in TEXT_FIELDS},
        "complainant_phone": phones.display(c.complainant_phone),  # as people write it
    }
    return [by_code[column.code] for column in COLUMNS]


def _local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


EXPORT_ORDER = ("registered_at", "id")  # `kesu export`: oldest registration first


def _for_export(complaints: QuerySet[Complaint], order: Sequence[str]) -> Iterator[Complaint]:
    return (
        complaints.select_related("category", "department", "owner")
        .order_by(*order)
        .iterator(chunk_size=2000)
    )


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}" if value.second else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return csv_escaped(value)
    return str(value)


def write_csv(
    complaints: QuerySet[Complaint],
    stream: SupportsWrite[str],
    *,
    order: Sequence[str] = EXPORT_ORDER,
) -> int:
    """Write the header and one line per complaint in `order` (the inbox passes its own);
    returns how many. Open files with encoding utf-8-sig so Excel reads the Chinese text."""
    writer = csv.writer(stream)
    writer.writerow([column.header for column in COLUMNS])
    count = 0
    for complaint in _for_export(complaints, order):
        writer.writerow([_csv_cell(value) for value in exported_values(complaint)])
        count += 1
    return count


def write_xlsx(
    complaints: QuerySet[Complaint], path: Path | IO[bytes], *, order: Sequence[str] = EXPORT_ORDER
) -> int:
    """Write the sheet row by row (write-only mode keeps memory flat) to a file or a binary
    stream (the workspace's download); returns how many."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Complaints"))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS):
        width = 40 if column.code in ("title", "description", "demand") else 16
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.append([column.header for column in COLUMNS])
    count = 0
    try:
        for complaint in _for_export(complaints, order):
            values = exported_values(complaint)
            _check_fits(complaint, values)
            sheet.append([_xlsx_cell(sheet, value) for value in values])
            count += 1
    except RegisterFileError:
        sheet.close()  # ends the sheet's temporary file; nothing is written to `path`
        raise
    workbook.save(path)
    return count


def _check_fits(complaint: Complaint, values: list[Any]) -> None:
    """openpyxl would cut a text longer than an Excel cell without a word: refuse instead
    (the file is not written). Kesu's limits keep every text below it; a longer one can only
    be older than they are."""
    for column, value in zip(COLUMNS, values, strict=True):
        if isinstance(value, str) and len(value) > limits.XLSX_CELL:
            raise RegisterFileError(
                _(
                    "Complaint %(number)s: its %(column)s has %(length)d characters, more "
                    "than an Excel cell holds (%(limit)d). Nothing was exported; export to a "
                    ".csv file, which has no such limit."
                )
                % {
                    "number": complaint.number,
                    "column": column.header,
                    "length": len(value),
                    "limit": limits.XLSX_CELL,
                }
            )


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula (openpyxl makes "=…" one)
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet)
        cell.value = value  # a cell holds a date, though the stubs' WriteOnlyCell takes none
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def unchecked_phones(complaints: QuerySet[Complaint]) -> list[str]:
    """The numbers of the complaints whose phone is kept from before numbers were checked
    (the phone migrations keep what is not a number alone): exported as it is, as staff see
    it, and refused by the import, which names the row and the column, until corrected."""
    kept = [
        value
        for value in complaints.exclude(complainant_phone="")
        .order_by()
        .values_list("complainant_phone", flat=True)
        .distinct()
        if phones.normalised_or_none(value) is None
    ]
    if not kept:
        return []
    found = complaints.filter(complainant_phone__in=kept).order_by("registered_at", "id")
    return list(found.values_list("number", flat=True))


def export_file(complaints: QuerySet[Complaint], path: Path) -> int:
    """Write an .xlsx or .csv file, by the name's suffix; returns how many complaints."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return write_xlsx(complaints, path)
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            return write_csv(complaints, stream)
    raise RegisterFileError(
        _("Export writes .xlsx or .csv files, not “%(name)s”.") % {"name": path.name}
    )
