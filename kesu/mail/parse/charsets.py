"""Charsets of Chinese mail (`decode_text`).

``gb2312``/``gbk`` and their aliases decode as ``gb18030`` (a superset); ``big5`` falls back
to ``big5hkscs`` and ``cp950``; a label that fails, or no label, falls back to UTF-8, then
GB18030, and finally to the label (or Latin-1) with replacement characters. Decoding never
raises. Raw 8-bit header bytes are tried as UTF-8 first (RFC 6532), then with the charset of
the message's first text part, because old clients write headers in the body's charset.
"""

_GB_LABELS = frozenset(
    {
        "gb2312",
        "gb-2312",
        "gb2312-80",
        "gb-2312-80",
        "csgb2312",
        "euc-cn",
        "x-euc-cn",
        "gbk",
        "x-gbk",
        "cp936",
        "ms936",
        "windows-936",
        "chinese",
        "iso-ir-58",
        "gb18030",
        "x-gb18030",
        "gb18030-2000",
    }
)
_BIG5_LABELS = frozenset(
    {
        "big5",
        "big-5",
        "cn-big5",
        "x-x-big5",
        "x-big5",
        "csbig5",
        "big5-hkscs",
        "big5hkscs",
        "cp950",
        "ms950",
        "windows-950",
    }
)
_GB_ATTEMPTS = ("gb18030", "utf-8")
_BIG5_ATTEMPTS = ("big5", "big5hkscs", "cp950", "utf-8")
_UNLABELLED_ATTEMPTS = ("utf-8", "gb18030")
_known_codecs: dict[str, bool] = {}


def charset_label(charset: str | None) -> str:
    if not charset:
        return ""
    label = charset.strip().strip("\"'").strip().lower().replace("_", "-")
    return label if label.isascii() and label.isprintable() else ""


def _is_text_codec(label: str) -> bool:
    known = _known_codecs.get(label)
    if known is None:
        try:  # one byte: Python skips the codec lookup for empty input
            b"x".decode(label)
        except UnicodeDecodeError:  # a real codec that wants more than one byte (UTF-16)
            known = True
        except (LookupError, ValueError):  # unknown, or not a text encoding ("base64")
            known = False
        else:
            known = True
        if len(_known_codecs) < 1000:  # labels come from strangers' mail: keep the memo small
            _known_codecs[label] = known
    return known


def decode_text(data: bytes, charset: str | None) -> str:
    """Decode `data` labelled `charset` (or unlabelled) the way Chinese mail needs; never raise.

    A leading byte-order mark is dropped.
    """
    label = charset_label(charset)
    attempts: tuple[str, ...]
    if label in _GB_LABELS:
        attempts, last_resort = _GB_ATTEMPTS, "gb18030"
    elif label in _BIG5_LABELS:
        attempts, last_resort = _BIG5_ATTEMPTS, "big5hkscs"
    elif label and _is_text_codec(label):
        attempts, last_resort = (label, *_UNLABELLED_ATTEMPTS), label
    else:
        attempts, last_resort = _UNLABELLED_ATTEMPTS, "latin-1"
    for codec in attempts:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        break
    else:
        text = data.decode(last_resort, errors="replace")
    return text.removeprefix("\ufeff")


def raw_to_bytes(text: str) -> bytes:
    """Give back the bytes of a header or payload string that the parser surrogate-escaped."""
    return text.encode("utf-8", errors="surrogateescape")


def decode_raw(text: str, hint: str | None) -> str:
    """Decode unencoded header text that may hold raw 8-bit bytes (UTF-8 or the body's charset)."""
    if text.isascii():
        return text
    data = raw_to_bytes(text)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return decode_text(data, hint)
