"""The bench's own access to the database it measures: counts, sizes, checkpoints (no
Django), on SQLite or PostgreSQL."""

import sqlite3
from pathlib import Path


class Database:
    """Direct access for the bench itself: counts, sizes, checkpoints (no Django)."""

    def __init__(self, kind: str, sqlite_path: Path | None, url: str | None):
        self.kind = kind
        self.sqlite_path = sqlite_path
        self.url = url

    def _query(self, sql: str, params=()):
        if self.kind == "sqlite":
            con = sqlite3.connect(self.sqlite_path, timeout=60)
            try:
                return con.execute(sql, params).fetchall()
            finally:
                con.close()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as con:
            return con.execute(sql.replace("?", "%s"), params).fetchall()

    def read(self, sql: str, params=()) -> tuple[list[str], tuple]:
        """Column names and the first row, as the database returns them (no Django)."""
        if self.kind == "sqlite":
            con = sqlite3.connect(self.sqlite_path, timeout=60)
            try:
                cursor = con.execute(sql, params)
                return [d[0] for d in cursor.description], cursor.fetchone()
            finally:
                con.close()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as con:
            cursor = con.execute(sql.replace("?", "%s"), params)
            return [d.name for d in cursor.description], cursor.fetchone()

    def top_ids(self) -> dict[str, int]:
        tables = ("complaints_complaint", "complaints_complaintevent", "complaints_idempotencykey")
        return {t: self._query(f"SELECT COALESCE(MAX(id), 0) FROM {t}")[0][0] for t in tables}

    def created_since(self, before: dict[str, int]) -> dict[str, int]:
        return {
            t: self._query(f"SELECT COUNT(*) FROM {t} WHERE id > ?", (top,))[0][0]
            for t, top in before.items()
        }

    def count(self) -> int:
        return self._query("SELECT COUNT(*) FROM complaints_complaint")[0][0]

    def current_month(self) -> dict:
        """The API's registrations all land in the current month: its highest sequence."""
        rows = self._query(
            "SELECT prefix, last FROM complaints_numbersequence ORDER BY prefix DESC LIMIT 1"
        )
        prefix, last = rows[0] if rows else ("", 0)
        return {
            "prefix": prefix,
            "highest_sequence": last,
            "note": "above 99999 the number just grows a digit (KS{YYYYMM}{seq:05d} is a minimum "
            "width); only the benchmark's own load registers this many in one month",
        }

    def sample_row(self, min_id: int) -> tuple[str, str]:
        """The first complaint from `min_id` on; the last one when there is none (a quick run
        whose API registrations already passed the next size, so its fill added nothing)."""
        rows = self._query(
            "SELECT number, order_no FROM complaints_complaint WHERE id >= ? ORDER BY id LIMIT 1",
            (min_id,),
        ) or self._query(
            "SELECT number, order_no FROM complaints_complaint ORDER BY id DESC LIMIT 1"
        )
        return rows[0]

    def size_bytes(self) -> int:
        if self.kind == "sqlite":
            con = sqlite3.connect(self.sqlite_path, timeout=60)
            try:
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                con.close()
            wal = Path(f"{self.sqlite_path}-wal")
            return self.sqlite_path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
        return self._query("SELECT pg_database_size(current_database())")[0][0]

    def table_sizes(self) -> list[tuple[str, int]]:
        """Bytes per table and index, largest first (SQLite: dbstat, when compiled in)."""
        if self.kind == "sqlite":
            try:
                rows = self._query(
                    "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
                )
            except sqlite3.Error:
                return []
            return [(n, b) for n, b in rows if b > 64 * 1024]
        rows = self._query(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 't') "
            "ORDER BY 2 DESC LIMIT 20"
        )
        return [(n, b) for n, b in rows if b > 64 * 1024]

    def text_bytes(self, first_id: int) -> dict:
        """Average UTF-8 bytes of title and description over (up to) 20,000 filled rows."""
        if self.kind == "sqlite":
            sql = (
                "SELECT AVG(LENGTH(CAST(title AS BLOB))), AVG(LENGTH(CAST(description AS BLOB)))"
                " FROM complaints_complaint WHERE id BETWEEN ? AND ?"
            )
        else:
            sql = (
                "SELECT AVG(OCTET_LENGTH(title)), AVG(OCTET_LENGTH(description))"
                " FROM complaints_complaint WHERE id BETWEEN ? AND ?"
            )
        title, description = self._query(sql, (first_id, first_id + 19_999))[0]
        if title is None:  # nothing filled at this size (the registration runs got there first)
            return {"title": None, "description": None}
        return {"title": round(float(title), 1), "description": round(float(description), 1)}
