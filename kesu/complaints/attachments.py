"""Evidence files: what is accepted, and adding one to a complaint (one event).

A file is judged by its first bytes, not by its name: the accepted kinds are an allow-list
of magic numbers (photos, PDF, Office, sound, video, text). A file whose bytes are a
distinct accepted kind under a wrong extension (QQ saves screenshots as PNG named .jpg) is
taken and renamed; one whose bytes match nothing accepted is refused whatever its name.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import User
from kesu.complaints.actions import _lock
from kesu.complaints.authority import can_see
from kesu.complaints.choices import FINAL_STATES, EventType, Visibility
from kesu.complaints.customer import acting_user, actor_data
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Attachment, Complaint, ComplaintEvent
from kesu.core import clock

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
HEAD_BYTES = 16  # what the checks read of a file


def _ftyp(head: bytes) -> bool:
    return head[4:8] == b"ftyp"


def _brand(head: bytes) -> bytes:
    return head[8:12] if _ftyp(head) else b""


@dataclass(frozen=True)
class FileType:
    """An accepted kind of file. `distinct`: its first bytes say what it is (a magic number),
    so a file of this kind under another name is taken with its extension corrected."""

    extensions: tuple[str, ...]  # the first is what a corrected name gets
    content_type: str
    test: Callable[[bytes], bool]
    distinct: bool = True


TYPES: tuple[FileType, ...] = (
    FileType((".jpg", ".jpeg"), "image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    FileType((".png",), "image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    FileType((".gif",), "image/gif", lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    FileType((".webp",), "image/webp", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    FileType((".heic",), "image/heic", lambda h: _brand(h) in _HEIC_BRANDS),
    FileType((".pdf",), "application/pdf", lambda h: h.startswith(b"%PDF-")),
    FileType(
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda h: h.startswith(_ZIP),
        distinct=False,  # any zip: only the name tells a document from an archive
    ),
    FileType(
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda h: h.startswith(_ZIP),
        distinct=False,
    ),
    FileType((".doc",), "application/msword", lambda h: h.startswith(_OLE), distinct=False),
    FileType((".xls",), "application/vnd.ms-excel", lambda h: h.startswith(_OLE), distinct=False),
    FileType(
        (".mp3",),
        "audio/mpeg",
        lambda h: h.startswith(b"ID3") or h[:2] in (b"\xff\xfb", b"\xff\xf3"),
    ),
    FileType((".m4a",), "audio/mp4", lambda h: _brand(h) == b"M4A "),
    FileType((".wav",), "audio/wav", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WAVE"),
    FileType((".amr",), "audio/amr", lambda h: h.startswith(b"#!AMR")),
    FileType((".mp4",), "video/mp4", _ftyp),  # after the photo and sound kinds of ftyp
    FileType((".txt",), "text/plain", lambda h: b"\x00" not in h, distinct=False),
)
# A name that is one of these kinds is trusted with any ftyp container (phones label freely).
_FTYP_EXTENSIONS = frozenset({".heic", ".m4a", ".mp4"})
_BY_EXTENSION = {extension: kind for kind in TYPES for extension in kind.extensions}


@dataclass(frozen=True)
class AcceptedFile:
    name: str  # the name, its extension corrected to the content when they disagreed
    content_type: str


def judge_file(name: str, size: int, head: bytes) -> AcceptedFile:
    """Take a file by what it is, not by what it is called: a PNG named .jpg (a QQ
    screenshot) is a PNG, renamed; a file whose bytes match no accepted kind is refused
    (413 too large / 415 type)."""
    limit = settings.KESU_ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ComplaintError(
            ErrorCode.FILE_TOO_LARGE,
            _("The file is %(size)s MB; at most %(limit)s MB is accepted.")
            % {"size": round(size / 1048576, 1), "limit": round(limit / 1048576, 1)},
        )
    path = PurePath(name)
    suffix = path.suffix.lower()
    named = _BY_EXTENSION.get(suffix)
    if named is not None and named.test(head):
        return AcceptedFile(name, named.content_type)
    if suffix in _FTYP_EXTENSIONS and _ftyp(head):
        return AcceptedFile(name, named.content_type)  # type: ignore[union-attr]
    actual = next((kind for kind in TYPES if kind.distinct and kind.test(head)), None)
    if actual is None:
        raise ComplaintError(
            ErrorCode.FILE_TYPE,
            _(
                "Files of this type are not accepted (%(name)s). Accepted: photos (JPEG, PNG, "
                "GIF, WebP, HEIC), PDF, Word, Excel, audio (MP3, M4A, WAV, AMR), MP4 and text."
            )
            % {"name": name},
        )
    has_extension = 1 < len(suffix) <= 6 and suffix[1:].isalnum()
    stem = path.stem if has_extension else path.name
    return AcceptedFile(f"{stem or 'file'}{actual.extensions[0]}", actual.content_type)


def check_file(name: str, size: int, head: bytes) -> str:
    """The content type of an acceptable file, or a coded refusal (413/415)."""
    return judge_file(name, size, head).content_type


def add_attachment(
    complaint: Complaint | str,
    upload: UploadedFile,
    *,
    actor: User,
    visibility: Visibility = Visibility.INTERNAL,
) -> Attachment:
    """Store one file on the complaint and record it in the timeline."""
    size = upload.size or 0
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    accepted = judge_file(PurePath(upload.name or "file").name, size, head)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        c = _lock(complaint)
        if not can_see(actor, c):
            raise ComplaintError(
                ErrorCode.NOT_FOUND,
                _("Complaint %(number)s does not exist.") % {"number": c.number},
            )
        if c.state in FINAL_STATES:
            raise ComplaintError(
                ErrorCode.WRONG_STATE,
                _("The complaint is %(state)s; its record is archived and takes no new files.")
                % {"state": c.get_state_display()},
            )
        now = clock.now()
        attachment = Attachment(
            complaint=c,
            name=_shortened(accepted.name),
            content_type=accepted.content_type,
            size=size,
            sha256=digest.hexdigest(),
            visibility=visibility,
            uploaded_by=acting_user(actor),
            uploaded_at=now,
        )
        attachment.file.save(attachment.sha256, upload, save=False)
        attachment.save()
        ComplaintEvent.objects.create(
            complaint=c,
            type=EventType.ATTACH,
            actor=acting_user(actor),
            at=now,
            from_state=c.state,
            to_state=c.state,
            visibility=visibility,
            data={
                "attachment": attachment.pk,
                "name": attachment.name,
                "size": size,
                **actor_data(actor),
            },
        )
    return attachment


@dataclass(frozen=True)
class RefusedFile:
    """A file that came with a customer's submission (an e-mail) and was not accepted."""

    name: str
    reason: str
    at: datetime


def refused_files(
    events: Iterable[ComplaintEvent], *, for_customer: bool = False
) -> list[RefusedFile]:
    """The files `events` refused (their data's `refused_files`), oldest first. For the
    customer, only those of their own submissions: the registration and what they sent in
    that is shown to them (a stranger's mail on their complaint is not)."""
    found = []
    for event in events:
        refused = (event.data or {}).get("refused_files")
        if not refused:
            continue
        if for_customer and not (
            event.type == EventType.REGISTER
            or (event.visibility == Visibility.CUSTOMER and event.data.get("by") == "customer")
        ):
            continue
        found += [RefusedFile(f.get("name", ""), f.get("reason", ""), event.at) for f in refused]
    return found


def _shortened(name: str, limit: int = 200) -> str:
    """`name` within `limit` characters, its extension kept."""
    if len(name) <= limit:
        return name
    path = PurePath(name)
    return path.stem[: limit - len(path.suffix)] + path.suffix
