"""`make bench`: registration and list performance of Kesu, each next to a floor.

    .venv/bin/python bench/run.py [--quick] [--sizes 100000,1000000] [--db sqlite|postgres]
                                  [--out bench/out/latest.json]

For each size: fill the database to that many complaints (direct SQL, rows shaped as the
register path writes them), measure its size, start gunicorn as `kesu serve` does, time the
list endpoints with one sequential client, then load POST /api/v1/complaints with wrk at 4 and
8 connections, interleaved with the same load on GET /healthz (a trivial JSON view on the same
stack: the floor). At the largest size, compare gunicorn worker settings. Prints one JSON
document on stdout (progress on stderr) and writes it to --out. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import fill, ladder, latency, load  # noqa: E402
from bench.database import Database  # noqa: E402
from bench.server import Server, ServerConfig, serve_default_workers  # noqa: E402
from bench.stats import cpu_probe, median  # noqa: E402
from bench.synthetic import Generator  # noqa: E402

T0 = time.perf_counter()
PG_DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kesu_bench"
HANDLER_DEPARTMENT = "sales_east"  # about 6 % of the complaints
SMALL_DEPARTMENT = "purchasing"  # about 1 %
TARGETS = {
    "registration_per_s": 400,
    "registration_over_floor": 0.40,
    "list_first_page_p95_ms": 50,
    "mib_per_100k": 80,
    # issue #4: the staff workspace's pages, at 1M complaints
    "workspace_inbox_first_page_p95_ms": 150,
    "workspace_search_p95_ms": 150,
    "workspace_dashboard_p95_ms": 300,
}


def log(message: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f}s] {message}", file=sys.stderr, flush=True)


def options(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes and short runs (1-2 min)")
    ap.add_argument("--sizes", default="100000,1000000", help="complaint counts, ascending")
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "latest.json"))
    ap.add_argument("--workdir", default="/tmp/kesu-bench")  # noqa: S108 (deleted first)
    ap.add_argument(
        "--deadlines",
        default="sqlite,postgres",
        help="databases for bench/deadlines.py after the main run ('' to skip); "
        "postgres is skipped when the server cannot be reached",
    )
    ap.add_argument(
        "--mail",
        default="sqlite,postgres",
        help="databases for bench/mail.py (10,000 e-mails from a mailbox file) ('' to skip)",
    )
    ap.add_argument(
        "--reports",
        default="sqlite",
        help="databases for bench/reports.py (the monthly workbook at 100,000 raw-list rows: "
        "peak RSS and seconds) ('' to skip)",
    )
    ap.add_argument(
        "--statistics",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="bench/statistics_rungs.py on the largest size's database when the run is over "
        "(the classified table, the scorecards, the monthly report's pieces; issue #16)",
    )
    ap.add_argument("--duration", type=float, help="seconds per wrk run (default 10, quick 3)")
    ap.add_argument("--rounds", type=int, help="interleaved floor/register rounds (default 2)")
    ap.add_argument("--no-configs", action="store_true", help="skip the gunicorn settings sweep")
    ap.add_argument(
        "--no-ladder", action="store_true", help="skip the registration ladder (SQLite only)"
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes = "2000,10000" if args.sizes == ap.get_default("sizes") else args.sizes
        plan = {
            "duration": args.duration or 3,
            "rounds": args.rounds or 1,
            "config_duration": 2,
            "config_rounds": 1,
            "list": (10, 3.0, 3),
            "search": (10, 3.0, 3),
            "deadline_s": 5 * 60,
        }
    else:
        plan = {
            "duration": args.duration or 10,
            "rounds": args.rounds or 2,
            "config_duration": 5,
            "config_rounds": 2,
            "list": (50, 25.0, 5),  # max requests, seconds, min requests
            "search": (50, 15.0, 3),
            "deadline_s": 14 * 60,
        }
    args.size_list = sorted(int(s) for s in args.sizes.split(","))
    args.plan = plan
    return args


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')


# ------------------------------------------------------------------------------ set-up


def prepare(env: dict, workdir: Path) -> dict:
    """`kesu serve --prepare-only`: migrate, load the defaults, create the admin."""
    kesu = Path(sys.executable).with_name("kesu")
    argv = [str(kesu)] if kesu.exists() else [sys.executable, "-m", "kesu.cli"]
    t0 = time.perf_counter()
    done = subprocess.run(
        [*argv, "serve", "--prepare-only"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (workdir / "prepare.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"kesu serve --prepare-only failed: {done.stderr[-800:]}")
    return {"seconds": round(time.perf_counter() - t0, 2)}


def personas() -> dict:
    """Intake clerks (they register and see everything) and three handlers per department,
    made through the product's own actions; returns the tokens the bench uses."""
    from django.db import connections

    from kesu.accounts.actions import create_token, create_user
    from kesu.accounts.choices import Role
    from kesu.accounts.models import Department

    service = Department.objects.get(code="customer_service")
    intake = [
        create_user(f"bench_kefu{i}", role=Role.INTAKE, name=f"客服{i}号", department=service)
        for i in range(1, 5)
    ]
    handlers = {}
    for dept in Department.objects.all():
        for i in range(1, 4):
            user = create_user(
                f"bench_{dept.code}_{i}", role=Role.HANDLER, name=f"{dept.name}{i}", department=dept
            )
            handlers.setdefault(dept.code, []).append(user)
    handler = handlers[HANDLER_DEPARTMENT][0]

    def session(user) -> str:
        from django.conf import settings
        from django.test import Client as BrowserClient

        browser = BrowserClient()
        browser.force_login(user)
        return browser.cookies[settings.SESSION_COOKIE_NAME].value

    tokens = {
        "intake_session": session(intake[0]),
        "handler_session": session(handler),
        "intake": create_token(intake[0], "bench"),
        "handler": create_token(handler, "bench"),
        "handler_small": create_token(handlers[SMALL_DEPARTMENT][0], "bench"),
        "intake_user": intake[0].username,
        "handler_user": handler.username,
    }
    connections.close_all()
    return tokens


