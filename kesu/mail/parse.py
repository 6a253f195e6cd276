"""Reading one incoming e-mail into plain values: who wrote it, about what, and what they said.

`parse` turns the raw bytes of a message (as fetched over IMAP or received over SMTP) into a
`ParsedMail`; the intake code decides from it whether the mail opens a complaint, adds a message
to one, or is dropped. Pure: standard library only, no Django, no database, no network.

Why not just ``email.message_from_bytes(...)["Subject"]``
    Chinese mail breaks the standard library's decoding in everyday ways: parts labelled
    ``gb2312`` that contain GBK-only characters (镕, 瑨, 堃), raw 8-bit GBK or UTF-8 bytes in
    headers and file names, encoded words that split one multi-byte character in two, Big5 with
    Hong Kong extensions, and labels Python does not know. The stdlib replaces such bytes with
    U+FFFD or raises. So the stdlib parser is used only for the *structure* (the MIME tree and
    the transfer decoding of payloads); every header value is read raw (`Message.raw_items`,
    8-bit bytes kept as surrogate escapes) and decoded here, with the same charset rules for
    bodies, headers and file names. Because no header goes through the policy, the tree is found
    with the legacy ``compat32`` policy, ten times faster than ``policy.default``, which is
    consulted only when ``compat32`` cannot find a multipart boundary (see
    `_message_from_bytes`).

Charsets (`decode_text`)
    ``gb2312``/``gbk`` and their aliases decode as ``gb18030`` (a superset); ``big5`` falls back
    to ``big5hkscs`` and ``cp950``; a label that fails, or no label, falls back to UTF-8, then
    GB18030, and finally to the label (or Latin-1) with replacement characters. Decoding never
    raises. Raw 8-bit header bytes are tried as UTF-8 first (RFC 6532), then with the charset of
    the message's first text part, because old clients write headers in the body's charset.

What counts as the text
    The first readable ``text/plain`` part that is not an attachment wins (``multipart/
    alternative`` is resolved per alternative; several inline plain parts of a
    ``multipart/mixed`` are joined). Only when there is no plain text is HTML converted with
    `html_to_text`. ``format=flowed`` plain text is unwrapped. Everything else that is not a body
    part is a `MailFile`, including inline images of ``multipart/related`` and attached messages
    (``message/rfc822``, named after their subject plus ``.eml``).

Quoted earlier messages (`strip_quoted`)
    Chinese clients do not quote with ``>``; they append the earlier message under a marker
    (QQ Mail's ``------------------ 原始邮件 ------------------``, Outlook's ``发件人:`` /
    ``发送时间:`` block, Gmail's ``在 … 写道：``). ``reply_text`` is the text cut at the first such
    marker, without a trailing ``>``-quoted block or signature. An attribution line
    (``… wrote:``) followed by a ``>`` block *and then more unquoted text* is an interleaved
    reply and is not cut, so nothing the customer wrote below a quote is lost. Forwarded
    messages are deliberately kept, since a customer who forwards something wants us to read
    it: `strip_quoted` stops looking at ``---------- Forwarded message ----------`` /
    ``转发的邮件``, and `parse` does not strip at all when the subject starts with
    ``Fw:``/``Fwd:``/``转发：`` (QQ Mail and Outlook forward under the same markers they quote
    with).

Nature
    Checked in this order, because the signals overlap: LOOP (our own notifications carry
    ``Auto-Submitted`` too), then BOUNCE (delivery reports are ``Auto-Submitted`` as well), then
    AUTO_REPLY, otherwise PERSONAL. A subject starting with 休假 counts as an auto-reply only
    when 休假 (optionally 休假中/休假通知) is followed by punctuation, a space or the end, so that
    a complaint titled "休假回来发现冰箱漏水" is not dropped. A read receipt
    (``multipart/report; report-type=disposition-notification``) is an AUTO_REPLY too.

Errors
    `parse` raises `MailParseError` (and nothing else, for bytes input) when the bytes are not a
    message: empty input, no header section, or neither a sender, a subject nor a readable body.
    A bad charset alone is never an error.
"""

