"""Evidence files: what is accepted, and adding one to a complaint (one event)."""

import hashlib
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

# extension -> (content type, test on the first bytes)
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ftyp(head: bytes) -> bool:
    return head[4:8] == b"ftyp"


ACCEPTED: dict[str, tuple[str, object]] = {
    ".jpg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".png": ("image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    ".gif": ("image/gif", lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    ".heic": ("image/heic", _ftyp),
    ".pdf": ("application/pdf", lambda h: h.startswith(b"%PDF-")),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda h: h.startswith(_ZIP),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda h: h.startswith(_ZIP),
    ),
    ".doc": ("application/msword", lambda h: h.startswith(_OLE)),
    ".xls": ("application/vnd.ms-excel", lambda h: h.startswith(_OLE)),
    ".mp3": ("audio/mpeg", lambda h: h.startswith(b"ID3") or h[:2] in (b"\xff\xfb", b"\xff\xf3")),
    ".m4a": ("audio/mp4", _ftyp),
    ".wav": ("audio/wav", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WAVE"),
    ".amr": ("audio/amr", lambda h: h.startswith(b"#!AMR")),
    ".mp4": ("video/mp4", _ftyp),
    ".txt": ("text/plain", lambda h: b"\x00" not in h),
}


def check_file(name: str, size: int, head: bytes) -> str:
    """The content type of an acceptable file, or a coded refusal (413/415)."""
    limit = settings.KESU_ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ComplaintError(
            ErrorCode.FILE_TOO_LARGE,
            _("The file is %(size)s MB; at most %(limit)s MB is accepted.")
            % {"size": round(size / 1048576, 1), "limit": round(limit / 1048576, 1)},
        )
    suffix = PurePath(name).suffix.lower()
    accepted = ACCEPTED.get(suffix)
    if accepted is None or not accepted[1](head):  # type: ignore[operator]
        raise ComplaintError(
            ErrorCode.FILE_TYPE,
            _(
                "Files of this type are not accepted (%(name)s). Accepted: photos (JPEG, PNG, "
                "GIF, WebP, HEIC), PDF, Word, Excel, audio (MP3, M4A, WAV, AMR), MP4 and text."
            )
            % {"name": name},
        )
    return accepted[0]


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
    head = upload.read(16)
    content_type = check_file(upload.name or "file", size, head)
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
            name=PurePath(upload.name or "file").name[:200],
            content_type=content_type,
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
