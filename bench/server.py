"""Start and stop gunicorn the way `kesu serve` does, on a free port of 127.0.0.1."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServerConfig:
    workers: int
    worker_class: str = "sync"
    threads: int = 1

    @property
    def label(self) -> str:
        if self.worker_class == "sync":
            return f"sync-w{self.workers}"
        return f"{self.worker_class}-w{self.workers}-t{self.threads}"


def serve_default_workers() -> int:
    """The worker count `kesu serve` uses when none is given."""
    from kesu.site.management.commands.serve import default_workers

    return default_workers()


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (state, ppid, …); [] once gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn kesu.wsgi:application with the arguments of `kesu serve`, plus the worker
    class and threads of `config` when they differ from gunicorn's defaults."""

    def __init__(self, config: ServerConfig, env: dict, log_dir: Path, cwd: Path):
        self.config = config
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        from kesu.site.management.commands.serve import gunicorn_argv

        argv = gunicorn_argv("127.0.0.1", self.port, config.workers)
        if config.worker_class != "sync":
            argv += ["--worker-class", config.worker_class, "--threads", str(config.threads)]
        self.argv = argv
        self.log_path = log_dir / f"gunicorn-{config.label}-{self.port}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends master and workers
        )
        self.started_s = self._wait_ready()

    def _wait_ready(self, timeout_s: float = 90) -> float:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        return round(time.perf_counter() - t0, 2)
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        return [
            int(entry)
            for entry in os.listdir("/proc")
            if entry.isdigit() and (fields := _stat(int(entry))) and int(fields[1]) == self.proc.pid
        ]

    def worker_cpu_s(self) -> float:
        """CPU seconds (user and system) the workers have used so far."""
        ticks = sum(
            int(fields[11]) + int(fields[12])  # utime, stime
            for pid in self.worker_pids()
            if (fields := _stat(pid))
        )
        return ticks / os.sysconf("SC_CLK_TCK")

    def worker_peak_rss_mib(self) -> list[float]:
        peaks = []
        for pid in self.worker_pids():
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            peaks.append(round(int(line.split()[1]) / 1024, 1))
            except OSError:
                continue
        return sorted(peaks)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
            except ProcessLookupError:
                pass
        if not self._log.closed:
            self._log.close()