import binascii
import email
import email.policy
import hashlib
import quopri
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import errors
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from enum import StrEnum
from html import unescape
from html.parser import HTMLParser

# ---------------------------------------------------------------------------------------------
# The values handed to the caller


class Nature(StrEnum):
    PERSONAL = "personal"  # written by a person: becomes a complaint or a message
    AUTO_REPLY = "auto_reply"  # out-of-office, 自动回复, vacation responders
    BOUNCE = "bounce"  # delivery status notifications, MAILER-DAEMON, postmaster
    LOOP = "loop"  # our own outgoing mail coming back, or mail that went round too often


@dataclass(frozen=True)
class MailFile:
    """An attachment or inline image; `name` is decoded, cleaned of paths and never empty."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    """One message, decoded. Strings are never None; ids carry no angle brackets."""

    message_id: str  # "sha256-<hex of the raw bytes>@kesu.invalid" when the mail has none
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]  # in header order, without repeats
    subject: str
    sender_name: str
    sender_email: str  # lower-case; "" if no address could be found (From, then Sender)
    to: tuple[str, ...]  # lower-case addresses of the To header (not Cc)
    date: datetime | None  # aware; None when missing or unreadable
    text: str  # plain text: the text/plain body, or the HTML body converted
    reply_text: str  # `text` without the quoted earlier message (`strip_quoted`)
    files: tuple[MailFile, ...]  # attachments, inline images, attached messages
    nature: Nature


class MailParseError(ValueError):
    """The bytes are not a message we can read; the caller quarantines the raw bytes."""


# ---------------------------------------------------------------------------------------------
# Charsets

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


def _charset_label(charset: str | None) -> str:
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
    label = _charset_label(charset)
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


def _raw_to_bytes(text: str) -> bytes:
    """Give back the bytes of a header or payload string that the parser surrogate-escaped."""
    return text.encode("utf-8", errors="surrogateescape")


def _decode_raw(text: str, hint: str | None) -> str:
    """Decode unencoded header text that may hold raw 8-bit bytes (UTF-8 or the body's charset)."""
    if text.isascii():
        return text
    data = _raw_to_bytes(text)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return decode_text(data, hint)


# ---------------------------------------------------------------------------------------------
# Header values: RFC 2047 encoded words, raw bytes, parameters (RFC 2231)

_ENCODED_WORD_RE = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?]*)\?=")
_Q_ESCAPE_RE = re.compile(rb"=([0-9A-Fa-f]{2})")
_PERCENT_ESCAPE_RE = re.compile(rb"%([0-9A-Fa-f]{2})")
_LINE_BREAK_RE = re.compile(r"\r?\n|\r")
_HEADER_SPACE_RE = re.compile(r"[ \t\r\n\x00-\x1f\x7f]+")
_WHITESPACE = " \t\r\n"


def _unfold(value: str) -> str:
    return _LINE_BREAK_RE.sub("", value)


def _hex_byte(match: re.Match[bytes]) -> bytes:
    return bytes((int(match.group(1), 16),))


def _decode_word_bytes(encoding: str, encoded: str) -> bytes | None:
    if encoding in "qQ":
        return _Q_ESCAPE_RE.sub(_hex_byte, _raw_to_bytes(encoded.replace("_", " ")))
    letters = "".join(encoded.split()).rstrip("=")
    if len(letters) % 4 == 1:  # one stray character cannot carry a byte
        letters = letters[:-1]
    letters += "=" * (-len(letters) % 4)
    try:
        return binascii.a2b_base64(letters.encode("ascii", errors="ignore"))
    except binascii.Error:
        return None


