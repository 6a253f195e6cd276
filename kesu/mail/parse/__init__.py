"""Reading one incoming e-mail into plain values: who wrote it, about what, and what they said.

`parse` turns the raw bytes of a message (as fetched over IMAP or received over SMTP) into a
`ParsedMail`; the intake code decides from it whether the mail opens a complaint, adds a message
to one, or is kept aside unregistered. Pure: the standard library and asn1crypto (S/MIME), no
Django, no database, no network.

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
    `message_from_bytes`).

Sections
    `charsets` (decode_text), `headers` (encoded words, parameters, addresses, ids, dates),
    `html_text` (html_to_text), `quotes` (strip_quoted), `body` (the MIME tree: text and files,
    with `smime` for signed messages), `nature` (personal or automatic, and whether it may be
    answered), `lists` (a From rewritten by a list), `verdicts` (the receiving server's spam
    and authentication verdicts), `keys` (what identifies a message without a Message-ID, and
    a subject's topic); `values` holds what is handed to the caller.

Errors
    `parse` raises `MailParseError` (and nothing else, for bytes input) when the bytes are not a
    message: empty input, no header section, or neither a sender, a subject nor a readable body.
    A bad charset alone is never an error.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message

from kesu.mail.parse.body import (
    BodyCollector,
    body_text,
    first_text_charset,
    is_readable,
    message_from_bytes,
)
from kesu.mail.parse.charsets import decode_text
from kesu.mail.parse.headers import (
    addresses_in,
    content_type_of,
    date_in,
    decode_header,
    header_index,
    ids_in,
)
from kesu.mail.parse.html_text import html_to_text
from kesu.mail.parse.keys import (
    DEFAULT_SUBJECT_TAGS,
    content_key,
    raw_key,
    subject_topic,
    without_tags,
)
from kesu.mail.parse.lists import original_sender, rewritten_by_list
from kesu.mail.parse.nature import RECALL_PREFIX_RE, bulk_evidence, nature_of
from kesu.mail.parse.quotes import strip_quoted
from kesu.mail.parse.smime import DEFAULT_INFLATE_LIMIT
from kesu.mail.parse.values import (
    MailFile,
    MailParseError,
    Nature,
    ParsedMail,
    Verdicts,
    storable,
    storable_mail,
)
from kesu.mail.parse.verdicts import verdict

__all__ = [
    "DEFAULT_SUBJECT_TAGS",
    "MailFile",
    "MailParseError",
    "Nature",
    "ParsedMail",
    "Verdicts",
    "content_key",
    "decode_text",
    "html_to_text",
    "parse",
    "raw_key",
    "storable",
    "strip_quoted",
    "subject_topic",
]


_FORWARD_SUBJECT_RE = re.compile(r"^\s*(?:fw|fwd|转发|轉發|转寄|轉寄)\s*[:：]", re.IGNORECASE)
_HEADER_START_RE = re.compile(rb"^(?:From [^\r\n]*\r?\n)?[!-9;-~]+[ \t]*:")


@dataclass(frozen=True)
class _Reading:
    """How one message is read: the caller's configuration (see `parse`)."""

    own_addresses: frozenset[str]
    verdicts: Verdicts | None
    inflate_limit: int
    subject_tags: tuple[str, ...]


def parse(
    raw: bytes,
    *,
    own_addresses: Iterable[str] = (),
    verdicts: Verdicts | None = None,
    inflate_limit: int = DEFAULT_INFLATE_LIMIT,
    subject_tags: Iterable[str] = DEFAULT_SUBJECT_TAGS,
) -> ParsedMail:
    """Read one message. `own_addresses` are our mailbox addresses (mail from them is a LOOP);
    `verdicts` says which verdicts of the receiving server to read (None: none);
    `inflate_limit` is how many bytes compressed S/MIME parts may inflate to, all together
    (the message size limit: beyond it a part stays a file, unopened); `subject_tags` are
    what the company's mail gateway puts in front of a subject from outside ("[EXT]").

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
        reading = _Reading(own, verdicts, inflate_limit, tuple(subject_tags))
        return _read(message_from_bytes(raw), reading)
    except MailParseError:
        raise
    except Exception as exc:  # a stdlib corner we did not foresee: quarantine, do not crash
        raise MailParseError(f"the message could not be read: {exc!r}") from exc


def _read(message: Message, reading: _Reading) -> ParsedMail:
    headers = header_index(message)
    if not headers:
        raise MailParseError("the message has no header section")
    hint = first_text_charset(message)

    subject = decode_header(headers["subject"][0], hint) if "subject" in headers else ""
    senders = addresses_in(headers.get("from", []), hint) or addresses_in(
        headers.get("sender", []), hint
    )
    sender_name, sender_email = next(
        ((name, address) for name, address in senders if "@" in address),
        (senders[0][0] if senders else "", ""),
    )
    list_address = ""
    if rewritten_by_list(headers, sender_name, sender_email):
        list_address = sender_email
        sender_name, sender_email = original_sender(headers, sender_name, list_address, hint)
    to = tuple(dict.fromkeys(a for _n, a in addresses_in(headers.get("to", []), hint) if "@" in a))

    collector = BodyCollector(hint, reading.inflate_limit)
    text = _tidy_body(body_text(collector.collect(message)))
    files = tuple(collector.files)

    if not sender_email and not subject and not is_readable(text):
        raise MailParseError("the message has no sender, no subject and no readable text")

    message_ids = ids_in(headers.get("message-id", []))
    date = date_in(headers["date"][0] if "date" in headers else None)
    key = content_key(
        (list_address or sender_email, *to, str(date), subject, text), [f.data for f in files]
    )
    message_id = message_ids[0] if message_ids else key
    nature, evidence = nature_of(
        headers,
        content_type_of(message, hint),
        [address for _n, address in senders if address],
        subject,
        reading.own_addresses,
        text,
        files,
    )
    topic, answered = subject_topic(subject, reading.subject_tags)
    recalled = ""
    if nature is Nature.RECALL:
        stripped = RECALL_PREFIX_RE.sub("", subject, count=1)
        recalled = subject_topic(stripped, reading.subject_tags)[0]
    forwarded = _FORWARD_SUBJECT_RE.match(without_tags(subject, reading.subject_tags))
    mail = ParsedMail(
        message_id=message_id,
        content_key=key,
        in_reply_to=ids_in(headers.get("in-reply-to", [])),
        references=ids_in(headers.get("references", [])),
        subject=subject,
        sender_name=sender_name,
        sender_email=sender_email,
        to=to,
        date=date,
        text=text,
        reply_text=text if forwarded else strip_quoted(text),
        files=files,
        nature=nature,
        nature_evidence=evidence,
        bulk=bulk_evidence(headers, [address for _n, address in senders if address]),
        list_address=list_address,
        from_addresses=tuple(dict.fromkeys(address for _n, address in senders if "@" in address)),
        verdict=verdict(message.raw_items(), reading.verdicts),
        encrypted=collector.encrypted,
        topic=topic,
        answered=answered,
        recalled=recalled,
    )
    return storable_mail(mail)


def _tidy_body(text: str) -> str:
    """Trailing spaces off every line, no blank lines at either end; inner layout kept."""
    lines = [line.rstrip(" \t") for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    return "\n".join(lines[start:])
