"""Django's SQLite backend, with writers queued on an OS lock instead of SQLite's busy sleep.

SQLite lets one writer at a time in. A writer that finds the database locked sleeps in
SQLite's busy handler (1, 2, 5 … 100 ms) and retries, so under concurrent writes the lock is
often free while every waiting worker sleeps. Here each write transaction first takes an
exclusive `flock` on a file beside the database: waiting writers block in the kernel and the
next one starts the moment the previous one commits. Readers are not affected (WAL). The
kernel releases the lock if a process dies, so a crash cannot leave the database locked.

Checkpoints (copying the WAL back into the database file) happen after the lock is released:
every `CHECKPOINT_EVERY` write transactions a connection runs a PASSIVE checkpoint, which
does not hold up the next writer. SQLite's automatic checkpoint runs inside the commit, with
the lock held: at its default of 1,000 pages it took about 15 ms every hundred or so
registrations while the other web worker waited. Settings raise it to 4,000 pages, a safety
net for a WAL that grows faster than these checkpoints (one large import).
"""

import fcntl
import logging
import os
import sqlite3

from django.db.backends.sqlite3 import base

CHECKPOINT_EVERY = 50

logger = logging.getLogger(__name__)


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_fd: int | None = None
    _lock_held = False
    _writes_since_checkpoint = 0

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return None
        return f"{name}.writelock"

    def _take_write_lock(self) -> None:
        if self._lock_fd is None:
            path = self._lock_path()
            if path is None:
                return
            self._lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._lock_held = True

    def _release_write_lock(self) -> None:
        if self._lock_held and self._lock_fd is not None:  # taken on that descriptor
            self._lock_held = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._take_write_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private in Django: not in the stubs
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self):
        wrote = self._lock_held
        try:
            result = super()._commit()  # type: ignore[misc]  # private in Django: not in the stubs
        finally:
            self._release_write_lock()
        if wrote:
            self._count_write()
        return result

    def _count_write(self) -> None:
        """After a committed write: every CHECKPOINT_EVERY of them, a checkpoint. It never
        waits (with another one running it reports busy), and the commit has happened: a
        failure here is logged, not raised."""
        self._writes_since_checkpoint += 1
        if self._writes_since_checkpoint < CHECKPOINT_EVERY or self.connection is None:
            return
        self._writes_since_checkpoint = 0
        try:
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            logger.warning(
                "WAL checkpoint failed; SQLite's own checkpoint will follow", exc_info=True
            )

    def _rollback(self):
        try:
            return super()._rollback()  # type: ignore[misc]  # private in Django: not in the stubs
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()  # type: ignore[misc]  # private in Django: not in the stubs
        finally:
            self._release_write_lock()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
