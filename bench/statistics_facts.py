"""The statistics' reads over the per-complaint facts, timed at N complaints on a fresh SQLite
database in a temporary directory (issue #16):

    .venv/bin/python -m bench.statistics_facts 100000
    DATABASE_URL=postgres://…/an_empty_database .venv/bin/python -m bench.statistics_facts 100000

1. the complaints and their `register` events bulk-filled as `make bench` fills them
   (`bench.fill`), 24 months up to the current one;
2. `projection.rebuild()`: every complaint's facts from its timeline, timed;
3. most facts made closed (a closing instant, working hours, a survey, a reopen now and then),
   since a bulk fill writes no closing events, so the closing figures read real rows;
4. `indicators` for the last whole month, quarter and year, for the company, per department
   and per person: p50 and p95 of repeated reads (each a catch-up that finds nothing, the
   frozen months and the GROUP BYs), and the drill-down of one figure.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta

SQLITE_CLOSINGS = (
    "UPDATE statistics_complaintfact SET outcome = 'closed', "
    "closed_at = datetime(registered_at, '+' || (1 + abs(random()) % 300) || ' hours'), "
    "handling_seconds = 3600 * (1 + abs(random()) % 120), "
    "resolved = abs(random()) % 10 < 9, survey_scale = 3 + 2 * (abs(random()) % 2), "
    "survey_points = abs(random()) % 10, survey_max = 9, visit_needed = 1, "
    "visit_done = abs(random()) % 10 < 8, reopens = abs(random()) % 20 = 0, "
    "handler_id = (SELECT id FROM accounts_user ORDER BY abs(random()) LIMIT 1) "
    "WHERE abs(random()) % 100 < 85"
)
POSTGRES_CLOSINGS = (
    "UPDATE statistics_complaintfact SET outcome = 'closed', "
    "closed_at = registered_at + (1 + floor(random() * 300)) * interval '1 hour', "
    "handling_seconds = 3600 * (1 + floor(random() * 120)), "
    "resolved = random() < 0.9, survey_scale = CASE WHEN random() < 0.5 THEN 3 ELSE 5 END, "
    "survey_points = floor(random() * 10), survey_max = 9, visit_needed = true, "
    "visit_done = random() < 0.8, reopens = CASE WHEN random() < 0.05 THEN 1 ELSE 0 END, "
    "handler_id = (SELECT array_agg(id) FROM accounts_user)"
    "[1 + floor(random() * (SELECT count(*) FROM accounts_user))::int] "
    "WHERE random() < 0.85"
)


def main(size: int) -> None:
    os.environ["KESU_DATA_DIR"] = tempfile.mkdtemp(prefix="kesu-facts-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench import fill
    from kesu.accounts.actions import create_user
    from kesu.accounts.choices import Role
    from kesu.accounts.models import Department
    from kesu.site.defaults import load_defaults
    from kesu.statistics.counts import Dimension
    from kesu.statistics.indicators import complaints, indicators
    from kesu.statistics.periods import Period
    from kesu.statistics.projection import rebuild

    call_command("migrate", verbosity=0)
    load_defaults()
    service = Department.objects.get(code="customer_service")
    create_user("bench_kefu", role=Role.INTAKE, name="客服", department=service)
    for dept in Department.objects.all():
        for i in range(3):
            create_user(f"bench_{dept.code}_{i}", role=Role.HANDLER, department=dept)
    ref = fill.load_reference()
    sqlite = connection.vendor == "sqlite"
    writer = (
        fill.SqliteWriter(str(settings.DATABASES["default"]["NAME"]), ref)
        if sqlite
        else fill.PostgresWriter(os.environ["DATABASE_URL"], ref)
    )
    connection.close()
    started = time.perf_counter()
    fill.fill(writer, ref, size, sqlite=sqlite, seed=1, log=lambda m: None)
    print(f"fill: {size:,} complaints in {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    rebuilt = rebuild()
    took = time.perf_counter() - started
    print(f"rebuild: {rebuilt:,} complaints in {took:.1f} s ({rebuilt / took:,.0f}/s)")

    with connection.cursor() as cursor:  # 85 % closed, 1–300 hours after registering
        cursor.execute(SQLITE_CLOSINGS if sqlite else POSTGRES_CLOSINGS)
        cursor.execute("ANALYZE")

    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    quarter = (last_month.month - 1) // 3 + 1
    periods = {
        "month": Period.month(last_month.year, last_month.month),
        "quarter": Period.quarter(last_month.year, quarter),
        "year": Period.year(last_month.year),
    }
    for name, period in periods.items():
        for by in ((), (Dimension.DEPARTMENT,), (Dimension.HANDLER,)):
            times = []
            for _ in range(7):
                started = time.perf_counter()
                found = indicators(period, by=by)
                times.append(time.perf_counter() - started)
            times.sort()
            keys = len(found)
            label = "/".join(by) or "company"
            print(
                f"indicators {name} {period} by {label}: {keys} keys, "
                f"p50 {1000 * statistics.median(times):.0f} ms, p95 {1000 * times[-1]:.0f} ms"
            )
    started = time.perf_counter()
    behind = complaints("resolution", periods["month"]).count()
    took = 1000 * (time.perf_counter() - started)
    print(f"drill-down: {behind:,} complaints behind a month's resolution in {took:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
