"""The monthly quality report (PDF) timed at N complaints on a fresh database in a temporary
directory (issue #16: ≤ 5 s at 1M complaints):

    .venv/bin/python -m bench.monthly_report 100000
    DATABASE_URL=postgres://…/an_empty_database .venv/bin/python -m bench.monthly_report 100000

Fills as `bench.statistics_facts` does (the complaints and their `register` events, 24 months,
the facts rebuilt, 85 % of them made closed), marks some facts late and some repeats so the
capped lists are read, then renders the last whole month's report for the company and for one
department head's scope: the median and the slowest of 3 renders each (the font read once
before, as a web worker has it).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta

from bench.statistics_facts import POSTGRES_CLOSINGS, SQLITE_CLOSINGS

SQLITE_MARKS = (
    "UPDATE statistics_complaintfact SET dispatch_settled = 1, "
    "dispatch_on_time = abs(random()) % 10 < 8, repeat = abs(random()) % 20 = 0"
)
POSTGRES_MARKS = (
    "UPDATE statistics_complaintfact SET dispatch_settled = 1, "
    "dispatch_on_time = CASE WHEN random() < 0.8 THEN 1 ELSE 0 END, repeat = random() < 0.05"
)


def main(size: int) -> None:
    os.environ["KESU_DATA_DIR"] = tempfile.mkdtemp(prefix="kesu-monthly-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone, translation

    from bench import fill
    from kesu.accounts.actions import create_user
    from kesu.accounts.choices import Role
    from kesu.accounts.models import Department
    from kesu.reports.monthly.document import monthly_pdf
    from kesu.reports.monthly.files import reader_scope
    from kesu.reports.pdf import fonts
    from kesu.site.defaults import load_defaults
    from kesu.statistics.periods import Period
    from kesu.statistics.projection import rebuild

    call_command("migrate", verbosity=0)
    load_defaults()
    service = Department.objects.get(code="customer_service")
    create_user("bench_kefu", role=Role.INTAKE, name="客服", department=service)
    for dept in Department.objects.all():
        for i in range(3):
            create_user(f"bench_{dept.code}_{i}", role=Role.HANDLER, department=dept)
    head = create_user(
        "bench_head", role=Role.DEPT_HEAD, department=Department.objects.get(code="quality")
    )
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
    rebuild()
    print(f"rebuild: {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_CLOSINGS if sqlite else POSTGRES_CLOSINGS)
        cursor.execute(SQLITE_MARKS if sqlite else POSTGRES_MARKS)
        cursor.execute("ANALYZE")

    fonts.warm_up()
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    month = Period.month(last_month.year, last_month.month)
    with translation.override("zh-hans"):
        for name, scope in (("company", None), ("head", reader_scope(head))):
            times, size_bytes = [], 0
            for _ in range(3):
                started = time.perf_counter()
                size_bytes = len(monthly_pdf(month, scope))
                times.append(time.perf_counter() - started)
            print(
                f"monthly PDF {month} {name}: median {statistics.median(times):.2f} s, "
                f"slowest {max(times):.2f} s, {size_bytes / 1024:.0f} KiB"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
