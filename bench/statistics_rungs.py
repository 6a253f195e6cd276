"""`make bench`, statistics (issue #16): the classified table, the scorecards and the monthly
report's pieces at 1,000,000 complaints, and how fast the facts are rebuilt.

    .venv/bin/python bench/statistics_rungs.py [--db sqlite|postgres] [--size 1000000]
        [--workdir /tmp/kesu-bench-stats] [--fresh] [--rebuild] [--quick]

1. A database of `--size` complaints, filled as `make bench` fills (`fill.py`: 24 months
   before this one, one `register` event each), kept in `--workdir` (SQLite) or the database
   of `DATABASE_URL` (PostgreSQL) and reused by the next run when it holds that many
   (`--fresh` fills again).
2. `projection.rebuild()` over every complaint, timed (once per filled database; `--rebuild`
   times it again). Then 85 % of the facts are made closed (a closing instant 1–300 hours
   after registering, working hours, a survey, a return visit, a reopen now and then): a bulk
   fill writes no closing events, so the closing figures read real rows. The roll-ups the
   statistics keep (`rollups`) are built again after that update, timed.
3. The rungs, each read repeated (p50/p95 nearest rank, ms), as a request would run them
   (a catch-up that finds nothing, the frozen months, the queries):
   * `classified_month` / `classified_year`: `counts.classified` by category × severity for
     the last whole month and for the year it is in (each with the period before and the
     year before);
   * `scorecards_quarter_person` / `..._department`: `appraisal.scorecards` for the quarter;
   * `monthly_pdf`: `kesu.reports.monthly` when it exists; else `monthly_tables`: every table
     of the monthly workbook but the raw list (what the PDF and the workbook compute).
Prints one JSON document on stdout; progress on stderr.
"""

from __future__ import annotations

import argparse
import inspect
import io
import json
import os
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

T0 = time.perf_counter()
TARGETS = {
    "classified_month_p95_ms": 500,
    "classified_year_p95_ms": 500,
    "scorecards_quarter_person_s": 2.0,
    "monthly_pdf_s": 5.0,
}
PG_URL = "postgres://postgres@127.0.0.1:5432/kesu_benchdb"

SQLITE_CLOSINGS = (
    "UPDATE statistics_complaintfact SET outcome = 'closed', "
    "closed_at = datetime(registered_at, '+' || (1 + abs(random()) % 300) || ' hours'), "
    "handling_seconds = 3600 * (1 + abs(random()) % 120), "
    "resolved = abs(random()) % 10 < 9, survey_scale = 3 + 2 * (abs(random()) % 2), "
    "survey_points = abs(random()) % 10, survey_max = 9, visit_needed = 1, "
    "visit_done = abs(random()) % 10 < 8, reopens = abs(random()) % 20 = 0 "
    "WHERE handler_id IS NOT NULL AND abs(random()) % 100 < 85"
)
POSTGRES_CLOSINGS = (
    "UPDATE statistics_complaintfact SET outcome = 'closed', "
    "closed_at = registered_at + (1 + floor(random() * 300)) * interval '1 hour', "
    "handling_seconds = 3600 * (1 + floor(random() * 120)), "
    "resolved = random() < 0.9, survey_scale = CASE WHEN random() < 0.5 THEN 3 ELSE 5 END, "
    "survey_points = floor(random() * 10), survey_max = 9, visit_needed = true, "
    "visit_done = random() < 0.8, reopens = CASE WHEN random() < 0.05 THEN 1 ELSE 0 END "
    "WHERE handler_id IS NOT NULL AND random() < 0.85"
)


def log(message: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f}s] statistics: {message}", file=sys.stderr, flush=True)


