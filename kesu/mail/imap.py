"""Fetching customer mail from an IMAP mailbox, one unseen message at a time.

Used by `kesu mail fetch` and by the periodic intake task. The mailbox is the queue: a message
is downloaded with BODY.PEEK[] (which leaves it unseen), handed to the caller's `handle`, and
only marked \\Seen once `handle` has returned. A message whose handling raises stays unseen and
is tried again on the next run, so nothing is lost when intake fails half-way; the price is
at-least-once delivery (a crash between `handle` and the \\Seen flag hands the same message over
again), so `handle` must recognise a message it has already taken in (by its Message-ID).

The mailbox is configured by one URL (the KESU_IMAP_URL setting), parsed by `parse_url`:

    imap://user:password@host:143/INBOX              plain IMAP (local relays, tests)
    imap://user:password@host:143/INBOX?starttls=1   plain IMAP upgraded with STARTTLS
    imaps://user%40example.com:password@host/INBOX   IMAP over TLS, port 993 by default

Only the standard library's imaplib is used. Certificates are checked against the system's
trust store (ssl.create_default_context).
"""

import email.parser
import enum
import imaplib
import logging
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from kesu.envconfig import ConfigError, parse_bool

log = logging.getLogger(__name__)

DEFAULT_MAILBOX = "INBOX"
URL_SETTING = "KESU_IMAP_URL"
_URL_HINT = "expected imap://user:password@host:143/INBOX or imaps://user:password@host:993/INBOX"
_ENCODING_HINT = "characters such as @ : / ? # % in the user or password must be percent-encoded"

_FETCHED_BODY = re.compile(rb"\bBODY\[\]")


class Security(enum.StrEnum):
    """How the connection to the IMAP server is protected."""

    PLAIN = "plain"  # imap://, nothing encrypted: only for a relay on the same host, or tests
    STARTTLS = "starttls"  # imap://…?starttls=1, upgraded to TLS before logging in
    TLS = "tls"  # imaps://, TLS from the first byte


DEFAULT_PORTS = {Security.PLAIN: 143, Security.STARTTLS: 143, Security.TLS: 993}


@dataclass(frozen=True)
class MailboxConfig:
    """Where the mailbox is and how to log in; the password never shows in repr() or logs."""

    host: str
    port: int
    user: str
    password: str = field(repr=False)
    mailbox: str = DEFAULT_MAILBOX
    security: Security = Security.TLS

    @property
    def location(self) -> str:
        """`user@host:port/mailbox`, for messages and logs."""
        return f"{self.user}@{self.host}:{self.port}/{self.mailbox}"


@dataclass(frozen=True)
class FetchResult:
    """What one `fetch` did: messages downloaded, handled (now \\Seen), failed (still unseen)."""

    fetched: int = 0
    handled: int = 0
    failed: int = 0


class MailboxError(Exception):
    """The mailbox could not be reached, logged in to, opened or updated.

    The message names the host, port and user, never the password.
    """


