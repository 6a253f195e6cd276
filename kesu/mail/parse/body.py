"""Bodies and files: the MIME tree walked once.

``multipart/alternative`` is resolved per alternative: the plain one when it has words, else
the HTML one. The readable parts that remain are joined in their order (`body_text`), HTML
converted with `html_to_text`, leaving out a part whose words another part already holds: a
``multipart/mixed`` with an HTML body and a short plain footer a gateway appended keeps both,
the same words sent as plain text and as HTML are read once. ``format=flowed`` plain text is
unwrapped, and plain text that carries HTML entities (QQ Mail's ``&nbsp;``, even
``&amp;nbsp;``) is unescaped. S/MIME signed (or compressed) messages are opened (`smime`) and
read like any other — the message's own entity only, and only when it holds a MIME entity: a
signed file (``合同.pdf.p7m``) is kept as the file inside it, named without ``.p7m``, and a
part that cannot be opened stays the file it is. An encrypted part stays a file and sets
`encrypted`; a detached signature is dropped.
Everything else that is not a body part is a `MailFile`, including inline images of
``multipart/related`` and attached messages (``message/rfc822``, named after their subject plus
``.eml``).
"""

import email
import email.policy
import quopri
import re
from email import errors
from email.message import Message
from html import unescape

from kesu.mail.parse import smime
from kesu.mail.parse.charsets import decode_text, raw_to_bytes
from kesu.mail.parse.headers import (
    LINE_BREAK_RE,
    content_type_of,
    decode_header,
    decode_word_bytes,
    disposition_of,
    first_raw_header,
    split_parameters,
)
from kesu.mail.parse.html_text import html_to_text
from kesu.mail.parse.values import MailFile

_MAX_NESTING = 40
_HTML_META_CHARSET_RE = re.compile(
    rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE
)
_FILE_NAME_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]+")
_FILE_NAME_MAX_LENGTH = 200
_EXTENSION_BY_TYPE = {
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "application/x-rar-compressed": ".rar",
    "application/vnd.rar": ".rar",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/ms-tnef": ".dat",
    "audio/mpeg": ".mp3",
    "audio/amr": ".amr",
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/pjpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/bmp": ".bmp",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "image/tiff": ".tif",
    "message/rfc822": ".eml",
    "message/delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/csv": ".csv",
    "text/calendar": ".ics",
    "text/rfc822-headers": ".txt",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/3gpp": ".3gp",
    "image/heif": ".heic",
}
# Entities in a plain text part: the client made it from HTML and forgot to unescape
# (QQ Mail's "&nbsp;", "&gt;", even "&amp;nbsp;"). Ampersands in ordinary text stay.
_PLAIN_ENTITY_RE = re.compile(
    r"&(?:amp;)?(?:nbsp|gt|lt|quot|apos|amp|#[0-9]{2,7}|#x[0-9a-f]{2,6});", re.IGNORECASE
)
_SERIALISING_POLICY = email.policy.compat32.clone(
    linesep="\r\n", max_line_length=0, mangle_from_=False
)


def _clean_file_name(name: str) -> str:
    name = _FILE_NAME_CONTROL_RE.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if name in {".", ".."}:
        return ""
    if len(name) > _FILE_NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            return stem[: _FILE_NAME_MAX_LENGTH - len(extension) - 1] + "." + extension
        return name[:_FILE_NAME_MAX_LENGTH]
    return name


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # the stdlib chokes on some transfer-encoding headers; treat as empty
        return b""
    return data if isinstance(data, bytes) else b""


def _serialise(message: Message) -> bytes:
    try:
        return message.as_bytes(policy=_SERIALISING_POLICY)
    except Exception:  # a header the generator refuses to fold: write the stored values as-is
        head = "".join(f"{name}: {value}\r\n" for name, value in message.raw_items())
        payload = message.get_payload()
        body = payload if isinstance(payload, str) else ""
        return raw_to_bytes(head + "\r\n" + body)


def _unescape_entities(text: str) -> str:
    """Plain text that carries HTML entities, unescaped (twice for "&amp;nbsp;")."""
    for _round in range(2):
        if not _PLAIN_ENTITY_RE.search(text):
            break
        text = _PLAIN_ENTITY_RE.sub(lambda match: unescape(unescape(match.group(0))), text)
    return text.replace("\xa0", " ")


_NEIGHBOURS = 3  # pieces on each side a piece is compared with (a text and its other form)


