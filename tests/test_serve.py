"""`make run` serves the API and the admin: start `kesu serve` for real and call it."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

KESU = str(Path(sys.executable).parent / "kesu")
COMPLAINT = {
    "channel": "phone",
    "title": "阀门渗漏",
    "description": "批号2025-07的阀门渗漏",
    "category": "product_quality",
    "complainant": {"name": "王伟", "phone": "13800000001"},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, data: dict | None = None, token: str = "") -> tuple[int, bytes]:
    headers = {"Accept-Language": "zh-hans"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def served(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the embedded default
    env["KESU_DATA_DIR"] = str(tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [KESU, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if fetch(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("kesu serve did not answer within 90 s")
        yield base, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
        print(output)


def test_kesu_serve_answers_with_api_admin_and_home(served):
    base, env = served
    status, body = fetch(f"{base}/")
    assert status == 200 and b"/api/v1/docs" in body
    assert fetch(f"{base}/admin/login/")[0] == 200
    status, body = fetch(f"{base}/api/v1/openapi.json")
    assert status == 200
    paths = json.loads(body)["paths"]
    assert "/api/v1/complaints" in paths
    assert "/api/v1/complaints/{number}/actions/approve_plan" in paths
    status, body = fetch(f"{base}/api/v1/docs")
    assert status == 200 and b"cdn" not in body  # the docs load their assets from us
    assert fetch(f"{base}/static/ninja/swagger-ui-bundle.js")[0] == 200

    created = subprocess.run(
        [KESU, "token", "create", "admin"], env=env, check=True, capture_output=True, text=True
    )
    token = created.stdout.split()[-1]
    status, body = fetch(f"{base}/api/v1/complaints", COMPLAINT, token)
    assert status == 201, body
    assert json.loads(body)["number"].startswith("KS")
    assert (Path(env["KESU_DATA_DIR"]) / "admin-password.txt").exists()


def _kesu(env: dict, *args: str) -> str:
    done = subprocess.run([KESU, *args], env=env, check=True, capture_output=True, text=True)
    return done.stdout


def test_kesu_serve_runs_the_background_worker_that_delivers(served):
    """`kesu serve` starts the worker: a department's webhook receives the dispatch notice
    without anything else being started."""
    import queue
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    base, env = served
    received: queue.Queue = queue.Queue()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.put(json.loads(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

        def log_message(self, *args):
            pass

    receiver = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        _kesu(env, "user", "create", "kefu_li", "--role", "intake",
              "--department", "customer_service")  # fmt: skip
        _kesu(env, "user", "create", "sun_gong", "--role", "handler", "--department", "quality")
        hook = f"http://127.0.0.1:{receiver.server_port}/hook"
        _kesu(
            env,
            "shell",
            "-c",
            "from kesu.accounts.models import Department as D; "
            "from kesu.notifications.models import DepartmentWebhook as W; "
            f"W.objects.create(department=D.objects.get(code='quality'), url='{hook}')",
        )
        token = _kesu(env, "token", "create", "kefu_li").split()[-1]
        status, body = fetch(f"{base}/api/v1/complaints", COMPLAINT, token)
        assert status == 201, body
        number = json.loads(body)["number"]
        status, body = fetch(
            f"{base}/api/v1/complaints/{number}/actions/accept", {"owner": "sun_gong"}, token
        )
        assert status == 200, body
        message = received.get(timeout=60)  # the worker polls its queue; idle, every few s
    finally:
        receiver.shutdown()
    assert message["msgtype"] == "text"
    assert number in message["text"]["content"]


@pytest.mark.parametrize(
    "start",
    [
        "import kesu.wsgi",  # what each gunicorn worker does when it starts
        "import django; django.setup(); from kesu.core.warmup import load_urls; load_urls()",
    ],
)
def test_a_starting_process_loads_the_urls_before_its_first_request(start, tmp_path):
    env = {**os.environ, "KESU_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kesu.settings"}
    check = "import sys; print('kesu.api' in sys.modules, 'kesu.urls' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", f"{start}; {check}"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]


def test_the_worker_writes_each_log_line_once(tmp_path):
    """Huey's consumer adds its own handler unless the `huey` logger has one; with the root
    handler too, every line came out twice, and each task logged two INFO lines a minute."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(KESU_DATA_DIR=str(tmp_path), KESU_LOG_LEVEL="INFO")
    subprocess.run([KESU, "serve", "--prepare-only"], env=env, check=True, capture_output=True)
    worker = subprocess.Popen(
        [KESU, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        time.sleep(8)  # the scheduler queues the periodic tasks as it starts
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    queued = re.findall(r"Enqueueing periodic task [\w.]+: ([0-9a-f-]{36})", output)
    assert queued, output
    assert len(queued) == len(set(queued)), output
