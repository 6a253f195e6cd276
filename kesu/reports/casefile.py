"""The case file of one complaint, for the archive: one zip that holds

    KS20261100001/handling-sheet.pdf     the 《客户投诉处理单》 (`documents.handling_sheet`)
    KS20261100001/timeline.json          every event: what, who, when, from → to, comment, data
    KS20261100001/decisions.json         the approval data and QA's determination (处理意见书):
                                         each plan with who proposed and decided it, when,
                                         the measures, the cost split, the expert review; the
                                         determination, QA's determination and verification
                                         events with who, when and their report
    KS20261100001/attachments/<name>     every attachment under its original name, made safe
    KS20261100001/manifest.json          what is in the file, with each entry's size and SHA-256

The zip is written as it is sent (`CaseFile.chunks`): the sheet and the timeline are made
first, then each attachment is read from storage 64 KiB at a time and compressed into the
stream, so a complaint with large files never sits whole in memory. The manifest comes last,
so it can give the size and checksum of what was actually written, and says whether each
attachment still matched the checksum taken when it was added.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from io import RawIOBase
from pathlib import PurePosixPath
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from kesu.accounts.models import User
from kesu.complaints.choices import EventType
from kesu.complaints.models import Attachment, Complaint, ComplaintEvent, Plan, PlanStatus
from kesu.core import clock
from kesu.core.encoding import local_instant
from kesu.reports import documents

CHUNK = 64 * 1024
FORMAT = 1  # the manifest's layout; raised when it changes
_MAX_NAME = 120  # characters of a file's name in the zip (its extension kept)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def person_json(user: User | None) -> dict[str, str] | None:
    return {"username": user.username, "name": user.get_full_name()} if user else None


def event_json(event: ComplaintEvent) -> dict[str, Any]:
    """One event as the archive keeps it: as stored, instants in local time with their offset."""
    return {
        "id": event.pk,
        "type": event.type,
        "type_label": documents.label(EventType, event.type),
        "at": local_instant(event.at),
        "actor": person_json(event.actor),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "visibility": event.visibility.value,
        "comment": event.comment,
        "data": event.data,
    }


# The events that carry a decision the archive keeps apart (S3A-§5.8.2-3): approval data,
# the determinations (QA's with its report) and QA's verification.
DECISION_EVENTS = (
    EventType.DETERMINE,
    EventType.QA_DETERMINE,
    EventType.PROPOSE_PLAN,
    EventType.APPROVE_PLAN,
    EventType.REJECT_PLAN,
    EventType.VERIFY,
    EventType.APPEAL,
)


def _plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "status": plan.status,
        "status_label": documents.label(PlanStatus, plan.status),
        "proposed_by": person_json(plan.proposed_by),
        "proposed_at": local_instant(plan.proposed_at),
        "decided_by": person_json(plan.decided_by),
        "decided_at": local_instant(plan.decided_at) if plan.decided_at else None,
        "decision_comment": plan.decision_comment,
        "expert_review": plan.expert_review,
        "in_warranty": plan.in_warranty,
        "measures": plan.measures,
        "cost_proposed": plan.cost_proposed,
        "cost": plan.cost,
        "cost_reason": plan.cost_reason,
    }


def decisions(c: Complaint, events: list[dict[str, Any]]) -> dict[str, Any]:
    """The approval data and QA's determination of the complaint, for the archive."""
    plans = c.plans.select_related("proposed_by", "decided_by").order_by("id")
    return {
        "determination": c.determination,
        "qa_determination": c.qa_determination,
        "root_cause": c.root_cause,
        "responsible_department": (
            c.responsible_department.name if c.responsible_department else None
        ),
        "responsible_person": c.responsible_person,
        "plans": [_plan_json(plan) for plan in plans],
        "events": [e for e in events if e["type"] in DECISION_EVENTS],
    }


def timeline(c: Complaint) -> list[dict[str, Any]]:
    return [event_json(e) for e in c.events.select_related("actor").order_by("id")]


def safe_name(name: str, fallback: str) -> str:
    """A file name that is one plain path segment on every system: no folders, no `..`, no
    control or reserved characters, not hidden, not too long (its extension kept)."""
    last = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    cleaned = _UNSAFE.sub("_", last).strip().lstrip(".").strip()
    if not cleaned or set(cleaned) <= {"_", " "}:
        cleaned = fallback
    path = PurePosixPath(cleaned)
    suffix = path.suffix if len(path.suffix) <= 16 else ""
    stem = cleaned[: len(cleaned) - len(suffix)] if suffix else cleaned
    return stem[: _MAX_NAME - len(suffix)] + suffix