def write_bodies(path: Path, n: int = 500) -> dict:
    """JSON bodies for POST /api/v1/complaints, one a line; @ORDER@ is the order number."""
    generator = Generator(seed=4242)
    sizes = []
    with path.open("w", encoding="utf-8") as f:
        for k in range(n):
            payload = generator.make(90_000_000 + k).api_payload(order_no="@ORDER@")
            line = json.dumps(payload, ensure_ascii=False)
            sizes.append(len(line.encode()))
            f.write(line + "\n")
    return {"distinct_bodies": n, "avg_body_bytes": round(sum(sizes) / n)}


def inprocess_registration(n: int) -> dict:
    """SQL statements and wall time of one registration through django.test.Client
    (the whole Django stack, no HTTP server, no concurrency)."""
    import statistics

    from django.db import connection, connections, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kesu.accounts.actions import create_token
    from kesu.accounts.models import User

    user = User.objects.get(username="bench_kefu2")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user, 'inprocess')}")
    generator = Generator(seed=99)
    payloads = [
        json.dumps(generator.make(95_000_000 + i).api_payload(), ensure_ascii=False)
        for i in range(n + 1)
    ]

    def post(body):
        r = client.post("/api/v1/complaints", body, content_type="application/json")
        if r.status_code != 201:
            raise RuntimeError(f"in-process registration: {r.status_code} {r.content[:300]!r}")

    reset_queries()  # the request resets the log; the capture must start from an empty one
    with CaptureQueriesContext(connection) as ctx:
        post(payloads[0])
    statements = [q["sql"][:100] for q in ctx.captured_queries]  # before the next request
    times = []
    for body in payloads[1:]:
        t0 = time.perf_counter()
        post(body)
        times.append(time.perf_counter() - t0)
    connections.close_all()
    return {
        "sql_statements": len(statements),
        "statements": statements,
        "n": n,
        "ms_median": round(statistics.median(times) * 1000, 2),
        "ms_min": round(min(times) * 1000, 2),
    }