def parse_url(url: str) -> MailboxConfig:
    """Read a KESU_IMAP_URL; raise ValueError saying what is wrong (never echoing the password)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in {"imap", "imaps"}:
        shown = f"{scheme}://" if scheme else "no scheme"
        raise ValueError(f"{URL_SETTING} has {shown}; {_URL_HINT}")
    if not parts.hostname:
        raise ValueError(f"{URL_SETTING} has no host; {_URL_HINT}")
    if parts.username is None or parts.password is None:
        raise ValueError(
            f"{URL_SETTING} needs both a user and a password before the host; {_URL_HINT}"
        )
    user = unquote(parts.username)
    password = unquote(parts.password)
    if not user or not password:
        raise ValueError(f"{URL_SETTING} has an empty user or password; {_ENCODING_HINT}")
    if not (user.isascii() and password.isascii()):
        raise ValueError(f"{URL_SETTING}: IMAP LOGIN takes only ASCII in the user and password")

    security = _security(scheme, parts.query)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port is None:
        port = DEFAULT_PORTS[security]
    elif not 0 < port < 65536:
        raise ValueError(
            f"{URL_SETTING} has a port that is not a number from 1 to 65535; {_ENCODING_HINT}"
        )

    mailbox = unquote(parts.path.lstrip("/")) or DEFAULT_MAILBOX
    if not mailbox.isascii():
        raise ValueError(
            f"{URL_SETTING}: mailbox {mailbox!r} is not ASCII; give the name the server lists "
            "(modified UTF-7: 客诉 is &W6KLyQ-), percent-encoded"
        )
    return MailboxConfig(
        host=parts.hostname,
        port=port,
        user=user,
        password=password,
        mailbox=mailbox,
        security=security,
    )


def _security(scheme: str, query: str) -> Security:
    """imaps:// is TLS; imap:// is plain unless the URL asks for ?starttls=1."""
    starttls = False
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name != "starttls" or scheme == "imaps":
            raise ValueError(
                f"{URL_SETTING} has an unknown parameter {name!r}; "
                "only imap:// takes one, starttls=1"
            )
        try:
            starttls = parse_bool(f"{URL_SETTING} starttls", value)
        except ConfigError as error:
            raise ValueError(str(error)) from None
    if scheme == "imaps":
        return Security.TLS
    return Security.STARTTLS if starttls else Security.PLAIN