def distinct(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)`, `name (3)`… before the extension: the first that no earlier
    file took (compared without case, as Windows and macOS do)."""
    path = PurePosixPath(name)
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{path.stem} ({number}){path.suffix}"
    taken.add(candidate.casefold())
    return candidate


class Sink(RawIOBase):
    """A write-only, unseekable stream: zipfile writes into it, `take` hands out what came."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def zip_stamp(instant: datetime) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(instant)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


@dataclass
class CaseFile:
    """A complaint's case file, ready to be streamed."""

    number: str
    sheet: bytes
    events: list[dict[str, Any]]
    decisions: dict[str, Any]
    attachments: list[Attachment]
    made_at: datetime
    made_by: User | None
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"{self.number}-case-file.zip"

    def chunks(self) -> Iterator[bytes]:
        """The zip, piece by piece (each call writes it anew)."""
        self.entries = []
        sink = Sink()
        stamp = zip_stamp(self.made_at)
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            yield from self._put(
                archive, sink, "handling-sheet.pdf", [self.sheet], stamp, {"kind": "handling_sheet"}
            )
            text = json.dumps(self.events, ensure_ascii=False, indent=1, cls=DjangoJSONEncoder)
            yield from self._put(
                archive,
                sink,
                "timeline.json",
                [text.encode()],
                stamp,
                {"kind": "timeline", "events": len(self.events)},
            )
            text = json.dumps(self.decisions, ensure_ascii=False, indent=1, cls=DjangoJSONEncoder)
            yield from self._put(
                archive,
                sink,
                "decisions.json",
                [text.encode()],
                stamp,
                {"kind": "decisions", "plans": len(self.decisions["plans"])},
            )
            taken: set[str] = set()
            for item in self.attachments:
                name = distinct(safe_name(item.name, f"attachment-{item.pk}"), taken)
                yield from self._attachment(archive, sink, item, f"attachments/{name}")
            yield from self._put(archive, sink, "manifest.json", [self._manifest()], stamp, {})
        yield sink.take()  # the central directory

    def _put(
        self,
        archive: zipfile.ZipFile,
        sink: Sink,
        path: str,
        parts: Iterable[bytes],
        stamp: tuple[int, int, int, int, int, int],
        about: dict[str, Any],
    ) -> Iterator[bytes]:
        info = zipfile.ZipInfo(f"{self.number}/{path}", date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        digest, size = hashlib.sha256(), 0
        with archive.open(info, "w") as out:
            for part in parts:
                out.write(part)
                digest.update(part)
                size += len(part)
                if written := sink.take():
                    yield written
        if about:
            self.entries.append({"path": path, "size": size, "sha256": digest.hexdigest(), **about})
        if written := sink.take():  # the entry's data descriptor
            yield written

    def _attachment(
        self, archive: zipfile.ZipFile, sink: Sink, item: Attachment, path: str
    ) -> Iterator[bytes]:
        about: dict[str, Any] = {
            "kind": "attachment",
            "attachment_id": item.pk,
            "original_name": item.name,
            "content_type": item.content_type,
            "visibility": item.visibility,
            "uploaded_at": local_instant(item.uploaded_at),
            "uploaded_by": person_json(item.uploaded_by),
            "sha256_when_added": item.sha256,
        }
        try:
            stored = item.file.open("rb")
        except OSError:  # the bytes are gone from storage: say so rather than break the zip
            self.entries.append({"path": None, "missing": True, **about})
            return
        with stored:
            yield from self._put(
                archive,
                sink,
                path,
                iter(lambda: stored.read(CHUNK), b""),
                zip_stamp(item.uploaded_at),
                about,
            )
        entry = self.entries[-1]
        entry["intact"] = entry["sha256"] == item.sha256

    def _manifest(self) -> bytes:
        manifest = {
            "format": FORMAT,
            "complaint": self.number,
            "made_at": local_instant(self.made_at),
            "made_by": person_json(self.made_by),
            "events": len(self.events),
            "attachments": len(self.attachments),
            "files": self.entries,
        }
        return json.dumps(manifest, ensure_ascii=False, indent=1).encode()


def case_file(c: Complaint, *, by: User | None) -> CaseFile:
    """Gather the case file of a complaint the caller may see (the sheet is rendered now)."""
    events = timeline(c)
    return CaseFile(
        number=c.number,
        sheet=documents.handling_sheet(c),
        events=events,
        decisions=decisions(c, events),
        attachments=list(c.attachments.select_related("uploaded_by").order_by("id")),
        made_at=clock.now(),
        made_by=by,
    )