def _decode_header(value: str, hint: str | None = None) -> str:
    """Decode a raw header value: encoded words in any charset and raw 8-bit text.

    Adjacent encoded words in the same charset are joined *before* decoding, because clients
    split multi-byte characters across words. Control characters and line breaks become spaces.
    """
    value = _unfold(value)
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
        word = _decode_word_bytes(match.group(2), match.group(3))
        if word is None:  # not really an encoded word: keep it as text
            continue
        if not (run_charset is not None and (not between or between.isspace())):
            flush()
            pieces.append(_decode_raw(between, hint))
        charset = _charset_label(match.group(1))
        if charset != run_charset:
            flush()
            run_charset = charset
        run += word
        position = match.end()
    flush()
    pieces.append(_decode_raw(value[position:], hint))
    return _HEADER_SPACE_RE.sub(" ", "".join(pieces)).strip()


_PARAMETER_RE = re.compile(r';\s*([^\s=;"]+)\s*=\s*("[^"]*"?|[^;]*)')
_RFC2231_NAME_RE = re.compile(r"^([^*]+)\*(?:(\d+)(\*)?)?$")
_CONTENT_TYPE_RE = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$")


def _unquote(value: str) -> str:
    value = value.strip(_WHITESPACE)
    if value.startswith('"'):
        value = value[1:].removesuffix('"')
    return value


def _split_parameters(value: str, hint: str | None) -> tuple[str, dict[str, str]]:
    """Split ``type/sub; a=b; name*=charset''%XX`` into its main value and decoded parameters.

    Quoted strings are taken literally up to the next quote (no backslash escapes): file names
    cannot contain quotes, while Big5 file names often contain the byte of a backslash.
    RFC 2231 values (single and continued) win over plain ones; plain values may hold RFC 2047
    encoded words and raw 8-bit text, which many Chinese clients send.
    """
    value = _unfold(value)
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
            parameters[name] = _decode_header(plain, hint)
    for name, segments in continued.items():
        parameters[name] = _join_rfc2231(sorted(segments), hint)
    return main.strip(_WHITESPACE).lower(), parameters


def _join_rfc2231(segments: list[tuple[int, bool, str]], hint: str | None) -> str:
    charset: str | None = None
    data = bytearray()
    for position, (_index, is_encoded, text) in enumerate(segments):
        if is_encoded and position == 0 and text.count("'") >= 2:
            charset, _language, text = text.split("'", 2)
        piece = _raw_to_bytes(text)
        data += _PERCENT_ESCAPE_RE.sub(_hex_byte, piece) if is_encoded else piece
    return decode_text(bytes(data), charset or hint)


def _first_raw_header(part: Message, name: str) -> str | None:
    for key, value in part.raw_items():
        if key.lower() == name:
            return str(value)
    return None


def _header_index(part: Message) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for key, value in part.raw_items():
        index.setdefault(key.lower(), []).append(str(value))
    return index


def _content_type(part: Message, hint: str | None) -> tuple[str, dict[str, str]]:
    raw = _first_raw_header(part, "content-type")
    if raw is None:
        return part.get_default_type(), {}
    content_type, parameters = _split_parameters(raw, hint)
    if not _CONTENT_TYPE_RE.match(content_type):
        content_type = "text/plain"  # what the stdlib parser assumes, so the structure agrees
    return content_type, parameters


def _content_disposition(part: Message, hint: str | None) -> tuple[str, dict[str, str]]:
    raw = _first_raw_header(part, "content-disposition")
    if raw is None:
        return "", {}
    return _split_parameters(raw, hint)


# ---------------------------------------------------------------------------------------------
# Addresses, ids and dates

_LOCAL_PART_RE = re.compile(r"^[A-Za-z0-9._+-]+$")
_ADDRESS_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_MESSAGE_ID_RE = re.compile(r"<([^<>\s]+)>")
_ID_TOKEN_SPLIT_RE = re.compile(r"[\s,]+")