def body_text(pieces: list[tuple[str, str]]) -> str:
    """The readable parts in their order, HTML converted, each text once.

    A ``multipart/mixed`` may hold an HTML body and a short plain footer that a gateway
    appended, or the same words as plain text and as HTML: the parts are joined in order
    (plain parts by a line break, anything next to HTML by a blank line), leaving out one
    whose words another part already holds — the later of two equal ones (found by their
    hash, anywhere), and a plain part inside an HTML one near it or the other way round.
    Each piece is compared with a few neighbours only, so that the work grows with the
    number of parts, not with its square (a message may carry thousands).
    """
    texts = [text if kind == "plain" else html_to_text(text) for kind, text in pieces]
    squeezed = ["".join(text.split()) for text in texts]
    kept = [bool(words) for words in squeezed]
    if len(texts) > 1:
        seen: set[str] = set()
        for index, words in enumerate(squeezed):
            if not words:
                continue
            if words in seen:  # equal to an earlier part: the earlier one stays
                kept[index] = False
            seen.add(words)
        for index, (kind, _text) in enumerate(pieces):
            if not kept[index]:
                continue
            low, high = max(0, index - _NEIGHBOURS), min(len(pieces), index + _NEIGHBOURS + 1)
            if any(
                other != index
                and kept[other]
                and pieces[other][0] != kind
                and holds(squeezed[other], squeezed[index])
                for other in range(low, high)
            ):
                kept[index] = False
    joined: list[str] = []
    previous = ""
    for index, (kind, _text) in enumerate(pieces):
        if not kept[index]:
            continue
        if joined:
            joined.append("\n" if kind == previous == "plain" else "\n\n")
        joined.append(texts[index].strip("\n") if len(texts) > 1 else texts[index])
        previous = kind
    return "".join(joined)


def holds(container: str, words: str) -> bool:
    """Whether `container` holds `words` (both without white space)."""
    return words in container


def _unflow(text: str, delete_space: bool) -> str:
    """Undo RFC 3676 ``format=flowed`` soft line breaks (per quote depth)."""
    out: list[str] = []
    pending: tuple[int, str] | None = None

    def render(depth: int, content: str) -> str:
        return (">" * depth + " " + content) if depth else content

    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:].removeprefix(" ")
        if pending is not None:
            if pending[0] == depth:
                content = pending[1] + content
            else:
                out.append(render(*pending))
            pending = None
        if content.endswith(" ") and content != "-- ":
            pending = (depth, content[:-1] if delete_space else content)
        else:
            out.append(render(depth, content))
    if pending is not None:
        out.append(render(*pending))
    return "\n".join(out)


