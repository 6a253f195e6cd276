"""The IMAP client takes unseen mail in order, byte for byte, and marks only what was handled.

The tests run against a real IMAP server (pymap, see tests/mail_imap_server.py) on a loopback
port: one server process for the module, a mailbox of its own for each test. No database.
"""

import itertools
import logging
import socket

import pytest

from kesu.mail.imap import (
    FetchResult,
    MailboxConfig,
    MailboxError,
    Security,
    fetch,
    parse_url,
)
from tests.mail_imap_server import imap_server


def complaint_mail(number: int, body: bytes = b"") -> bytes:
    """A customer's complaint as it arrives: CRLF line ends, as RFC 5322 and IMAP store them."""
    body = body or f"Complaint number {number}: the device stopped working.".encode()
    return (
        b"From: Customer <customer@example.com>\r\n"
        b"To: service@kesu.example\r\n"
        + f"Subject: Complaint {number}\r\n".encode()
        + f"Message-ID: <complaint-{number}@example.com>\r\n".encode()
        + b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"\r\n" + body + b"\r\n"
    )


@pytest.fixture(scope="module")
def running_server():
    with imap_server() as server:
        yield server


_mailbox_numbers = itertools.count(1)


@pytest.fixture
def server(running_server):
    """The shared server, pointed at a new, empty mailbox (with a space in its name)."""
    return running_server.with_new_mailbox(f"Complaints {next(_mailbox_numbers)}")


def put(server, messages: list[bytes]) -> list[int]:
    return [server.append(raw) for raw in messages]


class Inbox:
    """A `handle` that keeps what it is given and can be told to refuse some messages."""

    def __init__(self, refuse: bytes | None = None) -> None:
        self.received: list[bytes] = []
        self.refuse = refuse

    def __call__(self, raw: bytes) -> None:
        self.received.append(raw)
        if self.refuse is not None and self.refuse in raw:
            raise RuntimeError("intake refused this message")


def test_fetch_hands_over_each_unseen_message_in_order_byte_for_byte_and_marks_it_seen():
    messages = [complaint_mail(1), complaint_mail(2), complaint_mail(3)]
    with imap_server(messages) as server:
        inbox = Inbox()

        result = fetch(server.url, inbox)

        assert inbox.received == messages
        assert result == FetchResult(fetched=3, handled=3, failed=0)
        assert server.unseen_uids() == set()


def test_a_second_fetch_finds_nothing_new(server):
    put(server, [complaint_mail(1), complaint_mail(2)])
    fetch(server.url, Inbox())
    inbox = Inbox()

    result = fetch(server.url, inbox)

    assert inbox.received == []
    assert result == FetchResult(fetched=0, handled=0, failed=0)


def test_a_message_that_arrives_between_fetches_is_fetched_next_time(server):
    put(server, [complaint_mail(1)])
    fetch(server.url, Inbox())
    server.append(complaint_mail(2))
    inbox = Inbox()

    fetch(server.url, inbox)

    assert inbox.received == [complaint_mail(2)]


def test_a_message_already_marked_deleted_is_not_taken_in(server):
    kept = server.append(complaint_mail(1))
    deleted = server.append(complaint_mail(2), flags=["\\Deleted"])
    inbox = Inbox()

    fetch(server.url, inbox)

    assert inbox.received == [complaint_mail(1)]
    assert server.flags() == {kept: {"\\Seen"}, deleted: {"\\Deleted"}}


def test_a_failing_handler_leaves_its_message_unseen_and_the_others_seen(server, caplog):
    first, refused, third = put(server, [complaint_mail(1), complaint_mail(2), complaint_mail(3)])
    inbox = Inbox(refuse=b"Subject: Complaint 2\r\n")

    with caplog.at_level(logging.ERROR, logger="kesu.mail.imap"):
        result = fetch(server.url, inbox)

    assert inbox.received == [complaint_mail(1), complaint_mail(2), complaint_mail(3)]
    assert result == FetchResult(fetched=3, handled=2, failed=1)
    assert server.seen_uids() == {first, third}
    assert server.unseen_uids() == {refused}
    assert "<complaint-2@example.com>" in caplog.text
    assert "intake refused this message" in caplog.text


def test_the_next_fetch_retries_only_the_message_whose_handler_failed(server):
    put(server, [complaint_mail(1), complaint_mail(2), complaint_mail(3)])
    fetch(server.url, Inbox(refuse=b"Subject: Complaint 2\r\n"))
    inbox = Inbox()

    result = fetch(server.url, inbox)

    assert inbox.received == [complaint_mail(2)]
    assert result == FetchResult(fetched=1, handled=1, failed=0)
    assert server.unseen_uids() == set()


def test_limit_stops_after_that_many_messages_and_leaves_the_rest_for_later(server):
    messages = [complaint_mail(number) for number in range(1, 6)]
    uids = put(server, messages)
    inbox = Inbox()

    result = fetch(server.url, inbox, limit=2)

    assert inbox.received == messages[:2]
    assert result == FetchResult(fetched=2, handled=2, failed=0)
    assert server.unseen_uids() == set(uids[2:])

    inbox = Inbox()
    fetch(server.url, inbox, limit=0)
    assert inbox.received == []

    fetch(server.url, inbox)
    assert inbox.received == messages[2:]


def test_a_negative_limit_is_refused():
    with pytest.raises(ValueError, match="limit"):
        fetch("imap://kesu:secret@127.0.0.1:1/INBOX", Inbox(), limit=-1)


