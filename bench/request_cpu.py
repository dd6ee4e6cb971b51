"""Worker CPU and SQL statements per warm request, against an in-memory ceiling (issue 15, item 3).

Run: ``.venv/bin/python bench/request_cpu.py [--requests 200] [--profile PATH]``.

Builds the app with the production settings (a generated secret and data key, the
second factor off so the demo coordinator can log in with a password) on a fresh SQLite
file holding the demo network, logs a coordinator in through the login form, and per
endpoint runs 20 warm-up requests and then ``--requests`` measured ones through
Flask's test client: ``time.process_time()`` around each request (median), and the SQL
statements of the last one. The ceiling is a route of a bare Flask app answering the
same bytes from memory, measured the same way, so the harness costs both the same.
``DATABASE_URL`` (an empty database you may wipe) replaces the SQLite file.
``--profile PATH`` writes a cProfile file per endpoint to PATH-<n>.prof.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402
from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from config import normalise_database_url  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.actions.models import Action  # noqa: E402
from tracker.auth.models import User  # noqa: E402
from tracker.demo.loader import load_demo_network  # noqa: E402
from tracker.enums import ActionStatus, Role, TeamRole  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.network.models import TeamMembership  # noqa: E402

PASSWORD = "oost-nederland-2018"  # noqa: S105 - the demo password
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def build_app(url: str) -> Flask:
    app = create_app({
        "TRACKER_ENV": "production",
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "TRACKER_DATA_KEY": Fernet.generate_key().decode(),
        "TRACKER_MFA_REQUIRED": False,
        "TRACKER_SECURITY_LOG_TO_STDERR": False,
        "TRACKER_BASE_URL": "https://localhost",
    })
    with app.app_context():
        upgrade()
        load_demo_network(PASSWORD)
        db.session.commit()
        db.session.remove()
    return app


def pick(app: Flask) -> tuple[str, str, int]:
    """A coordinator of a team with an open action: (email, team slug, action id)."""
    with app.app_context():
        row = db.session.execute(
            select(User.email, Action.team_id, Action.id)
            .join(TeamMembership, TeamMembership.user_id == User.id)
            .join(Action, Action.team_id == TeamMembership.team_id)
            .where(User.role == Role.COORDINATOR, User.active.is_(True),
                   TeamMembership.role == TeamRole.COORDINATOR,
                   Action.status == ActionStatus.OPEN)
            .order_by(User.id, Action.id).limit(1)).one()
        from tracker.network.models import Team

        slug = db.session.get(Team, row.team_id).slug
        db.session.remove()
        return row.email, slug, row.id


def measure(client, call, n: int, counter: list[str], profile: str | None = None):
    for _ in range(20):
        call()
    times = []
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
    for _ in range(n):
        counter.clear()
        start = time.process_time()
        response = call()
        times.append(time.process_time() - start)
        assert response.status_code in (200, 303), (response.status_code, response.data[:300])
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    if os.environ.get("BENCH_SHOW_SQL"):
        print("\n".join(" ".join(s.split())[:160] for s in counter))
    return statistics.median(times) * 1000, len(counter), response.get_data()


def ceiling_ms(body: bytes, n: int) -> float:
    bare = Flask("ceiling")
    bare.add_url_rule("/", "page", lambda: (body, 200, {"Content-Type": "text/html"}))
    client = bare.test_client()
    ms, _count, _body = measure(client, lambda: client.get("/"), n, [])
    return ms


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = os.environ.get("DATABASE_URL")
    url = normalise_database_url(url) if url else f"sqlite:///{tmp.name}/bench.sqlite3"
    app = build_app(url)
    email, slug, action_id = pick(app)
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda _c, _cur, statement, *_a: statements.append(statement))
    client = app.test_client()
    # CSRF over https also checks the Referer (same origin).
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    base = "https://localhost"
    page = client.get(f"{base}/inloggen").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    answer = client.post(f"{base}/inloggen", data={"email": email, "password": PASSWORD,
                                                   "csrf_token": token, "next": ""})
    assert answer.status_code == 303, answer.status_code
    token = CSRF.search(client.get(f"{base}/teams/{slug}").get_data(as_text=True)).group(1)
    htmx = {"HX-Request": "true", "X-CSRFToken": token}
    with app.app_context():
        version = db.session.get(Action, action_id).version
        db.session.remove()
    state = {"done": True, "version": version}

    def post(verb: str):
        # The row's buttons send the version the row was drawn from; each change adds one.
        response = client.post(f"{base}/actions/{action_id}/{verb}", headers=htmx,
                               data={"next": f"/teams/{slug}", "version": state["version"]})
        state["version"] += 1
        return response

    def done_or_undo():
        # Alternating done and reopen keeps the action in play; both are measured.
        verb = "done" if state["done"] else "reopen"
        state["done"] = not state["done"]
        return post(verb)

    endpoints = {
        "trivial (/account/tweestapsverificatie)":
            lambda: client.get(f"{base}/account/tweestapsverificatie"),
        "dashboard (/)": lambda: client.get(f"{base}/"),
        f"team page (/teams/{slug})": lambda: client.get(f"{base}/teams/{slug}"),
        "team page, filter open (?status=open)":
            lambda: client.get(f"{base}/teams/{slug}?status=open"),
        "status (/status)": lambda: client.get(f"{base}/status"),
        f"team status (/teams/{slug}/status)": lambda: client.get(f"{base}/teams/{slug}/status"),
        "done/undo POST (htmx, alternating)": done_or_undo,
    }
    print(f"{'endpoint':44} {'app ms':>8} {'ceil ms':>8} {'ratio':>6} {'SQL':>4} {'bytes':>7}")
    for index, (name, call) in enumerate(endpoints.items()):
        profile = f"{args.profile}-{index}.prof" if args.profile else None
        ms, count, body = measure(client, call, args.requests, statements, profile)
        ceiling = ceiling_ms(body, args.requests)
        print(f"{name:44} {ms:8.2f} {ceiling:8.3f} {ceiling / ms:6.3f} {count:4d} {len(body):7d}")
    # The done POST alone (the action is open after an even number of flips); reopen unmeasured.
    times, counts = [], []
    for _ in range(args.requests // 2):
        statements.clear()
        start = time.process_time()
        response = post("done")
        times.append(time.process_time() - start)
        counts.append(len(statements))
        assert response.status_code == 200
        post("reopen")
    ms = statistics.median(times) * 1000
    ceiling = ceiling_ms(response.get_data(), args.requests)
    print(f"{'done POST only (htmx)':44} {ms:8.2f} {ceiling:8.3f} {ceiling / ms:6.3f} "
          f"{max(counts):4d} {len(response.get_data()):7d}")
    if os.environ.get("BENCH_SHOW_SQL"):
        print("\n".join(" ".join(s.split())[:160] for s in statements))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
