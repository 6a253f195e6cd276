"""The SQLite backend: writers queue on a file lock, and checkpoints run after it is released."""

import fcntl
import os
import sqlite3

import pytest
from django.db import IntegrityError, connection, transaction

from kesu.complaints.models import NumberSequence
from kesu.core.sqlite_backend import base as backend

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only"),
]


def lock_is_free() -> bool:
    """True when no connection holds the write lock (tried from a descriptor of our own)."""
    fd = os.open(connection._lock_path(), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def write_once(k: int) -> None:
    with transaction.atomic():
        NumberSequence.objects.create(prefix=f"T{k:04d}", last=k)


def test_write_transactions_hold_the_lock_and_checkpoints_run_without_it():
    write_once(0)  # opens the connection
    backend_connection = connection
    backend_connection._writes_since_checkpoint = 0
    seen: list[tuple[str, bool]] = []

    def trace(sql: str) -> None:
        if sql.startswith(("INSERT", "PRAGMA wal_checkpoint")):
            seen.append(
                (sql.split("(")[0] if sql.startswith("PRAGMA") else "INSERT", lock_is_free())
            )

    backend_connection.connection.set_trace_callback(trace)
    try:
        for k in range(1, 2 * backend.CHECKPOINT_EVERY + 1):
            write_once(k)
    finally:
        backend_connection.connection.set_trace_callback(None)

    inserts = [free for sql, free in seen if sql == "INSERT"]
    checkpoints = [free for sql, free in seen if sql.startswith("PRAGMA")]
    assert len(inserts) == 2 * backend.CHECKPOINT_EVERY
    assert not any(inserts), "every INSERT ran with the write lock held"
    assert checkpoints == [True, True], "one checkpoint per CHECKPOINT_EVERY writes, lock free"
    assert lock_is_free()


def test_the_database_runs_in_wal_mode_with_the_automatic_checkpoint_as_a_safety_net():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 4000
        cursor.execute("PRAGMA journal_size_limit")
        assert cursor.fetchone()[0] == 64 * 1024 * 1024


def test_a_failed_write_releases_the_lock():
    write_once(1)
    with pytest.raises(IntegrityError), transaction.atomic():
        NumberSequence.objects.create(prefix="T0001", last=2)  # the same prefix: unique
    assert lock_is_free()


class FailingCheckpoints:
    """The real SQLite connection, except that a checkpoint fails (as on a full disk)."""

    def __init__(self, real):
        self.real = real

    def execute(self, sql, *args):
        if sql.startswith("PRAGMA wal_checkpoint"):
            raise sqlite3.OperationalError("disk I/O error")
        return self.real.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_a_failed_checkpoint_does_not_undo_or_fail_the_commit(caplog):
    write_once(0)
    real = connection.connection
    connection.connection = FailingCheckpoints(real)
    try:
        connection._writes_since_checkpoint = backend.CHECKPOINT_EVERY - 1
        write_once(1)  # the commit that is due for a checkpoint
    finally:
        connection.connection = real
    assert NumberSequence.objects.filter(prefix="T0001").exists()
    assert lock_is_free()
    assert "WAL checkpoint failed" in caplog.text
