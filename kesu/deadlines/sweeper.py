"""Who sweeps the deadlines now, and when a sweep last completed: a lease in the database.

The periodic sweep must not stop because one sweep was cut off. Huey's task lock (which the
sweep used to take) has no expiry on the SQLite queue nor on Redis before 7.4, and nothing
clears it when a worker starts: a worker killed mid-sweep (SIGKILL, an OOM kill, a deploy's
SIGTERM that runs out of grace) left it behind, and every later sweep refused to start,
silently. So the sweep takes a lease on the one `SweepStatus` row instead:

* `claim` takes it with one conditional UPDATE when it is free, when its time is up (`LEASE`),
  or when its holder is provably a process that no longer runs (`_dead`): one of this
  kernel's boot and this pid namespace whose pid is gone or now belongs to a process started
  at another time. A holder anywhere else — another host, or another container that shares
  this hostname but not this pid namespace — is never judged dead: its lease expires;
* `finish` gives it back and records the completed sweep (time, complaints, steps), which
  the admin shows and `/healthz/worker` reads (`health`); `abandon` gives it back after an
  error;
* `worker_started` (called by `kesu worker` when it starts) gives back the leases of this
  host's dead processes and notes that a worker runs here, so `/healthz/worker` expects
  sweeps.

The sweep itself stays race-safe (it locks its rows and replays under the lock), so two
sweeps that overlap after a lease expired under a live but slow one do no harm.
"""

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.core.memo import forget, memo
from kesu.deadlines.models import SweepStatus

# How long a sweep may hold the lease; a longer one may be joined by a second sweeper.
LEASE = timedelta(minutes=10)

_ROW = 1
_held: set[str] = set()  # the leases this process holds now

# /healthz/worker reads the row at most this often per process.
HEALTH_TTL = 10.0


def _host() -> str:
    return socket.gethostname()


def _status() -> SweepStatus:
    row, _created = SweepStatus.objects.get_or_create(pk=_ROW)
    return row


def _read(path: str) -> str | None:
    try:
        with open(path) as stream:
            return stream.read()
    except OSError:
        return None


def _start_time(pid: int | str) -> str | None:
    """When the process started, in clock ticks since boot (field 22 of /proc/PID/stat);
    None when there is no such process (or no /proc)."""
    stat = _read(f"/proc/{pid}/stat")
    if stat is None:
        return None
    # The command name (field 2) is in brackets and may hold spaces: count after its end.
    return stat[stat.rindex(")") + 2 :].split()[19]


def _namespace() -> str | None:
    """This kernel's boot and this process's pid namespace, in which pids mean something; None
    without /proc (then no holder is ever judged dead: leases only expire)."""
    boot = _read("/proc/sys/kernel/random/boot_id")
    try:
        pid_ns = os.readlink("/proc/self/ns/pid")
    except OSError:
        return None
    if boot is None:
        return None
    return f"{boot.strip()[:8]}.{pid_ns.removeprefix('pid:[').removesuffix(']')}"


def _identity() -> str:
    """ "host:namespace:pid:start" of this process (host for people; the rest decides)."""
    pid = os.getpid()
    return f"{_host()}:{_namespace() or '-'}:{pid}:{_start_time(pid) or '-'}"


def _dead(holder: str) -> bool:
    """Whether `holder` ("host:namespace:pid:start:run") is provably a process that no longer
    runs: one of this boot and pid namespace whose pid is gone, or belongs to a process that
    started at another time (the pid came back: a container's worker is often pid 1 or 7
    after every restart). This very process is dead as a holder of a lease it does not hold.

    Anything else is not known dead — another host, another pid namespace behind the same
    hostname, a holder written before this form, no /proc — and keeps its lease until it
    expires.
    """
    parts = holder.split(":")
    if len(parts) != 5 or not parts[2].isdigit():
        return False
    _host_name, namespace, pid, started, _run = parts
    if namespace == "-" or namespace != _namespace():
        return False
    if holder.rsplit(":", 1)[0] == _identity():
        return holder not in _held
    now_started = _start_time(pid)
    return now_started is None or now_started != started


def claim(now: datetime | None = None) -> str | None:
    """Take the lease: its token, or None while a live sweep holds it."""
    now = now or timezone.now()
    current = _status()
    free = Q(holder="") | Q(lease_until__lt=now)
    if current.holder and _dead(current.holder):
        free |= Q(holder=current.holder)
    token = f"{_identity()}:{uuid.uuid4().hex[:8]}"
    taken = SweepStatus.objects.filter(free, pk=_ROW).update(
        holder=token, lease_until=now + LEASE, started_at=now
    )
    if not taken:
        return None
    _held.add(token)
    forget("sweeper:")
    return token


def finish(token: str, *, complaints: int, steps: dict, now: datetime | None = None) -> None:
    """Record a completed sweep and give the lease back."""
    now = now or timezone.now()
    SweepStatus.objects.filter(pk=_ROW, holder=token).update(
        holder="", lease_until=None, finished_at=now, complaints=complaints, steps=steps
    )
    _held.discard(token)
    forget("sweeper:")


def abandon(token: str) -> None:
    """Give the lease back after a failed sweep (nothing is recorded as completed)."""
    SweepStatus.objects.filter(pk=_ROW, holder=token).update(holder="", lease_until=None)
    _held.discard(token)
    forget("sweeper:")


def worker_started(now: datetime | None = None) -> str:
    """A worker starts here: free a lease a dead process of this host left; expect sweeps.

    Returns the holder whose lease was freed, or "".
    """
    now = now or timezone.now()
    current = _status()
    freed = ""
    if current.holder and _dead(current.holder):
        released = SweepStatus.objects.filter(pk=_ROW, holder=current.holder)
        if released.update(holder="", lease_until=None):
            freed = current.holder
    SweepStatus.objects.filter(pk=_ROW).update(worker_started_at=now)
    forget("sweeper:")
    return freed


@dataclass(frozen=True)
class Health:
    ok: bool
    reason: str
    last_completed: datetime | None
    running_since: datetime | None
    worker_started: datetime | None


def health(max_age: timedelta, now: datetime | None = None) -> Health:
    """Whether sweeps happen: the last completed one (or the one running, or the worker's
    start, whichever is latest) is at most `max_age` old. Before any worker has started here
    nothing is expected (a fresh install, or a worker not started yet). The reason is in
    general words: the times are given beside it."""
    now = now or timezone.now()
    row = memo("sweeper:status", _status_row, ttl=HEALTH_TTL)
    if row is None or row.worker_started_at is None:
        return Health(True, "", None, None, None)
    running = row.started_at if row.holder else None
    marks = [at for at in (row.finished_at, running, row.worker_started_at) if at is not None]
    latest = max(marks)
    ok = now - latest <= max_age
    if ok:
        reason = ""
    elif running and running == latest:
        reason = _("A deadline sweep has been running for longer than it may.")
    elif row.finished_at:
        reason = _("No deadline sweep has completed for longer than it may.")
    else:
        reason = _("No deadline sweep has completed since the worker started.")
    return Health(ok, reason, row.finished_at, running, row.worker_started_at)


def _status_row() -> SweepStatus | None:
    return SweepStatus.objects.filter(pk=_ROW).first()