# ------------------------------------------------------------------------------ phases


class Bench:
    def __init__(self, args):
        self.args = args
        self.plan = args.plan
        self.workdir = Path(args.workdir)
        self.data_dir = self.workdir / "data"
        self.deadline = time.perf_counter() + self.plan["deadline_s"]
        self.servers: list[Server] = []
        self.run_counter = 0
        self.wrk_path = load.ensure_wrk()
        self.out: dict = {"meta": {}, "noise": {}, "sizes": {}, "timings_s": {}}

    # --- servers
    def start(self, config: ServerConfig) -> Server:
        srv = Server(config, self.env, self.workdir, ROOT)
        self.servers.append(srv)
        log(f"server {config.label} on port {srv.port} ready in {srv.started_s}s")
        return srv

    def stop(self, srv: Server) -> None:
        srv.stop()
        if srv in self.servers:
            self.servers.remove(srv)

    def stop_all(self) -> None:
        for srv in list(self.servers):
            self.stop(srv)

    # --- load
    def wrk(self, srv: Server, kind: str, connections: int, duration: float) -> dict:
        self.run_counter += 1
        if kind == "floor":
            result = load.run_wrk(
                self.wrk_path,
                srv.base + "/healthz",
                connections=connections,
                duration_s=duration,
                max_requests=100_000,
            )
            result["kind"] = kind
            return result
        before = self.db.top_ids()
        post = {
            "bodies": self.bodies,
            "token": self.tokens["intake"],
            "key_prefix": f"bench{self.run_counter}" if kind == "register_key" else "-",
            "order_base": 50_000_000 + self.run_counter * 400_000,
        }
        result = load.run_wrk(
            self.wrk_path,
            srv.base + "/api/v1/complaints",
            connections=connections,
            duration_s=duration,
            max_requests=40_000,
            post=post,
        )
        time.sleep(0.5)  # let the server finish what wrk abandoned at its deadline
        created = self.db.created_since(before)
        unanswered = created["complaints_complaint"] - result["ok"]
        result.update(
            kind=kind,
            created_complaints=created["complaints_complaint"],
            created_events=created["complaints_complaintevent"],
            created_idempotency_keys=created["complaints_idempotencykey"],
            unanswered=unanswered,
        )
        # Every 2xx is one new complaint; wrk may abandon up to one request per connection
        # at its deadline, which the server still completes.
        result["consistent"] = (
            result["bad"] == 0
            and result["non_2xx_3xx"] == 0
            and 0 <= unanswered <= connections
            and created["complaints_complaintevent"] == created["complaints_complaint"]
            and created["complaints_idempotencykey"]
            == (created["complaints_complaint"] if kind == "register_key" else 0)
        )
        return result

    def registration(self, srv: Server, size: int) -> dict:
        """Interleaved floor / register / register-with-key runs at 4 and 8 connections."""
        duration = self.plan["duration"]
        runs = []
        for rnd in range(self.plan["rounds"]):
            for conns in (4, 8):
                for kind in ("floor", "register", "register_key"):
                    r = self.wrk(srv, kind, conns, duration)
                    r["round"] = rnd + 1
                    runs.append(r)
                    log(
                        f"@{size:,} c={conns} {kind}: {r.get('per_s')}/s p50 {r.get('p50_ms')} "
                        f"ms p99 {r.get('p99_ms')} ms (probe {r['cpu_probe_ms']} ms)"
                        + ("" if kind == "floor" else f" consistent={r['consistent']}")
                    )
        return {"runs": runs, "summary": summarise(runs)}

    # --- latency
    def latency(self, srv: Server, size: int, first_filled_id: int, added: int) -> dict:
        port = srv.port
        intake = latency.Client(port, self.tokens["intake"])
        handler = latency.Client(port, self.tokens["handler"])
        small = latency.Client(port, self.tokens["handler_small"])
        anonymous = latency.Client(port)
        clerk = latency.Client(port, session=self.tokens["intake_session"])
        worker = latency.Client(port, session=self.tokens["handler_session"])
        number, order_no = self.db.sample_row(first_filled_id + added // 2)
        lst = "/api/v1/complaints"
        normal, search = self.plan["list"], self.plan["search"]
        deep = latency.follow_next(intake, lst, 20)
        endpoints = [
            ("floor_healthz", anonymous, "/healthz", normal),
            ("list_first_page_intake", intake, lst, normal),
            ("list_first_page_handler", handler, lst, normal),
            ("list_open_handler", handler, f"{lst}?open=true", normal),
            ("list_first_page_handler_small_dept", small, lst, normal),
            ("list_state_treating", intake, f"{lst}?state=treating", normal),
            ("list_severity_1", intake, f"{lst}?severity=1", normal),
            ("list_page_21_intake", intake, deep, normal),
            ("search_common_zh", intake, f"{lst}?q={quote('渗漏')}", search),
            ("search_number", intake, f"{lst}?q={number}", search),
            ("search_order_no", intake, f"{lst}?q={order_no}", search),
            ("search_no_match", intake, f"{lst}?q={quote('不存在的关键词')}", search),
            # the staff workspace (HTML pages, session cookie)
            ("ws_inbox_intake_all", clerk, "/inbox/?tab=all", normal),
            ("ws_inbox_handler_mine", worker, "/inbox/", normal),
            ("ws_inbox_handler_department", worker, "/inbox/?tab=department", normal),
            ("ws_search_zh_intake", clerk, f"/inbox/?tab=all&q={quote('渗漏')}", search),
            ("ws_search_zh_handler", worker, f"/inbox/?tab=department&q={quote('渗漏')}", search),
            ("ws_dashboard_intake", clerk, "/", search),
            ("ws_dashboard_handler", worker, "/", search),
            ("ws_complaint_page", clerk, f"/complaints/{number}", normal),
            # the tab counts the inbox fetches after its first page (not a target)
            ("ws_inbox_counts_intake", clerk, "/inbox/counts", search),
            ("ws_inbox_counts_handler", worker, "/inbox/counts", search),
        ]
        out = {}
        for name, client, path, (max_n, budget, min_n) in endpoints:
            r = latency.measure(
                client, path, max_n=max_n, budget_s=budget, min_n=min_n, deadline=self.deadline
            )
            out[name] = r
            log(
                f"@{size:,} {name}: p50 {r['p50_ms']} ms p95 {r['p95_ms']} ms "
                f"(n={r['n']}, rows={r.get('rows')})"
            )
        for c in (intake, handler, small, anonymous, clerk, worker):
            c.close()
        return out

    # --- gunicorn settings
    def configs(self, size: int) -> dict:
        default = serve_default_workers()
        if self.args.quick:
            configs = [ServerConfig(2), ServerConfig(default)]
        else:
            configs = [
                ServerConfig(2),
                ServerConfig(3),
                ServerConfig(4),
                ServerConfig(2, "gthread", 4),
                ServerConfig(3, "gthread", 4),
            ]
            if ServerConfig(default) not in configs:
                configs.insert(0, ServerConfig(default))
        duration = self.plan["config_duration"]
        results: dict[str, dict] = {c.label: {"runs": []} for c in configs}
        for rnd in range(self.plan["config_rounds"]):
            for config in configs:  # round-robin, so CPU swings spread over all settings
                srv = self.start(config)
                try:
                    for kind, conns in (("floor", 8), ("register", 4), ("register", 8)):
                        r = self.wrk(srv, kind, conns, duration)
                        r["round"] = rnd + 1
                        results[config.label]["runs"].append(r)
                        log(f"config {config.label} c={conns} {kind}: {r.get('per_s')}/s")
                    results[config.label]["worker_peak_rss_mib"] = srv.worker_peak_rss_mib()
                finally:
                    self.stop(srv)
        for block in results.values():
            block["summary"] = summarise(block["runs"])
        table = {}
        for label, block in results.items():
            c4, c8 = block["summary"].get("c4", {}), block["summary"].get("c8", {})
            table[label] = {
                "floor_c8_per_s": c8.get("floor_per_s"),
                "register_c4_per_s": c4.get("register_per_s"),
                "register_c8_per_s": c8.get("register_per_s"),
                "register_over_floor_c8": c8.get("register_over_floor"),
                "register_p99_c4_ms": c4.get("register_p99_ms"),
                "register_p99_c8_ms": c8.get("register_p99_ms"),
                "worker_peak_rss_mib": block.get("worker_peak_rss_mib"),
            }
        ranked = sorted(table, key=lambda lb: table[lb]["register_c8_per_s"] or 0, reverse=True)
        return {
            "size": size,
            "serve_default": ServerConfig(default).label,
            "table": table,
            "by_register_c8": ranked,
            "best": ranked[0],
            "configs": results,
        }

    # --- the whole run
    def run(self) -> dict:
        args, out = self.args, self.out
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.data_dir.mkdir(parents=True)
        dropped = ("DATABASE_URL", "KESU_ACCESS_LOG")
        self.env = {k: v for k, v in os.environ.items() if k not in dropped}
        self.env.update(KESU_DATA_DIR=str(self.data_dir), DJANGO_SETTINGS_MODULE="kesu.settings")
        url = None
        if args.db == "postgres":
            url = os.environ.get("DATABASE_URL") or PG_DEFAULT_URL
            self.env["DATABASE_URL"] = url
            recreate_postgres(url)
        os.environ.clear()
        os.environ.update(self.env)
        self.db = Database(args.db, self.data_dir / "kesu.sqlite3", url)

        out["noise"]["before"] = cpu_probe()
        log(f"noise before: {out['noise']['before']}")
        out["prepare"] = prepare(self.env, self.workdir)

        import django

        django.setup()
        out["meta"] = meta(args)
        self.tokens = personas()
        out["meta"]["personas"] = {
            "intake": self.tokens["intake_user"],
            "handler": f"{self.tokens['handler_user']} ({HANDLER_DEPARTMENT})",
            "handler_small_dept": f"bench_{SMALL_DEPARTMENT}_1 ({SMALL_DEPARTMENT})",
        }
        ref = fill.load_reference()
        out["shape_check"] = fill.verify_shape(
            ref, sqlite=args.db == "sqlite", token=self.tokens["intake"], read=self.db.read
        )
        if out["shape_check"]["differences"]:
            log(f"WARNING: bulk rows differ from registered ones: {out['shape_check']}")
        else:
            log(f"shape check: {out['shape_check']['columns_compared']} columns as registered")
        out["inprocess_registration_empty_db"] = inprocess_registration(30)
        log(
            f"in-process registration: {out['inprocess_registration_empty_db']['ms_median']} ms, "
            f"{out['inprocess_registration_empty_db']['sql_statements']} SQL statements"
        )
        from django.db import connections

        connections.close_all()
        self.bodies = self.workdir / "bodies.jsonl"
        out["meta"]["post_bodies"] = write_bodies(self.bodies)
        empty = self.db.size_bytes()
        out["prepare"]["empty_db_bytes"] = empty
        srv = None
        try:
            for i, size in enumerate(args.size_list):
                block: dict = {}
                out["sizes"][str(size)] = block
                top_before = self.db.top_ids()["complaints_complaint"]
                t0 = time.perf_counter()
                writer = (
                    fill.SqliteWriter(str(self.db.sqlite_path), ref)
                    if args.db == "sqlite"
                    else fill.PostgresWriter(url, ref)
                )
                block["fill"] = fill.fill(
                    writer, ref, size, sqlite=args.db == "sqlite", seed=size, log=log
                )
                block["fill"]["seconds"] = round(time.perf_counter() - t0, 1)
                added = block["fill"]["rows_added"]
                block["fill"]["rows_per_s"] = round(added / max(block["fill"]["seconds"], 1e-3))
                log(f"fill to {size:,}: +{added:,} rows in {block['fill']['seconds']} s")
                block["db_size"] = self.size(empty, top_before)
                log(f"db size at {size:,}: {block['db_size']['mib_per_100k']} MiB per 100k")

                srv = self.start(ServerConfig(serve_default_workers()))
                block["server"] = {"config": srv.config.label, "argv": srv.argv[1:]}
                t0 = time.perf_counter()
                block["latency"] = self.latency(srv, size, top_before + 1, added)
                out["timings_s"][f"latency_{size}"] = round(time.perf_counter() - t0, 1)
                t0 = time.perf_counter()
                block["registration"] = self.registration(srv, size)
                out["timings_s"][f"registration_{size}"] = round(time.perf_counter() - t0, 1)
                block["worker_peak_rss_mib"] = srv.worker_peak_rss_mib()
                self.stop(srv)
                srv = None
                block["inprocess_registration"] = inprocess_registration(30)
                if i == 0:
                    out["noise"]["middle"] = cpu_probe()
                    log(f"noise middle: {out['noise']['middle']}")
            if args.db == "sqlite" and not args.no_ladder:
                t0 = time.perf_counter()
                connections.close_all()  # the in-process registration's connection
                try:  # a diagnostic: its failure is reported, the run's figures are kept
                    out["registration_ladder"] = ladder.measure(
                        data_dir=self.data_dir,
                        workdir=self.workdir,
                        env=self.env,
                        cwd=ROOT,
                        wrk=self.wrk_path,
                        bodies=self.bodies,
                        token=self.tokens["intake"],
                        rounds=self.plan["rounds"],
                        duration_s=self.plan["config_duration"],
                        log=log,
                    )
                except Exception as exc:
                    log(f"registration ladder failed: {exc!r}")
                    out["registration_ladder"] = {"error": repr(exc)}
                out["timings_s"]["registration_ladder"] = round(time.perf_counter() - t0, 1)
            if not args.no_configs:
                t0 = time.perf_counter()
                out["server_configs"] = self.configs(args.size_list[-1])
                out["timings_s"]["server_configs"] = round(time.perf_counter() - t0, 1)
                log(f"best gunicorn setting: {out['server_configs']['best']}")
        finally:
            self.stop_all()
        out["complaints_at_end"] = self.db.count()
        out["current_month"] = self.db.current_month()
        out["noise"]["after"] = cpu_probe()
        log(f"noise after: {out['noise']['after']}")
        out["acceptance"] = acceptance(out, args.size_list[-1])
        out["timings_s"]["total"] = round(time.perf_counter() - T0, 1)
        return out

    def size(self, empty: int, top_before: int) -> dict:
        t0 = time.perf_counter()
        total = self.db.size_bytes()
        complaints = self.db.count()
        per_100k = (total - empty) * 100_000 / complaints / 2**20
        tables = self.db.table_sizes()
        return {
            "complaints": complaints,
            "db_bytes": total,
            "empty_db_bytes": empty,
            "mib_per_100k": round(per_100k, 1),
            "tables_mib_per_100k": {
                name: round(b * 100_000 / complaints / 2**20, 2) for name, b in tables[:12]
            },
            "avg_text_bytes": self.db.text_bytes(top_before + 1),
            "seconds_to_measure": round(time.perf_counter() - t0, 1),
        }


def summarise(runs: list[dict]) -> dict:
    out = {}
    for conns in sorted({r["connections"] for r in runs}):
        at = [r for r in runs if r["connections"] == conns]

        def rates(kind, at=at):
            return [r["per_s"] for r in at if r["kind"] == kind and r.get("per_s")]

        floor, reg, key = rates("floor"), rates("register"), rates("register_key")
        block = {
            "floor_per_s": median(floor),
            "register_per_s": median(reg),
            "register_with_key_per_s": median(key),
            "floor_runs": floor,
            "register_runs": reg,
            "register_with_key_runs": key,
        }
        if floor and reg:
            block["register_over_floor"] = round(median(reg) / median(floor), 3)
            if len(floor) == len(reg):
                pairs = [r / f for r, f in zip(reg, floor, strict=True)]
                block["register_over_floor_pairs"] = [round(p, 3) for p in pairs]
        if floor and key:
            block["register_with_key_over_floor"] = round(median(key) / median(floor), 3)
        for kind in ("floor", "register", "register_key"):
            of = [r for r in at if r["kind"] == kind]
            if of:
                block[f"{kind}_p50_ms"] = median([r["p50_ms"] for r in of if "p50_ms" in r])
                block[f"{kind}_p99_ms"] = median([r["p99_ms"] for r in of if "p99_ms" in r])
        checks = [r["consistent"] for r in at if "consistent" in r]
        if checks:
            block["all_consistent"] = all(checks)
        out[f"c{conns}"] = block
    return out


def acceptance(out: dict, size: int) -> dict:
    block = out["sizes"].get(str(size), {})
    summary = block.get("registration", {}).get("summary", {})
    best = max(
        (c for c in ("c4", "c8") if summary.get(c, {}).get("register_per_s")),
        key=lambda c: summary[c]["register_per_s"],
        default=None,
    )
    lat = block.get("latency", {})
    first = [
        lat.get(k, {}).get("p95_ms")
        for k in (
            "list_first_page_intake",
            "list_first_page_handler",
            "list_first_page_handler_small_dept",
        )
    ]
    rate = summary.get(best, {}).get("register_per_s") if best else None
    ratio = summary.get(best, {}).get("register_over_floor") if best else None
    mib = block.get("db_size", {}).get("mib_per_100k")
    worst_first = max((p for p in first if p is not None), default=None)

    def worst(*names):
        found = [lat.get(k, {}).get("p95_ms") for k in names]
        return max((p for p in found if p is not None), default=None)

    ws = {
        "workspace_inbox_first_page_p95_ms": worst(
            "ws_inbox_intake_all", "ws_inbox_handler_mine", "ws_inbox_handler_department"
        ),
        "workspace_search_p95_ms": worst("ws_search_zh_intake", "ws_search_zh_handler"),
        "workspace_dashboard_p95_ms": worst("ws_dashboard_intake", "ws_dashboard_handler"),
    }
    return {
        "at_complaints": size,
        "registration_per_s": rate,
        "registration_connections": best,
        "registration_per_s_c4_c8": [
            summary.get(c, {}).get("register_per_s") for c in ("c4", "c8")
        ],
        "registration_over_floor_c4_c8": [
            summary.get(c, {}).get("register_over_floor") for c in ("c4", "c8")
        ],
        "list_first_page_p95_ms_intake_handler_small": first,
        "registration_over_floor": ratio,
        "list_first_page_p95_ms": worst_first,
        "mib_per_100k": mib,
        **ws,
        "targets": TARGETS,
        "pass": {
            "registration_per_s": rate is not None and rate >= TARGETS["registration_per_s"],
            "registration_over_floor": ratio is not None
            and ratio >= TARGETS["registration_over_floor"],
            "list_first_page_p95_ms": worst_first is not None
            and worst_first <= TARGETS["list_first_page_p95_ms"],
            "mib_per_100k": mib is not None and mib < TARGETS["mib_per_100k"],
            **{k: v is not None and v <= TARGETS[k] for k, v in ws.items()},
        },
        # Not a target: what the rungs below registration reach (bench/ladder.py). write_rows
        # is the ceiling of any registration writing the same rows on this server.
        "ladder_over_floor": {
            rung: values["over_floor"]
            for rung, values in out.get("registration_ladder", {}).get("summary", {}).items()
            if isinstance(values, dict)
        },
        "all_runs_consistent": all(
            r.get("consistent", True)
            for b in out["sizes"].values()
            for r in b.get("registration", {}).get("runs", [])
        )
        and out.get("registration_ladder", {}).get("summary", {}).get("all_consistent", True),
    }


def meta(args) -> dict:
    from importlib.metadata import version

    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    wrk_version = subprocess.run(
        ["wrk", "--version"], capture_output=True, text=True, check=False
    ).stdout.split("\n")[0]
    return {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "commit": commit,
        "db": args.db,
        "quick": args.quick,
        "sizes": args.size_list,
        "plan": args.plan,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": version("Django"),
        "django_ninja": version("django-ninja"),
        "gunicorn": version("gunicorn"),
        "wrk": wrk_version.strip(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "serve_default_workers": serve_default_workers(),
        "wrk_threads": load.THREADS,
    }


def run_deadlines(args) -> dict:
    """bench/deadlines.py once per database, each in its own process (own settings)."""
    return _run_part("deadlines", args.deadlines, args.quick)


def run_mail(args) -> dict:
    """bench/mail.py (issue #5: e-mail intake) once per database, in its own process."""
    return _run_part("mail", args.mail, args.quick)


def run_reports(args) -> dict:
    """bench/reports.py (issue #16: the workbook's memory) once per database."""
    return _run_part("reports", args.reports, args.quick)


def run_statistics(args) -> dict:
    """bench/statistics_rungs.py on the database the run filled (its largest size): the facts
    rebuilt from its events, then the statistics' rungs (issue #16)."""
    if not args.statistics:
        return {"skipped": "--no-statistics"}
    argv = [sys.executable, str(ROOT / "bench" / "statistics_rungs.py"), "--db", args.db]
    argv += ["--data-dir", str(Path(args.workdir) / "data")]
    if args.quick:
        argv += ["--reads", "5"]
    log("statistics on the filled database ...")
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=5400)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        return {"failed": done.stderr[-1500:]}
    return json.loads(done.stdout)


def _run_part(name: str, databases: str, quick: bool) -> dict:
    out: dict = {}
    for db in [d for d in databases.split(",") if d]:
        if db == "postgres" and not _postgres_reachable():
            out[db] = {"skipped": "PostgreSQL is not reachable"}
            continue
        argv = [sys.executable, str(ROOT / "bench" / f"{name}.py"), "--db", db]
        if quick:
            argv.append("--quick")
        log(f"{name} on {db} ...")
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=3600)
        sys.stderr.write(done.stderr)
        if done.returncode != 0:
            out[db] = {"failed": done.stderr[-1500:]}
            continue
        out[db] = json.loads(done.stdout)
    return out


def _postgres_reachable() -> bool:
    try:
        import psycopg

        url = os.environ.get("DATABASE_URL") or PG_DEFAULT_URL
        admin = urlsplit(url)._replace(path="/postgres").geturl()
        with psycopg.connect(admin, connect_timeout=3):
            return True
    except Exception:
        return False


def main(argv=None) -> int:
    args = options(argv)

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through the finally that stops gunicorn

    signal.signal(signal.SIGTERM, terminate)
    result = Bench(args).run()
    result["statistics"] = run_statistics(args)
    result["acceptance"]["statistics"] = result["statistics"].get("acceptance")
    result["deadlines"] = run_deadlines(args)
    result["mail"] = run_mail(args)
    result["reports"] = run_reports(args)
    result["acceptance"]["reports"] = {  # the xlsx of 100k rows: peak RSS ≤ 300 MiB
        db: {
            "xlsx_peak_rss_mib": part.get("xlsx", {}).get("peak_rss_mib"),
            "xlsx_seconds": part.get("xlsx", {}).get("seconds"),
            "pass": part.get("pass"),
        }
        for db, part in result["reports"].items()
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    print(text)
    log(f"done in {result['timings_s']['total']} s; written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
