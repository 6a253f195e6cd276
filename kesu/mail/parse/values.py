"""The values `parse` hands to its caller."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


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
