"""`kesu serve` and `kesu worker` fail at once, naming the variable or the file, when what they
need is missing or wrong (issue #13, point 25): no traceback, no hang, no half-working server."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kesu.envconfig import ConfigError, shown, with_query

KESU = str(Path(sys.executable).parent / "kesu")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


def run(tmp_path: Path, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    environ.update({"KESU_DATA_DIR": str(tmp_path / "data"), **env})
    process = subprocess.Popen(
        [KESU, *args],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a server that did start is stopped with all its processes
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"`kesu {' '.join(args)}` was still running after {timeout} s")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def refused(done: subprocess.CompletedProcess, *names: str) -> str:
    """It stopped with status 2 and one line naming each of `names`; returns that line."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert "Kesu is ready" not in done.stdout and "客诉系统已就绪" not in done.stdout
    for name in names:
        assert name in done.stderr, done.stderr
    return done.stderr


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_serve_refuses_to_start_when_redis_is_not_there(tmp_path):
    url = f"redis://:s3cret@127.0.0.1:{closed_port()}/5"
    message = refused(
        run(tmp_path, "serve", "--port", str(closed_port()), REDIS_URL=url), "REDIS_URL"
    )
    assert "s3cret" not in message and "cannot reach Redis" in message


def test_the_worker_refuses_to_start_when_redis_is_not_there(tmp_path):
    url = f"redis://127.0.0.1:{closed_port()}/5"
    refused(run(tmp_path, "worker", REDIS_URL=url), "REDIS_URL", "cannot reach Redis")


def test_serve_stops_on_a_database_that_accepts_connections_but_never_answers(
    tmp_path, silent_server
):
    started = time.monotonic()
    done = run(
        tmp_path,
        "serve",
        "--port",
        str(closed_port()),
        DATABASE_URL=f"postgres://kesu:pw@127.0.0.1:{silent_server}/kesu",
        KESU_DB_CONNECT_TIMEOUT="2",
        timeout=30,
    )
    refused(done, "DATABASE_URL", f"127.0.0.1:{silent_server}")
    assert time.monotonic() - started < 25  # the connect timeout, not a hang


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KESU_DB_CONN_MAX_AGE", "ten minutes"),
        ("DATABASE_URL", "mysql:/nowhere"),
        ("DATABASE_URL", "oracle-ish://x"),
        ("KESU_TIME_ZONE", "Asia/Beijing"),
        ("KESU_LANGUAGE", "zh-cn"),
        ("REDIS_URL", "localhost:6379"),
        ("KESU_PUBLIC_FORM_PER_ADDRESS", "10 per hour"),
        ("KESU_DEBUG", "maybe"),
        ("KESU_EMAIL_URL", "smtp://"),
        ("KESU_IMAP_URL", "imaps://imap.example.com/INBOX"),
        ("KESU_SMS_BACKEND", "sms_vendor.Backend"),
        ("KESU_LOG_LEVEL", "verbose"),
    ],
)
def test_a_bad_setting_stops_kesu_serve_with_the_variables_name(tmp_path, variable, value):
    refused(run(tmp_path, "serve", "--prepare-only", **{variable: value}), variable)


def test_a_data_directory_that_cannot_be_made_names_the_variable_and_the_directory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    done = run(tmp_path, "serve", "--prepare-only", KESU_DATA_DIR=str(blocker / "data"))
    refused(done, "KESU_DATA_DIR", str(blocker / "data"))


def test_an_unreadable_secret_key_file_names_the_file(tmp_path):
    data = tmp_path / "data"
    (data / "secret_key").mkdir(parents=True)  # a directory where the key file should be
    refused(run(tmp_path, "serve", "--prepare-only"), "KESU_SECRET_KEY", str(data / "secret_key"))


# ------------------------------------------------------------------ the readers themselves


def test_a_password_in_a_url_is_never_shown():
    assert shown("redis://:pw@h:6379/5") == "redis://:***@h:6379/5"
    assert shown("postgres://kesu:p%40ss@db/kesu") == "postgres://kesu:***@db/kesu"
    assert shown("redis://h:6379/5") == "redis://h:6379/5"


def test_the_redis_queue_gets_a_connect_timeout_unless_its_url_sets_one():
    assert with_query("redis://h/5", socket_connect_timeout=5) == (
        "redis://h/5?socket_connect_timeout=5"
    )
    assert with_query("redis://h/5?socket_connect_timeout=1", socket_connect_timeout=5) == (
        "redis://h/5?socket_connect_timeout=1"
    )


def test_a_starting_check_raises_config_error_in_process(settings):
    from kesu.site import startup

    settings.KESU_SMS_BACKEND = "nowhere.Backend"
    with pytest.raises(ConfigError, match="KESU_SMS_BACKEND"):
        startup.check_settings()
