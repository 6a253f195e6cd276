"""The deadline sweep's lease and its record (issue #13, point 24): a sweep cut off does not
stop the later ones, and /healthz/worker says when sweeps stop (/healthz, the web process's
own health, does not)."""

import os
import socket
import subprocess
from datetime import timedelta

import pytest
import time_machine
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.utils import timezone

from kesu.core.memo import forget
from kesu.deadlines import sweeper, tasks
from kesu.deadlines.models import SweepStatus
from kesu.site.management.commands.worker import Command as WorkerCommand

HOST = socket.gethostname()


def dead_pid() -> int:
    """The pid of a process of this host that has ended."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def held_by(holder: str, *, for_: timedelta = timedelta(minutes=5)) -> None:
    SweepStatus.objects.update_or_create(
        pk=1,
        defaults={
            "holder": holder,
            "lease_until": timezone.now() + for_,
            "started_at": timezone.now(),
        },
    )


def sweep_runs() -> bool:
    """Run the periodic task as the worker would; whether it swept."""
    return tasks.sweep_deadlines.call_local() is not None


def test_a_completed_sweep_is_recorded_and_gives_the_lease_back(defaults):
    assert sweep_runs()
    row = SweepStatus.objects.get()
    assert row.holder == "" and row.lease_until is None
    assert timezone.now() - row.finished_at < timedelta(seconds=30)
    assert row.complaints == 0


def test_a_live_sweep_elsewhere_keeps_others_out_until_its_lease_expires(defaults):
    held_by("another-host:4242:abcd1234")
    assert not sweep_runs()
    assert SweepStatus.objects.get().finished_at is None
    with time_machine.travel(timezone.now() + sweeper.LEASE, tick=False):
        assert sweep_runs()
    assert SweepStatus.objects.get().holder == ""


def here(pid: int, started: str | None = None, run: str = "deadbeef") -> str:
    """A holder of this boot and pid namespace."""
    started = started or sweeper._start_time(pid) or "1"
    return f"{HOST}:{sweeper._namespace()}:{pid}:{started}:{run}"


def test_a_lease_left_by_a_dead_process_of_this_host_is_taken_at_once(defaults):
    held_by(here(dead_pid(), "12345"), for_=timedelta(hours=1))
    assert sweep_runs()


def test_a_lease_with_this_pid_that_this_process_does_not_hold_is_an_earlier_process(defaults):
    # in a container the worker often gets the same pid after a restart
    held_by(here(os.getpid(), run="0ld0ld00"), for_=timedelta(hours=1))
    assert sweep_runs()


def test_a_lease_whose_pid_now_belongs_to_a_later_process_is_taken_at_once(defaults):
    with subprocess.Popen(["sleep", "30"]) as alive:
        try:
            held_by(here(alive.pid, started="1"), for_=timedelta(hours=1))  # not when it started
            assert sweep_runs()
        finally:
            alive.kill()


def test_a_live_process_of_this_host_keeps_its_lease(defaults):
    with subprocess.Popen(["sleep", "30"]) as alive:
        try:
            held_by(here(alive.pid, run="11112222"))
            assert not sweep_runs()
            assert sweeper.worker_started() == ""
            assert SweepStatus.objects.get().holder == here(alive.pid, run="11112222")
        finally:
            alive.kill()


@pytest.mark.parametrize("pid", [os.getpid, dead_pid])
def test_a_container_sharing_the_hostname_but_not_the_pid_namespace_keeps_its_lease(defaults, pid):
    # e.g. two containers with network_mode: host, each with its worker; their pids mean
    # nothing to each other, even when one is ours or is free here
    other = pid()
    started = sweeper._start_time(os.getpid())
    held_by(f"{HOST}:{sweeper._namespace()}0:{other}:{started}:aaaa1111")
    assert not sweep_runs()
    assert sweeper.worker_started() == ""
    with time_machine.travel(timezone.now() + sweeper.LEASE, tick=False):
        assert sweep_runs()  # it still expires


@pytest.mark.parametrize("pid", [os.getpid, dead_pid])
def test_a_holder_that_does_not_say_its_pid_namespace_is_left_to_expire(defaults, pid):
    # "host:pid:run", as written before the namespace was: this hostname and even this pid
    # may be another container's live worker
    held_by(f"{HOST}:{pid()}:aaaa1111")
    assert not sweep_runs()
    with time_machine.travel(timezone.now() + sweeper.LEASE, tick=False):
        assert sweep_runs()


def test_a_failed_sweep_gives_the_lease_back(defaults, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(tasks, "sweep", broken)
    with pytest.raises(RuntimeError):
        tasks.sweep_deadlines.call_local()
    row = SweepStatus.objects.get()
    assert row.holder == "" and row.finished_at is None
    monkeypatch.undo()
    assert sweep_runs()


def test_a_starting_worker_frees_a_dead_processs_lease_and_clears_hueys_locks(
    defaults, monkeypatch
):
    held_by(here(dead_pid(), "12345"), for_=timedelta(hours=1))
    started = {}
    monkeypatch.setattr(
        "kesu.site.management.commands.worker.call_command",
        lambda name, **options: started.update(options, name=name),
    )
    WorkerCommand().handle(workers=1)
    row = SweepStatus.objects.get()
    assert row.holder == "" and row.worker_started_at is not None
    assert started["name"] == "run_huey" and started["flush_locks"] is True
    assert "deadlines-sweep" in started["extra_locks"]


# ------------------------------------------------------------------ /healthz, /healthz/worker


def healthz(path: str = "/healthz/worker") -> tuple[int, dict]:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(path)
    return response.status_code, response.json()


@override_settings(KESU_HEALTH_SWEEP_MAX_AGE=300)
def test_the_worker_is_unhealthy_when_no_sweep_completes_after_it_started(defaults):
    status, body = healthz()
    assert status == 200 and body["worker_started"] is None  # nothing expected yet
    start = timezone.now()
    sweeper.worker_started(start)
    assert healthz()[0] == 200
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        forget()
        status, body = healthz()
        assert status == 503 and body["status"] == "unhealthy"
        assert body["reason"] == "No deadline sweep has completed since the worker started."
        assert body["last_completed"] is None and body["worker_started"]
        assert sweep_runs()
        status, body = healthz()
        assert status == 200 and body["last_completed"].endswith("+08:00")
        last = body["last_completed"]
    with time_machine.travel(start + timedelta(minutes=12), tick=False):
        forget()
        status, body = healthz()
        assert status == 503 and body["last_completed"] == last
        assert body["reason"] == "No deadline sweep has completed for longer than it may."


@override_settings(KESU_HEALTH_SWEEP_MAX_AGE=300)
def test_the_worker_is_unhealthy_while_a_sweep_cut_off_still_holds_the_lease(defaults):
    start = timezone.now()
    sweeper.worker_started(start)
    held_by("another-host:4242:abcd1234", for_=timedelta(minutes=10))
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        forget()
        status, body = healthz()
        assert status == 503
        assert body["reason"] == "A deadline sweep has been running for longer than it may."
        assert body["running_since"]


@override_settings(KESU_HEALTH_SWEEP_MAX_AGE=300)
def test_a_stalled_worker_does_not_take_the_web_server_out_of_service(defaults):
    start = timezone.now()
    sweeper.worker_started(start)
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        forget()
        assert healthz("/healthz/worker")[0] == 503
        status, body = healthz("/healthz")
        assert status == 200 and body["status"] == "ok"


SECRET = 'connection to server at "db.internal" (10.0.0.5) failed: password for user "kesu"'


@pytest.mark.parametrize("path", ["/healthz", "/healthz/worker"])
def test_a_database_that_does_not_answer_is_503_without_its_error(defaults, monkeypatch, path):
    def refused(*args, **kwargs):
        raise OperationalError(SECRET)

    monkeypatch.setattr(connection, "cursor", refused)
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(path)
    monkeypatch.undo()
    assert response.status_code == 503
    assert response.json() == {"status": "unhealthy", "reason": "The database does not answer."}
    assert "db.internal" not in response.content.decode()


def test_the_admin_shows_the_last_completed_sweep(people):
    assert sweep_runs()
    client = Client()
    client.force_login(people.admin)
    page = client.get("/admin/deadlines/sweepstatus/")
    assert page.status_code == 200
    finished = timezone.localtime(SweepStatus.objects.get().finished_at)
    assert f"{finished:%H:%M}" in page.content.decode()
