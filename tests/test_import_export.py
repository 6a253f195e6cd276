"""`kesu import` and `kesu export`: a register moved from Excel keeps its numbers and times,
bad rows are reported by row number while good rows are kept, and an export imports again."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from kesu.complaints import actions
from kesu.complaints.choices import Channel, EventType, Kind, Severity, State
from kesu.complaints.importing import (
    COLUMNS,
    FORMULA_STARTS,
    RegisterFileError,
    csv_escaped,
    csv_unescaped,
    export_file,
    import_file,
)
from kesu.complaints.models import Category, Complaint

pytestmark = pytest.mark.django_db(transaction=False)

SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "samples"
SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADERS = [column.header for column in COLUMNS]


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def row(**values: str) -> dict[str, str]:
    """A valid row; override or blank out columns by code."""
    base = {
        "channel": "电话热线",
        "title": "阀门渗漏",
        "description": "客户反映批号2025-07的阀门渗漏。",
        "category": "product_quality",
        "complainant_name": "王伟",
        "complainant_phone": "13800000001",
    }
    return base | values


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADERS)
        for values in rows:
            writer.writerow([values.get(column.code, "") for column in COLUMNS])
    return path


def errors_by_row(result) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    for error in result.errors:
        found.setdefault(error.row, {})[error.field] = error.message
    return found


# ------------------------------------------------------------------------------ the sample


@pytest.mark.parametrize("name", ["complaints-sample.csv", "complaints-sample.xlsx"])
def test_the_sample_register_imports_cleanly_and_keeps_numbers_and_times(people, name):
    # given the documented sample file
    path = SAMPLES / name

    # when the administrator imports it
    result = import_file(path, actor=people.admin)

    # then every row is registered, the historical ones with their own number and times
    assert result.errors == []
    assert (result.rows, result.imported, result.archived) == (10, 10, 5)
    assert Complaint.objects.count() == 10
    closed = Complaint.objects.get(number="KS20250300012")
    assert closed.registered_at == local(2025, 3, 4, 9, 30)
    assert closed.state == State.CLOSED
    assert closed.closed_at == local(2025, 3, 12, 16, 45)
    assert closed.department.code == "quality"
    assert closed.claim_amount == Decimal("3000")
    types = list(closed.events.values_list("type", flat=True))
    assert (types[0], types[-1]) == (EventType.REGISTER, EventType.IMPORT_ARCHIVED)
    # (between them, the time limits that ran out before it was closed: see test_deadlines)
    assert set(types[1:-1]) <= {
        EventType.DEADLINE_WARNED,
        EventType.DEADLINE_BREACHED,
        EventType.DEADLINE_ESCALATED,
    }
    assert Complaint.objects.get(number="KS20250500007").state == State.WITHDRAWN
    assert Complaint.objects.get(number="KS20250700003").state == State.INVALID
    inquiry = Complaint.objects.get(number="KS20250600021")
    assert (inquiry.kind, inquiry.severity) == (Kind.INQUIRY, Severity.LEVEL_3)
    anonymous = Complaint.objects.get(title="安装人员服务态度差")
    assert anonymous.anonymous and anonymous.state == State.REGISTERED
    assert anonymous.number.startswith("KS202611")
    assert anonymous.registered_at == local(2026, 11, 2, 8, 50)


def test_a_severity_that_differs_from_the_proposal_keeps_the_old_registers_level(people):
    # given the sample, whose transport complaint was level 2 in the old register
    # when it is imported
    import_file(SAMPLES / "complaints-sample.csv", actor=people.admin)

    # then the level is kept, with the reason Kesu requires, and the proposal is recorded
    damaged = Complaint.objects.get(number="KS20250400031")
    assert (damaged.severity, damaged.severity_proposed) == (Severity.LEVEL_2, Severity.LEVEL_3)
    assert damaged.severity_reason == "从原投诉登记台账导入。"  # in the company's language


# ------------------------------------------------------------------------------ bad rows


def test_bad_rows_are_reported_by_row_number_and_good_rows_are_kept(people, tmp_path):
    # given a file with two good rows and five bad ones
    path = write_csv(
        tmp_path / "register.csv",
        [
            row(number="KS20250300001", registered_at="2025-03-01 08:00"),  # row 2
            row(category="no_such_category"),  # row 3
            row(title=""),  # row 4
            row(registered_at="2025-13-45 25:00"),  # row 5
            row(number="KS20250300001", registered_at="2025-03-02 08:00"),  # row 6
            row(state="处理中"),  # row 7
            row(title="第二条正常记录"),  # row 8
        ],
    )

    # when it is imported
    result = import_file(path, actor=people.admin)

    # then each bad row is named with its column and a reason, and the good rows are saved
    bad = errors_by_row(result)
    assert sorted(bad) == [3, 4, 5, 6, 7]
    assert "no_such_category" in bad[3]["category"]
    assert set(bad[4]) == {"title"}
    assert set(bad[5]) == {"registered_at"}
    assert "已存在" in bad[6]["number"]
    assert "不能导入" in bad[7]["state"]
    assert (result.imported, result.bad_rows) == (2, 5)
    assert set(Complaint.objects.values_list("title", flat=True)) == {"阀门渗漏", "第二条正常记录"}


def test_a_row_whose_archiving_fails_is_not_left_half_imported(people, tmp_path):
    # given a finished row that closed before it was registered
    path = write_csv(
        tmp_path / "register.csv",
        [
            row(
                number="KS20250300005",
                registered_at="2025-03-10 09:00",
                state="已结案",
                closed_at="2025-03-01 09:00",
            )
        ],
    )

    # when it is imported
    result = import_file(path, actor=people.admin)

    # then the registration is rolled back with the failed archiving
    assert [(e.row, e.field) for e in result.errors] == [(2, "closed_at")]
    assert not Complaint.objects.filter(number="KS20250300005").exists()


def test_a_finished_row_needs_its_closing_time_and_an_open_row_has_none(people, tmp_path):
    path = write_csv(
        tmp_path / "register.csv",
        [row(state="closed"), row(state="registered", closed_at="2025-03-01 09:00")],
    )

    result = import_file(path, actor=people.admin)

    assert {(e.row, e.field) for e in result.errors} == {(2, "closed_at"), (3, "closed_at")}
    assert result.imported == 0


def test_a_file_without_a_required_column_is_refused_as_a_whole(people, tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("标题,描述,渠道\n阀门渗漏,渗漏,电话\n", encoding="utf-8")

    with pytest.raises(RegisterFileError, match="category"):
        import_file(path, actor=people.admin)


def test_values_the_database_would_refuse_are_reported_as_bad_rows(people, tmp_path):
    # given values too long, malformed or out of range for their columns
    path = write_csv(
        tmp_path / "register.csv",
        [
            row(title="长" * 201),
            row(complainant_email="not-an-address"),
            row(claim_amount="-5"),
            row(quantity="1.234"),
        ],
    )

    # when they are imported
    result = import_file(path, actor=people.admin)

    # then each is refused with its column, on every database alike
    assert [(e.row, e.field) for e in result.errors] == [
        (2, "title"),
        (3, "complainant_email"),
        (4, "claim_amount"),
        (5, "quantity"),
    ]
    assert not Complaint.objects.exists()


# ------------------------------------------------------------------------------ reading values


def test_chinese_headers_slashed_dates_labels_and_a_title_row_are_read(people, tmp_path):
    # given a register as a company keeps it: a title row, Chinese headers only, Chinese values
    path = tmp_path / "登记表.csv"
    path.write_text(
        "客户投诉登记表,,,,,,,,,\n"
        "编号,登记时间,类型,渠道,标题,描述,分类,等级,匿名,数量,备注\n"
        "KS20250300020,2025/3/4 9:30,投诉,微信,地板开裂,客厅地板开裂,工程质量,一级,是,"
        '"1,200.5",老系统备注\n',
        encoding="utf-8",
    )

    # when it is imported
    result = import_file(path, actor=people.admin)

    # then the values are understood and the unknown column is reported, not silently dropped
    assert result.errors == []
    assert result.ignored_columns == ["备注"]
    complaint = Complaint.objects.get(number="KS20250300020")
    assert complaint.registered_at == local(2025, 3, 4, 9, 30)
    assert complaint.channel == Channel.WECHAT
    assert complaint.category.code == "construction_quality"
    assert complaint.severity == Severity.LEVEL_1
    assert complaint.anonymous is True
    assert complaint.quantity == Decimal("1200.5")


def test_a_csv_saved_by_chinese_excel_in_gb18030_is_read(people, tmp_path):
    # given a CSV in the encoding Chinese Excel uses for "CSV (逗号分隔)"
    path = write_csv(tmp_path / "gbk.csv", [row(title="铝板划伤，要求补发")], encoding="gb18030")

    # when it is imported
    result = import_file(path, actor=people.admin)

    # then the Chinese text arrives intact
    assert result.errors == []
    assert Complaint.objects.get().title == "铝板划伤，要求补发"


# ------------------------------------------------------------------------------ numbering


def test_numbers_registered_after_an_imported_number_continue_after_it(people, tmp_path):
    # given the old register's complaint KS20250300012 of March 2025
    path = write_csv(
        tmp_path / "register.csv",
        [row(number="KS20250300012", registered_at="2025-03-04 09:30")],
    )
    import_file(path, actor=people.admin)

    # when a new complaint is registered in March 2025
    new = actions.NewComplaint(
        channel=Channel.PHONE,
        title="新登记",
        description="三月份新登记的投诉。",
        category=Category.objects.get(code="service_quality"),
        complainant_name="李娜",
    )
    with time_machine.travel(local(2025, 3, 20, 10, 0), tick=False):
        complaint, _created = actions.register(new, actor=people.intake)

    # then it takes the next number, never one the old register used
    assert complaint.number == "KS20250300013"


def test_rows_without_a_number_never_take_a_number_kept_from_the_file(people, tmp_path):
    # given a numberless March row listed before a March row that keeps number 1
    path = write_csv(
        tmp_path / "register.csv",
        [
            row(title="无编号", registered_at="2025-03-05 10:00"),
            row(title="有编号", number="KS20250300001", registered_at="2025-03-04 10:00"),
        ],
    )

    # when the file is imported
    result = import_file(path, actor=people.admin)

    # then both are kept and the numberless one is numbered after the kept one
    assert result.errors == []
    assert Complaint.objects.get(title="无编号").number == "KS20250300002"


# ------------------------------------------------------------------------------ round trip


def snapshot() -> list[tuple]:
    """What must survive the round trip; times are exported to the second."""
    rows = Complaint.objects.order_by("number").values_list(
        "number",
        "title",
        "state",
        "kind",
        "channel",
        "category__code",
        "severity",
        "registered_at",
        "closed_at",
        "anonymous",
        "quantity",
        "claim_amount",
        "department__code",
        "ship_date",
    )
    return [
        tuple(v.replace(microsecond=0) if isinstance(v, datetime) else v for v in values)
        for values in rows
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_imports_again_into_an_empty_database(people, tmp_path, suffix):
    # given a database with the sample register and a complaint withdrawn in Kesu
    exported = tmp_path / f"export{suffix}"
    with transaction.atomic():
        import_file(SAMPLES / "complaints-sample.csv", actor=people.admin)
        registered, _created = actions.register(
            actions.NewComplaint(
                channel=Channel.EMAIL,
                title="客户来信",
                description="客户来信询问发货进度。",
                category=Category.objects.get(code="schedule"),
                complainant_email="kehu@example.com",
            ),
            actor=people.intake,
        )
        actions.withdraw(registered, actor=people.intake, reason="客户已收到货物")
        before = snapshot()

        # when it is exported, and the database emptied
        assert export_file(Complaint.objects.all(), exported) == 11
        transaction.set_rollback(True)
    assert not Complaint.objects.exists()

    # and the export is imported
    result = import_file(exported, actor=people.admin)

    # then the same complaints come back, with their numbers, states and times
    assert result.errors == []
    assert snapshot() == before


# ------------------------------------------------------------------------------ the commands


def test_the_import_command_lists_bad_rows_and_fails_but_keeps_good_rows(people, tmp_path):
    # given a file with one good and one bad row
    path = write_csv(tmp_path / "register.csv", [row(), row(category="nope")])
    out, err = io.StringIO(), io.StringIO()

    # when the command runs, it fails (exit status 1 from the command line)
    with translation.override("en"), pytest.raises(CommandError, match="1 row was not imported"):
        call_command("import", str(path), stdout=out, stderr=err)

    # then the report names the bad row and the good row is kept
    assert "row 3: category: Unknown category “nope”." in out.getvalue()
    assert "Rows imported: 1 of 2" in out.getvalue()
    assert Complaint.objects.get().registered_by == people.admin


def test_importing_as_someone_who_may_not_register_stops_at_once(people, tmp_path):
    path = write_csv(tmp_path / "register.csv", [row(), row()])

    with translation.override("en"), pytest.raises(CommandError, match="may not register"):
        call_command("import", str(path), "--as", "zheng_vp", stdout=io.StringIO())

    assert not Complaint.objects.exists()


def test_a_dry_run_checks_every_row_and_saves_nothing(people, tmp_path):
    path = write_csv(tmp_path / "register.csv", [row(), row()])
    out = io.StringIO()

    with translation.override("en"):
        call_command("import", str(path), "--dry-run", "--as", "kefu_wang", stdout=out, stderr=out)

    assert "Rows that would be imported: 2 of 2" in out.getvalue()
    assert not Complaint.objects.exists()


def test_the_export_command_writes_csv_to_standard_output_filtered_by_state(people):
    import_file(SAMPLES / "complaints-sample.csv", actor=people.admin)
    out = io.StringIO()

    call_command("export", "--state", "closed", "--from", "2025-01-01", stdout=out)

    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines[0] == HEADERS
    assert sorted(line[0] for line in lines[1:]) == [
        "KS20250300012",
        "KS20250400031",
        "KS20250600021",
    ]


def test_an_xlsx_export_has_real_date_cells(people, tmp_path):
    import_file(SAMPLES / "complaints-sample.csv", actor=people.admin)
    path = tmp_path / "export.xlsx"

    call_command("export", str(path), "--state", "closed", stdout=io.StringIO())

    sheet = openpyxl.load_workbook(path).worksheets[0]
    first = {h: cell.value for h, cell in zip(HEADERS, sheet[2], strict=True)}
    assert first["编号 number"] == "KS20250300012"
    assert first["登记时间 registered_at"] == datetime(2025, 3, 4, 9, 30)  # Excel cells are naive
    assert first["状态 state"] == "已结案"


def test_the_labels_the_product_shows_are_accepted_in_either_language():
    from kesu.complaints.importing import as_channel, as_severity, as_state

    assert as_channel("网页表单/客户门户") == Channel.WEB
    assert as_channel("Consumer association / 12315") == Channel.CONSUMER_ASSOCIATION
    assert as_severity("一级（重大）") == Severity.LEVEL_1
    assert as_state("已结案") == State.CLOSED


# ------------------------------------------------------------------------------ formulas

# Texts a spreadsheet would run as formulas, and one that starts with the escape itself.
FORMULA_LIKE = {
    "title": "=2+5",
    "description": '+86 客户原话: =HYPERLINK("http://example.com","点击")',
    "demand": "-更换阀门",
    "complainant_org": "@上海某公司",
    "occurred_place": "'=仓库",
}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formula_like_texts_are_exported_as_text_and_import_back_unchanged(
    people, tmp_path, suffix
):
    # given a complaint whose texts start like formulas
    exported = tmp_path / f"export{suffix}"
    with transaction.atomic():
        actions.register(
            actions.NewComplaint(
                channel=Channel.PHONE,
                category=Category.objects.get(code="product_quality"),
                complainant_name="王伟",
                **FORMULA_LIKE,
            ),
            actor=people.intake,
        )

        # when it is exported, and the database emptied
        export_file(Complaint.objects.all(), exported)
        transaction.set_rollback(True)

    # then the file holds them as text, never as formulas
    codes = [column.code for column in COLUMNS]
    if suffix == ".csv":
        with exported.open(encoding="utf-8-sig", newline="") as stream:
            cells = list(csv.reader(stream))[1]
        for code, value in FORMULA_LIKE.items():
            assert cells[codes.index(code)] == "'" + value  # the customary apostrophe
    else:
        sheet = openpyxl.load_workbook(exported).worksheets[0]
        for code, value in FORMULA_LIKE.items():
            cell = sheet.cell(row=2, column=codes.index(code) + 1)
            assert (cell.value, cell.data_type) == (value, "s")
            if value[0] in "=+-@":
                assert cell.quotePrefix  # Excel shows the text and keeps it text when edited

    # and it imports back with the very same texts
    result = import_file(exported, actor=people.admin)
    assert result.errors == []
    imported = Complaint.objects.get()
    assert {code: getattr(imported, code) for code in FORMULA_LIKE} == FORMULA_LIKE


def test_a_formula_cell_is_refused_by_row_and_column_asking_for_the_values(people, tmp_path):
    # given an Excel register whose title and phone cells hold formulas, never calculated
    path = tmp_path / "register.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    values = row(title='=CONCATENATE("阀门","渗漏")', complainant_phone="=2+5")
    sheet.append([values.get(column.code) for column in COLUMNS])
    sheet.append([row().get(column.code) for column in COLUMNS])
    workbook.save(path)

    # when it is imported
    with translation.override("en"):
        result = import_file(path, actor=people.admin)

    # then each formula is named, by row and column, and the values are asked for
    bad = errors_by_row(result)
    assert sorted(bad) == [2]
    assert set(bad[2]) == {"title", "complainant_phone"}
    assert "holds a formula (=CONCATENATE(" in bad[2]["title"]
    assert "holds a formula (=2+5)" in bad[2]["complainant_phone"]
    assert "Save the values, not the formulas" in bad[2]["title"]
    assert "required" not in bad[2]["title"]
    assert result.imported == 1


@given(st.text())
def test_the_csv_escape_never_leaves_a_formula_and_comes_off_again(text):
    escaped = csv_escaped(text)
    assert not escaped.startswith(FORMULA_STARTS)
    assert csv_unescaped(escaped) == text


def test_a_time_beyond_what_kesu_keeps_is_a_bad_row_not_a_failed_import(people, tmp_path):
    path = write_csv(
        tmp_path / "register.csv",
        [row(registered_at="0001-01-01 00:00"), row(title="正常记录")],
    )

    result = import_file(path, actor=people.admin)

    assert [(e.row, e.field) for e in result.errors] == [(2, "registered_at")]
    assert "0001-01-01 00:00" in result.errors[0].message
    assert result.imported == 1


@pytest.mark.parametrize(
    "args", [["--from", "0001-01-01"], ["--to", "9999-12-31"], ["--from", "2026-02-30"]]
)
def test_export_refuses_a_day_it_cannot_start_or_end_in_local_time(people, args):
    with pytest.raises(CommandError, match=args[1]):
        call_command("export", *args)
