"""Concurrent load with wrk: the floor (GET /healthz) and registration (POST /api/v1/complaints)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from bench.stats import quick_probe

LUA = Path(__file__).with_name("wrk.lua")
THREADS = 2


def ensure_wrk() -> str:
    """The path of wrk; installs the Debian package when running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        if subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, **quiet).returncode:
            subprocess.run(["apt-get", "update"], check=False, **quiet)
            subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, **quiet)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit(
        "bench: wrk is not installed. Install it (Debian/Ubuntu: `sudo apt-get install wrk`) "
        "and run `make bench` again."
    )


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unknown wrk duration {text!r}")
    return round(float(match.group(1)) * _UNITS[match.group(2)], 2)


def parse(stdout: str) -> dict:
    out: dict = {}
    if m := re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", stdout):
        out["responses"] = int(m.group(1))
        out["seconds"] = round(_ms(m.group(2) + m.group(3)) / 1000, 3)
    if m := re.search(r"Requests/sec:\s+([\d.]+)", stdout):
        out["per_s"] = round(float(m.group(1)), 1)
    for pct in ("50", "75", "90", "99"):
        if m := re.search(rf"^\s+{pct}%\s+(\S+)", stdout, re.M):
            out[f"p{pct}_ms"] = _ms(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", stdout)
    out["non_2xx_3xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", stdout)
    out["socket_errors"] = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()), strict=True))
        if m
        else {}
    )
    ok = bad = 0
    errors = []
    for line in stdout.splitlines():
        if line.startswith("BENCH_THREAD "):
            parts = line.split(" ", 4)
            ok += int(parts[2])
            bad += int(parts[3])
            if len(parts) > 4 and parts[4].strip():
                errors.append(parts[4].strip()[:300])
    out["ok"] = ok
    out["bad"] = bad
    if errors:
        out["first_errors"] = errors[:2]
    return out


def run_wrk(
    wrk: str,
    url: str,
    *,
    connections: int,
    duration_s: float,
    max_requests: int,
    post: dict | None = None,
) -> dict:
    """One wrk run, bounded by `duration_s` and by `max_requests` responses.

    `post`: {"bodies": path, "token": str, "key_prefix": str or "-", "order_base": int,
    and optionally "path", POSTed to instead of /api/v1/complaints}
    """
    threads = min(THREADS, connections)
    per_thread = -(-max_requests // threads)
    args = ["post", str(per_thread), str(post["bodies"]), post["token"], post["key_prefix"],
            str(post["order_base"]), *([post["path"]] if "path" in post else [])
            ] if post else ["get", str(per_thread)]  # fmt: skip
    argv = [
        wrk,
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{duration_s:g}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(LUA),
        url,
        "--",
        *args,
    ]
    probe = quick_probe()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration_s + 90)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[:500]}")
    result = parse(done.stdout)
    result.update(connections=connections, threads=threads, cpu_probe_ms=probe)
    return result
