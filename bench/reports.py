"""`make bench`, reports: the monthly workbook's memory and time at 100,000 raw-list rows
(issue #16: an xlsx of 100k rows with peak RSS ≤ 300 MiB).

    .venv/bin/python bench/reports.py [--db sqlite|postgres] [--size 100000] [--quick]

1. A fresh database filled with `--size` complaints (rows shaped as registration writes
   them, spread over the 24 months before this one; `fill.py`).
2. `kesu report monthly FIRST..LAST --format xlsx` over the days that hold every one of them
   (or the last `--rows`), so the workbook's raw list has that many rows (and its statistics
   sheets count them), run as its own process exactly as a person runs it: its wall time,
   and its peak resident memory as the kernel counts it (`wait4`'s `ru_maxrss`: Python,
   Django, the queries, the writer, and the pages of the SQLite file it maps, up to
   `mmap_size`), with its private memory (RssAnon) sampled beside it. The same for
   `--format csv` (the zip of one CSV per table).
Prints one JSON document on stdout; progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import fill  # noqa: E402
from bench.run import PG_DEFAULT_URL, personas, prepare, recreate_postgres  # noqa: E402

T0 = time.perf_counter()
TARGETS = {"xlsx_peak_rss_mib": 300}


def log(message: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f}s] reports: {message}", file=sys.stderr, flush=True)


def options(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--size", type=int, default=100_000, help="complaints (raw-list rows)")
    ap.add_argument(
        "--rows",
        type=int,
        help="raw-list rows: the workbook covers the days of the last ROWS registrations "
        "(default: all of them); e.g. --size 1000000 --rows 100000, as issue #16 asks",
    )
    ap.add_argument("--quick", action="store_true", help="10k complaints")
    ap.add_argument("--workdir", default="/tmp/kesu-bench-reports")  # noqa: S108
    args = ap.parse_args(argv)
    if args.quick:
        args.size = 10_000
    return args


def days_of_the_last(rows: int | None) -> str:
    """The range of local days that holds the last `rows` registrations (all: None), from the
    day of the oldest of them; whole days, so it may hold a few more."""
    from django.utils import timezone

    from kesu.complaints.models import Complaint

    newest_first = Complaint.objects.order_by("-registered_at").values_list(
        "registered_at", flat=True
    )
    last = newest_first.first()
    first = newest_first[rows - 1] if rows else newest_first.last()
    assert first is not None and last is not None, "the database holds no complaint"
    return f"{timezone.localdate(first).isoformat()}..{timezone.localdate(last).isoformat()}"


def run_report(env: dict, period: str, fmt: str, out: Path) -> dict:
    """`kesu report monthly PERIOD --format FMT -o OUT` in its own process: seconds, peak RSS."""
    kesu = Path(sys.executable).with_name("kesu")
    argv = [str(kesu)] if kesu.exists() else [sys.executable, "-m", "kesu"]
    argv += ["report", "monthly", period, "--format", fmt, "-o", str(out)]
    errors = out.with_suffix(".stderr")
    anon = 0
    with errors.open("w") as stderr:
        t0 = time.perf_counter()
        child = subprocess.Popen(argv, env=env, cwd=ROOT, stderr=stderr)
        while True:  # this child's own peak (wait4), not the fill's; its private memory sampled
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            anon = max(anon, _anonymous_kib(child.pid))
            time.sleep(0.1)
        seconds = time.perf_counter() - t0
    child.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"kesu report failed ({code}): {errors.read_text()[-800:]}")
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        "peak_anonymous_mib_sampled": round(anon / 1024, 1),
        "file_mib": round(out.stat().st_size / 2**20, 1),
    }


def _anonymous_kib(pid: int) -> int:
    """The process's private memory now (RssAnon): RSS without the pages of files it maps,
    such as SQLite's memory-mapped database (PRAGMA mmap_size in kesu/settings.py)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def raw_rows(path: Path) -> int:
    """Rows of the raw-list sheet, counted in the file's XML (no spreadsheet library: fast)."""
    with zipfile.ZipFile(path) as archive:
        sheets = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
        last = max(sheets, key=lambda n: int(n.removeprefix("xl/worksheets/sheet")[:-4]))
        count, tail = 0, b""
        with archive.open(last) as sheet:
            for chunk in iter(lambda: sheet.read(1 << 20), b""):
                joined = tail + chunk  # a tag may straddle two chunks
                count += joined.count(b"<row ")
                tail = joined[-4:]  # shorter than the tag: never counted twice
        return count


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
            "kesu_bench", "kesu_bench_reports"
        )
        env["DATABASE_URL"] = url
        recreate_postgres(url)
    os.environ.clear()
    os.environ.update(env)
    out: dict = {"db": args.db, "size": args.size, "targets": TARGETS}
    out["prepare"] = prepare(env, workdir)
    import django

    django.setup()
    personas()
    from django.db import connections

    ref = fill.load_reference()
    connections.close_all()
    writer = (
        fill.SqliteWriter(str(data / "kesu.sqlite3"), ref)
        if args.db == "sqlite"
        else fill.PostgresWriter(url, ref)
    )
    t0 = time.perf_counter()
    out["fill"] = fill.fill(writer, ref, args.size, sqlite=args.db == "sqlite", seed=5, log=log)
    out["fill"]["seconds"] = round(time.perf_counter() - t0, 1)
    log(f"filled {args.size:,} complaints in {out['fill']['seconds']} s")
    period = days_of_the_last(args.rows)
    connections.close_all()
    out["period"] = period
    xlsx = workdir / "monthly.xlsx"
    out["xlsx"] = run_report(env, period, "xlsx", xlsx)
    out["xlsx"]["raw_list_rows"] = raw_rows(xlsx) - 3  # the title, caption and header rows
    log(f"xlsx: {out['xlsx']}")
    out["csv_zip"] = run_report(env, period, "csv", workdir / "monthly.zip")
    log(f"csv: {out['csv_zip']}")
    out["pass"] = {
        "xlsx_peak_rss_mib": out["xlsx"]["peak_rss_mib"] <= TARGETS["xlsx_peak_rss_mib"],
        "raw_list_rows_at_least_asked": out["xlsx"]["raw_list_rows"] >= (args.rows or args.size),
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
