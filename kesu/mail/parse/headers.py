"""Header values: RFC 2047 encoded words, raw 8-bit bytes, parameters (RFC 2231), addresses,
ids and dates.
"""

import binascii
import re
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from kesu.mail.parse.charsets import charset_label, decode_raw, decode_text, raw_to_bytes

_ENCODED_WORD_RE = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?]*)\?=")
_Q_ESCAPE_RE = re.compile(rb"=([0-9A-Fa-f]{2})")
_PERCENT_ESCAPE_RE = re.compile(rb"%([0-9A-Fa-f]{2})")
LINE_BREAK_RE = re.compile(r"\r?\n|\r")
_HEADER_SPACE_RE = re.compile(r"[ \t\r\n\x00-\x1f\x7f]+")
_WHITESPACE = " \t\r\n"


def unfold(value: str) -> str:
    return LINE_BREAK_RE.sub("", value)


def _hex_byte(match: re.Match[bytes]) -> bytes:
    return bytes((int(match.group(1), 16),))


def decode_word_bytes(encoding: str, encoded: str) -> bytes | None:
    if encoding in "qQ":
        return _Q_ESCAPE_RE.sub(_hex_byte, raw_to_bytes(encoded.replace("_", " ")))
    letters = "".join(encoded.split()).rstrip("=")
    if len(letters) % 4 == 1:  # one stray character cannot carry a byte
        letters = letters[:-1]
    letters += "=" * (-len(letters) % 4)
    try:
        return binascii.a2b_base64(letters.encode("ascii", errors="ignore"))
    except binascii.Error:
        return None


def decode_header(value: str, hint: str | None = None) -> str:
    """Decode a raw header value: encoded words in any charset and raw 8-bit text.

    Adjacent encoded words in the same charset are joined *before* decoding, because clients
    split multi-byte characters across words. Control characters and line breaks become spaces.
    """
    value = unfold(value)
    pieces: list[str] = []
    run_charset: str | None = None
    run = bytearray()
    position = 0

    def flush() -> None:
        nonlocal run_charset
        if run_charset is not None:
            pieces.append(decode_text(bytes(run), run_charset))
            run.clear()
            run_charset = None

    for match in _ENCODED_WORD_RE.finditer(value):
        between = value[position : match.start()]
        word = decode_word_bytes(match.group(2), match.group(3))
        if word is None:  # not really an encoded word: keep it as text
            continue
        if not (run_charset is not None and (not between or between.isspace())):
            flush()
            pieces.append(decode_raw(between, hint))
        charset = charset_label(match.group(1))
        if charset != run_charset:
            flush()
            run_charset = charset
        run += word
        position = match.end()
    flush()
    pieces.append(decode_raw(value[position:], hint))
    return _HEADER_SPACE_RE.sub(" ", "".join(pieces)).strip()


_PARAMETER_RE = re.compile(r';\s*([^\s=;"]+)\s*=\s*("[^"]*"?|[^;]*)')
_RFC2231_NAME_RE = re.compile(r"^([^*]+)\*(?:(\d+)(\*)?)?$")
_CONTENT_TYPE_RE = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$")


def _unquote(value: str) -> str:
    value = value.strip(_WHITESPACE)
    if value.startswith('"'):
        value = value[1:].removesuffix('"')
    return value


def split_parameters(value: str, hint: str | None) -> tuple[str, dict[str, str]]:
    """Split ``type/sub; a=b; name*=charset''%XX`` into its main value and decoded parameters.

    Quoted strings are taken literally up to the next quote (no backslash escapes): file names
    cannot contain quotes, while Big5 file names often contain the byte of a backslash.
    RFC 2231 values (single and continued) win over plain ones; plain values may hold RFC 2047
    encoded words and raw 8-bit text, which many Chinese clients send.
    """
    value = unfold(value)
    main, separator, rest = value.partition(";")
    parameters: dict[str, str] = {}
    continued: dict[str, list[tuple[int, bool, str]]] = {}
    for match in _PARAMETER_RE.finditer(separator + rest):
        name = match.group(1).lower()
        raw_value = _unquote(match.group(2))
        extended = _RFC2231_NAME_RE.match(name)
        if extended:
            index = int(extended.group(2) or 0)
            is_encoded = extended.group(2) is None or extended.group(3) is not None
            continued.setdefault(extended.group(1), []).append((index, is_encoded, raw_value))
        elif name not in parameters:
            parameters[name] = raw_value
    for name, plain in parameters.items():
        if "=?" in plain or not plain.isascii():
            parameters[name] = decode_header(plain, hint)
    for name, segments in continued.items():
        parameters[name] = _join_rfc2231(sorted(segments), hint)
    return main.strip(_WHITESPACE).lower(), parameters


