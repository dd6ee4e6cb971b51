"""Capturing every log record of a test run, and searching the capture for secrets.

``tests/conftest.py`` installs :func:`start_capture` for the whole session (root
logger at INFO, the app's own ``tracker`` loggers at DEBUG) and moves
``tests/test_log_secrets.py::test_the_logs_of_this_run_hold_no_secret`` to the end
of the run, where it calls :func:`search_this_capture` on everything captured.

Under pytest-xdist every worker is a process with its own capture (its file named after
the worker); the last test runs in one of them, so each worker also runs
:func:`search_this_capture` when it ends, and the controller fails the run on a finding
(``tests/conftest.py``, ``pytest_sessionfinish``).
"""

from __future__ import annotations

import ast
import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

TESTS = Path(__file__).resolve().parent
#: What a signed token or a session cookie looks like: base64url parts joined by dots
#: (a compressed session cookie starts with a dot).
SIGNED = re.compile(r"\.?[A-Za-z0-9_\-]{6,}(?:\.[A-Za-z0-9_\-]{4,}){1,2}")
#: A calendar-feed token in a path that was not redacted.
FEED = re.compile(r"/agenda/(?!\[verborgen\])([A-Za-z0-9_\-]{20,})\.ics")
#: Keyword or key names whose string value in a test is a password.
PASSWORD_NAMES = re.compile(r"(?:^|_)(?:password|wachtwoord|pw)(?:$|_)|^new_password$",
                            re.IGNORECASE)
#: Shorter strings are not taken as passwords: the policy refuses them, and words such
#: as "wachtwoord" occur in ordinary log lines.
MIN_PASSWORD = 12
#: Functions that take a password as a positional argument, and its position.
PASSWORD_ARGUMENT = {"login_via_form": 2, "set_password": 1, "hash_password": 0,
                     "set_password_with_token": 1}
#: The test that searches the capture; tests/conftest.py runs it last.
LAST_TEST = "test_the_logs_of_this_run_hold_no_secret"
#: The capture of this run (one per pytest process).
_CAPTURE: list[Capture] = []
#: The suite's app (its secret key and session serializer decide what a token is).
_APP: list = []


@dataclass
class Capture:
    """A file that receives every log record, and the levels to restore afterwards."""

    path: Path
    handler: logging.Handler
    root_level: int
    app_level: int

    def text(self) -> str:
        self.handler.flush()
        return self.path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        root = logging.getLogger()
        root.removeHandler(self.handler)
        root.setLevel(self.root_level)
        logging.getLogger("tracker").setLevel(self.app_level)
        self.handler.close()
        self.path.unlink(missing_ok=True)
        self.path.parent.rmdir()


def captured_logs() -> str:
    """Everything logged so far in this run (IndexError when nothing is captured)."""
    return _CAPTURE[0].text()


def ensure_capture() -> None:
    """Put the capture back after something reconfigured logging.

    Alembic's ``migrations/env.py`` runs ``fileConfig``, which replaces the root
    logger's handlers and level: the session fixture and every test call this.
    """
    for capture in _CAPTURE:
        root = logging.getLogger()
        if capture.handler not in root.handlers:
            root.addHandler(capture.handler)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)
        logging.getLogger("tracker").setLevel(logging.DEBUG)


def stop_capture() -> None:
    while _CAPTURE:
        _CAPTURE.pop().stop()


def start_capture(worker: str | None = None) -> Capture:
    """Send every record (INFO and up; DEBUG for ``tracker``) to a temporary file
    (``run-gw0.log`` for xdist worker ``gw0``)."""
    directory = Path(tempfile.mkdtemp(prefix="tracker-test-logs-"))
    path = directory / (f"run-{worker}.log" if worker else "run.log")
    handler = logging.FileHandler(path, encoding="utf-8", delay=False)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    app_logger = logging.getLogger("tracker")
    capture = Capture(path, handler, root.level, app_logger.level)
    root.addHandler(handler)
    root.setLevel(min(root.level, logging.INFO))
    app_logger.setLevel(logging.DEBUG)
    _CAPTURE.append(capture)
    return capture


def remember_app(app) -> None:
    """The session's app, for :func:`search_this_capture` after its fixture is gone."""
    _APP[:] = [app]


def search_this_capture(app=None) -> list[str]:
    """:func:`find_secrets` on everything this process captured, with every password the
    tests use (empty when clean)."""
    from tests.conftest import DEMO_PASSWORD
    from tests.factories import PASSWORD

    if app is None:
        if not _APP:  # this process built no app (only unit tests): the test settings' key
            from tracker import create_app

            _APP.append(create_app({"TRACKER_ENV": "testing",
                                    "SQLALCHEMY_DATABASE_URI": "sqlite://"}))
        app = _APP[0]
    return find_secrets(captured_logs(), app, passwords_in_tests() | {DEMO_PASSWORD, PASSWORD})


def passwords_in_tests() -> set[str]:
    """Every password the tests use: string values of password-named names and keys."""
    found: set[str] = set()
    for source in TESTS.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            pairs = []
            if isinstance(node, ast.Assign):
                pairs = [(t.id, node.value) for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.keyword) and node.arg:
                pairs = [(node.arg, node.value)]
            elif isinstance(node, ast.Dict):
                pairs = [(k.value, v) for k, v in zip(node.keys, node.values, strict=True)
                         if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            elif isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                position = PASSWORD_ARGUMENT.get(name)
                if position is not None and len(node.args) > position:
                    pairs = [("password", node.args[position])]
            for name, value in pairs:
                if (PASSWORD_NAMES.search(name) and isinstance(value, ast.Constant)
                        and isinstance(value.value, str) and len(value.value) >= MIN_PASSWORD):
                    found.add(value.value)
    return found


def _serializers(app) -> dict[str, object]:
    from tracker.auth.password_links import SALT as PASSWORD_SALT
    from tracker.events.tokens import RSVP_SALT
    from tracker.notifications.messages import DONE_SALT, UNSUBSCRIBE_SALT

    key = app.config["SECRET_KEY"]
    return {
        "wachtwoordtoken": URLSafeTimedSerializer(key, salt=PASSWORD_SALT),
        "afmeldtoken": URLSafeTimedSerializer(key, salt=UNSUBSCRIBE_SALT),
        "RSVP-token": URLSafeSerializer(key, salt=RSVP_SALT),
        "gereedtoken": URLSafeTimedSerializer(key, salt=DONE_SALT),
        "sessiecookie": app.session_interface.get_signing_serializer(app),
        "CSRF-token": URLSafeTimedSerializer(key, salt="wtf-csrf-token"),
    }


def find_secrets(text: str, app, passwords: set[str]) -> list[str]:
    """Descriptions of every secret in ``text``; empty when it is clean.

    A secret is: one of ``passwords``; any string that validates (signature only,
    no expiry) as a password, unsubscribe or RSVP token, a session cookie or a
    CSRF token under ``app``'s secret key; or an unredacted calendar-feed path.
    """
    found = [f"wachtwoord {p[:3]}…" for p in sorted(passwords) if p in text]
    serializers = _serializers(app)
    for candidate in sorted(set(SIGNED.findall(text))):
        for kind, serializer in serializers.items():
            try:
                serializer.loads(candidate)
            except (BadSignature, ValueError, UnicodeDecodeError, TypeError):
                continue
            found.append(f"{kind} {candidate[:12]}…")
    found += [f"agendalink {m[:6]}…" for m in sorted(set(FEED.findall(text)))]
    return found
