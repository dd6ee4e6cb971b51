"""Database foundations: the declarative base, UTC datetimes and SQLite tuning.

Every model inherits :class:`Base`, whose metadata carries a naming convention so
that Alembic produces the same constraint names on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Whether the current unit of work intends to write. SQLite transactions then
#: start with ``BEGIN IMMEDIATE`` so that two writers queue on the busy timeout
#: instead of one of them failing with "database is locked" on lock upgrade.
sqlite_write_intent: ContextVar[bool] = ContextVar("sqlite_write_intent", default=True)

SQLITE_BUSY_TIMEOUT_MS = 15_000


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def commit_keeping_state(session) -> None:
    """Commit without expiring the loaded objects, for a request that answers from what
    it has just written (the row after a done click).

    After a successful commit their state is what the transaction wrote and read, so
    reading them again (one SELECT per object and relationship) would only return the
    same values. Elsewhere the session expires on commit as usual.
    """
    inner = session() if callable(session) else session  # a scoped session or a session
    before = inner.expire_on_commit
    inner.expire_on_commit = False
    try:
        inner.commit()
    finally:
        inner.expire_on_commit = before


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC on every database.

    Naive datetimes are refused: a time without a zone is a bug waiting for the
    next daylight-saving change. SQLite stores the UTC wall time; PostgreSQL
    stores ``timestamptz``. Values always come back aware, in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: pass an aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _configure_sqlite_connection(dbapi_connection, connection_record) -> None:
    """Put every SQLite connection in WAL mode with foreign keys and a busy timeout."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" hook below issue BEGIN itself (pysqlite would
    # otherwise start transactions lazily and always DEFERRED).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite_transaction(connection) -> None:
    """Start SQLite transactions IMMEDIATE for writers, DEFERRED for readers."""
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if sqlite_write_intent.get() else "BEGIN")