def options(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--workdir", default="/tmp/kesu-bench-stats")  # noqa: S108
    ap.add_argument(
        "--data-dir",
        help="use the database of this KESU_DATA_DIR (SQLite) or DATABASE_URL (PostgreSQL) as "
        "it is, no fill: `make bench` passes the one it filled; the facts are rebuilt",
    )
    ap.add_argument("--fresh", action="store_true", help="fill a new database")
    ap.add_argument("--rebuild", action="store_true", help="time the rebuild again")
    ap.add_argument("--reads", type=int, default=20, help="reads per table rung")
    ap.add_argument(
        "--without-rollups",
        type=int,
        default=0,
        metavar="READS",
        help="first time the rungs with no month rolled up (READS reads each): what the "
        "reads cost before the roll-ups",
    )
    ap.add_argument("--quick", action="store_true", help="20k complaints, 5 reads")
    args = ap.parse_args(argv)
    if args.quick:
        args.size, args.reads = 20_000, 5
        args.workdir = args.workdir.rstrip("/") + "-quick"
    return args


def timed(fn, reads: int) -> dict:
    from bench.stats import latency_summary

    fn()  # warm-up: caches, the first catch-up
    seconds = []
    for _ in range(reads):
        started = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - started)
    return latency_summary(seconds)


def setup(args) -> tuple[dict, Path]:
    """The database: reused when its state file says it holds `--size` complaints."""
    if args.data_dir:  # a database filled by `make bench`: rebuilt and read, never filled
        os.environ["KESU_DATA_DIR"] = args.data_dir
        if args.db == "postgres":
            from bench.run import PG_DEFAULT_URL

            os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or PG_DEFAULT_URL
        else:
            os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
        import django

        django.setup()
        from kesu.complaints.models import Complaint

        args.size = Complaint.objects.count()
        state_file = Path(args.data_dir) / "statistics-bench-state.json"
        return {"size": args.size, "db": args.db, "fill": {"reused": args.data_dir}}, state_file
    workdir = Path(args.workdir)
    state_file = workdir / "state.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    fresh = args.fresh or state.get("size") != args.size or state.get("db") != args.db
    if fresh:
        shutil.rmtree(workdir, ignore_errors=True)
        state = {}
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["KESU_DATA_DIR"] = str(workdir / "data")
    if args.db == "postgres":
        os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or PG_URL
        if fresh:
            from bench.run import recreate_postgres

            recreate_postgres(os.environ["DATABASE_URL"])
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()
    return state, state_file


def fill_and_build(args, state: dict, state_file: Path) -> dict:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench import fill
    from kesu.accounts.actions import create_user
    from kesu.accounts.choices import Role
    from kesu.accounts.models import Department
    from kesu.site.defaults import load_defaults
    from kesu.statistics import projection

    call_command("migrate", verbosity=0)
    sqlite = connection.vendor == "sqlite"
    if "fill" not in state:
        load_defaults()
        service = Department.objects.get(code="customer_service")
        create_user("bench_kefu", role=Role.INTAKE, name="客服", department=service)
        for dept in Department.objects.all():
            for i in range(3):
                create_user(f"bench_{dept.code}_{i}", role=Role.HANDLER, department=dept)
        ref = fill.load_reference()
        writer = (
            fill.SqliteWriter(str(settings.DATABASES["default"]["NAME"]), ref)
            if sqlite
            else fill.PostgresWriter(os.environ["DATABASE_URL"], ref)
        )
        connection.close()
        started = time.perf_counter()
        done = fill.fill(writer, ref, args.size, sqlite=sqlite, seed=1, log=log)
        done["seconds"] = round(time.perf_counter() - started, 1)
        state.update(size=args.size, db=args.db, fill=done)
        state_file.write_text(json.dumps(state))
        log(f"fill: {args.size:,} complaints in {done['seconds']} s")
    if "rebuild" not in state or args.rebuild:
        started = time.perf_counter()
        rebuilt = projection.rebuild()
        took = time.perf_counter() - started
        state["rebuild"] = {
            "complaints": rebuilt,
            "seconds": round(took, 1),
            "per_s": round(rebuilt / took),
            "measured": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        }
        log(f"rebuild: {rebuilt:,} complaints in {took:.1f} s ({rebuilt / took:,.0f}/s)")
        with connection.cursor() as cursor:  # 85 % of the owned ones closed
            cursor.execute(SQLITE_CLOSINGS if sqlite else POSTGRES_CLOSINGS)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        state_file.write_text(json.dumps(state))
    return state


