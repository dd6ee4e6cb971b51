"""SQLite: exports and jobs never block the web (issue 15, item 5).

A live server answers 20 parallel clients (log in, then done/undo clicks with htmx)
while the report is exported as PDF and the digest job runs for 1,500 bestuurders,
over and over, each in a process of its own (``flask report export``, ``flask jobs run``).
Every answer is a normal one: no 500, so none waited out the busy timeout ("database is
locked"), and the export and the job really ran meanwhile. The mechanism is checked
too: the export begins no writing transaction, the job writes only in its short batches
(``BEGIN IMMEDIATE`` per batch). SQLite only: PostgreSQL has no database-wide write lock.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, add_member, create_action, create_team, create_user
from tests.live_http import HttpClient, race, served
from tracker.auth.models import User
from tracker.db import SQLITE_BUSY_TIMEOUT_MS
from tracker.enums import Role
from tracker.extensions import db
from tracker.notifications.outbox import JOB_BATCH

pytestmark = pytest.mark.skipif(bool(os.environ.get("TRACKER_TEST_DATABASE_URL")),
                                reason="SQLite's write lock: a SQLite-only matter")

CLIENTS = 20
CLICKS = 4  # per client: done, undo, done, undo
BESTUURDERS = 1500
ROOT = Path(__file__).resolve().parents[1]
MONDAY = datetime.fromisoformat("2018-02-05T07:30:00+01:00")


class Begins:
    """Every BEGIN statement, with the thread that issued it."""

    def __init__(self, engine):
        self.engine = engine
        self.seen: list[tuple[str, str]] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        upper = statement.lstrip().upper()
        if upper.startswith(("BEGIN", "INSERT INTO OUTBOX_MESSAGES")):
            self.seen.append((threading.current_thread().name, upper.split(" (")[0][:30]))

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def of(self, thread: str) -> list[str]:
        return [statement for name, statement in self.seen if name == thread]


def _client_work(base: str, email: str, action_id: int) -> list[tuple[str, int, float]]:
    replies = []

    def timed(what, call):
        start = time.monotonic()
        reply = call()
        replies.append((what, reply.status, time.monotonic() - start))
        assert "database is locked" not in reply.body
        return reply

    client = HttpClient(base)
    timed("login-page", lambda: client.get("/inloggen"))
    client.token = csrf_token_from(client.get("/inloggen").body)
    timed("login", lambda: client.post("/inloggen", {"email": email, "password": PASSWORD,
                                                     "next": ""}))
    client.token = csrf_token_from(client.get("/mijn-werk").body)
    for click in range(CLICKS):
        verb = "reopen" if click % 2 else "done"
        timed(verb, lambda verb=verb, click=click: client.post(
            f"/actions/{action_id}/{verb}", {"version": click + 1},
            headers={"HX-Request": "true"}))
    return replies


def _setup(bestuurders: int = BESTUURDERS) -> tuple[list[tuple[str, int]], int]:
    db.session.add_all(User(name=f"Burgemeester {n}", email=f"burgemeester{n}@example.org",
                            role=Role.BESTUURDER) for n in range(bestuurders))
    team = create_team()
    people = []
    for n in range(CLIENTS):
        user = create_user(email=f"klikker{n}@example.org", role=Role.COORDINATOR)
        add_member(team, user)
        people.append((user.email, create_action(team, owner=user).id))
    db.session.commit()
    return people, db.session.scalar(select(func.count(User.id)).where(
        User.role == Role.BESTUURDER))


def _flask(database_url: str, *args: str) -> subprocess.CompletedProcess:
    """A ``flask`` command in its own process, as cron or the scheduler would run it."""
    env = {**os.environ, "DATABASE_URL": database_url, "TRACKER_ENV": "testing",
           "TRACKER_BASE_URL": "http://localhost"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args],  # noqa: S603
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_exports_and_jobs_never_block_logins_and_clicks(app, demo, database_url, tmp_path):
    people, bestuurders = _setup()
    stop = threading.Event()
    exports: list[subprocess.CompletedProcess] = []
    digests: list[subprocess.CompletedProcess] = []

    def export_loop():
        while not stop.is_set() or not exports:
            exports.append(_flask(database_url, "report", "export", "--peildatum", "2018-02-01",
                                  "--format", "pdf", "--output",
                                  str(tmp_path / f"rapport-{len(exports)}.pdf")))

    def digest_loop():
        while not stop.is_set() or not digests:
            at = MONDAY + timedelta(weeks=len(digests))  # a new week: every digest again
            digests.append(_flask(database_url, "jobs", "run", "digests", "--at", at.isoformat()))

    workers = [threading.Thread(target=export_loop), threading.Thread(target=digest_loop)]
    with served(app) as base:
        for worker in workers:
            worker.start()
        time.sleep(3)  # both processes started and at work before the first client arrives
        results = race([lambda e=e, a=a: _client_work(base, e, a) for e, a in people])
        stop.set()
        for worker in workers:
            worker.join(timeout=240)

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    replies = [reply for result in results for reply in result]
    assert len(replies) == CLIENTS * (2 + CLICKS)
    assert {status for what, status, _ in replies if what == "login"} == {303}
    assert {status for what, status, _ in replies if what in ("done", "reopen")} == {200}
    assert {status for what, status, _ in replies if what == "login-page"} == {200}
    # A request that waited out the busy timeout would have been a 500 above; the slowest
    # answer is shown for the record (on a loaded machine the CPU, not the lock, decides it).
    slowest = max(replies, key=lambda reply: reply[2])
    print(f"slowest answer: {slowest}, busy timeout {SQLITE_BUSY_TIMEOUT_MS / 1000} s, "
          f"{len(exports)} exports and {len(digests)} digest runs meanwhile")
    # The export and the job really ran meanwhile, and did their work.
    assert exports and all(r.returncode == 0 for r in exports), [r.stderr for r in exports]
    assert digests and all(r.returncode == 0 for r in digests), [r.stderr for r in digests]
    assert all(f"{bestuurders} bericht(en) in de wachtrij gezet" in r.stdout for r in digests)


def test_the_export_only_reads_and_the_job_writes_in_batches(app, demo, tmp_path):
    _, bestuurders = _setup(2 * JOB_BATCH + 10)
    runner = app.test_cli_runner()
    db.session.commit()  # the commands run in this app context: their own transactions
    with Begins(db.engine) as begins:
        export = runner.invoke(args=["report", "export", "--peildatum", "2018-02-01",
                                     "--format", "html", "--output", str(tmp_path / "r.html")])
        exported = list(begins.seen)
        db.session.rollback()  # the end of the export's process
        job = runner.invoke(args=["jobs", "run", "digests", "--at", MONDAY.isoformat()])
    assert export.exit_code == 0 and job.exit_code == 0, (export.output, job.output)
    assert exported and {statement for _, statement in exported} == {"BEGIN"}
    written = [statement for _, statement in begins.seen[len(exported):]]
    batches = math.ceil(bestuurders / JOB_BATCH)
    assert written.count("INSERT INTO OUTBOX_MESSAGES") == batches
    # Each batch its own writing transaction, begun right before its INSERT; the job's
    # reading (network, recipients, rendering) in DEFERRED ones.
    assert written.count("BEGIN IMMEDIATE") == batches
    pairs = zip(written, written[1:], strict=False)
    assert all(after == "INSERT INTO OUTBOX_MESSAGES" for before, after in pairs
               if before == "BEGIN IMMEDIATE")
