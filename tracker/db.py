"""Database foundations: the declarative base, UTC datetimes and SQLite tuning.

Every model inherits :class:`Base`, whose metadata carries a naming convention so
that Alembic produces the same constraint names on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
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
#: Whether the current unit of work declared itself read-only (:func:`read_only`): its
#: transactions refuse every write (SQLite ``PRAGMA query_only``, PostgreSQL
#: ``SET TRANSACTION READ ONLY``), so a job that only reads can never hold a write lock.
read_only_work: ContextVar[bool] = ContextVar("read_only_work", default=False)

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
    """Start SQLite transactions IMMEDIATE for writers, DEFERRED for readers.

    Inside :func:`read_only` the transaction also refuses writes: SQLite's
    ``query_only`` is switched per connection only when it has to change (so a
    request pays nothing), PostgreSQL gets ``SET TRANSACTION READ ONLY``.
    """
    read_only = read_only_work.get()
    if connection.dialect.name == "postgresql":
        if read_only:
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        return
    if connection.dialect.name != "sqlite":
        return
    info = connection.connection.info
    if info.get("query_only", False) != read_only:
        connection.exec_driver_sql(f"PRAGMA query_only = {int(read_only)}")
        info["query_only"] = read_only
    connection.exec_driver_sql("BEGIN IMMEDIATE" if sqlite_write_intent.get() and not read_only
                               else "BEGIN")


@contextmanager
def read_only() -> Iterator[None]:
    """Declare the block read-only work (exports, the report, the reading part of a job).

    Transactions begun inside it start DEFERRED on SQLite, so they never take the
    write lock that web requests queue for, and they refuse writes on both databases
    (a write raises instead of silently holding the lock). A job writes what it
    computed in :func:`short_write` blocks. Outside a request the default is a writer
    (``BEGIN IMMEDIATE``): CLI commands and jobs that only read must say so here.
    A transaction keeps the mode it began with: enter the block before the first query.
    """
    intent = sqlite_write_intent.set(False)
    only = read_only_work.set(True)
    try:
        yield
    finally:
        read_only_work.reset(only)
        sqlite_write_intent.reset(intent)


@contextmanager
def short_write(session) -> Iterator[None]:
    """Run the block as one short write transaction of its own, committed at its end.

    The session's current (read) transaction is ended first, and the block's is committed
    at its end, both without expiring what the session loaded (nothing is pending in
    read-only work), so the job goes on using those objects without loading them again;
    the block's transaction begins as a writer (``BEGIN IMMEDIATE`` on SQLite) even
    inside :func:`read_only`. Rolled back when the block raises. Keep the block small:
    SQLite's write lock is held from its first statement to its commit.
    """
    end_transaction(session)
    intent = sqlite_write_intent.set(True)
    only = read_only_work.set(False)
    try:
        yield
        end_transaction(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        read_only_work.reset(only)
        sqlite_write_intent.reset(intent)


def end_transaction(session) -> None:
    """Commit the session's transaction (if any) and keep its objects loaded.

    For a writing request before slow work that needs no database (a password hash):
    SQLite's write lock, taken by the request's first query, is not held meanwhile;
    the writes after it begin a short transaction of their own.
    """
    real = session() if callable(session) else session  # a scoped_session or a Session
    if real.in_transaction():
        commit_keeping_state(real)
