"""Fixtures for the whole suite.

The database is real: a SQLite file, or PostgreSQL when
``TRACKER_TEST_DATABASE_URL`` is set (``make test`` runs the suite on both).
The schema is built once per session by the Alembic migrations; after every
test all tables are emptied.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text

from config import normalise_database_url
from tests import log_secrets
from tracker import create_app, history
from tracker.db import sqlite_write_intent
from tracker.extensions import db

DEMO_PASSWORD = "oost-nederland-2018"



def pytest_configure(config):
    """Every log record of the run goes to a file (tests/log_secrets.py)."""
    log_secrets.start_capture()


def pytest_unconfigure(config):
    log_secrets.stop_capture()


def pytest_collection_modifyitems(config, items):
    """The search of the captured logs runs after every other test."""
    items.sort(key=lambda item: item.name == log_secrets.LAST_TEST)


def _test_database_url(tmp_path_factory) -> str:
    url = os.environ.get("TRACKER_TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def pytest_report_header(config):
    url = os.environ.get("TRACKER_TEST_DATABASE_URL")
    return f"database: {'PostgreSQL ' + url if url else 'SQLite (temporary file)'}"


def reset_postgres_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class IsolatedRequestClient(FlaskClient):
    """A test client whose every request gets its own app context.

    Tests run inside an app context (for factories and assertions); without
    this, requests would share that context's ``g`` (cached user, CSRF token)
    and database session, which production requests never do.
    """

    def open(self, *args, **kwargs):
        from flask import has_app_context

        if has_app_context():
            # End the test's own transaction: the request must see what the test
            # wrote, and the test must afterwards see what the request wrote
            # (a SQLite read snapshot would otherwise hide it).
            db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _test_database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The application, its schema built by running every migration."""
    from flask_migrate import upgrade

    if database_url.startswith("postgresql"):
        reset_postgres_schema(database_url)
    application = create_app(
        {
            "TRACKER_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TRACKER_BASE_URL": "http://localhost",
        }
    )
    application.test_client_class = IsolatedRequestClient
    with application.app_context():
        upgrade()
        db.session.remove()
    log_secrets.ensure_capture()  # the migrations' fileConfig replaced the root handlers
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def empty_all_tables() -> None:
    """Delete every row, children first (DELETE is far cheaper than TRUNCATE on tiny tables)."""
    tables = list(reversed(db.metadata.sorted_tables))
    with history.paused():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("; ".join(f'DELETE FROM "{t.name}"' for t in tables)))
        else:
            for table in tables:
                db.session.execute(table.delete())
        db.session.commit()


@pytest.fixture(autouse=True)
def _log_capture():
    """Every test's records reach the run's capture, whatever reconfigured logging before."""
    log_secrets.ensure_capture()


@pytest.fixture(autouse=True)
def _app_context(request):
    """Every test outside tests/unit runs in an app context and leaves the tables empty."""
    if "unit" in request.node.path.parts:
        yield
        return
    app = request.getfixturevalue("app")
    # The test's own session only reads between requests: DEFERRED transactions,
    # so that it never holds SQLite's write lock while a request wants it.
    token = sqlite_write_intent.set(False)
    try:
        with app.app_context():
            yield
            db.session.remove()
            empty_all_tables()
            db.session.remove()
    finally:
        sqlite_write_intent.reset(token)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The February 2018 network, with the demo password on every account that may log in.

    The first use in a run goes through the real loader; its rows are then kept and
    copied back with one INSERT per table for later tests (tests/test_demo.py tests
    the loader itself on every run).
    """
    load_demo()
    return None


def load_demo() -> None:
    """Put the demo network in the (empty) database: the loader once, a copy afterwards."""
    from tracker.demo.loader import load_demo_network

    if not _DEMO_SNAPSHOT:
        load_demo_network(DEMO_PASSWORD)
        db.session.commit()
        for table in db.metadata.sorted_tables:
            _DEMO_SNAPSHOT[table.name] = [
                # In key order: a parent row (teams.parent_id) comes before its children.
                dict(row._mapping) for row in db.session.execute(
                    table.select().order_by(*table.primary_key.columns))
            ]
        db.session.commit()
        return
    with history.paused():
        for table in db.metadata.sorted_tables:
            rows = _DEMO_SNAPSHOT.get(table.name)
            if rows:
                db.session.execute(table.insert(), rows)
    if db.engine.dialect.name == "postgresql":
        for table in db.metadata.sorted_tables:
            if "id" in table.c and _DEMO_SNAPSHOT.get(table.name):
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT MAX(id) FROM \"{table.name}\"))"))
    db.session.commit()


_DEMO_SNAPSHOT: dict[str, list[dict]] = {}


CSRF_PATTERN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token embedded in a rendered form."""
    match = CSRF_PATTERN.search(html) or re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def csrf_token_for(client, path: str | None = None) -> str:
    """A CSRF token valid for ``client``'s session, from ``path`` or any page that has one."""
    if path is None:
        response = client.get("/")
        if response.status_code != 200:
            response = client.get("/inloggen")
    else:
        response = client.get(path)
    return csrf_token_from(response.get_data(as_text=True))


def login_via_form(client, email: str, password: str = DEMO_PASSWORD, next_url: str = ""):
    """Log in through the real login form, CSRF token and all."""
    token = csrf_token_for(client)
    return client.post(
        "/inloggen",
        data={"email": email, "password": password, "csrf_token": token, "next": next_url},
    )


@pytest.fixture
def login(client):
    """Log ``client`` in as a user without going through the form (fast path)."""
    from tracker.db import utcnow

    def _login(user, target=None):
        target = target or client
        now = utcnow().timestamp()
        with target.session_transaction() as session:
            session.clear()
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["login_at"] = now
            session["seen_at"] = now
            session.permanent = True
        return target

    return _login


def post_form(client, path: str, data: dict | None = None, *, token_page: str | None = None,
              **kwargs):
    """POST with a valid CSRF token taken from ``token_page``."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token_for(client, token_page))
    return client.post(path, data=payload, **kwargs)


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Context manager counting the SQL statements issued inside it."""

    @contextmanager
    def _count():
        counter = QueryCounter()

        def _record(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "SAVEPOINT",
                                                          "RELEASE")):
                counter.statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", _record)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", _record)

    return _count