def rungs(args) -> dict:
    from django.utils import timezone

    from kesu.appraisal.choices import Level
    from kesu.appraisal.scorecards import scorecards
    from kesu.reports import workbooks
    from kesu.statistics.counts import classified
    from kesu.statistics.periods import Period

    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    month = Period.month(last_month.year, last_month.month)
    quarter = Period.quarter(last_month.year, (last_month.month - 1) // 3 + 1)
    year = Period.year(last_month.year)
    out: dict = {"periods": {"month": str(month), "quarter": str(quarter), "year": str(year)}}
    table = classified(month)
    out["classified_month"] = timed(lambda: classified(month), args.reads)
    out["classified_month"]["complaints"] = table.total.count
    log(f"classified month: {out['classified_month']}")
    table = classified(year)
    out["classified_year"] = timed(lambda: classified(year), args.reads)
    out["classified_year"]["complaints"] = table.total.count
    log(f"classified year: {out['classified_year']}")
    reads = max(3, args.reads // 4)
    for level in (Level.PERSON, Level.DEPARTMENT):
        key = f"scorecards_quarter_{level.value}"
        out[key] = timed(lambda level=level: scorecards(quarter, level), reads)
        out[key]["cards"] = len(scorecards(quarter, level))
        log(f"{key}: {out[key]}")
    monthly = _monthly_pdf()
    if monthly is not None:
        out["monthly_pdf"] = timed(lambda: monthly(month), max(3, args.reads // 10))
        log(f"monthly pdf: {out['monthly_pdf']}")
    else:
        out["monthly_pdf"] = {"skipped": "kesu.reports.monthly has no PDF writer yet"}

    def pieces() -> None:
        for each in workbooks.tables(month):
            if each.code != workbooks.COMPLAINTS:
                for _row in each.rows:
                    pass

    out["monthly_tables"] = timed(pieces, max(3, args.reads // 10))
    log(f"monthly tables (the PDF's and the workbook's, but the raw list): {out['monthly_tables']}")
    return out


def _monthly_pdf():
    """A callable writing the monthly PDF of a period, from `kesu.reports.monthly` if the
    module is there (another change writes it): the first public function whose name says PDF
    and that takes a period and a stream."""
    try:
        import importlib

        module = importlib.import_module("kesu.reports.monthly")
    except ImportError:
        return None
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if "pdf" in name and not name.startswith("_") and fn.__module__ == module.__name__:
            params = list(inspect.signature(fn).parameters)
            if len(params) >= 2:
                return lambda period, fn=fn: fn(period, io.BytesIO())
            return lambda period, fn=fn: fn(period)
    return None


def acceptance(result: dict) -> dict:
    r = result["rungs"]

    def p95_ms(key: str) -> float | None:
        return r.get(key, {}).get("p95_ms")

    def p95_s(key: str) -> float | None:
        ms = r.get(key, {}).get("p95_ms")
        return None if ms is None else round(ms / 1000, 2)

    figures = {
        "classified_month_p95_ms": p95_ms("classified_month"),
        "classified_year_p95_ms": p95_ms("classified_year"),
        "scorecards_quarter_person_s": p95_s("scorecards_quarter_person"),
        "monthly_pdf_s": p95_s("monthly_pdf"),
    }
    return {
        "at_complaints": result["size"],
        **figures,
        "monthly_tables_s": p95_s("monthly_tables"),
        "rebuild_per_s": result["rebuild"].get("per_s"),
        "targets": TARGETS,
        # None: not measured (the monthly PDF until kesu.reports.monthly writes one)
        "pass": {k: None if v is None else v <= TARGETS[k] for k, v in figures.items()},
    }


def main(argv=None) -> int:
    args = options(argv)
    state, state_file = setup(args)
    state = fill_and_build(args, state, state_file)
    from django.db import connection

    from kesu.statistics import builds, rollups

    result = {
        "db": connection.vendor,
        "size": args.size,
        "fill": state.get("fill"),
        "rebuild": state.get("rebuild", {}),
    }
    if args.without_rollups:
        rollups.drop_live()
        reads = args.reads
        args.reads = args.without_rollups
        log("the rungs with no month rolled up ...")
        result["rungs_without_rollups"] = rungs(args)
        args.reads = reads
    started = time.perf_counter()
    built = builds.rebuild_all()  # the facts were changed in SQL above: every month again
    result["rollups"] = {"months": len(built), "seconds": round(time.perf_counter() - started, 1)}
    log(f"roll-ups: {result['rollups']}")
    result["rungs"] = rungs(args)
    result["acceptance"] = acceptance(result)
    result["seconds"] = round(time.perf_counter() - T0, 1)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
