"""`kesu report`: the classified counts printed as a table, the monthly workbook written to a
file, and every mistake said in one line (no traceback)."""

import io
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from kesu.statistics.counts import Dimension, classified
from kesu.statistics.periods import parse
from tests.reports_history import november


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_classified_prints_the_counts_aligned_with_the_total(people):
    november(people)
    lines = _run("classified", "2026-Q4", "--by", "category,severity").splitlines()
    expected = classified(parse("2026-Q4"), by=(Dimension.CATEGORY, Dimension.SEVERITY))
    assert "2026-Q4" in lines[1]
    rule = next(i for i, line in enumerate(lines) if set(line) <= {"-", " "})
    body = lines[rule + 1 : rule + 1 + len(expected.rows)]
    assert len(body) == len(expected.rows)
    for line, row in zip(body, expected.rows, strict=True):
        numbers = line.split()[-7:]
        assert int(numbers[0]) == row.count and int(numbers[1]) == row.previous
    total = lines[-1].split()
    assert int(total[-7]) == expected.total.count == 7  # October 2, November 4, December 1
    widths = {len(line.encode("gbk")) for line in lines[rule - 1 : rule + 1]}
    assert len(widths) == 1  # the header as wide as the rule, Chinese counted double


def test_monthly_writes_the_workbook_and_the_csv_zip(people, tmp_path):
    november(people)
    xlsx = tmp_path / "m.xlsx"
    _run("monthly", "2026-11", "--format", "xlsx", "-o", str(xlsx))
    assert len(openpyxl.load_workbook(xlsx, read_only=True).sheetnames) == 10  # indicators
    archive = tmp_path / "m.zip"
    _run("monthly", "2026-11", "--format", "csv", "-o", str(archive))
    assert len(zipfile.ZipFile(archive).namelist()) == 11  # with the two indicator tables
    one = tmp_path / "c.csv"
    _run("monthly", "2026-11", "--format", "csv", "--table", "complaints", "-o", str(one))
    assert one.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(one.read_text(encoding="utf-8-sig").splitlines()) == 5


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["monthly", "2026-11", "--format", "pdf", "--table", "kind"], "PDF"),
        (["monthly", "2026-13"], "2026-13"),
        (["classified", "1000-01-01..2026-12-31"], "1000-01-01..2026-12-31"),
        (["classified", "2026-11", "--by", "category,colour"], "colour"),
        (["classified", "2026-11", "--by", "kind,kind"], None),
    ],
)
def test_mistakes_are_command_errors_naming_them(db, args, words):
    with pytest.raises(CommandError, match=words):
        _run(*args)


def test_an_unwritable_file_is_one_line(people, tmp_path):
    with pytest.raises(CommandError):
        _run("monthly", "2026-11", "-o", str(tmp_path / "missing" / "m.xlsx"))


@pytest.mark.parametrize(
    "args",
    [["monthly", "2026-11", "--format", "pdf", "--table", "kind"], ["classified", "November"]],
)
def test_the_kesu_command_says_the_error_without_a_traceback(args):
    done = subprocess.run(
        [sys.executable, "-m", "kesu", "report", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("CommandError:")
    assert len(done.stderr.strip().splitlines()) == 1
