"""``flask backup`` and ``flask restore``: a round trip while the app keeps serving, and refusals.

Each test builds its own database of the suite's kind (a SQLite file, or a new PostgreSQL
database beside the suite's) and its own attachment folder: a restore replaces a whole
database, which must never be the one the rest of the suite shares.
"""

from __future__ import annotations

import io
import json
import tarfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from tests import attachment_samples
from tests.conftest import DEMO_PASSWORD, csrf_token_from
from tests.live_http import HttpClient, served
from tracker import create_app
from tracker.actions.models import Action
from tracker.attachments import storage
from tracker.attachments.models import Attachment
from tracker.attachments.services import add_attachment
from tracker.auth.models import User
from tracker.auth.throttle import Policy
from tracker.backup import archive as backup_archive
from tracker.db import sqlite_write_intent, utcnow
from tracker.extensions import db
from tracker.network.models import Team

#: Failed logins are the write of the background traffic; they must never be throttled here.
GENEROUS = Policy(free=10_000, first_delay=timedelta(seconds=1), max_delay=timedelta(seconds=1),
                  window=timedelta(hours=1), client_limit=100_000,
                  client_window=timedelta(minutes=1))


@pytest.fixture(scope="module")
def own_database(database_url, tmp_path_factory):
    """A new, empty database of the suite's kind; dropped afterwards."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('own') / 'own.sqlite3'}"
        return
    name = f"tracker_backup_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(database_url).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def own_app(own_database, tmp_path_factory):
    """An app on its own database (migrated) and its own attachment folder, for this module."""
    application = create_app({
        "TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": own_database,
        "TRACKER_BASE_URL": "http://localhost",
        "TRACKER_ATTACHMENT_DIR": str(tmp_path_factory.mktemp("bijlagen")),
        "TRACKER_THROTTLE_POLICIES": {"login": GENEROUS},
    })
    with application.app_context():
        upgrade()
        db.session.remove()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return backup_archive.table_counts(connection)


def _failed_logins() -> set[str]:
    with db.engine.connect() as connection:
        return set(connection.scalars(text("SELECT account FROM throttle_failures")))


def _invoke(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


class Traffic:
    """Requests in two threads until stopped: a signed-in reader and an anonymous writer
    (a wrong password for ``<phase>-<n>@example.org`` adds a row to throttle_failures)."""

    def __init__(self, base: str, team_slug: str, attachment_id: int):
        self.base = base
        self.paths = ["/healthz", "/mijn-werk", f"/teams/{team_slug}", "/",
                      f"/bijlagen/{attachment_id}"]
        self.phase = "voor"
        self.statuses: list[tuple[str, int]] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self.reader = HttpClient(base).login("beheerder@example.org", DEMO_PASSWORD)
        self.writer = HttpClient(base)
        self.writer.token = csrf_token_from(self.writer.get("/inloggen").body)
        self.written: dict[str, int] = {}
        self.threads = [threading.Thread(target=self._guard, args=(self._read,)),
                        threading.Thread(target=self._guard, args=(self._write,))]

    def _guard(self, loop):
        try:
            loop()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.errors.append(error)

    def _read(self):
        n = 0
        while not self.stop.is_set():
            path = self.paths[n % len(self.paths)]
            self.statuses.append((path, self.reader.get(path).status))
            n += 1

    def _write(self):
        n = 0
        while not self.stop.is_set():
            phase = self.phase
            reply = self.writer.post("/inloggen", {"email": f"{phase}-{n}@example.org",
                                                   "password": "verkeerd-wachtwoord", "next": ""})
            self.statuses.append(("POST /inloggen", reply.status))
            self.written[phase] = self.written.get(phase, 0) + 1
            n += 1
            time.sleep(0.01)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def test_round_trip_while_the_app_keeps_serving(own_app, tmp_path):
    from tracker.demo.loader import load_demo_network

    output = tmp_path / "back-up.tar.gz"
    with own_app.app_context():
        load_demo_network(DEMO_PASSWORD)
        db.session.commit()
        beheerder = db.session.scalar(select(User).where(User.email == "beheerder@example.org"))
        action = db.session.scalars(select(Action).order_by(Action.id)).first()
        team = db.session.get(Team, action.team_id)
        pdf = attachment_samples.pdf(3000)
        attachment = add_attachment(action, file_name="verslag.pdf", stream=io.BytesIO(pdf),
                                    actor=beheerder, now=utcnow())
        db.session.commit()
        kept_file = storage.path_of(attachment.storage_name)
        action_id, action_title, team_slug, team_name = (action.id, action.title, team.slug,
                                                         team.name)
        attachment_id = attachment.id

    with served(own_app) as base, Traffic(base, team_slug, attachment_id) as traffic:
        time.sleep(0.3)
        with own_app.app_context():
            before = _counts()
            before_accounts = _failed_logins()
            traffic.phase = "tijdens-back-up"
            result = _invoke(own_app, "backup", "--output", str(output))
            assert result.exit_code == 0, result.output
            traffic.phase = "na-back-up"
            manifest = backup_archive.read_manifest(output)
            # Only the anonymous writer wrote meanwhile, and only failed logins.
            assert {k: v for k, v in manifest["tables"].items() if k != "throttle_failures"} \
                == {k: v for k, v in before.items() if k != "throttle_failures"}
            assert manifest["tables"]["actions"] > 10
            assert manifest["attachments"] == 1

            # Change the data after the backup: rename, retitle, replace the attachment,
            # add an account (a writer from the start: SQLite's BEGIN IMMEDIATE).
            db.session.commit()
            write_intent = sqlite_write_intent.set(True)
            team = db.session.scalar(select(Team).where(Team.slug == team_slug))
            team.name = "Hernoemd na de back-up"
            action = db.session.get(Action, action_id)
            action.title = "Gewijzigd na de back-up"
            beheerder = db.session.scalar(select(User).where(User.email == "beheerder@example.org"))
            new = add_attachment(action, file_name="later.png",
                                 stream=io.BytesIO(attachment_samples.png()), actor=beheerder,
                                 now=utcnow())
            old = db.session.get(Attachment, attachment_id)
            storage.delete_after_commit(db.session, old.storage_name)
            db.session.delete(old)
            db.session.add(User(name="Na de back-up", email="later@example.org",
                                role=beheerder.role))
            db.session.commit()
            sqlite_write_intent.reset(write_intent)
            later_file = storage.path_of(new.storage_name)
            assert later_file.exists() and not kept_file.exists()
            time.sleep(0.3)

            traffic.phase = "tijdens-herstel"
            result = _invoke(own_app, "restore", str(output), "--yes")
            assert result.exit_code == 0, result.output
            assert "Hersteld uit" in result.output and "1 bijlagen teruggezet" in result.output
            traffic.phase = "na-herstel"
            time.sleep(0.5)
        after_restore = HttpClient(base).get("/healthz")

    assert not traffic.errors, traffic.errors
    failures = [(path, status) for path, status in traffic.statuses if status >= 500]
    assert failures == []
    assert after_restore.status == 200
    for phase in ("tijdens-back-up", "na-back-up", "tijdens-herstel", "na-herstel"):
        assert traffic.written.get(phase), f"no write during {phase}"
    reads = [status for path, status in traffic.statuses if path == "/mijn-werk"]
    assert reads and set(reads) == {200}

    with own_app.app_context():
        restored = _counts()
        assert {k: v for k, v in restored.items() if k != "throttle_failures"} \
            == {k: v for k, v in manifest["tables"].items() if k != "throttle_failures"}
        accounts = _failed_logins()
        assert not [a for a in accounts if a.startswith("na-back-up-")]
        assert before_accounts and before_accounts <= accounts
        assert db.session.scalar(select(Team.name).where(Team.slug == team_slug)) == team_name
        assert db.session.get(Action, action_id).title == action_title
        assert db.session.scalar(select(User).where(User.email == "later@example.org")) is None
        restored_attachment = db.session.get(Attachment, attachment_id)
        assert restored_attachment.file_name == "verslag.pdf"
        assert kept_file.read_bytes() == pdf
        assert not later_file.exists()

    # The app serves the restored data: the attachment downloads again.
    with served(own_app) as base:
        reader = HttpClient(base).login("beheerder@example.org", DEMO_PASSWORD)
        reply = reader.get(f"/bijlagen/{attachment_id}")
        assert reply.status == 200


def _rewrite_manifest(source: Path, target: Path, **changes) -> None:
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            data = old.extractfile(member).read()
            if member.name == backup_archive.MANIFEST:
                manifest = json.loads(data)
                manifest.update(changes)
                data = json.dumps(manifest).encode()
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))


def test_refuses_other_kind_newer_schema_and_overwriting(own_app, tmp_path):
    output = tmp_path / "back-up.tar.gz"
    with own_app.app_context():
        db.session.add(User(name="Eerste", email="eerste@example.org", role="lezer"))
        db.session.commit()
        kind = db.engine.dialect.name

        assert _invoke(own_app, "backup", "--output", str(output)).exit_code == 0
        first = output.read_bytes()

        # An existing file is kept unless --force.
        refused = _invoke(own_app, "backup", "--output", str(output))
        assert refused.exit_code != 0 and "--force" in refused.output
        assert output.read_bytes() == first
        forced = _invoke(own_app, "backup", "--output", str(output), "--force")
        assert forced.exit_code == 0, forced.output
        assert output.read_bytes() != first  # a new archive (a later creation time)
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files

        db.session.add(User(name="Tweede", email="tweede@example.org", role="lezer"))
        db.session.commit()
        users = _counts()["users"]

        other = tmp_path / "andere-soort.tar.gz"
        _rewrite_manifest(output, other,
                          database="postgresql" if kind == "sqlite" else "sqlite")
        result = _invoke(own_app, "restore", str(other), "--yes")
        assert result.exit_code != 0
        assert "wrong database kind" in result.output and "niets hersteld" in result.output

        newer = tmp_path / "nieuwer.tar.gz"
        _rewrite_manifest(output, newer, schema_revision="9999_uit_de_toekomst")
        result = _invoke(own_app, "restore", str(newer), "--yes")
        assert result.exit_code != 0
        assert "9999_uit_de_toekomst" in result.output and "nieuwere versie" in result.output

        not_a_backup = tmp_path / "geen.tar.gz"
        not_a_backup.write_bytes(b"dit is geen archief")
        result = _invoke(own_app, "restore", str(not_a_backup), "--yes")
        assert result.exit_code != 0 and "geen back-up" in result.output

        # Answering no to the question changes nothing either.
        result = _invoke(own_app, "restore", str(output), input="n\n")
        assert result.exit_code != 0 and "Doorgaan?" in result.output
        assert _counts()["users"] == users

        result = _invoke(own_app, "restore", str(output), input="y\n")
        assert result.exit_code == 0, result.output
        assert _counts()["users"] == users - 1


def test_an_older_schema_is_restored_and_upgraded(own_app, tmp_path):
    from flask_migrate import downgrade

    from tracker.backup.archive import _script

    output = tmp_path / "ouder.tar.gz"
    with own_app.app_context():
        head = _script().get_current_head()
        downgrade(revision="0023_search")  # before the attachments table existed
        db.session.remove()
        db.session.add(User(name="In de oude back-up", email="oud@example.org", role="lezer"))
        db.session.commit()
        assert _invoke(own_app, "backup", "--output", str(output)).exit_code == 0
        assert backup_archive.read_manifest(output)["schema_revision"] == "0023_search"
        upgrade()
        db.session.remove()
        db.session.add(User(name="Later", email="later-nog@example.org", role="lezer"))
        db.session.commit()

        result = _invoke(own_app, "restore", str(output), "--yes")
        assert result.exit_code == 0, result.output
        assert f"schema bijgewerkt naar {head}" in result.output
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head
        emails = set(db.session.scalars(select(User.email)))
        assert "oud@example.org" in emails and "later-nog@example.org" not in emails
        assert db.session.scalar(select(Attachment.id)) is None  # the table is back, empty


def test_postgresql_needs_a_pg_dump_on_path_not_older_than_the_server(own_app, tmp_path,
                                                                      monkeypatch):
    with own_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("pg_dump is only used for PostgreSQL")
        output = tmp_path / "back-up.tar.gz"
        empty = tmp_path / "leeg"
        empty.mkdir()
        monkeypatch.setenv("PATH", str(empty))
        result = _invoke(own_app, "backup", "--output", str(output))
        assert result.exit_code != 0
        assert "pg_dump is niet gevonden op PATH" in result.output

        # An old pg_dump (a script answering like PostgreSQL 9.6's) is refused before it runs.
        old = empty / "pg_dump"
        old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
        old.chmod(0o755)
        result = _invoke(own_app, "backup", "--output", str(output))
        assert result.exit_code != 0
        assert "pg_dump is versie 9, ouder dan de server" in result.output
        assert not output.exists()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