def fetch(
    url: str,
    handle: Callable[[bytes], object],
    *,
    limit: int | None = None,
    timeout: float = 30,
) -> FetchResult:
    """Hand each unseen (and not deleted) message of the mailbox to `handle`, oldest UID
    first; mark it \\Seen only when `handle` returned without raising.

    A failing `handle` is logged with the message's UID and Message-ID and counted; the loop
    goes on with the next message. At most `limit` messages are downloaded when it is given.
    `timeout` (seconds) bounds each network operation. Raises ValueError for a bad URL and
    MailboxError when the server cannot be reached, refuses the login or the mailbox, or the
    connection breaks; messages handled before that are already marked \\Seen.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be zero or more, not {limit}")
    config = parse_url(url)
    connection = _connect(config, timeout)
    try:
        _login(connection, config)
        _select(connection, config)
        uids = _unseen_uids(connection, config)
        if limit is not None:
            uids = uids[:limit]
        fetched = handled = failed = 0
        for uid in uids:
            raw = _download(connection, config, uid)
            if raw is None:
                log.warning(
                    "IMAP message UID %s in %s vanished before download", uid, config.location
                )
                continue
            fetched += 1
            try:
                handle(raw)
            except Exception:
                failed += 1
                log.exception(
                    "handling IMAP message UID %s (Message-ID %s) from %s failed; "
                    "it stays unseen and will be tried again",
                    uid,
                    _message_id(raw),
                    config.location,
                )
                continue
            _mark_seen(connection, config, uid)
            handled += 1
    except (imaplib.IMAP4.error, OSError) as error:
        raise MailboxError(f"IMAP session with {config.location} failed: {error}") from error
    finally:
        _logout(connection, config)
    result = FetchResult(fetched=fetched, handled=handled, failed=failed)
    # The periodic task runs this every few minutes: only a run that found mail is news.
    log.log(
        logging.INFO if fetched else logging.DEBUG,
        "IMAP fetch from %s: %s",
        config.location,
        result,
    )
    return result


def _connect(config: MailboxConfig, timeout: float) -> imaplib.IMAP4:
    address = f"{config.host}:{config.port}"
    try:
        if config.security is Security.TLS:
            return imaplib.IMAP4_SSL(
                config.host,
                config.port,
                ssl_context=ssl.create_default_context(),
                timeout=timeout,
            )
        connection = imaplib.IMAP4(config.host, config.port, timeout=timeout)
    except (imaplib.IMAP4.error, OSError) as error:
        raise MailboxError(
            f"cannot connect to IMAP server {address} ({config.security}): {error}"
        ) from error
    if config.security is Security.STARTTLS:
        try:
            connection.starttls(ssl_context=ssl.create_default_context())
        except (imaplib.IMAP4.error, OSError) as error:
            _logout(connection, config)
            raise MailboxError(f"STARTTLS with IMAP server {address} failed: {error}") from error
    return connection


def _login(connection: imaplib.IMAP4, config: MailboxConfig) -> None:
    try:
        connection.login(_quoted(config.user), config.password)
    except imaplib.IMAP4.abort:
        raise  # the connection broke: reported by fetch as a failed session
    except imaplib.IMAP4.error as error:
        raise MailboxError(
            f"IMAP server {config.host}:{config.port} refused the login of {config.user!r}: "
            f"{_server_text(error)}"
        ) from None  # imaplib's own error carries nothing more, and no password either


def _select(connection: imaplib.IMAP4, config: MailboxConfig) -> None:
    try:
        status, data = connection.select(_quoted(config.mailbox))
    except imaplib.IMAP4.readonly:
        raise MailboxError(
            f"IMAP mailbox {config.location} is read-only; messages could not be marked seen"
        ) from None
    if status != "OK":
        raise MailboxError(
            f"IMAP server cannot open mailbox {config.location}: {_server_text(data)}"
        )


def _unseen_uids(connection: imaplib.IMAP4, config: MailboxConfig) -> list[int]:
    """UIDs of the unseen messages, oldest first; one a person deleted (not yet expunged) is
    no complaint to take in."""
    status, data = connection.uid("SEARCH", "UNSEEN", "UNDELETED")
    if status != "OK":
        raise MailboxError(f"UID SEARCH UNSEEN failed in {config.location}: {_server_text(data)}")
    words = b" ".join(line for line in data if isinstance(line, bytes)).split()
    return sorted(int(word) for word in words)


def _download(connection: imaplib.IMAP4, config: MailboxConfig, uid: int) -> bytes | None:
    """The raw message, or None when it is no longer there; BODY.PEEK[] leaves \\Seen alone."""
    status, data = connection.uid("FETCH", str(uid), "(BODY.PEEK[])")
    if status != "OK":
        raise MailboxError(f"UID FETCH {uid} failed in {config.location}: {_server_text(data)}")
    # imaplib hands a literal over as (b'<seq> (BODY[] {<n>}', <n bytes>); any unsolicited
    # FETCH (a flag change) comes as plain bytes beside it.
    for item in data:
        if isinstance(item, tuple) and _FETCHED_BODY.search(item[0]):
            return item[1]
    return None


def _mark_seen(connection: imaplib.IMAP4, config: MailboxConfig, uid: int) -> None:
    status, data = connection.uid("STORE", str(uid), "+FLAGS", r"(\Seen)")
    if status != "OK":
        # Going on would hand this message over again on every run without saying why.
        raise MailboxError(
            f"could not mark UID {uid} seen in {config.location}: {_server_text(data)}"
        )


def _logout(connection: imaplib.IMAP4, config: MailboxConfig) -> None:
    try:
        connection.logout()
    except (imaplib.IMAP4.error, OSError) as error:
        log.debug("IMAP logout from %s failed: %s", config.location, error)


def _quoted(text: str) -> str:
    """An IMAP quoted string: imaplib sends most arguments as they are, unquoted."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _server_text(reply: object) -> str:
    """A server's reply, from imaplib's data list or exception, as readable text."""
    if isinstance(reply, imaplib.IMAP4.error) and reply.args:
        reply = reply.args[0]
    if isinstance(reply, list):
        reply = b" ".join(line for line in reply if isinstance(line, bytes))
    if isinstance(reply, bytes):
        return reply.decode("utf-8", "replace")
    return str(reply)


def _message_id(raw: bytes) -> str:
    """The Message-ID header for the log, or "none"; never raises, as it runs on failures."""
    try:
        headers = email.parser.BytesHeaderParser().parsebytes(raw)
        return " ".join(str(headers.get("Message-ID", "none")).split())
    except Exception:
        return "unreadable"
