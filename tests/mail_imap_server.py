"""A real IMAP server on 127.0.0.1 for the tests of kesu.mail.imap.

The server is pymap (https://pypi.org/project/pymap/) with its in-memory "dict" backend, run as
a child process of the test run on a free loopback port. Using a maintained IMAP4rev1 server
instead of a hand-written fake means the client is tested against real literal syntax, real
\\Seen semantics of BODY.PEEK[] and real UID handling, not against our own reading of the RFC.

Tests put messages in with the IMAP APPEND command (through the stdlib imaplib, on a connection
of the server object's own) and inspect the flags the client left with a read-only EXAMINE, so
the tests depend only on pymap's command line and on IMAP itself; the one reach into pymap, to
make logins cheap, is optional (see _PYMAP_MAIN).

pymap stores a message with CRLF line ends (a bare LF becomes CRLF), as IMAP servers do, so a
message meant to come back byte for byte must be written with CRLF.
"""

import dataclasses
import imaplib
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

HOST = "127.0.0.1"
TEST_USER = "kesu"
TEST_PASSWORD = "secret"  # an account that exists only inside the test server
START_TIMEOUT = 10.0  # seconds; pymap is normally up in well under one
STOP_TIMEOUT = 5.0
START_ATTEMPTS = 3  # a free port can be taken by someone else before pymap binds it

# pymap hashes the demo password with 500,000 rounds of PBKDF2, which costs a fifth of a second
# at start-up and at every LOGIN. A throw-away account on loopback needs no such protection, so
# the server is told to keep it in clear text (pysasl's Cleartext, compared in constant time).
# Should a later pymap drop this hook, the assignment changes nothing and the tests only slow down.
_PYMAP_MAIN = """
from pymap.config import IMAPConfig
from pysasl.hashing import Cleartext
IMAPConfig._get_hash_context = classmethod(lambda cls, passlib_cfg: Cleartext())
from pymap.main import main
main()
"""
_APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")
_FETCH_FLAGS = re.compile(rb"UID (\d+) FLAGS \(([^)]*)\)|FLAGS \(([^)]*)\) UID (\d+)")


class ImapTestServerError(RuntimeError):
    pass


@dataclass(frozen=True)
class ImapTestServer:
    """A running test server and the one account and mailbox the tests use."""

    host: str
    port: int
    user: str
    password: str
    mailbox: str

    @property
    def url(self) -> str:
        """The KESU_IMAP_URL that points the client at this server and mailbox."""
        user = quote(self.user, safe="")
        password = quote(self.password, safe="")
        mailbox = quote(self.mailbox, safe="")
        return f"imap://{user}:{password}@{self.host}:{self.port}/{mailbox}"

    def with_new_mailbox(self, mailbox: str) -> "ImapTestServer":
        """Create `mailbox` on this server and return a view of the server pointing at it.

        Lets many tests share one server process, each with a mailbox of its own.
        """
        with self._connection() as connection:
            status, data = connection.create(_quoted(mailbox))
            if status != "OK":
                raise ImapTestServerError(f"CREATE {mailbox!r} failed: {data!r}")
        return dataclasses.replace(self, mailbox=mailbox)

    def append(self, raw: bytes, flags: Iterable[str] = ()) -> int:
        """Put one message into the mailbox, unseen unless `flags` say so; return its UID."""
        flag_names = tuple(flags)
        flag_list = f"({' '.join(flag_names)})" if flag_names else None
        with self._connection() as connection:
            status, data = connection.append(_quoted(self.mailbox), flag_list, None, raw)
            if status != "OK":
                raise ImapTestServerError(f"APPEND failed: {data!r}")
        match = _APPENDUID.search(data[0] or b"")
        if match is None:
            raise ImapTestServerError(f"APPEND gave no APPENDUID: {data!r}")
        return int(match.group(1))

    def flags(self) -> dict[int, set[str]]:
        """Each message's UID and its flags (\\Seen, \\Deleted, …), read without changing them."""
        with self._connection() as connection:
            status, data = connection.select(_quoted(self.mailbox), readonly=True)
            if status != "OK":
                raise ImapTestServerError(f"EXAMINE failed: {data!r}")
            if int(data[0] or 0) == 0:
                return {}
            status, data = connection.uid("FETCH", "1:*", "(UID FLAGS)")
            if status != "OK":
                raise ImapTestServerError(f"UID FETCH FLAGS failed: {data!r}")
        flags_by_uid: dict[int, set[str]] = {}
        for line in data:
            if not isinstance(line, bytes):
                continue
            match = _FETCH_FLAGS.search(line)
            if match is None:
                continue
            uid = match.group(1) or match.group(4)
            flags = match.group(2) if match.group(1) else match.group(3)
            flags_by_uid[int(uid)] = set(flags.decode("ascii").split())
        return flags_by_uid

    def unseen_uids(self) -> set[int]:
        return {uid for uid, flags in self.flags().items() if "\\Seen" not in flags}

    def seen_uids(self) -> set[int]:
        return {uid for uid, flags in self.flags().items() if "\\Seen" in flags}

    @contextmanager
    def _connection(self) -> Iterator[imaplib.IMAP4]:
        connection = imaplib.IMAP4(self.host, self.port, timeout=START_TIMEOUT)
        # imaplib sends an APPEND literal and its closing CRLF in two writes; without this the
        # second waits ~40 ms for the server's delayed ACK (Nagle), on every message appended.
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            connection.login(self.user, self.password)
            yield connection
        finally:
            connection.logout()


@contextmanager
def imap_server(
    messages: Iterable[bytes] = (),
    *,
    user: str = TEST_USER,
    password: str = TEST_PASSWORD,
    mailbox: str = "INBOX",
) -> Iterator[ImapTestServer]:
    """Run pymap on a free loopback port with one account, and `messages` appended, unseen.

    The mailbox is created when it is not INBOX. The server and everything in it are gone when
    the block ends.
    """
    with tempfile.TemporaryFile() as server_output:
        process, port = _start(user, password, server_output)
        try:
            server = ImapTestServer(HOST, port, user, password, "INBOX")
            if mailbox.upper() != "INBOX":
                server = server.with_new_mailbox(mailbox)
            for raw in messages:
                server.append(raw)
            yield server
        finally:
            _stop(process)


def _start(user: str, password: str, server_output: IO[bytes]) -> tuple[subprocess.Popen, int]:
    for _attempt in range(START_ATTEMPTS):
        port = _free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _PYMAP_MAIN,
                "--host",
                HOST,
                "--port",
                str(port),
                "--no-tls",
                "dict",
                "--demo-user",
                user,
                "--demo-password",
                password,
            ],
            stdin=subprocess.DEVNULL,
            stdout=server_output,
            stderr=subprocess.STDOUT,
        )
        if _wait_for_greeting(process, port):
            return process, port
        _stop(process)
    server_output.seek(0)
    output = server_output.read().decode("utf-8", "replace")
    raise ImapTestServerError(f"pymap did not start on {HOST}; its output:\n{output}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _wait_for_greeting(process: subprocess.Popen, port: int) -> bool:
    """True once the server answers with an IMAP greeting; False if it died or never did."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection((HOST, port), timeout=1) as probe:
                if probe.recv(1024).startswith(b"* OK"):
                    return True
        except OSError:
            pass
        time.sleep(0.02)
    return False


def _stop(process: subprocess.Popen) -> None:
    """Kill at once: everything the server holds is in memory and meant to go."""
    if process.poll() is None:
        process.kill()
    process.wait(timeout=STOP_TIMEOUT)


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