def test_gbk_bytes_in_the_body_survive_unchanged(server):
    body = "您好，我购买的空调无法制冷，请尽快处理。".encode("gbk")
    assert max(body) >= 0x80  # 8-bit bytes, and no valid UTF-8 either
    raw = complaint_mail(1, body).replace(b"charset=utf-8", b"charset=gbk")
    raw = raw.replace(
        b"MIME-Version: 1.0\r\n", b"MIME-Version: 1.0\r\nContent-Transfer-Encoding: 8bit\r\n"
    )
    put(server, [raw])
    inbox = Inbox()

    fetch(server.url, inbox)

    assert inbox.received == [raw]
    assert body in inbox.received[0]


def test_a_full_email_address_as_user_is_percent_decoded_from_the_url():
    with imap_server([complaint_mail(1)], user="service@kesu.example", mailbox="INBOX") as server:
        assert "service%40kesu.example" in server.url
        inbox = Inbox()

        fetch(server.url, inbox)

        assert inbox.received == [complaint_mail(1)]


def test_a_wrong_password_raises_mailbox_error_naming_the_server_but_not_the_password(server):
    put(server, [complaint_mail(1)])
    url = server.url.replace(":secret@", ":Wrong-Pa55word@")

    with pytest.raises(MailboxError) as raised:
        fetch(url, Inbox())

    message = str(raised.value)
    assert f"{server.host}:{server.port}" in message
    assert "Wrong-Pa55word" not in message
    assert raised.value.__cause__ is None
    assert len(server.unseen_uids()) == 1


def test_a_mailbox_that_does_not_exist_raises_mailbox_error(running_server):
    url = running_server.url.replace("/INBOX", "/Nowhere")

    with pytest.raises(MailboxError, match="Nowhere"):
        fetch(url, Inbox())


def test_no_server_listening_raises_mailbox_error_with_host_and_port():
    # A port held by a socket that does not listen: connecting is refused, and no one else
    # can take the port while the test runs.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as closed_port:
        closed_port.bind(("127.0.0.1", 0))
        host, port = closed_port.getsockname()

        with pytest.raises(MailboxError, match=f"{host}:{port}"):
            fetch(f"imap://kesu:secret@{host}:{port}/INBOX", Inbox(), timeout=5)


def test_imaps_speaks_tls_from_the_first_byte_and_fails_cleanly_against_a_plain_server(server):
    put(server, [complaint_mail(1)])
    url = server.url.replace("imap://", "imaps://")

    with pytest.raises(MailboxError, match=f"{server.host}:{server.port}"):
        fetch(url, Inbox(), timeout=5)

    assert len(server.unseen_uids()) == 1


def test_starttls_is_required_when_asked_for_and_the_server_does_not_offer_it(server):
    put(server, [complaint_mail(1)])
    url = server.url + "?starttls=1"

    with pytest.raises(MailboxError, match="STARTTLS"):
        fetch(url, Inbox(), timeout=5)

    assert len(server.unseen_uids()) == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "imap://kesu:secret@mail.example.com:143/INBOX",
            MailboxConfig("mail.example.com", 143, "kesu", "secret", "INBOX", Security.PLAIN),
        ),
        (
            "imap://kesu:secret@mail.example.com/INBOX?starttls=1",
            MailboxConfig("mail.example.com", 143, "kesu", "secret", "INBOX", Security.STARTTLS),
        ),
        (
            "imaps://kesu:secret@mail.example.com:993/Complaints",
            MailboxConfig("mail.example.com", 993, "kesu", "secret", "Complaints", Security.TLS),
        ),
        (
            "imaps://service%40kesu.example:p%40ss%3Aw%2Fo%25rd@mail.example.com",
            MailboxConfig(
                "mail.example.com",
                993,
                "service@kesu.example",
                "p@ss:w/o%rd",
                "INBOX",
                Security.TLS,
            ),
        ),
        (
            "IMAPS://kesu:secret@mail.example.com:1993/",
            MailboxConfig("mail.example.com", 1993, "kesu", "secret", "INBOX", Security.TLS),
        ),
        (
            "imap://kesu:secret@mail.example.com/INBOX/Customer%20Complaints?starttls=0",
            MailboxConfig(
                "mail.example.com",
                143,
                "kesu",
                "secret",
                "INBOX/Customer Complaints",
                Security.PLAIN,
            ),
        ),
    ],
)
def test_parse_url(url, expected):
    assert parse_url(url) == expected


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("pop3://kesu:secret@mail.example.com/INBOX", "pop3://"),
        ("mail.example.com", "no scheme"),
        ("imaps://kesu:secret@/INBOX", "no host"),
        ("imaps://mail.example.com/INBOX", "user and a password"),
        ("imaps://kesu@mail.example.com/INBOX", "user and a password"),
        ("imaps://kesu:@mail.example.com/INBOX", "empty user or password"),
        ("imaps://kesu:secret@mail.example.com:99999/INBOX", "port"),
        ("imaps://kesu:secret@mail.example.com:imap/INBOX", "port"),
        ("imap://kesu:secret@mail.example.com/INBOX?starttls=maybe", "boolean"),
        ("imap://kesu:secret@mail.example.com/INBOX?tls=1", "unknown parameter"),
        ("imaps://kesu:secret@mail.example.com/INBOX?starttls=1", "unknown parameter"),
        ("imaps://kesu:secret@mail.example.com/%E5%AE%A2%E8%AF%89", "not ASCII"),
    ],
)
def test_parse_url_refuses_a_bad_url_saying_why(url, complaint):
    with pytest.raises(ValueError, match=complaint) as raised:
        parse_url(url)
    assert "secret" not in str(raised.value)


def test_the_password_never_shows_in_the_config_repr():
    config = parse_url("imaps://kesu:hunter2@mail.example.com/INBOX")

    assert "hunter2" not in repr(config)
    assert "hunter2" not in config.location
