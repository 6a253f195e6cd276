"""S/MIME that hides the message inside a CMS structure (RFC 8551 "opaque" signing).

``application/pkcs7-mime; smime-type=signed-data`` (``smime.p7m``) carries the whole message
inside the signature: a client without S/MIME support sees one attachment. Reading it needs no
key, only the CMS structure (asn1crypto reads BER, including the indefinite lengths and
chunked octet strings that Outlook and OpenSSL's streaming mode write). The signature is not
checked: the mail's sender is judged like any other mail's. Compressed data (RFC 3274) opens
the same way. Enveloped (encrypted) data cannot be read without the recipient's key; the
caller keeps it as a file and says so.
"""

from asn1crypto import cms

PKCS7_MIME_TYPES = frozenset({"application/pkcs7-mime", "application/x-pkcs7-mime"})
SIGNATURE_TYPES = frozenset(
    {
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
        "application/pgp-signature",
    }
)


def is_pkcs7_mime(content_type: str, file_name: str) -> bool:
    return content_type in PKCS7_MIME_TYPES or (
        content_type == "application/octet-stream" and file_name.lower().endswith(".p7m")
    )


def opened(data: bytes) -> bytes | None:
    """The MIME entity inside signed or compressed CMS `data`; None when it cannot be opened
    without a key (enveloped data) or is not CMS at all."""
    try:
        info = cms.ContentInfo.load(data)
        kind = info["content_type"].native
        if kind == "signed_data":
            encapsulated = info["content"]["encap_content_info"]
            inner = encapsulated["content"].native if encapsulated["content"] else None
        elif kind == "compressed_data":
            inner = info["content"].decompressed
        else:
            return None
    except Exception:  # asn1crypto raises ValueError, TypeError and others on bad input
        return None
    return inner if isinstance(inner, bytes) and inner.strip() else None