def _addresses(raw_values: list[str], hint: str | None) -> list[tuple[str, str]]:
    """(decoded display name, address) pairs; the address is lower-case and may lack a domain."""
    found: list[tuple[str, str]] = []
    unfolded = [_unfold(value) for value in raw_values]
    for name, address in getaddresses(unfolded):
        name = _clean_display_name(_decode_header(name, hint))
        address = _decode_raw(address.strip(), None)
        if "@" in address or _LOCAL_PART_RE.match(address):
            found.append((name, address.lower()))
        elif address:  # "张三" with no address at all: a name, not a mailbox
            found.append((_clean_display_name(_decode_header(address, hint)) or name, ""))
    if not any("@" in address for _name, address in found):
        for value in unfolded:  # broken quoting, or the address itself hidden in an encoded word
            decoded = _decode_header(value, hint)
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


def _message_ids(raw_values: list[str]) -> tuple[str, ...]:
    ids: dict[str, None] = {}
    for value in raw_values:
        value = _decode_raw(_unfold(value), None)
        found = _MESSAGE_ID_RE.findall(value)
        if not found:
            found = [t.strip("<>") for t in _ID_TOKEN_SPLIT_RE.split(value) if "@" in t]
        for message_id in found:
            ids.setdefault(message_id, None)
    return tuple(ids)


def _date(raw: str | None) -> datetime | None:
    if not raw:
        return None
    value = _decode_raw(_unfold(raw), None).strip()
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


# ---------------------------------------------------------------------------------------------
# HTML to text

