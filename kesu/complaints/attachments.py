"""Evidence files: what is accepted, judged by their bytes (adding one: `actions.attach_files`).

A file is judged by its first bytes, not by its name: the accepted kinds are an allow-list
of magic numbers (photos, PDF, Office, sound, video, text). A file whose bytes are a
distinct accepted kind under a wrong extension (QQ saves screenshots as PNG named .jpg) is
taken and renamed; so is an Office file of the other generation of its family (an .xls that
is a zip is an .xlsx, a .docx that is an OLE file a .doc). ISO media files (``ftyp``: MP4,
QuickTime, HEIC/HEIF, M4A, 3GP) are told apart by their major brand, and only the accepted
brands are taken (an AVIF, a brand no phone writes, is refused). One whose bytes match
nothing accepted is refused whatever its name.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from kesu.complaints.choices import FINAL_STATES, EventType, Visibility
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Complaint, ComplaintEvent

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEAD_BYTES = 16  # what the checks read of a file

# ISO media (``ftyp``) major brands, by the kind of file they make: what phones, cameras and
# messengers write. A brand not listed here is no accepted kind.
_FTYP_BRANDS: dict[bytes, str] = {
    **dict.fromkeys(
        (b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1"),
        "mp4",
    ),
    **dict.fromkeys((b"dash", b"M4V ", b"M4VP", b"mmp4", b"MSNV", b"XAVC", b"f4v "), "mp4"),
    b"qt  ": "mov",
    **dict.fromkeys(
        (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"heif"),
        "heic",
    ),
    **dict.fromkeys((b"M4A ", b"M4B ", b"M4P "), "m4a"),
    **dict.fromkeys((b"avif", b"avis"), "avif"),  # known, and not accepted
}
_3GP_BRAND_PREFIXES = (b"3gp", b"3g2", b"3ge", b"3gg", b"3gs")


def _ftyp_kind(head: bytes) -> str:
    """What an ISO media file is by its major brand ("" for none, or not ISO media)."""
    if head[4:8] != b"ftyp":
        return ""
    brand = head[8:12]
    if brand.startswith(_3GP_BRAND_PREFIXES):
        return "3gp"
    return _FTYP_BRANDS.get(brand, "")


@dataclass(frozen=True)
class FileType:
    """An accepted kind of file. `distinct`: its first bytes say what it is (a magic number),
    so a file of this kind under another name is taken with its extension corrected."""

    extensions: tuple[str, ...]  # the first is what a corrected name gets
    content_type: str
    test: Callable[[bytes], bool]
    distinct: bool = True
    family: str = ""  # kinds of one family (Word, Excel) take each other's place, renamed


TYPES: tuple[FileType, ...] = (
    FileType((".jpg", ".jpeg"), "image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    FileType((".png",), "image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    FileType((".gif",), "image/gif", lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    FileType((".webp",), "image/webp", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    FileType((".heic", ".heif"), "image/heic", lambda h: _ftyp_kind(h) == "heic"),
    FileType((".pdf",), "application/pdf", lambda h: h.startswith(b"%PDF-")),
    FileType(
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda h: h.startswith(_ZIP),
        distinct=False,  # any zip: only the name tells a document from an archive
        family="word",
    ),
    FileType(
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda h: h.startswith(_ZIP),
        distinct=False,
        family="excel",
    ),
    FileType(
        (".doc",),
        "application/msword",
        lambda h: h.startswith(_OLE),
        distinct=False,
        family="word",
    ),
    FileType(
        (".xls",),
        "application/vnd.ms-excel",
        lambda h: h.startswith(_OLE),
        distinct=False,
        family="excel",
    ),
    FileType(
        (".mp3",),
        "audio/mpeg",
        lambda h: h.startswith(b"ID3") or h[:2] in (b"\xff\xfb", b"\xff\xf3"),
    ),
    FileType((".m4a",), "audio/mp4", lambda h: _ftyp_kind(h) == "m4a"),
    FileType((".wav",), "audio/wav", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WAVE"),
    FileType((".amr",), "audio/amr", lambda h: h.startswith(b"#!AMR")),
    FileType((".mp4", ".m4v"), "video/mp4", lambda h: _ftyp_kind(h) == "mp4"),
    FileType((".mov",), "video/quicktime", lambda h: _ftyp_kind(h) == "mov"),
    FileType((".3gp", ".3g2"), "video/3gpp", lambda h: _ftyp_kind(h) == "3gp"),
    FileType((".txt",), "text/plain", lambda h: b"\x00" not in h, distinct=False),
)
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
    actual = next((kind for kind in TYPES if kind.distinct and kind.test(head)), None)
    if actual is None and named is not None and named.family:  # .xls that is a zip: .xlsx
        actual = next(
            (k for k in TYPES if k.family == named.family and k is not named and k.test(head)),
            None,
        )
    if actual is None:
        raise ComplaintError(
            ErrorCode.FILE_TYPE,
            _(
                "Files of this type are not accepted (%(name)s). Accepted: photos (JPEG, PNG, "
                "GIF, WebP, HEIC), PDF, Word, Excel, audio (MP3, M4A, WAV, AMR), video (MP4, "
                "MOV, 3GP) and text."
            )
            % {"name": name},
        )
    has_extension = 1 < len(suffix) <= 6 and suffix[1:].isalnum()
    stem = path.stem if has_extension else path.name
    return AcceptedFile(f"{stem or 'file'}{actual.extensions[0]}", actual.content_type)


def check_file(name: str, size: int, head: bytes) -> str:
    """The content type of an acceptable file, or a coded refusal (413/415)."""
    return judge_file(name, size, head).content_type


def may_attach(c: Complaint) -> bool:
    """Whether the complaint takes new files: an archived record takes none."""
    return c.state not in FINAL_STATES


@dataclass(frozen=True)
class JudgedFile:
    """An upload taken (`judge_upload`): what it is, its size and its digest."""

    upload: UploadedFile
    accepted: AcceptedFile
    size: int
    sha256: str


def judge_upload(upload: UploadedFile) -> JudgedFile:
    """Refuse a file before anything is written (413 / 415), and read its digest."""
    size = upload.size or 0
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    accepted = judge_file(PurePath(upload.name or "file").name, size, head)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return JudgedFile(upload, accepted, size, digest.hexdigest())


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


def shortened(name: str, limit: int = 200) -> str:
    """`name` within `limit` characters, its extension kept."""
    if len(name) <= limit:
        return name
    path = PurePath(name)
    return path.stem[: limit - len(path.suffix)] + path.suffix
