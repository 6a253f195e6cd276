"""`make test` installs the browser tests' Debian packages: it says what and why, waits for a
busy package manager, and fails with words and what to run by hand (issue #13, point 26).

`make browser` runs with a PATH where Chromium is missing and `apt-get` is a stand-in that
records its arguments and answers as the real one would.
"""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = "chromium chromium-driver fonts-wqy-microhei poppler-utils"
BUSY = (
    "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 "
    "(unattended-upgr)\nE: Unable to acquire the dpkg frontend lock "
    "(/var/lib/dpkg/lock-frontend), is another process using it?"
)


def stand_ins(tmp_path: Path, apt_get: str) -> Path:
    """A bin directory with the few tools the recipe uses, and `apt-get` as given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("grep", "tail", "sed", "mktemp", "rm", "cat", "sh"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    for name, body in {
        "apt-get": f'echo "$@" >> {tmp_path}/apt-calls\n{apt_get}',
        "id": "echo 0",  # root, who may install
    }.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return bin_dir


def make_browser(tmp_path: Path, apt_get: str) -> tuple[int, str, list[str]]:
    env = {"PATH": str(stand_ins(tmp_path, apt_get)), "KESU_APT_LOCK_WAIT": "7"}
    done = subprocess.run(
        [shutil.which("make"), "-s", "--no-print-directory", "browser"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    calls = (tmp_path / "apt-calls").read_text().splitlines()
    return done.returncode, done.stdout + done.stderr, calls


def test_a_busy_package_manager_is_waited_for_and_the_failure_says_what_to_do(tmp_path):
    status, output, calls = make_browser(tmp_path, f"echo '{BUSY}' >&2; exit 100")
    assert status != 0
    assert PACKAGES in output  # what it installs …
    assert "Chromium" in output and "Chinese font" in output  # … and why
    assert all("DPkg::Lock::Timeout=7" in call for call in calls)  # it waited for the lock
    assert "Could not get lock" in output  # apt-get's own words
    assert "another package manager held its lock for more than 7 s" in output
    assert f"sudo apt-get update && sudo apt-get install {PACKAGES}" in output
    assert "Error 100" not in output


def test_the_packages_are_installed_with_their_reason_said_first(tmp_path):
    # apt-get "succeeds", but the stand-in installs nothing: the recipe notices
    status, output, calls = make_browser(tmp_path, "exit 0")
    assert calls and calls[0].split()[-len(PACKAGES.split()) :] == PACKAGES.split()
    assert output.index(PACKAGES) < output.index("installing them with apt-get")
    assert status != 0 and "by hand" in output
