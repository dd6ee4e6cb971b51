"""`make run PORT=…` points the links in mail at the port it serves on."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _dry_run(*args, **env):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    environ = {k: v for k, v in os.environ.items() if k != "TRACKER_BASE_URL"} | env
    # -n: print the commands only; -o: take the install/demo prerequisites as done.
    return subprocess.run(["make", "-n", "-o", "demo", "run", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, check=True).stdout


def test_run_passes_the_served_address_as_base_url():
    out = _dry_run("PORT=5101", "HOST=127.0.0.1")
    served = [line for line in out.splitlines() if "bin/flask" in line]
    assert len(served) == 2
    assert all("TRACKER_BASE_URL=http://127.0.0.1:5101 " in line for line in served)


def test_a_base_url_in_the_environment_wins():
    out = _dry_run("PORT=5101", TRACKER_BASE_URL="https://tracker.example.org")
    assert "TRACKER_BASE_URL=https://tracker.example.org " in out
    assert ":5101 " not in out.replace("--port 5101", "")