_SKIPPED_HTML_TAGS = frozenset({"script", "style", "title", "template", "head"})
_PARAGRAPH_HTML_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl"}
)
_LINE_HTML_TAGS = frozenset(
    {
        "div",
        "li",
        "tr",
        "hr",
        "section",
        "article",
        "header",
        "footer",
        "address",
        "dt",
        "dd",
        "form",
        "fieldset",
        "center",
        "nav",
        "main",
        "aside",
        "figure",
        "figcaption",
        "caption",
        "body",
    }
)
_CELL_HTML_TAGS = frozenset({"td", "th"})
_HTML_SPACE_RE = re.compile(r"[ \t\n\r\f\v]+")
_HTML_TAG_RE = re.compile(r"<[^>]*>")
_HTML_SKIPPED_BLOCK_RE = re.compile(
    r"<(script|style|title|head)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)


class _HtmlTextExtractor(HTMLParser):
    """Collects text; line breaks owed by block boundaries are merged, those of ``<br>`` add up."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0
        self._owed_breaks = 0
        self._prefix = ""

    def _block(self, breaks: int) -> None:
        self._owed_breaks = max(self._owed_breaks, breaks)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_HTML_TAGS:
            self._skip_depth += 1
        elif tag == "body":  # an unclosed <head> ends here, as in browsers
            self._skip_depth = 0
        elif tag == "br":
            self._owed_breaks += 1
        elif tag in _PARAGRAPH_HTML_TAGS:
            self._block(2)
            if tag == "pre":
                self._pre_depth += 1
        elif tag in _LINE_HTML_TAGS:
            self._block(1)
            if tag == "li":
                self._prefix = "- "

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED_HTML_TAGS:  # <style/> or <head/> would otherwise never close
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_HTML_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _PARAGRAPH_HTML_TAGS:
            self._block(2)
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
        elif tag in _LINE_HTML_TAGS:
            self._block(1)
        elif tag in _CELL_HTML_TAGS:
            self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if not self._pre_depth:
            data = _HTML_SPACE_RE.sub(" ", data)
            if self._owed_breaks and not data.strip():
                return
        if self._owed_breaks:
            self.chunks.append("\n" * self._owed_breaks)
            self._owed_breaks = 0
        if self._prefix:
            self.chunks.append(self._prefix)
            self._prefix = ""
        self.chunks.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML body.

    Block elements start new lines (paragraphs, headings, tables and lists a new paragraph),
    ``<br>`` is a line break, list items get "- ", table cells are separated by a space;
    ``<script>``, ``<style>``, ``<head>`` and comments are dropped; entities are unescaped;
    runs of whitespace become one space, no line has leading or trailing spaces and there is
    never more than one blank line in a row. Non-breaking spaces become ordinary spaces;
    ideographic spaces (U+3000) are kept.
    """
    extractor = _HtmlTextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
        text = "".join(extractor.chunks)
    except (AssertionError, ValueError, IndexError):  # malformed markup the parser gives up on
        text = unescape(_HTML_TAG_RE.sub(" ", _HTML_SKIPPED_BLOCK_RE.sub(" ", html)))
    return _tidy_lines(text.replace("\xa0", " ").split("\n"))


def _tidy_lines(lines: Iterable[str]) -> str:
    """Strip spaces at both ends of each line, keep at most one blank line in a row."""
    kept: list[str] = []
    blank = False
    for line in lines:
        line = line.strip(" \t\r\f\v")
        if not line:
            blank = bool(kept)
            continue
        if blank:
            kept.append("")
            blank = False
        kept.append(line)
    return "\n".join(kept)


# ---------------------------------------------------------------------------------------------
# Quoted earlier messages

_QUOTE_SEPARATOR_RE = re.compile(
    r"^\s*[-_=*]{2,}\s*(?:原始邮件|原始郵件|original message|original|回复的原邮件|reply message)"
    r"\s*[-_=*]*\s*$",
    re.IGNORECASE,
)
_FORWARD_SEPARATOR_RE = re.compile(
    r"^\s*(?:[-_=*]{2,}\s*)?(?:forwarded message|begin forwarded message|转发的邮件|转发邮件信息"
    r"|转发邮件|轉寄郵件|轉寄的郵件)\s*[:：]?\s*(?:[-_=*]{2,})?\s*$",
    re.IGNORECASE,
)
_QUOTE_FROM_RE = re.compile(
    r"^\s*\*?\s*(?:from|发件人|發件人|寄件者|寄件人)\s*\*?\s*[:：]", re.IGNORECASE
)
_QUOTE_DATE_RE = re.compile(
    r"^\s*\*?\s*(?:sent|date|发送时间|發送時間|傳送時間|寄件日期|日期|时间|時間)\s*\*?\s*[:：]",
    re.IGNORECASE,
)
_QUOTE_HEADER_LOOKAHEAD = 5
_ATTRIBUTION_END_RE = re.compile(r"(?:写道|寫道|wrote)\s*[:：]\s*$", re.IGNORECASE)
_ATTRIBUTION_START_RE = re.compile(r"^\s*(?:on\s|在|于|於|\d)|[于於]\s*\d{4}", re.IGNORECASE)
_ATTRIBUTION_EVIDENCE_RE = re.compile(r"@|\d{1,2}[:：]\d{2}")
_ATTRIBUTION_MAX_LENGTH = 300
_TRAILING_SEPARATOR_RE = re.compile(r"^\s*[-_=*]{3,}\s*$")
_SIGNATURE_DELIMITERS = frozenset({"-- ", "--"})


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution_start(lines: list[str], index: int) -> int | None:
    """The first line of a "… 写道：" / "On … wrote:" attribution ending on line `index`."""
    line = lines[index]
    if not _ATTRIBUTION_END_RE.search(line):
        return None
    has_evidence = bool(_ATTRIBUTION_EVIDENCE_RE.search(line))
    if has_evidence and _ATTRIBUTION_START_RE.search(line):
        return index
    if index > 0 and lines[index - 1].strip():  # wrapped onto two lines
        joined = lines[index - 1].strip() + " " + line.strip()
        if (
            len(joined) <= _ATTRIBUTION_MAX_LENGTH
            and _ATTRIBUTION_START_RE.search(joined)
            and _ATTRIBUTION_EVIDENCE_RE.search(joined)
        ):
            return index - 1
    return index if "@" in line else None


def _is_quote_header_block(lines: list[str], index: int) -> bool:
    if not _QUOTE_FROM_RE.match(lines[index]):
        return False
    following = lines[index + 1 : index + 1 + _QUOTE_HEADER_LOOKAHEAD]
    return any(_QUOTE_DATE_RE.match(line) for line in following)


def strip_quoted(text: str) -> str:
    """`text` without the quoted earlier message, trailing ``>`` quotes and the signature.

    If nothing would be left, the whole text (stripped) is returned instead.
    """
    lines = _LINE_BREAK_RE.split(text)
    signature_at = next(
        (i for i, line in enumerate(lines) if line in _SIGNATURE_DELIMITERS), len(lines)
    )
    last_own_line = max(
        (i for i in range(signature_at) if lines[i].strip() and not _is_quoted(lines[i])),
        default=-1,
    )
    cut = signature_at
    index = 0
    while index < cut:
        line = lines[index]
        if _FORWARD_SEPARATOR_RE.match(line):
            # what follows was forwarded on purpose, and so is any "-- " below: keep it all
            cut = len(lines)
            break
        if _QUOTE_SEPARATOR_RE.match(line) or _is_quote_header_block(lines, index):
            cut = index
            break
        start = _attribution_start(lines, index)
        if start is not None:
            after = index + 1
            while after < len(lines) and not lines[after].strip():
                after += 1
            if after < len(lines) and _is_quoted(lines[after]):
                while after < len(lines) and (_is_quoted(lines[after]) or not lines[after].strip()):
                    after += 1
                if last_own_line >= after:  # interleaved or bottom-posted reply: keep it all
                    index = after
                    continue
            cut = start
            break
        index += 1
    kept = [line if line.strip() else "" for line in lines[:cut]]
    while kept and (
        not kept[-1].strip() or _is_quoted(kept[-1]) or _TRAILING_SEPARATOR_RE.match(kept[-1])
    ):
        kept.pop()
    result = "\n".join(kept).rstrip()
    return result if result.strip() else text.strip()


# ---------------------------------------------------------------------------------------------
# Bodies and files

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
}
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
        return _raw_to_bytes(head + "\r\n" + body)


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


