"""Gunicorn hooks of `kesu serve`: the background worker starts and stops with the server.

Loaded with `--config python:kesu.site.gunicorn_hooks`. `kesu worker` runs the same worker
alone, for installations that keep it apart (or run several).
"""

import subprocess
import sys

_worker: subprocess.Popen | None = None


def when_ready(server) -> None:
    global _worker
    _worker = subprocess.Popen([sys.executable, "-m", "kesu", "worker"])
    server.log.info("Kesu background worker started (pid %s)", _worker.pid)


def on_exit(server) -> None:
    if _worker is None or _worker.poll() is not None:
        return
    _worker.terminate()
    try:
        _worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        _worker.kill()
