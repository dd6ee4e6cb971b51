"""Migrations: from empty to head (and back) on this run's database; models agree."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from tracker import create_app
from tracker.extensions import db
from tracker.search.schema import include_object


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A brand-new empty database of the same kind as the suite's."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"tracker_migrations_{uuid.uuid4().hex[:8]}"
    admin_url = make_url(database_url).set(database="postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrations_run_from_empty_to_head_and_back(empty_database):
    app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "teams", "actions", "milestones", "municipality_ticks", "events",
                "invitations", "pilots", "indicators", "measurements",
                "audit_entries"} <= tables
        # Models and migrations agree: autogenerate finds nothing to do.
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True,
                                   "include_object": include_object}
            )
            assert compare_metadata(context, db.metadata) == []
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.session.remove()
        db.engine.dispose()


def test_suite_database_is_at_head(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() is not None
        assert compare_metadata(
            MigrationContext.configure(connection, opts={
                "compare_type": True, "include_object": include_object}), db.metadata
        ) == []


def test_history_migration_keeps_existing_rows_and_backfills_them(empty_database):
    """0007 on a database with data: nothing lost, one version per row, valid from its birth."""
    from datetime import UTC, date, datetime

    from sqlalchemy import MetaData, Table, func, select

    from tracker.report.build import build_report

    app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(revision="0005_events")
        meta = MetaData()
        with db.engine.begin() as connection:
            def table(table_name):
                return Table(table_name, meta, autoload_with=connection)

            def add(table_name, **values):
                return connection.execute(table(table_name).insert().values(**values)
                                          ).inserted_primary_key[0]

            district = add("districts", slug="twente", name="Twente", position=1)
            town = add("municipalities", name="Enschede", district_id=district)
            team_id = add("teams", slug="jeugd", name="Expertteam Jeugd", short_name="Jeugd",
                          kind="expertteam", status="actief", introduction="", position=1,
                          version=1)
            person = add("users", name="Erik van Keken", email="erik@example.org", role="coordinator",
                         active=True, session_nonce="x", version=1,
                         created_at=datetime(2026, 1, 1, tzinfo=UTC))
            add("team_memberships", team_id=team_id, user_id=person, role="trekker",
                created_at=datetime(2018, 1, 5, tzinfo=UTC))
            add("actions", team_id=team_id, title="Groepsscan uitrollen", description="",
                owner_id=person, status="open", due_precision="day", position=0, version=1,
                created_at=datetime(2018, 1, 10, tzinfo=UTC), updated_at=datetime(2018, 1, 10, tzinfo=UTC))
            add("actions", team_id=team_id, title="Later bedacht", description="", status="open",
                due_precision="day", position=1, version=1,
                created_at=datetime(2018, 6, 1, tzinfo=UTC), updated_at=datetime(2018, 6, 1, tzinfo=UTC))
            pilot = add("pilots", team_id=team_id, title="Groepsscan Enschede", description="",
                        status="lopend", results="", lessons="", version=1,
                        created_at=datetime(2018, 1, 10, tzinfo=UTC))
            connection.execute(table("pilot_municipalities").insert().values(
                pilot_id=pilot, municipality_id=town))
        before = {name: db.session.scalar(select(func.count()).select_from(text(name)))
                  for name in ("districts", "municipalities", "teams", "users", "team_memberships",
                               "actions", "pilots", "pilot_municipalities")}
        db.session.remove()

        upgrade()

        for name, count in before.items():
            assert db.session.scalar(select(func.count()).select_from(text(name))) == count
            assert db.session.scalar(
                select(func.count()).select_from(text(f"{name}_version"))) == count
        february = build_report(date(2018, 2, 1))
        jeugd = february.teams[0]
        assert jeugd.trekker is not None and jeugd.trekker.name == "Erik van Keken"
        assert [a.title for a in jeugd.actions] == ["Groepsscan uitrollen"]
        assert jeugd.actions[0].owner == "Erik van Keken"
        assert jeugd.pilots[0].municipalities == ["Enschede"]
        assert [a.title for a in build_report(date(2018, 7, 1)).teams[0].actions] == [
            "Groepsscan uitrollen", "Later bedacht"]
        # Before the first row came to be, the tracker held nothing.
        assert build_report(date(2017, 12, 1)).teams == []
        db.session.remove()
        db.engine.dispose()


def test_the_search_migration_describes_the_rows_already_there(empty_database):
    """0023_search down and up again with data present: the index is filled from the rows,
    and on SQLite the FTS5 table (made by the migration) finds them by stem."""
    from tests.factories import create_action, create_team, create_user
    from tracker.enums import Role
    from tracker.search.models import SearchDocument
    from tracker.search.queries import search

    app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        team = create_team()
        beheerder = create_user(role=Role.BEHEERDER, name="Bea Beheer")
        create_action(team, title="Woninginbraak aanpakken")
        db.session.commit()
        beheerder_id = beheerder.id
        db.session.remove()
        downgrade(revision="0022_drafts")
        assert "search_documents" not in inspect(db.engine).get_table_names()
        upgrade()
        kinds = sorted(db.session.scalars(select(SearchDocument.kind)))
        assert kinds == ["action", "person", "person"]
        with app.test_request_context():
            results = search(db.session.get(type(beheerder), beheerder_id), "woninginbraken")
            assert [g.kind for g in results.groups] == ["action"]
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()


def test_the_submission_id_migration_keeps_tokens_and_webhooks(empty_database):
    """0029 up on a database with an API token and a webhook: both kept without an id, a
    form id is unique per table; down again: the column goes, the rows stay."""
    from datetime import UTC, datetime

    from sqlalchemy import MetaData, Table
    from sqlalchemy.exc import IntegrityError

    app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database})
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    with app.app_context():
        upgrade(revision="0028_history_as_of_index")
        with db.engine.begin() as connection:
            def add(table_name, **values):
                table = Table(table_name, MetaData(), autoload_with=connection)
                return connection.execute(table.insert().values(**values)).inserted_primary_key[0]

            person = add("users", name="Erik van Keken", email="erik@example.org",
                         role="coordinator", active=True, session_nonce="x", version=1,
                         created_at=moment)
            add("api_tokens", user_id=person, name="Dashboard", scope="read", token_hash="a" * 64,
                prefix="vnon_abcd", created_at=moment, expires_at=moment)
            add("webhooks", name="RIEC", url="https://example.org/hook", events=[],
                secret_encrypted="x", active=True, created_at=moment)
        db.session.remove()

        upgrade(revision="0029_submission_ids")
        columns = {t: {c["name"] for c in inspect(db.engine).get_columns(t)}
                   for t in ("api_tokens", "webhooks")}
        assert all("submission_id" in names for names in columns.values())
        with db.engine.begin() as connection:
            for table in ("api_tokens", "webhooks"):
                assert connection.execute(text(
                    f"SELECT count(*) FROM {table} WHERE submission_id IS NULL")).scalar() == 1
            connection.execute(text("UPDATE webhooks SET submission_id = :s"), {"s": "f" * 32})
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO webhooks (name, url, events, secret_encrypted, active, created_at,"
                " submission_id) SELECT name, url, events, secret_encrypted, active, created_at,"
                " submission_id FROM webhooks"))

        downgrade(revision="0028_history_as_of_index")
        for table in ("api_tokens", "webhooks"):
            assert "submission_id" not in {c["name"] for c in inspect(db.engine).get_columns(table)}
            with db.engine.connect() as connection:
                assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
