"""The registration ladder: where a registration's time goes, next to the floor.

Registration through the API is compared with the floor (`GET /healthz`). The ladder puts
three rungs between them (bench/ladder_urls.py), each receiving the same request as
registration and doing a part of its work: `validate` (no write), `write_small` (one small
write transaction), `write_rows` (the core of registration's write transaction: its number,
complaint row and event, with none of the rules and no notification rows). Runs are
interleaved by round, on one server with Kesu's URLs plus the rungs, on a copy of the bench's
SQLite database. For each: requests per second, its ratio to the floor, and the web workers'
CPU time per request.

`write_rows` over the floor is what registration would reach on this server if its rules
cost nothing: everything registration adds on top of it is the domain's own work.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from bench import load
from bench.database import Database
from bench.server import Server, ServerConfig, serve_default_workers
from bench.stats import median

RUNGS = ("floor", "validate", "write_small", "write_rows", "register")
PATHS = {
    "validate": "/bench-ladder/validate",
    "write_small": "/bench-ladder/write_small",
    "write_rows": "/bench-ladder/write_rows",
    "register": "/api/v1/complaints",
}


def copy_database(data_dir: Path, to: Path) -> None:
    """The database and the secret key. SQLite's backup API copies the pages: opening and
    closing the file directly would drop the POSIX locks of this process's own connections
    to it, which lets another process delete a WAL they still use."""
    shutil.rmtree(to, ignore_errors=True)
    to.mkdir(parents=True)
    source = sqlite3.connect(data_dir / "kesu.sqlite3", timeout=60)
    target = sqlite3.connect(to / "kesu.sqlite3")
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()
    shutil.copy2(data_dir / "secret_key", to / "secret_key")


def measure(
    *,
    data_dir: Path,
    workdir: Path,
    env: dict,
    cwd: Path,
    wrk: str,
    bodies: Path,
    token: str,
    rounds: int,
    duration_s: float,
    connections: int = 4,
    workers: int | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    copy = workdir / "ladder-data"
    env = {**env, "KESU_DATA_DIR": str(copy), "DJANGO_SETTINGS_MODULE": "bench.ladder_settings"}
    config = ServerConfig(workers or serve_default_workers())
    srv = None
    runs: list[dict] = []
    try:
        copy_database(data_dir, copy)
        srv = Server(config, env, workdir, cwd)
        for rnd in range(rounds):
            for k, rung in enumerate(RUNGS):
                runs.append(
                    _run(srv, rung, rnd, k, copy, wrk, bodies, token, duration_s, connections)
                )
                r = runs[-1]
                log(
                    f"ladder {rung}: {r.get('per_s')}/s, worker CPU "
                    f"{r['worker_cpu_ms_per_request']} ms per request"
                    + ("" if r["consistent"] else f" INCONSISTENT {r.get('first_errors', '')}")
                )
    finally:
        if srv is not None:
            srv.stop()
        shutil.rmtree(copy, ignore_errors=True)
    return {
        "server": config.label,
        "connections": connections,
        "runs": runs,
        "summary": summarise(runs),
    }


def _run(srv, rung, rnd, k, copy, wrk, bodies, token, duration_s, connections) -> dict:
    """One wrk run of one rung, with the workers' CPU and the rows it wrote."""
    post = None
    if rung != "floor":
        post = {
            "bodies": bodies,
            "token": token,
            "key_prefix": "-",
            "order_base": 70_000_000 + (rnd * len(RUNGS) + k) * 400_000,
            "path": PATHS[rung],
        }
    url = srv.base + ("/healthz" if rung == "floor" else PATHS[rung])
    db = Database("sqlite", copy / "kesu.sqlite3", None)
    tops = db.top_ids()
    before = srv.worker_cpu_s()
    r = load.run_wrk(
        wrk, url, connections=connections, duration_s=duration_s, max_requests=100_000, post=post
    )
    time.sleep(0.3)  # what wrk abandoned at its deadline finishes
    cpu = srv.worker_cpu_s() - before
    created = db.created_since(tops)
    complaints = created["complaints_complaint"]
    events = created["complaints_complaintevent"]
    answered = r.get("responses") or 0
    if rung in ("write_rows", "register"):  # one complaint and one event per answer
        rows_ok = events == complaints and 0 <= complaints - r["ok"] <= connections
    else:  # nothing, but a worker's first request registers for real
        rows_ok = events == complaints <= srv.config.workers
    r.update(
        rung=rung,
        round=rnd + 1,
        worker_cpu_ms_per_request=round(cpu * 1000 / answered, 3) if answered else None,
        created_complaints=complaints,
        created_events=events,
        consistent=r["bad"] == 0 and r["non_2xx_3xx"] == 0 and rows_ok,
    )
    return r


def summarise(runs: list[dict]) -> dict:
    out: dict = {}
    floor = median([r["per_s"] for r in runs if r["rung"] == "floor" and r.get("per_s")])
    for rung in RUNGS:
        of = [r for r in runs if r["rung"] == rung]
        rate = median([r["per_s"] for r in of if r.get("per_s")])
        out[rung] = {
            "per_s": rate,
            "over_floor": round(rate / floor, 3) if rate and floor else None,
            "worker_cpu_ms_per_request": median(
                [r["worker_cpu_ms_per_request"] for r in of if r["worker_cpu_ms_per_request"]]
            ),
        }
    out["all_consistent"] = all(r["consistent"] for r in runs)
    return out