class BodyCollector:
    """Walks the MIME tree once, returning body pieces and collecting files on the way."""

    def __init__(self, hint: str | None, inflate_limit: int = smime.DEFAULT_INFLATE_LIMIT) -> None:
        self.hint = hint
        self.files: list[MailFile] = []
        self.encrypted = False  # an S/MIME part that cannot be opened without a key
        self.inflate_budget = inflate_limit  # what compressed parts may still inflate to

    def collect(self, part: Message, depth: int = 0, *, root: bool = True) -> list[tuple[str, str]]:
        """The body pieces of `part`, its files added on the way. `root`: `part` is a
        message's own entity (the top, or the message inside a signature), not one of its
        parts."""
        if depth > _MAX_NESTING:
            return []
        content_type, parameters = content_type_of(part, self.hint)
        disposition, disposition_parameters = disposition_of(part, self.hint)
        if content_type.startswith("message/") and part.is_multipart():
            self._add_message(part, content_type, disposition_parameters, parameters)
            return []
        if part.is_multipart():
            children = [c for c in part.get_payload() if isinstance(c, Message)]
            if content_type == "multipart/alternative":
                return self._choose_alternative(
                    [self.collect(c, depth + 1, root=False) for c in children]
                )
            pieces: list[tuple[str, str]] = []
            for child in children:
                pieces.extend(self.collect(child, depth + 1, root=False))
            return pieces
        file_name = disposition_parameters.get("filename") or parameters.get("name") or ""
        is_body = disposition != "attachment" and not file_name.strip()
        if is_body and content_type in {"text/plain", "text/html"}:
            return [self._read_text(part, content_type, parameters)]
        if is_body and content_type.startswith("multipart/"):  # no boundary: read it as text
            return [self._read_text(part, "text/plain", parameters)]
        if content_type in smime.SIGNATURE_TYPES:  # a detached signature is not the customer's
            return []
        data = _payload_bytes(part)
        if smime.is_pkcs7_mime(content_type, file_name):
            return self._open_pkcs7(
                data, file_name, content_type, depth, body=root or disposition != "attachment"
            )
        self._add_file(file_name, content_type, data)
        return []

    def _open_pkcs7(
        self, data: bytes, file_name: str, content_type: str, depth: int, *, body: bool
    ) -> list[tuple[str, str]]:
        """A signed, compressed or encrypted part. The message's own entity (`body`) that
        holds a MIME entity is read as the message; a signed file (合同.pdf.p7m) is that file,
        judged later by its bytes; what cannot be opened stays the file it is."""
        opened = smime.open_cms(data, self.inflate_budget)
        if opened.content is not None:
            if len(opened.content) > len(data):  # inflated: counts against the budget
                self.inflate_budget -= len(opened.content)
            if body and smime.is_mime_entity(opened.content):
                return self.collect(message_from_bytes(opened.content), depth + 1, root=True)
            self._add_file(
                smime.inner_file_name(file_name), "application/octet-stream", opened.content
            )
            return []
        if opened.sealed:
            self.encrypted = True
        self._add_file(file_name, content_type, data, encrypted=opened.sealed)
        return []

    @staticmethod
    def _choose_alternative(choices: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
        for kind in ("plain", "html"):
            for pieces in choices:
                if any(k == kind and text.strip() for k, text in pieces):
                    return pieces
        return next((pieces for pieces in choices if pieces), [])

    def _read_text(
        self, part: Message, content_type: str, parameters: dict[str, str]
    ) -> tuple[str, str]:
        data = _payload_bytes(part)
        charset = parameters.get("charset")
        if content_type == "text/html":
            if not charset:
                meta = _HTML_META_CHARSET_RE.search(data[:4096])
                charset = meta.group(1).decode("ascii") if meta else None
            return ("html", decode_text(data, charset))
        text = LINE_BREAK_RE.sub("\n", decode_text(data, charset))
        if parameters.get("format", "").lower() == "flowed":
            text = _unflow(text, parameters.get("delsp", "").lower() == "yes")
        return ("plain", _unescape_entities(text))

    def _add_file(
        self, name: str, content_type: str, data: bytes, *, encrypted: bool = False
    ) -> None:
        name = _clean_file_name(name)
        if not name:
            extension = _EXTENSION_BY_TYPE.get(content_type, ".bin")
            name = f"attachment-{len(self.files) + 1}{extension}"
        self.files.append(
            MailFile(name=name, content_type=content_type, data=data, encrypted=encrypted)
        )

    def _add_message(
        self,
        part: Message,
        content_type: str,
        disposition_parameters: dict[str, str],
        parameters: dict[str, str],
    ) -> None:
        inner = [m for m in part.get_payload() if isinstance(m, Message)]
        data = b"".join(_serialise(message) for message in inner)
        if content_type != "message/rfc822":  # delivery-status and the like: header blocks
            self._add_file("", content_type, data)
            return
        attached = inner[0] if inner else None
        encoding = (first_raw_header(part, "content-transfer-encoding") or "").strip().lower()
        if encoding in {"base64", "quoted-printable"}:  # forbidden by RFC 2046, sent anyway
            if encoding == "base64":
                data = decode_word_bytes("b", data.decode("ascii", errors="ignore")) or data
            else:
                data = quopri.decodestring(data)
            attached = message_from_bytes(data)
        raw_subject = first_raw_header(attached, "subject") if attached is not None else None
        subject = decode_header(raw_subject, self.hint) if raw_subject else ""
        given = disposition_parameters.get("filename") or parameters.get("name") or ""
        self._add_file(subject + ".eml" if subject else given, content_type, data)


def first_text_charset(message: Message) -> str | None:
    """The charset of the first text part: the best guess for raw 8-bit header bytes."""
    for part in message.walk():
        if part.is_multipart():
            continue
        raw = first_raw_header(part, "content-type")
        if raw is None:
            continue
        content_type, parameters = split_parameters(raw, None)
        if content_type.startswith("text/") and parameters.get("charset"):
            return parameters["charset"]
    return None


def is_readable(text: str) -> bool:
    sample = text[:4096]
    if not sample.strip():
        return False
    junk = sum(
        1
        for char in sample
        if char == "\ufffd" or (char < " " and char not in "\t\n\r\f") or "\x7f" <= char <= "\x9f"
    )
    return junk * 10 <= len(sample)


_BOUNDARY_DEFECTS = (errors.StartBoundaryNotFoundDefect, errors.NoBoundaryInMultipartDefect)


def message_from_bytes(raw: bytes) -> Message:
    """The MIME tree of `raw`; its header values are read raw, never through the policy.

    The legacy ``compat32`` policy finds the structure ten times faster than ``policy.default``
    (which builds a header object each time the parser asks for a part's content type). Only
    when it cannot find a boundary (``boundary="x" (comment)``, bytes after the quote) does
    ``policy.default``, which is more forgiving there, get a second try.
    """
    legacy = email.message_from_bytes(raw, policy=email.policy.compat32)
    if not any(
        isinstance(defect, _BOUNDARY_DEFECTS) for part in legacy.walk() for defect in part.defects
    ):
        return legacy
    try:
        modern = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception:  # the modern header classes choke on something: keep what we have
        return legacy
    return modern if modern.is_multipart() else legacy
