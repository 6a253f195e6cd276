"""The archive of a period (归档): for QA, one zip of every complaint closed in it, as

    KS-archive-2026-11/register.csv                      the register (登记簿) of those complaints
    KS-archive-2026-11/register.xlsx                     the same, as a workbook
    KS-archive-2026-11/case-files/KS20261100001-case-file.zip   each one's case file (casefile.py)
    KS-archive-2026-11/manifest.json                     every file with its size and SHA-256

"Closed in the period": the complaint is finished (closed, withdrawn, invalid or merged) and
its closing instant falls in the period's local days; a complaint reopened and closed again
later moves to the month it last closed in.

The zip is written as it is sent (`Archive.chunks`), as the case file is: one complaint at a
time (its handling sheet rendered, its attachments read 64 KiB at a time), the register
written to a temporary file and copied in pieces. Memory holds one complaint's sheet, never the
period. Reads only: it changes nothing, so it appends no event.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints.choices import Determination, Severity, State
from kesu.complaints.models import Complaint
from kesu.core import clock
from kesu.core.encoding import local_instant
from kesu.reports import casefile
from kesu.reports.documents import label, person
from kesu.reports.tables import Column, ColumnKind, Table
from kesu.reports.writers import write_csv, write_xlsx
from kesu.statistics.periods import Period

FORMAT = 1  # the manifest's layout; raised when it changes


def closed_in(period: Period, scope: QuerySet[Complaint] | None = None) -> QuerySet[Complaint]:
    """The complaints closed in `period` (within `scope`; None: all), oldest closing first."""
    qs = scope if scope is not None else Complaint.objects.all()
    return qs.filter(closed_at__gte=period.start, closed_at__lt=period.end).order_by(
        "closed_at", "id"
    )


def _outcome(c: Complaint) -> str:
    outcome = label(State, c.state)
    if c.satisfaction_pct is not None:
        outcome += " · " + _("satisfaction %(pct)s %%") % {"pct": f"{c.satisfaction_pct:f}"}
    return outcome


def _cause(c: Complaint) -> str:
    determination = label(Determination, c.qa_determination or c.determination)
    return " · ".join(part for part in (determination, c.root_cause) if part)


def register_table(period: Period, complaints: QuerySet[Complaint]) -> Table:
    """The register (登记簿) of the complaints closed in `period`, one row each, read from the
    database a chunk at a time when the table is written."""

    def rows() -> Iterator[list[Any]]:
        related = complaints.select_related("category", "department", "owner")
        for c in related.iterator(chunk_size=500):
            yield [
                c.number,
                c.registered_at,
                c.closed_at,
                c.category.name if c.category_id else "",
                label(Severity, c.severity),
                c.department.name if c.department else "",
                person(c.owner),
                _outcome(c),
                _cause(c),
                c.title,
            ]

    return Table(
        code="register",
        title=_("Register of complaints closed"),
        caption=str(period),
        columns=[
            Column(_("Number"), width=16),
            Column(_("Registered at"), ColumnKind.DATETIME),
            Column(_("Closed at"), ColumnKind.DATETIME),
            Column(_("Category")),
            Column(_("Severity")),
            Column(_("Department")),
            Column(_("Owner")),
            Column(_("Outcome"), width=24),
            Column(_("Cause"), width=40),
            Column(_("Subject"), width=30),
        ],
        rows=_Rows(rows),
    )


@dataclass
class _Rows:
    """Rows that may be read more than once (the CSV, then the workbook), each time afresh."""

    make: Callable[[], Iterator[list[Any]]]

    def __iter__(self) -> Iterator[list[Any]]:
        return iter(self.make())


@dataclass
class Archive:
    """The archive of `period`, ready to be streamed."""

    period: Period
    complaints: QuerySet[Complaint]
    made_by: User | None
    made_at: datetime = field(default_factory=clock.now)
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def filed(self) -> int:
        """How many case files the last `chunks` wrote."""
        return sum(1 for entry in self.entries if "complaint" in entry)

    @property
    def folder(self) -> str:
        return f"KS-archive-{self.period}"

    @property
    def filename(self) -> str:
        return f"{self.folder}.zip"

    def chunks(self) -> Iterator[bytes]:
        """The zip, piece by piece (each call writes it anew)."""
        self.entries = []
        sink = casefile.Sink()
        stamp = casefile.zip_stamp(self.made_at)
        table = register_table(self.period, self.complaints)
        numbers: list[str] = []
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for suffix, write in (("csv", write_csv), ("xlsx", _write_xlsx)):
                with tempfile.TemporaryFile() as stream:
                    write(table, stream)
                    stream.seek(0)
                    yield from self._put(
                        archive, sink, f"register.{suffix}", _pieces(stream), stamp, {}
                    )
            for c in self.complaints.iterator(chunk_size=100):
                case = casefile.case_file(c, by=self.made_by)
                case.made_at = self.made_at
                numbers.append(c.number)
                yield from self._put(
                    archive,
                    sink,
                    f"case-files/{case.filename}",
                    case.chunks(),
                    stamp,
                    {"complaint": c.number},
                    stored=True,
                )
            manifest = self._manifest(numbers)
            yield from self._put(archive, sink, "manifest.json", [manifest], stamp, None)
        yield sink.take()  # the central directory

    def _put(
        self,
        archive: zipfile.ZipFile,
        sink: casefile.Sink,
        path: str,
        parts: Iterable[bytes],
        stamp: tuple[int, int, int, int, int, int],
        about: dict[str, Any] | None,
        stored: bool = False,
    ) -> Iterator[bytes]:
        info = zipfile.ZipInfo(f"{self.folder}/{path}", date_time=stamp)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        digest, size = hashlib.sha256(), 0
        with archive.open(info, "w", force_zip64=True) as out:
            for part in parts:
                out.write(part)
                digest.update(part)
                size += len(part)
                if written := sink.take():
                    yield written
        if about is not None:
            self.entries.append({"path": path, "size": size, "sha256": digest.hexdigest(), **about})
        if written := sink.take():
            yield written

    def _manifest(self, numbers: list[str]) -> bytes:
        manifest = {
            "format": FORMAT,
            "period": str(self.period),
            "first_day": self.period.first.isoformat(),
            "last_day": self.period.last.isoformat(),
            "made_at": local_instant(self.made_at),
            "made_by": casefile.person_json(self.made_by),
            "complaints": numbers,
            "files": self.entries,
        }
        return json.dumps(manifest, ensure_ascii=False, indent=1).encode()


def _pieces(stream: IO[bytes]) -> Iterator[bytes]:
    while piece := stream.read(casefile.CHUNK):
        yield piece


def _write_xlsx(table: Table, stream: IO[bytes]) -> None:
    write_xlsx([table], stream)


def archive(period: Period, *, by: User | None, scope: QuerySet[Complaint] | None) -> Archive:
    """The archive of the complaints closed in `period` within `scope` (None: all), as they
    stand now: one closed while the zip is being written waits for the next archive, so the
    register and the case files name the same complaints."""
    now = clock.now()
    complaints = closed_in(period, scope).filter(closed_at__lte=now)
    return Archive(period=period, complaints=complaints, made_by=by, made_at=now)
