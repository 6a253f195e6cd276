"""The background queue's SQLite storage (Huey), without an fsync per enqueued task.

The queue holds only ids of rows that the main database keeps and the periodic sweeps find
again (outbox rows waiting to go out; due clocks): a task lost with the last moments before
a power cut is sent by the next sweep, so the queue need not reach the disk at every
commit. WAL with `synchronous=NORMAL` is what SQLite documents as safe from corruption;
Huey's own switch knows only FULL (an fsync per task: half a millisecond and a lock held
meanwhile, on every registration that notifies anyone) and OFF (not safe).
"""

from huey import SqliteHuey as _SqliteHuey
from huey.storage import SqliteStorage


class NormalSyncSqliteStorage(SqliteStorage):
    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


class SqliteHuey(_SqliteHuey):
    storage_class = NormalSyncSqliteStorage
