"""Sequential latency: one client, one request at a time, over one reused connection.

gunicorn's sync workers close the connection after each response; the client then opens a
new one, and that (loopback) connect is part of the measured time, as in production.
"""

import http.client
import json
import time
from urllib.parse import urlsplit

from bench.stats import latency_summary


class Client:
    def __init__(
        self,
        port: int,
        token: str | None = None,
        timeout_s: float = 120,
        session: str | None = None,
    ):
        """A REST client with a bearer `token`, or a browser-like one with a `session`
        cookie (the staff workspace's pages)."""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        if session:
            self.headers = {"Accept": "text/html", "Cookie": f"sessionid={session}"}

    def get(self, path: str) -> tuple[int, bytes, float]:
        t0 = time.perf_counter()
        try:
            self.conn.request("GET", path, headers=self.headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # the server closed a kept-alive connection between two requests: retry once
            self.conn.close()
            t0 = time.perf_counter()
            self.conn.request("GET", path, headers=self.headers)
            response = self.conn.getresponse()
        body = response.read()
        seconds = time.perf_counter() - t0
        if response.will_close:
            self.conn.close()
        return response.status, body, seconds

    def close(self) -> None:
        self.conn.close()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def measure(
    client: Client,
    path: str,
    *,
    max_n: int,
    budget_s: float,
    min_n: int,
    deadline: float,
    warmup: int = 2,
) -> dict:
    """Warm up (a second warm-up only if the first took under a second), then time up to
    `max_n` requests, stopping once `budget_s` is spent (or the run's deadline has passed)
    and at least `min_n` were taken."""
    status, body, first = client.get(path)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
    info: dict = {"path": path, "bytes": len(body), "first_request_ms": round(first * 1000, 1)}
    try:
        data = json.loads(body)
        if isinstance(data, dict) and "results" in data:
            info["rows"] = len(data["results"])
            info["has_next"] = bool(data.get("next"))
    except ValueError:  # an HTML page: count the complaints it links to
        info["rows"] = body.count(b'href="/complaints/')
    for _ in range(warmup - 1):
        if first > 1.0:
            break
        client.get(path)
    samples: list[float] = []
    began = time.perf_counter()
    while len(samples) < max_n:
        status, body, seconds = client.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
        samples.append(seconds)
        now = time.perf_counter()
        if len(samples) >= min_n and (now - began > budget_s or now > deadline):
            break
    return {**latency_summary(samples), **info}


def follow_next(client: Client, path: str, pages: int) -> str:
    """The path of the page after following `next` `pages` times from `path`."""
    for _ in range(pages):
        status, body, _ = client.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        nxt = json.loads(body).get("next")
        if not nxt:
            raise RuntimeError(f"the list ended before {pages} pages")
        path = path_of(nxt)
    return path
