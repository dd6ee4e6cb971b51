"""The production access log: real gunicorn with ``gunicorn.conf.py``, tokens masked."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.factories import create_user
from tests.notifications.conftest import free_port
from tracker.agenda.services import issue_calendar_token
from tracker.auth.password_links import make_token
from tracker.extensions import db
from tracker.notifications.messages import unsubscribe_token

ROOT = Path(__file__).resolve().parent.parent


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def gunicorn(app, database_url, tmp_path):
    """gunicorn -c gunicorn.conf.py wsgi:app on a loopback port; yields (base URL, log path)."""
    port = free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "TRACKER_ENV": "testing", "DATABASE_URL": database_url,
           "SECRET_KEY": app.config["SECRET_KEY"], "TRACKER_INSTANCE_PATH": str(tmp_path),
           "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1",
           "GUNICORN_ACCESS_LOG": str(log)}
    errors = tmp_path / "error.log"
    with errors.open("wb") as stderr:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
             "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                _get(f"{base}/health")
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(errors.read_text())
                time.sleep(0.05)
        yield base, log
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:  # a busy machine: gunicorn's graceful stop is slow
            process.kill()
            process.wait(10)


def _requests_logged(log: Path) -> list[str]:
    """The access log's lines, less those of the start-up probe."""
    return [line for line in log.read_text().splitlines() if "GET /health " not in line]


def test_the_access_log_of_real_gunicorn_masks_every_token(app, gunicorn):
    base, log = gunicorn
    user = create_user(password=None)
    feed = issue_calendar_token(user)
    db.session.commit()
    secrets = {
        f"/wachtwoord/{make_token(user)}": 200,
        f"/afmelden/{unsubscribe_token(user.id, 'digest')}": 200,
        f"/agenda/{feed}.ics": 200,
        "/rsvp/eyJpIjoxMjMsInAiOiJyc3ZwIn0.geheim-handtekening": 400,
        "/inloggen?token=geheime-waarde-uit-de-query": 200,
    }
    for path, status in secrets.items():
        assert _get(base + path) == status, path
    # Wait for a line per request above (the start-up probe may have logged several
    # /health lines, one per try that timed out on a busy machine).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(_requests_logged(log)) < len(secrets):
        time.sleep(0.05)
    text = log.read_text()
    for secret in [make_token(user), unsubscribe_token(user.id, "digest"), feed,
                   "geheim-handtekening", "geheime-waarde-uit-de-query"]:
        assert secret not in text
    for shown in ["/wachtwoord/[verborgen] HTTP/1.1\" 200", "/afmelden/[verborgen] HTTP/1.1\" 200",
                  "/agenda/[verborgen].ics HTTP/1.1\" 200", "/rsvp/[verborgen] HTTP/1.1\" 400",
                  "/inloggen?token=[verborgen] HTTP/1.1\" 200"]:
        assert shown in text, text
