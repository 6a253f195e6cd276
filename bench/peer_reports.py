"""django-helpdesk's reports pages at 100k tickets, the peer figure beside Kesu's statistics.

Run it with the peer's virtualenv (`bash ../shared/peer-bench/setup.sh` makes /tmp/peer-venv):

    /tmp/peer-venv/bin/python bench/peer_reports.py [--tickets 100000] [--out FILE]

It builds a fresh SQLite database of its own in /tmp/peer-reports (the peer's project settings
from ../shared/peer-bench, read-only), fills it with tickets spread over a year (a status,
priority, owner and queue mix, one follow-up each, as the peer bench does), then times every
report of `/reports/` through Django's test client as the superuser: p50 and p95 of a few
requests each, after one warm-up. It prints one JSON document.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER = (HERE.parent.parent / "shared" / "peer-bench").resolve()
REPORTS = (
    "userstatus",
    "userpriority",
    "userqueue",
    "usermonth",
    "queuestatus",
    "queuepriority",
    "queuemonth",
    "daysuntilticketclosedbymonth",
)


def options():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=5, help="timed requests per page")
    parser.add_argument("--workdir", default="/tmp/peer-reports")  # noqa: S108 (emptied first)
    parser.add_argument("--out", default="")
    return parser.parse_args()


def setup(workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    for old in workdir.glob("db.sqlite3*"):
        old.unlink()
    os.environ["PEER_DB"] = str(workdir / "db.sqlite3")
    os.environ["PEER_RUN_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "peerproj.settings"
    sys.path.insert(0, str(PEER))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def fill(n: int):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone
    from helpdesk.models import FollowUp, Queue, Ticket

    users = get_user_model()
    admin = users.objects.create_superuser("admin", "admin@example.com", "admin")
    agents = [users.objects.create_user(f"agent{i}", is_staff=True) for i in range(8)]
    queues = [
        Queue.objects.create(slug=f"q{i}", title=f"客户投诉 {i}", email_address=f"q{i}@x.cn")
        for i in range(6)
    ]
    rng, now, made = random.Random(16), timezone.now(), 0
    started = time.perf_counter()
    while made < n:
        batch = []
        for k in range(min(5000, n - made)):
            created = now - timedelta(seconds=rng.randrange(365 * 86400))
            batch.append(
                Ticket(
                    title=f"阀门渗漏 {made + k}",
                    queue=rng.choice(queues),
                    created=created,
                    modified=created + timedelta(hours=rng.randrange(1, 400)),
                    submitter_email=f"c{made + k}@example.com",
                    status=rng.choices([1, 2, 3, 4, 5], weights=[35, 5, 25, 33, 2])[0],
                    description="客户反映:产品批号2025-07的阀门出现渗漏,要求更换。",
                    priority=rng.randint(1, 5),
                    assigned_to=rng.choice([None, admin, *agents]),
                )
            )
        ages = [(t.created, t.modified) for t in batch]
        with transaction.atomic():
            Ticket.objects.bulk_create(batch)
            adapt = connection.ops.adapt_datetimefield_value
            with connection.cursor() as cursor:  # auto_now fields: put the ages back
                cursor.executemany(
                    "UPDATE helpdesk_ticket SET created = %s, modified = %s WHERE id = %s",
                    [(adapt(c), adapt(m), t.id) for t, (c, m) in zip(batch, ages, strict=True)],
                )
            FollowUp.objects.bulk_create(
                FollowUp(ticket=t, title="Ticket Opened", date=c, public=True, user=admin)
                for t, (c, _m) in zip(batch, ages, strict=True)
            )
        made += len(batch)
    return admin, round(time.perf_counter() - started, 1)


def measure(admin, requests: int) -> dict:
    from django.test import Client

    client = Client()
    client.force_login(admin)
    out = {}
    for name, url in [("index", "/reports/"), *((r, f"/reports/{r}/") for r in REPORTS)]:
        assert client.get(url).status_code == 200, url  # warm-up, and it answers
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        times.sort()
        out[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, round(0.95 * len(times)) - 1)], 1),
            "n": len(times),
        }
    return out


def main() -> int:
    args = options()
    setup(Path(args.workdir))
    admin, fill_s = fill(args.tickets)
    result = {
        "peer": "django-helpdesk reports (/reports/…), Django test client, SQLite",
        "tickets": args.tickets,
        "fill_s": fill_s,
        "pages": measure(admin, args.requests),
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
