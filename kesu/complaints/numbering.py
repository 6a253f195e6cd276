"""Complaint numbers: `KS{YYYYMM}{seq:05d}` by default, never reused, never duplicated."""

import functools
import re
from datetime import datetime

from django.db import connection

from kesu.complaints.models import NumberSequence

_SEQ = re.compile(r"\{seq(?::0?(\d+)d)?\}")


@functools.cache
def _parts(pattern: str) -> tuple[str, int, str]:
    """(text before the sequence, its width, text after it)."""
    match = _SEQ.search(pattern)
    if match is None:
        return pattern, 0, ""
    width = int(match.group(1)) if match.group(1) else 0
    return pattern[: match.start()], width, pattern[match.end() :]


def prefix_for(pattern: str, at: datetime) -> str:
    """The part of the number before the sequence, for the local month of `at`."""
    return _month_prefix(pattern, at.year, at.month)


@functools.lru_cache(maxsize=256)
def _month_prefix(pattern: str, year: int, month: int) -> str:
    head = _parts(pattern)[0]
    return (
        head.replace("{YYYYMM}", f"{year:04d}{month:02d}")
        .replace("{YYYY}", f"{year:04d}")
        .replace("{YY}", f"{year % 100:02d}")
        .replace("{MM}", f"{month:02d}")
    )


def format_number(pattern: str, at: datetime, seq: int) -> str:
    _head, width, tail = _parts(pattern)
    return f"{prefix_for(pattern, at)}{seq:0{width}d}{tail}"


def parse_number(pattern: str, number: str) -> tuple[str, int] | None:
    """(prefix, sequence) of a number written with `pattern` in any month, else None."""
    if _SEQ.search(pattern) is None:
        return None
    before, _width, after = _parts(pattern)
    match = re.fullmatch(f"({_date_part(before)})(\\d+){re.escape(after)}", number)
    if match is None:
        return None
    return match.group(1), int(match.group(2))


@functools.cache
def _anywhere(pattern: str) -> re.Pattern | None:
    if _SEQ.search(pattern) is None:
        return None
    before, _width, after = _parts(pattern)
    return re.compile(f"(?<![0-9A-Za-z]){_date_part(before)}\\d+{re.escape(after)}(?![0-9])")


def _date_part(before: str) -> str:
    """A regex for the text before the sequence, in any month."""
    head = re.escape(before)
    for token, digits in (("{YYYYMM}", 6), ("{YYYY}", 4), ("{YY}", 2), ("{MM}", 2)):
        head = head.replace(re.escape(token), rf"\d{{{digits}}}")
    return head


def numbers_in_text(pattern: str, text: str) -> list[str]:
    """Complaint numbers written with `pattern` anywhere in `text` (an e-mail subject)."""
    found = _anywhere(pattern)
    return found.findall(text) if found is not None else []


def next_sequence(prefix: str) -> int:
    """Take the next number for `prefix`. Call inside the registering transaction.

    One statement that inserts or increments and returns the new value: on PostgreSQL the
    row lock serialises concurrent registrations; on SQLite the IMMEDIATE transaction does.
    A rolled-back registration gives its number back, so numbers have no gaps.
    """
    table = NumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, last) VALUES (%s, 1) "  # noqa: S608 (table name is ours)
            f"ON CONFLICT (prefix) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [prefix],
        )
        return cursor.fetchone()[0]


def reserve_at_least(prefix: str, seq: int) -> None:
    """Make sure later numbers for `prefix` come after `seq` (used by imports)."""
    table = NumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, last) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT (prefix) DO UPDATE SET last = "
            f"CASE WHEN {table}.last < excluded.last THEN excluded.last ELSE {table}.last END",
            [prefix, seq],
        )
