"""The values `parse` hands to its caller."""

import re
from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum

# What no database text column takes: NUL (PostgreSQL refuses it) and lone surrogates (left
# by bytes Python could not decode; no encoder writes them).
_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")


class Nature(StrEnum):
    PERSONAL = "personal"  # written by a person: becomes a complaint or a message
    AUTO_REPLY = "auto_reply"  # out-of-office, 自动回复, vacation responders
    BOUNCE = "bounce"  # delivery status notifications, MAILER-DAEMON, postmaster
    LOOP = "loop"  # our own outgoing mail coming back, or mail that went round too often
    RECALL = "recall"  # Outlook asking to recall an earlier message ("撤回: …", "Recall: …")


@dataclass(frozen=True)
class MailFile:
    """An attachment or inline image; `name` is decoded, cleaned of paths and never empty."""

    name: str
    content_type: str
    data: bytes
    encrypted: bool = False  # S/MIME enveloped data: unreadable without the recipient's key


@dataclass(frozen=True)
class ParsedMail:
    """One message, decoded. Strings are never None and never hold a NUL or a lone surrogate
    (`storable`: no database column takes them); ids carry no angle brackets."""

    message_id: str  # "sha256-<hex of the content>@kesu.invalid" when it has none (`content_key`)
    content_key: str  # "sha256-<hex>@kesu.invalid" of what it says, whatever its Message-ID
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]  # in header order, without repeats
    subject: str
    sender_name: str
    sender_email: str  # lower-case; "" if no address could be found (From, then Sender; the
    # original sender's when a list rewrote From, see `list_address`)
    to: tuple[str, ...]  # lower-case addresses of the To header (not Cc)
    date: datetime | None  # aware; None when missing or unreadable
    text: str  # plain text: the text/plain body, or the HTML body converted
    reply_text: str  # `text` without the quoted earlier message (`strip_quoted`)
    files: tuple[MailFile, ...]  # attachments, inline images, attached messages
    nature: Nature
    nature_evidence: str = ""  # what made it automatic: "Auto-Submitted: auto-replied"
    bulk: str = ""  # why no automatic answer may go to it (RFC 3834): "Precedence: list"
    list_address: str = ""  # a list's own address when the list rewrote From ("X via list")
    from_addresses: tuple[str, ...] = ()  # every address the From header names, as written
    # The subject without reply/forward prefixes and gateway tags ("[EXT] 回复：阀门渗漏" →
    # "阀门渗漏"), and whether it had a prefix.
    topic: str = ""
    answered: bool = False
    recalled: str = ""  # a RECALL's: the topic of the message it asks to recall
    verdict: str = ""  # the receiving server's verdict (spam, forged sender), per `Verdicts`
    encrypted: bool = False  # an S/MIME enveloped part no one can read here (kept as a file)

    @property
    def sender_trusted(self) -> bool:
        """Whether `sender_email` is the From header's one address. An address given back
        from a list's headers (Reply-To, X-Original-From: anyone can write them, and the
        list's own domain passes DMARC) or a From that names several people proves nothing
        about who wrote: such mail is never taken as a customer's own."""
        return not self.list_address and len(self.from_addresses) <= 1


@dataclass(frozen=True)
class Verdicts:
    """Which verdicts of the receiving mail server count (configuration; see kesu/mail/conf.py).

    `auth_failures` are ``method=result`` pairs of ``Authentication-Results`` (RFC 8601) that
    count, read from the headers added by `authserv_ids`, or, when none are named, from the
    topmost such header only (the one the last server, ours, added: a sender can write any
    number of them below it). `spam_headers` are (lower-case header name, text): the verdict
    holds when the value contains the text, or, for an empty text, starts with "yes" or
    "true" (``X-Spam-Flag: YES``, ``X-Spam-Status: Yes, score=…``). The defaults are those of
    SpamAssassin, Rspamd and DMARC (not SPF: see `auth_failures`); `parse` without a
    `Verdicts` judges nothing.
    """

    # DMARC only: SPF fails for every forwarded message (the forwarder's server is not the
    # sender's), so "spf=fail" would hold a customer's forward; DMARC passes on DKIM too.
    auth_failures: frozenset[str] = frozenset({"dmarc=fail"})
    authserv_ids: frozenset[str] = frozenset()
    spam_headers: tuple[tuple[str, str], ...] = (
        ("x-spam-flag", ""),
        ("x-spam-status", ""),
        ("x-spam", ""),
    )


class MailParseError(ValueError):
    """The bytes are not a message we can read; the caller quarantines the raw bytes."""


def storable(text: str) -> str:
    """`text` without NUL and lone surrogates."""
    return _UNSTORABLE_RE.sub("", text) if _UNSTORABLE_RE.search(text) else text


def storable_mail(mail: ParsedMail) -> ParsedMail:
    """`mail` with every text it holds `storable`: subject, names, addresses, ids, the text,
    evidence, file names."""
    texts: list[object] = [value for value in vars(mail).values() if isinstance(value, str)]
    texts += [v for value in vars(mail).values() if isinstance(value, tuple) for v in value]
    if not any(isinstance(t, str) and _UNSTORABLE_RE.search(t) for t in texts) and not any(
        _UNSTORABLE_RE.search(f.name) for f in mail.files
    ):
        return mail  # the usual case: nothing to clean
    changes: dict = {}
    for field in fields(mail):
        value = getattr(mail, field.name)
        cleaned: str | tuple
        if isinstance(value, str):
            cleaned = storable(value)
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            cleaned = tuple(storable(v) for v in value)
        elif field.name == "files":
            cleaned = tuple(replace(f, name=storable(f.name) or "attachment") for f in value)
        else:
            continue
        if cleaned != value:
            changes[field.name] = cleaned
    return replace(mail, **changes) if changes else mail