class _BodyCollector:
    """Walks the MIME tree once, returning body pieces and collecting files on the way."""

    def __init__(self, hint: str | None) -> None:
        self.hint = hint
        self.files: list[MailFile] = []

    def collect(self, part: Message, depth: int = 0) -> list[tuple[str, str]]:
        if depth > _MAX_NESTING:
            return []
        content_type, parameters = _content_type(part, self.hint)
        disposition, disposition_parameters = _content_disposition(part, self.hint)
        if content_type.startswith("message/") and part.is_multipart():
            self._add_message(part, content_type, disposition_parameters, parameters)
            return []
        if part.is_multipart():
            children = [c for c in part.get_payload() if isinstance(c, Message)]
            if content_type == "multipart/alternative":
                return self._choose_alternative([self.collect(c, depth + 1) for c in children])
            pieces: list[tuple[str, str]] = []
            for child in children:
                pieces.extend(self.collect(child, depth + 1))
            return pieces
        file_name = disposition_parameters.get("filename") or parameters.get("name") or ""
        is_body = disposition != "attachment" and not file_name.strip()
        if is_body and content_type in {"text/plain", "text/html"}:
            return [self._read_text(part, content_type, parameters)]
        if is_body and content_type.startswith("multipart/"):  # no boundary: read it as text
            return [self._read_text(part, "text/plain", parameters)]
        self._add_file(file_name, content_type, _payload_bytes(part))
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
        text = _LINE_BREAK_RE.sub("\n", decode_text(data, charset))
        if parameters.get("format", "").lower() == "flowed":
            text = _unflow(text, parameters.get("delsp", "").lower() == "yes")
        return ("plain", text)

    def _add_file(self, name: str, content_type: str, data: bytes) -> None:
        name = _clean_file_name(name)
        if not name:
            extension = _EXTENSION_BY_TYPE.get(content_type, ".bin")
            name = f"attachment-{len(self.files) + 1}{extension}"
        self.files.append(MailFile(name=name, content_type=content_type, data=data))

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
        encoding = (_first_raw_header(part, "content-transfer-encoding") or "").strip().lower()
        if encoding in {"base64", "quoted-printable"}:  # forbidden by RFC 2046, sent anyway
            if encoding == "base64":
                data = _decode_word_bytes("b", data.decode("ascii", errors="ignore")) or data
            else:
                data = quopri.decodestring(data)
            attached = _message_from_bytes(data)
        raw_subject = _first_raw_header(attached, "subject") if attached is not None else None
        subject = _decode_header(raw_subject, self.hint) if raw_subject else ""
        given = disposition_parameters.get("filename") or parameters.get("name") or ""
        self._add_file(subject + ".eml" if subject else given, content_type, data)


