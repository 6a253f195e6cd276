"""A worker killed in the middle of a deadline sweep: the next worker sweeps again (issue #13,
point 24), on the SQLite queue and on Redis, against the test's own database (SQLite, or
PostgreSQL with DATABASE_URL).

The first worker's sweep is made to hang, deterministically, by the launcher below (it
replaces the sweep function in that process only: the lease is taken, then nothing happens);
the test kills it with SIGKILL while it holds the sweep, as an OOM kill or a deploy would.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from kesu.complaints.models import ComplaintEvent
from kesu.deadlines.models import SweepStatus
from tests.conftest import complaint_payload

KESU = str(Path(sys.executable).parent / "kesu")
SHARED_REDIS = "redis://127.0.0.1:6379/5"  # db 5: this test's own on a shared server

# Runs `kesu worker` with a sweep that never ends, after queueing one sweep.
HANGING_WORKER = """
import os, sys, time
import django
django.setup()
import kesu.deadlines.tasks as tasks
from django.core.management import call_command

def hang(*args, **kwargs):
    open(sys.argv[1], "w").write(str(os.getpid()))
    time.sleep(3600)

tasks.sweep = hang
tasks.sweep_deadlines()  # queued: the worker takes it at once
call_command("worker")
"""


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def redis_url(tmp_path):
    """The Redis at 127.0.0.1:6379 (db 5, emptied) when one answers; else a redis-server of
    our own on a free port, when Debian's redis-server is installed."""
    import redis

    try:
        redis.Redis.from_url(SHARED_REDIS, socket_connect_timeout=1).flushdb()
        yield SHARED_REDIS
        return
    except redis.ConnectionError:
        pass
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail(
            "the Redis queue needs a Redis server: start one on 127.0.0.1:6379 or install "
            "Debian's redis-server (apt-get install redis-server)"
        )
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(url, socket_connect_timeout=1).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_env(tmp_path: Path, redis_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="kesu.settings",
        KESU_DATA_DIR=str(tmp_path),
        KESU_SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=database_url(),
        KESU_LOG_LEVEL="INFO",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def start(argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        argv, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_for(condition, what: str, log: Path, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.3)
    pytest.fail(f"{what} did not happen within {seconds:.0f} s; worker log:\n{log.read_text()}")


def ladder_steps(number: str) -> list[str]:
    return sorted(
        ComplaintEvent.objects.filter(
            complaint__number=number, type__startswith="deadline_"
        ).values_list("type", flat=True)
    )


@pytest.mark.slow
@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_a_worker_killed_mid_sweep_does_not_stop_the_next_workers_sweeps(
    transactional_db, people, tmp_path, queue, request
):
    intake = people.api(people.intake)
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        number = intake.post("/complaints", complaint_payload()).json()["number"]
        accepted = intake.act(number, "accept", {"owner": people.handler_quality.username})
        assert accepted.status_code == 200, accepted.content
    assert ladder_steps(number) == []  # everything is due, nothing swept yet

    env = worker_env(tmp_path, request.getfixturevalue("redis_url") if queue == "redis" else None)
    flag, first_log, second_log = (tmp_path / n for n in ("hanging", "first.log", "second.log"))
    first = start([sys.executable, "-c", HANGING_WORKER, str(flag)], env, first_log)
    try:
        wait_for(flag.exists, "the first worker's sweep", first_log)
        holder = SweepStatus.objects.get().holder
        assert holder.split(":")[2] == flag.read_text()  # the hanging sweep holds the lease
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    killed_at = timezone.now()
    assert ladder_steps(number) == []  # the killed sweep took nothing

    second = start([KESU, "worker"], env, second_log)
    try:
        subprocess.run(
            [KESU, "shell", "-c", "from kesu.deadlines.tasks import sweep_deadlines as s; s()"],
            env=env,
            check=True,
            capture_output=True,
        )
        row = wait_for(
            lambda: SweepStatus.objects.filter(finished_at__gt=killed_at).first(),
            "a sweep by the next worker",
            second_log,
        )
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    assert row.holder == ""
    # the ten-day-old complaint's clocks were breached and escalated (a late sweep skips the
    # warning of a clock already breached)
    assert {"deadline_breached", "deadline_escalated"} <= set(ladder_steps(number))
