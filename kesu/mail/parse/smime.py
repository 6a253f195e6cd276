"""S/MIME that hides the message inside a CMS structure (RFC 8551 "opaque" signing).

``application/pkcs7-mime; smime-type=signed-data`` (``smime.p7m``) carries the whole message
inside the signature: a client without S/MIME support sees one attachment. Reading it needs no
key, only the CMS structure (asn1crypto reads BER, including the indefinite lengths and
chunked octet strings that Outlook and OpenSSL's streaming mode write). The signature is not
checked: the mail's sender is judged like any other mail's. Compressed data (RFC 3274) opens
the same way, inflated only up to a limit: a few hundred kilobytes of zlib can hold gigabytes.

What is inside is not always a message: a signed *file* (``合同.pdf.p7m``, a signed DOCX sent
as ``application/octet-stream``) holds that file's bytes. `is_mime_entity` tells the two
apart; the caller unwraps only a message and keeps a file as a file.

Enveloped (encrypted) data cannot be read without the recipient's key: `Opened.sealed` says
so, and the caller keeps it as a file. Bytes that are not CMS at all, or a certs-only
structure with no content, are neither: they are kept as the file they are.
"""

import re
import zlib
from dataclasses import dataclass

from asn1crypto import cms

PKCS7_MIME_TYPES = frozenset({"application/pkcs7-mime", "application/x-pkcs7-mime"})
SIGNATURE_TYPES = frozenset(
    {
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
        "application/pgp-signature",
    }
)
DEFAULT_INFLATE_LIMIT = 30 * 1024 * 1024  # what compressed data may inflate to, in all
_SEALED_KINDS = frozenset(
    {
        "enveloped_data",
        "signed_and_enveloped_data",
        "encrypted_data",
        "authenticated_enveloped_data",
    }
)
_CMS_EXTENSION_RE = re.compile(r"\.p7[mz]$", re.IGNORECASE)
_HEADER_FIELD_RE = re.compile(rb"^[!-9;-~]+[ \t]*:")
_HEADER_BLOCK_REACH = 64 * 1024  # a MIME entity's header section ends well before this


@dataclass(frozen=True)
class Opened:
    """What a CMS structure holds: its content when it could be read (`content`), whether it
    is sealed (encrypted to someone's key), and whether compressed data would have inflated
    past the limit (`overflow`: left unopened)."""

    content: bytes | None = None
    sealed: bool = False
    overflow: bool = False


def is_pkcs7_mime(content_type: str, file_name: str) -> bool:
    return content_type in PKCS7_MIME_TYPES or (
        content_type == "application/octet-stream"
        and _CMS_EXTENSION_RE.search(file_name) is not None
    )


def open_cms(data: bytes, inflate_limit: int = DEFAULT_INFLATE_LIMIT) -> Opened:
    """The content of signed or compressed CMS `data` (compressed data inflated to at most
    `inflate_limit` bytes). Never raises."""
    try:
        info = cms.ContentInfo.load(data)
        kind = info["content_type"].native
        if kind in _SEALED_KINDS:
            return Opened(sealed=True)
        if kind == "signed_data":
            encapsulated = info["content"]["encap_content_info"]
            inner = encapsulated["content"].native if encapsulated["content"] else None
        elif kind == "compressed_data":
            compressed = info["content"]["encap_content_info"]["content"].native
            inflater = zlib.decompressobj()
            inner = inflater.decompress(compressed, inflate_limit + 1)
            if len(inner) > inflate_limit:
                return Opened(overflow=True)
        else:
            return Opened()
    except Exception:  # asn1crypto and zlib raise ValueError, TypeError and others on bad input
        return Opened()
    return Opened(content=inner if isinstance(inner, bytes) and inner.strip() else None)


def is_mime_entity(data: bytes) -> bool:
    """Whether `data` starts with a MIME header block that names its content type: a message
    to read, rather than the bytes of a signed file (a PDF, a DOCX, a text)."""
    head, _blank, _rest = data[:_HEADER_BLOCK_REACH].replace(b"\r\n", b"\n").partition(b"\n\n")
    lines = head.split(b"\n")
    if not lines or not _HEADER_FIELD_RE.match(lines[0]):
        return False
    names = set()
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            continue  # a folded line of the field above
        if not _HEADER_FIELD_RE.match(line):
            return False
        names.add(line.split(b":", 1)[0].strip().lower())
    return b"content-type" in names or b"mime-version" in names


def inner_file_name(name: str) -> str:
    """The name of the file a signed ``合同.pdf.p7m`` holds: ``合同.pdf``."""
    return _CMS_EXTENSION_RE.sub("", name)