def _first_text_charset(message: Message) -> str | None:
    """The charset of the first text part: the best guess for raw 8-bit header bytes."""
    for part in message.walk():
        if part.is_multipart():
            continue
        raw = _first_raw_header(part, "content-type")
        if raw is None:
            continue
        content_type, parameters = _split_parameters(raw, None)
        if content_type.startswith("text/") and parameters.get("charset"):
            return parameters["charset"]
    return None


def _is_readable(text: str) -> bool:
    sample = text[:4096]
    if not sample.strip():
        return False
    junk = sum(
        1
        for char in sample
        if char == "\ufffd" or (char < " " and char not in "\t\n\r\f") or "\x7f" <= char <= "\x9f"
    )
    return junk * 10 <= len(sample)


# ---------------------------------------------------------------------------------------------
# Nature

_AUTO_REPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-auto-reply")
_AUTO_PRECEDENCE = frozenset({"auto_reply", "auto-reply", "bulk", "junk", "list"})
_AUTO_REPLY_SUBJECT_RE = re.compile(
    r"^\s*(?:自动回复|自動回覆|自动答复|自動答覆|auto:|automatic reply|auto reply|auto-reply"
    r"|autoreply|out of office|out of the office|\[自动回复\]|【自动回复】"
    r"|休假(?:中|通知)?(?=$|[\s:：,，.。!！\-–—(\[（【]))",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT_RE = re.compile(
    r"undeliverable|undelivered|delivery status notification|mail delivery failed"
    r"|delivery failure|returned mail|failure notice|退信|投递失败|未送达|无法送达",
    re.IGNORECASE,
)
_BOUNCE_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster"})
_LOOP_RECEIVED_LIMIT = 25


def _first_token(values: list[str]) -> str:
    value = _unfold(values[0]) if values else ""
    return value.split("(", 1)[0].split(";", 1)[0].strip().lower()


def _nature(
    headers: dict[str, list[str]],
    top_type: tuple[str, dict[str, str]],
    senders: list[str],
    subject: str,
    own_addresses: frozenset[str],
) -> Nature:
    if "x-kesu-notification" in headers:
        return Nature.LOOP
    if any("kesu" in value.lower() for value in headers.get("x-loop", [])):
        return Nature.LOOP
    if any(sender in own_addresses for sender in senders):
        return Nature.LOOP
    if len(headers.get("received", [])) > _LOOP_RECEIVED_LIMIT:
        return Nature.LOOP

    content_type, parameters = top_type
    report_type = parameters.get("report-type", "").lower()
    if content_type == "multipart/report" and report_type == "delivery-status":
        return Nature.BOUNCE
    if any(sender.partition("@")[0] in _BOUNCE_LOCAL_PARTS for sender in senders):
        return Nature.BOUNCE
    if "x-failed-recipients" in headers:
        return Nature.BOUNCE
    null_return_path = any(_unfold(v).strip() == "<>" for v in headers.get("return-path", []))
    if null_return_path and _BOUNCE_SUBJECT_RE.search(subject):
        return Nature.BOUNCE

    if "auto-submitted" in headers and _first_token(headers["auto-submitted"]) != "no":
        return Nature.AUTO_REPLY
    if any(name in headers for name in _AUTO_REPLY_HEADERS):
        return Nature.AUTO_REPLY
    for name in ("precedence", "x-precedence"):
        if name in headers and _first_token(headers[name]) in _AUTO_PRECEDENCE:
            return Nature.AUTO_REPLY
    if content_type == "multipart/report" and report_type == "disposition-notification":
        return Nature.AUTO_REPLY  # a read receipt
    if _AUTO_REPLY_SUBJECT_RE.match(subject):
        return Nature.AUTO_REPLY
    return Nature.PERSONAL


# ---------------------------------------------------------------------------------------------
# The entry point

_FORWARD_SUBJECT_RE = re.compile(r"^\s*(?:fw|fwd|转发|轉發|转寄|轉寄)\s*[:：]", re.IGNORECASE)
_HEADER_START_RE = re.compile(rb"^(?:From [^\r\n]*\r?\n)?[!-9;-~]+[ \t]*:")


_BOUNDARY_DEFECTS = (errors.StartBoundaryNotFoundDefect, errors.NoBoundaryInMultipartDefect)


def _message_from_bytes(raw: bytes) -> Message:
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


def parse(raw: bytes, *, own_addresses: Iterable[str] = ()) -> ParsedMail:
    """Read one message. `own_addresses` are our mailbox addresses (mail from them is a LOOP).

    Raises `MailParseError` when the bytes are not a readable message, and no other exception
    for bytes input.
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise TypeError(f"parse() needs the raw bytes of a message, not {type(raw).__name__}")
    raw = bytes(raw)
    if not raw.strip():
        raise MailParseError("the message is empty")
    if not _HEADER_START_RE.match(raw):
        raise MailParseError("the message does not start with a header")
    if isinstance(own_addresses, str):  # one address passed bare: not a set of characters
        own_addresses = (own_addresses,)
    own = frozenset(address.strip().lower() for address in own_addresses if address.strip())
    try:
        return _read(raw, _message_from_bytes(raw), own)
    except MailParseError:
        raise
    except Exception as exc:  # a stdlib corner we did not foresee: quarantine, do not crash
        raise MailParseError(f"the message could not be read: {exc!r}") from exc


def _read(raw: bytes, message: Message, own_addresses: frozenset[str]) -> ParsedMail:
    headers = _header_index(message)
    if not headers:
        raise MailParseError("the message has no header section")
    hint = _first_text_charset(message)

    subject = _decode_header(headers["subject"][0], hint) if "subject" in headers else ""
    senders = _addresses(headers.get("from", []), hint) or _addresses(
        headers.get("sender", []), hint
    )
    sender_name, sender_email = next(
        ((name, address) for name, address in senders if "@" in address),
        (senders[0][0] if senders else "", ""),
    )
    to = tuple(dict.fromkeys(a for _n, a in _addresses(headers.get("to", []), hint) if "@" in a))

    collector = _BodyCollector(hint)
    pieces = collector.collect(message)
    plain = [text for kind, text in pieces if kind == "plain"]
    if any(text.strip() for text in plain):
        text = "\n".join(plain)
    else:
        text = "\n\n".join(html_to_text(body) for kind, body in pieces if kind == "html")
    text = _tidy_body(text)

    if not sender_email and not subject and not _is_readable(text):
        raise MailParseError("the message has no sender, no subject and no readable text")

    message_ids = _message_ids(headers.get("message-id", []))
    message_id = (
        message_ids[0] if message_ids else f"sha256-{hashlib.sha256(raw).hexdigest()}@kesu.invalid"
    )
    top_type = _content_type(message, hint)
    return ParsedMail(
        message_id=message_id,
        in_reply_to=_message_ids(headers.get("in-reply-to", [])),
        references=_message_ids(headers.get("references", [])),
        subject=subject,
        sender_name=sender_name,
        sender_email=sender_email,
        to=to,
        date=_date(headers["date"][0] if "date" in headers else None),
        text=text,
        reply_text=text if _FORWARD_SUBJECT_RE.match(subject) else strip_quoted(text),
        files=tuple(collector.files),
        nature=_nature(
            headers,
            top_type,
            [address for _n, address in senders if address],
            subject,
            own_addresses,
        ),
    )


def _tidy_body(text: str) -> str:
    """Trailing spaces off every line, no blank lines at either end; inner layout kept."""
    lines = [line.rstrip(" \t") for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    return "\n".join(lines[start:])
