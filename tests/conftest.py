"""Fixtures for the whole suite.

The database is real: a SQLite file, or PostgreSQL when
``TRACKER_TEST_DATABASE_URL`` is set (``make test`` runs the suite on both).
The schema is built once per session by the Alembic migrations; after every
test all tables are emptied.

In parallel (pytest-xdist, ``make test`` runs ``-n auto``) every worker is a session
of its own: its own SQLite file (its own temporary directory), its own PostgreSQL
database ``<name>_gw0``, ``<name>_gw1``... on the server of
``TRACKER_TEST_DATABASE_URL`` (created when missing, its schema built anew), and its
own log capture, searched for secrets when the worker ends (tests/log_secrets.py).
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, make_url, text

from config import normalise_database_url
from tests import log_secrets
from tracker import caching, create_app, history
from tracker.db import sqlite_write_intent
from tracker.extensions import db

DEMO_PASSWORD = "oost-nederland-2018"



def xdist_worker() -> str | None:
    """The pytest-xdist worker this process is (``gw0``, ``gw1``...); None when not parallel."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def pytest_configure(config):
    """Every log record of the run goes to a file (tests/log_secrets.py)."""
    log_secrets.start_capture(xdist_worker())


def pytest_unconfigure(config):
    log_secrets.stop_capture()


def pytest_collection_modifyitems(config, items):
    """The search of the captured logs runs after every other test (of its process: under
    xdist every worker also searches its whole capture at its end, see below)."""
    items.sort(key=lambda item: item.name == log_secrets.LAST_TEST)


#: Files whose tests run in one xdist worker, in file order: test_api_schemathesis.py (its
#: last test sums the figures of the generated tests of its own process).
ONE_WORKER_FILES = {"tests/test_api_schemathesis.py"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Every test on its own, as ``--dist load``, except the :data:`ONE_WORKER_FILES`:
    each is one unit of work (sent before the single tests). xdist's own ``xdist_group``
    marks have no effect with pytest 9.2 (xdist 3.8 renames ``item._nodeid``, which pytest
    no longer reads)."""
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerFiles(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path in ONE_WORKER_FILES else nodeid

    return OneWorkerFiles(config, log)


#: Controller under xdist: (worker, what its search found) for every worker that ended.
_WORKER_SEARCHES = pytest.StashKey[list]()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Under xdist, every worker's whole capture is searched, not only the one worker's
    that ran the last test: a worker searches its own once all its tests and session
    fixtures are done (trylast: after their teardown) and hands the findings to the
    controller (``workeroutput``); the controller fails the run when any worker's logs
    hold a secret, or a worker did not search."""
    config = session.config
    if hasattr(config, "workeroutput"):
        config.workeroutput["log_secrets"] = log_secrets.search_this_capture()
        return
    failures = [f"worker {worker}: " + ("no search" if found is None else ", ".join(found))
                for worker, found in sorted(config.stash.get(_WORKER_SEARCHES, []))
                if found is None or found]
    if failures:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        for line in failures:
            message = f"FAILED log_secrets: the logs of this run hold secrets: {line}"
            if reporter is not None:
                reporter.write("\n")
                reporter.write_line(message, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """Controller (pytest-xdist's hook, once per worker): keep what the worker found."""
    found = getattr(node, "workeroutput", {}).get("log_secrets")
    node.config.stash.setdefault(_WORKER_SEARCHES, []).append((node.gateway.id, found))


def _worker_database(url: str, worker: str) -> str:
    """``<database>_<worker>`` on the same server, created through a connection to
    ``url`` when it does not exist yet."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _test_database_url(tmp_path_factory) -> str:
    url = os.environ.get("TRACKER_TEST_DATABASE_URL")
    worker = xdist_worker()
    if url:
        url = normalise_database_url(url)
        return _worker_database(url, worker) if worker else url
    # Under xdist, tmp_path_factory's base directory is the worker's own.
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def pytest_report_header(config):
    url = os.environ.get("TRACKER_TEST_DATABASE_URL")
    where = f"PostgreSQL {url}" if url else "SQLite (temporary file)"
    if config.getoption("numprocesses", None):
        where += ", one database per xdist worker" + (" (<name>_gwN)" if url else "")
    return f"database: {where}"


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
    log_secrets.remember_app(application)  # for the search at the end of a worker
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
            # The tables are filled again by copies made without history (the demo
            # fixture), so the next test's history may reach the same newest transaction
            # with other data: figures kept under it must not outlive this test.
            caching.clear_all()
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


def form_fields_for(client, path: str) -> dict[str, str]:
    """The hidden fields a person gets with the form on ``path``: the CSRF token and, on
    the forms that show a secret once, the one-time ``submission`` id (tracker.submissions)."""
    html = client.get(path).get_data(as_text=True)
    fields = {"csrf_token": csrf_token_from(html)}
    found = re.search(r'name="submission" value="([^"]+)"', html)
    if found:
        fields["submission"] = found.group(1)
    return fields


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


@pytest.fixture
def big_report(app):
    """The demo counts as a big network: the report's files are made in the background
    (``TRACKER_REPORT_INLINE_ACTIONS`` set to 10 for the test)."""
    before = app.config["TRACKER_REPORT_INLINE_ACTIONS"]
    app.config["TRACKER_REPORT_INLINE_ACTIONS"] = 10
    yield
    app.config["TRACKER_REPORT_INLINE_ACTIONS"] = before
