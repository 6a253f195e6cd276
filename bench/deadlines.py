"""`make bench`, deadlines: the working calendar and the deadline sweep (issue #3).

    .venv/bin/python bench/deadlines.py [--db sqlite|postgres] [--size 1000000] [--quick]

1. Calendar: add 2 working days to 1,000,000 instants on the company calendar (China's
   statutory holidays and 调休), next to the floor of adding 2 natural days to the same
   instants (plain datetime arithmetic), measured in the same run.
2. A fresh database filled with `--size` complaints that all stay open (rows shaped as
   registration writes them, `due_at` and `next_check_at` included), then the sweep,
   in-process, exactly as the worker calls it:
   * with 0 due: `now` just before the earliest next check (repeated; p50/p95);
   * with 1,000 due: `now` at the 1,000th earliest next check (three rounds, each on the
     next 1,000; when the 1,000th shares its second with more, the round stops before that
     group and has fewer), timeline events and notifications written.
Prints one JSON document on stdout; progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import fill  # noqa: E402
from bench.run import PG_DEFAULT_URL, personas, prepare, recreate_postgres  # noqa: E402

T0 = time.perf_counter()
TARGETS = {"sweep_0_due_ms": 50, "sweep_1000_due_ms": 2000}


def log(message: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f}s] deadlines: {message}", file=sys.stderr, flush=True)


def options(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--size", type=int, default=1_000_000, help="open complaints")
    ap.add_argument("--instants", type=int, default=1_000_000, help="calendar additions")
    ap.add_argument("--quick", action="store_true", help="20k complaints, 100k instants")
    ap.add_argument("--workdir", default="/tmp/kesu-bench-deadlines")  # noqa: S108
    args = ap.parse_args(argv)
    if args.quick:
        args.size, args.instants = 20_000, 100_000
    return args


def calendar_bench(n: int) -> dict:
    from kesu.deadlines.queries import company_calendar
    from kesu.deadlines.workcal import natural_add

    calendar = company_calendar()
    rng = random.Random(7)
    base = datetime(2025, 1, 1, tzinfo=UTC)
    instants = [base + timedelta(seconds=rng.randrange(2 * 365 * 86400)) for _ in range(n)]
    calendar.add_days(instants[0], 2)  # builds the year tables once, outside the timing
    calendar.add_days(instants[0] + timedelta(days=800), 2)
    rounds = []
    for _ in range(3):  # interleaved: floor, calendar, floor, calendar ...
        t0 = time.perf_counter()
        for at in instants:
            natural_add(at, timedelta(days=2))
        floor = time.perf_counter() - t0
        t0 = time.perf_counter()
        for at in instants:
            calendar.add_days(at, 2)
        working = time.perf_counter() - t0
        rounds.append((floor, working))
    floor = statistics.median(r[0] for r in rounds)
    working = statistics.median(r[1] for r in rounds)
    return {
        "instants": n,
        "add_2_working_days_s": round(working, 3),
        "add_2_working_days_per_s": round(n / working),
        "floor_add_2_natural_days_s": round(floor, 3),
        "working_over_natural": round(working / floor, 2),
        "rounds": [[round(a, 3), round(b, 3)] for a, b in rounds],
    }


def heads_and_executives() -> None:
    """Whom the ladder tells: a head per department and two executives."""
    from kesu.accounts.actions import create_user
    from kesu.accounts.choices import Role
    from kesu.accounts.models import Department

    for dept in Department.objects.all():
        create_user(f"bench_head_{dept.code}", role=Role.DEPT_HEAD, name="负责人", department=dept)
    for i in (1, 2):
        create_user(f"bench_vp{i}", role=Role.EXECUTIVE, name=f"副总{i}")


def next_checks(k: int) -> list[datetime]:
    from kesu.complaints.models import Complaint

    rows = Complaint.objects.filter(next_check_at__isnull=False).order_by("next_check_at")
    return list(rows.values_list("next_check_at", flat=True)[:k])


def due_instant(k: int) -> datetime:
    """The instant at which k complaints are due, or fewer when the k-th shares its second
    with more (weekend registrations all reach a working-hour warning at the same instant):
    then the last instant before that group."""
    checks = next_checks(k + 1)
    now = checks[min(k, len(checks)) - 1]
    if len(checks) > k and checks[k] == now:
        earlier = [c for c in checks[:k] if c < now]
        now = earlier[-1] if earlier else now
    return now


def sweep_bench(rounds_1000: int = 3, repeats_0: int = 30) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from kesu.complaints.models import Complaint, ComplaintEvent
    from kesu.deadlines.sweep import sweep

    out: dict = {}
    open_count = Complaint.objects.filter(closed_at__isnull=True).count()
    scheduled = Complaint.objects.filter(next_check_at__isnull=False).count()
    out["open_complaints"] = open_count
    out["complaints_with_a_next_check"] = scheduled
    first = next_checks(1)[0]
    quiet = first - timedelta(seconds=1)
    times = []
    for _ in range(repeats_0):
        t0 = time.perf_counter()
        report = sweep(now=quiet)
        times.append((time.perf_counter() - t0) * 1000)
        assert report.complaints == 0, report.as_dict()
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        sweep(now=quiet)
    times.sort()
    out["zero_due"] = {
        "n": repeats_0,
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "max_ms": round(times[-1], 2),
        "sql": [q["sql"][:300] for q in ctx.captured_queries],
    }
    log(f"sweep with 0 due: p95 {out['zero_due']['p95_ms']} ms")
    runs = []
    for _ in range(rounds_1000):
        now = due_instant(1000)
        due = Complaint.objects.filter(next_check_at__lte=now).count()
        events_before = ComplaintEvent.objects.count()
        t0 = time.perf_counter()
        report = sweep(now=now)
        ms = (time.perf_counter() - t0) * 1000
        runs.append(
            {
                "due": due,
                "ms": round(ms, 1),
                "complaints_swept": report.complaints,
                "steps": dict(report.steps),
                "events_written": ComplaintEvent.objects.count() - events_before,
                "notifications_written": _notifications(),
            }
        )
        log(f"sweep with {due} due: {ms:.0f} ms, {report.as_dict()}")
    out["thousand_due"] = {
        "runs": runs,
        "median_ms": round(statistics.median(r["ms"] for r in runs), 1),
        "max_ms": max(r["ms"] for r in runs),
    }
    return out


def _notifications() -> int | None:
    try:
        from kesu.notifications.models import Notification
    except ImportError:
        return None
    return Notification.objects.count()


def run(args) -> dict:
    workdir = Path(args.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    data = workdir / "data"
    data.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KESU_ACCESS_LOG")}
    env.update(KESU_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="kesu.settings")
    url = None
    if args.db == "postgres":
        url = os.environ.get("DATABASE_URL") or PG_DEFAULT_URL.replace(
            "kesu_bench", "kesu_bench_dl"
        )
        env["DATABASE_URL"] = url
        recreate_postgres(url)
    os.environ.clear()
    os.environ.update(env)
    out: dict = {"db": args.db, "size": args.size, "targets": TARGETS}
    out["prepare"] = prepare(env, workdir)
    import django

    django.setup()
    from kesu.core.warmup import load_urls

    load_urls()  # `kesu worker` has them before its first sweep (Django's system checks)
    personas()
    heads_and_executives()
    out["calendar"] = calendar_bench(args.instants)
    log(
        f"calendar: {out['calendar']['add_2_working_days_per_s']:,} additions/s "
        f"({out['calendar']['working_over_natural']}× natural)"
    )
    from django.db import connections

    ref = fill.load_reference()
    ref.all_open = True
    connections.close_all()
    writer = (
        fill.SqliteWriter(str(data / "kesu.sqlite3"), ref)
        if args.db == "sqlite"
        else fill.PostgresWriter(url, ref)
    )
    t0 = time.perf_counter()
    out["fill"] = fill.fill(writer, ref, args.size, sqlite=args.db == "sqlite", seed=3, log=log)
    out["fill"]["seconds"] = round(time.perf_counter() - t0, 1)
    log(f"filled {args.size:,} open complaints in {out['fill']['seconds']} s")
    out["sweep"] = sweep_bench()
    out["pass"] = {
        "sweep_0_due_ms": out["sweep"]["zero_due"]["p95_ms"] <= TARGETS["sweep_0_due_ms"],
        "sweep_1000_due_ms": out["sweep"]["thousand_due"]["max_ms"] <= TARGETS["sweep_1000_due_ms"],
    }
    out["seconds"] = round(time.perf_counter() - T0, 1)
    return out


def main(argv=None) -> int:
    args = options(argv)
    result = run(args)
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
