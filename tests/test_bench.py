"""``make bench``'s driver, end to end in its shortest mode: SQLite, scale 1, two endpoints.

Runs ``bench/run.py`` as ``make bench`` does (its own demo database, gunicorn with
2 workers, the ceiling app, wrk for 1 s per server) and checks what it recorded: every
request answered, the done/undo POST alternating without a conflict, CPU and SQL
statements counted, a ceiling cheaper than the app.

Opt-in (``BENCH_TEST=1``): it makes its own demo database and starts three gunicorn
servers, which took 3–4 minutes on the shared 2-core machine under a load of 15–25 (more
than the suite can spend on one test); on an idle machine expect about a minute. Needs
wrk (``make bench`` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(os.environ.get("BENCH_TEST") != "1",
                       reason="duurt minuten: BENCH_TEST=1 .venv/bin/pytest tests/test_bench.py"),
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk ontbreekt (apt-get install wrk)"),
]


def test_short_run_records_every_figure(tmp_path):
    env = {**os.environ, "BENCH_DIR": str(tmp_path), "BENCH_SCALES": "1", "BENCH_DB": "sqlite",
           "BENCH_SECONDS": "1", "BENCH_ENDPOINTS": "team,done", "BENCH_MAIL": "0",
           "BENCH_OUTPUT": str(tmp_path / "benchmarks.md")}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py")], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [results] = tmp_path.glob("run-*/results.json")
    data = json.loads(results.read_text())
    assert data["notes"] == []
    [run] = data["runs"]
    assert (run["database"], run["scale"]) == ("sqlite", 1)
    assert set(run["endpoints"]) == {"team", "done"}
    for name, endpoint in run["endpoints"].items():
        app, ceiling = endpoint["app"], endpoint["ceiling"]
        assert endpoint["status"] == 200, name
        assert app["requests"] > 0 and ceiling["requests"] > 0, name
        # Every answer 2xx: for the POST that means each request carried the version
        # its row last showed (a stale one answers 409).
        assert app["status_errors"] == 0 and app["timeouts"] == 0, (name, app)
        assert app["cpu_ms"] > 0 and not app["workers_restarted"], (name, app)
        assert int(endpoint["sql"]) > 0, name
        assert 0 < endpoint["bytes"] < endpoint["plain_bytes"], name  # compressed
        assert ceiling["cpu_ms"] < app["cpu_ms"], name
    assert run["wire"]["first"] > run["wire"]["later"] > 0
    assert run["memory_kb"] > 0
    document = (tmp_path / "benchmarks.md").read_text()
    assert "## SQLite, schaal 1" in document
    assert "Teampagina (filter open)" in document and "Gereed/heropenen" in document
    # The stamp makes the next run reuse the database.
    stamp = json.loads((tmp_path / "sqlite-s1.stamp.json").read_text())
    assert stamp["factor"] == 1 and stamp["head"] and stamp["code"]