def _join_rfc2231(segments: list[tuple[int, bool, str]], hint: str | None) -> str:
    charset: str | None = None
    data = bytearray()
    for position, (_index, is_encoded, text) in enumerate(segments):
        if is_encoded and position == 0 and text.count("'") >= 2:
            charset, _language, text = text.split("'", 2)
        piece = raw_to_bytes(text)
        data += _PERCENT_ESCAPE_RE.sub(_hex_byte, piece) if is_encoded else piece
    return decode_text(bytes(data), charset or hint)


def first_raw_header(part: Message, name: str) -> str | None:
    for key, value in part.raw_items():
        if key.lower() == name:
            return str(value)
    return None


def header_index(part: Message) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for key, value in part.raw_items():
        index.setdefault(key.lower(), []).append(str(value))
    return index


def content_type_of(part: Message, hint: str | None) -> tuple[str, dict[str, str]]:
    raw = first_raw_header(part, "content-type")
    if raw is None:
        return part.get_default_type(), {}
    content_type, parameters = split_parameters(raw, hint)
    if not _CONTENT_TYPE_RE.match(content_type):
        content_type = "text/plain"  # what the stdlib parser assumes, so the structure agrees
    return content_type, parameters


def disposition_of(part: Message, hint: str | None) -> tuple[str, dict[str, str]]:
    raw = first_raw_header(part, "content-disposition")
    if raw is None:
        return "", {}
    return split_parameters(raw, hint)


# ---------------------------------------------------------------------------------------------
# Addresses, ids and dates

_LOCAL_PART_RE = re.compile(r"^[A-Za-z0-9._+-]+$")
_ADDRESS_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_MESSAGE_ID_RE = re.compile(r"<([^<>\s]+)>")
_ID_TOKEN_SPLIT_RE = re.compile(r"[\s,]+")


def addresses_in(raw_values: list[str], hint: str | None) -> list[tuple[str, str]]:
    """(decoded display name, address) pairs; the address is lower-case and may lack a domain."""
    found: list[tuple[str, str]] = []
    unfolded = [unfold(value) for value in raw_values]
    for name, address in getaddresses(unfolded):
        name = _clean_display_name(decode_header(name, hint))
        address = decode_raw(address.strip(), None)
        if "@" in address or _LOCAL_PART_RE.match(address):
            found.append((name, address.lower()))
        elif address:  # "张三" with no address at all: a name, not a mailbox
            found.append((_clean_display_name(decode_header(address, hint)) or name, ""))
    if not any("@" in address for _name, address in found):
        for value in unfolded:  # broken quoting, or the address itself hidden in an encoded word
            decoded = decode_header(value, hint)
            match = _ADDRESS_RE.search(decoded)
            if match:
                name = decoded[: match.start()] + decoded[match.end() :]
                found.insert(0, (_clean_display_name(name), match.group(0).lower()))
            elif decoded and not found:
                found.append((_clean_display_name(decoded), ""))
    if any(address for _name, address in found):
        found = [(name, address) for name, address in found if address] + [
            (name, address) for name, address in found if not address
        ]
    return found


def _clean_display_name(name: str) -> str:
    return name.strip(" \t\"'<>").strip()


def ids_in(raw_values: list[str]) -> tuple[str, ...]:
    ids: dict[str, None] = {}
    for value in raw_values:
        value = decode_raw(unfold(value), None)
        found = _MESSAGE_ID_RE.findall(value)
        if not found:
            found = [t.strip("<>") for t in _ID_TOKEN_SPLIT_RE.split(value) if "@" in t]
        for message_id in found:
            ids.setdefault(message_id, None)
    return tuple(ids)


def date_in(raw: str | None) -> datetime | None:
    if not raw:
        return None
    value = decode_raw(unfold(raw), None).strip()
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError, IndexError):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        if parsed.tzinfo is None:  # a bare local time from an unknown zone: no date at all
            return None
    if parsed.tzinfo is None:  # RFC 5322 "-0000": UTC, with the local zone unknown
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
