"""History by construction: every change to a versioned table keeps the row as it was.

SQLAlchemy-Continuum writes, in the same transaction as the change, a row in
``<table>_version`` for every insert, update and delete of a model that declares
``__versioned__``, and one row in ``transaction`` (the moment, ``issued_at``, UTC).
The *validity* strategy stores on each version the transaction that ended it
(``end_transaction_id``), so the state of a table "as of" a moment is one indexed
query: the versions begun at or before that transaction and not yet ended by it.
Its cost depends on the history up to that moment, not on what was changed later.

This module must be imported before any model class is defined (``extensions``
does it): Continuum hooks the mapper when the classes are declared. The audit
journal (``tracker.audit``) stays the human-readable who-did-what; the report and
the status pages read the past from here only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from itertools import chain
from typing import Any

from sqlalchemy import Index, Select, Table, Update, bindparam, event, func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy_continuum import TransactionFactory, make_versioned, version_class, versioning_manager
from sqlalchemy_continuum import manager as continuum_manager
from sqlalchemy_continuum import utils as continuum_utils
from sqlalchemy_continuum.operation import Operation
from sqlalchemy_continuum.plugins import Plugin
from sqlalchemy_continuum.unit_of_work import UnitOfWork
from sqlalchemy_continuum.utils import end_tx_column_name, is_versioned, tx_column_name

#: ``session.info`` key: the moment to record for the changes of this session's
#: transaction instead of now (only the demo loader uses it: its rows were "recorded"
#: on the source report's peildatum).
RECORDED_AT = "history_recorded_at"

#: Columns never copied into history: secrets and bookkeeping that no report shows.
#: (A password hash or a session nonce in a history table would be a secret at rest.)
USER_COLUMNS_NOT_KEPT = ["password_hash", "session_nonce", "calendar_token_hash", "last_login_at"]


class RecordedAtPlugin(Plugin):
    """Stamps the Continuum transaction with ``session.info[RECORDED_AT]`` when set."""

    def transaction_args(self, uow, session) -> dict[str, Any]:
        at = session.info.get(RECORDED_AT)
        return {"issued_at": naive_utc(at)} if at is not None else {}


def naive_utc(moment: datetime) -> datetime:
    """``issued_at`` is a naive UTC column (Continuum's own type): convert an aware moment."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime refused: pass an aware datetime")
    return moment.astimezone(UTC).replace(tzinfo=None)


class LeanUnitOfWork(UnitOfWork):
    """Continuum's unit of work with the same outcome at a fraction of the cost per flush.

    - "Did this flush change a versioned object?" looks at the session's new, dirty and
      deleted objects only. Continuum's own check walks every object in the session
      (every team, membership and user a page loaded) on every flush; an object outside
      those three sets has no attribute history, so it cannot be modified.
    - Ending the previous version (the validity strategy) is one ``UPDATE … WHERE
      transaction_id = (SELECT max(…) … < this transaction)`` instead of loading that
      version as an object and flushing a change to it: the same row gets the same
      ``end_transaction_id``, one statement instead of two.
    """

    def is_modified(self, session) -> bool:
        new, deleted = session.new, session.deleted
        return any(
            is_versioned(obj) and (obj in new or obj in deleted or is_modified(obj))
            for obj in chain(new, session.dirty, deleted)
        ) or any(self.manager.plugins.is_session_modified(session))

    def update_version_validity(self, parent, version_obj) -> None:
        connection = self.version_session.connection()
        for class_ in type(version_obj).__mro__:
            if class_ in self.manager.parent_class_map:
                table = class_.__table__
                statement, keys = _end_previous_version(table, tx_column_name(version_obj),
                                                        end_tx_column_name(version_obj))
                params = {f"key_{key}": getattr(version_obj, key) for key in keys}
                connection.execute(statement, {**params, "this_tx": self.current_transaction.id})


_END_PREVIOUS: dict[Table, tuple[Update, list[str]]] = {}


def _end_previous_version(table: Table, tx: str, end_tx: str) -> tuple[Update, list[str]]:
    """``UPDATE <table> SET end_tx = :this_tx`` on the row's latest version before
    ``:this_tx`` (built once per version table); and the key columns it binds."""
    if table not in _END_PREVIOUS:
        keys = [c.name for c in table.primary_key.columns if c.name != tx]
        prior = table.alias("prior")
        latest_before = (
            select(func.max(prior.c[tx]))
            .where(prior.c[tx] < bindparam("this_tx"),
                   *[prior.c[key] == bindparam(f"key_{key}") for key in keys])
            .scalar_subquery()
        )
        statement = (
            table.update()
            .where(table.c[tx] == latest_before,
                   *[table.c[key] == bindparam(f"key_{key}") for key in keys])
            .values({end_tx: bindparam("this_tx")})
        )
        _END_PREVIOUS[table] = (statement, keys)
    return _END_PREVIOUS[table]


versioning_manager.uow_class = LeanUnitOfWork
# No client address in the transaction table: the audit journal records the origin.
versioning_manager.transaction_cls = TransactionFactory(remote_addr=False)
make_versioned(user_cls=None, plugins=[RecordedAtPlugin()], options={"strategy": "validity"})

#: The index that finds the last transaction before a moment (:func:`transaction_before`)
#: among the transactions up to that moment, not by walking back through every later one.
TRANSACTION_ISSUED_AT_INDEX = "ix_transaction_issued_at"


@event.listens_for(Mapper, "after_configured")
def _index_issued_at() -> None:
    """Declare the ``issued_at`` index on Continuum's ``transaction`` table (made when the
    mappers are configured, after Continuum's own listener) so ``db check`` knows it."""
    table = versioning_manager.transaction_cls.__table__
    if not any(index.name == TRANSACTION_ISSUED_AT_INDEX for index in table.indexes):
        Index(TRANSACTION_ISSUED_AT_INDEX, table.c.issued_at, table.c.id)


@cache
def versioned_keys(cls: type) -> tuple[str, ...]:
    """The attributes whose change makes a new version of a ``cls`` row: its versioned
    columns and the relationships over them (what Continuum's ``is_modified`` looks at)."""
    columns = [prop.key for prop in continuum_utils.versioned_column_properties(cls)]
    relationships = [prop.key for prop in sa_inspect(cls).relationships
                     if any(c.key in columns for c in prop.local_columns)]
    return tuple(columns + relationships)


def is_modified(obj) -> bool:
    """Continuum's ``is_modified`` (has a versioned attribute of ``obj`` changed?) with the
    attributes worked out once per class instead of on every call.

    Continuum asks it for every object in the session on every flush; its own version
    recomputed the versioned columns of each object each time, which was the largest
    cost of ``flask demo scale`` after the history writes themselves. Installed below in
    place of the original (``tests/test_history.py`` checks that both agree).
    """
    attrs = sa_inspect(obj).attrs
    return any(attrs[key].history.has_changes() for key in versioned_keys(type(obj)))


continuum_is_modified = continuum_utils.is_modified
continuum_utils.is_modified = is_modified  # read by is_session_modified
continuum_manager.is_modified = is_modified  # read by track_updates


@contextmanager
def recorded_at(session: Session, moment: datetime) -> Iterator[None]:
    """Record the changes flushed inside this block as made at ``moment``.

    For loading data that describes an earlier state (the demo network of February
    2018). The whole transaction gets one moment: commit before and after.
    """
    session.info[RECORDED_AT] = moment
    try:
        yield
    finally:
        session.info.pop(RECORDED_AT, None)


@contextmanager
def paused() -> Iterator[None]:
    """Write without history (process-wide): only for test set-up that copies whole tables.

    Continuum records even a core ``DELETE``/``INSERT`` on an association table, and
    needs an ORM unit of work for it; table-level copies have none and want none.
    """
    options = versioning_manager.options
    before = options["versioning"]
    options["versioning"] = False
    try:
        yield
    finally:
        options["versioning"] = before


def data_key(session: Session, before: datetime | None = None) -> tuple[int, datetime | None]:
    """``(id, issued_at)`` of the newest history transaction (issued before ``before``,
    aware, when given): every change to a versioned model writes one, so a value computed
    from versioned data (and ``today``) may be kept under this key and is never stale.
    The moment tells apart a history restored from a backup that reached the same id by
    other changes. ``(0, None)`` before any change."""
    transaction = versioning_manager.transaction_cls
    if before is not None:
        # One statement whatever the history holds: the transaction of
        # :func:`transaction_before` and its moment.
        newest = (select(func.max(transaction.id + 0))
                  .where(transaction.issued_at < naive_utc(before)).scalar_subquery())
        row = session.execute(select(transaction.id, transaction.issued_at)
                              .where(transaction.id == newest)).first()
    else:
        row = session.execute(select(transaction.id, transaction.issued_at)
                              .order_by(transaction.id.desc()).limit(1)).first()
    return (int(row[0]), row[1]) if row else (0, None)


def transaction_before(session: Session, cutoff: datetime) -> int:
    """The id of the last history transaction issued before ``cutoff`` (aware); 0 if none."""
    transaction = versioning_manager.transaction_cls
    # ``id + 0``: a plain ``max(id)`` lets SQLite and PostgreSQL walk the primary key back
    # from the newest transaction, through every change made after ``cutoff``; this reads
    # the ``issued_at`` index up to ``cutoff`` instead (TRANSACTION_ISSUED_AT_INDEX).
    found = session.scalar(select(func.max(transaction.id + 0)).where(
        transaction.issued_at < naive_utc(cutoff)))
    return int(found or 0)


def valid_at(version: Any, transaction_id: int) -> list[Any]:
    """The conditions on ``version`` (a version class or its table's columns) for the rows
    as they stood after ``transaction_id``: begun at or before it, not ended by it, no delete.

    ``transaction_id <= T`` is the bounded part: an index on ``transaction_id`` (every
    version table has one) reads the history up to ``T`` only, never the versions written
    after it, however many there are.
    """
    return [
        version.transaction_id <= transaction_id,
        or_(version.end_transaction_id > transaction_id, version.end_transaction_id.is_(None)),
        version.operation_type != Operation.DELETE,
    ]


def as_of(model: type, transaction_id: int, *columns: str) -> tuple[Any, Select]:
    """``(version class, select)`` of ``model``'s rows as they stood after ``transaction_id``.

    The version class has the same column attributes as ``model``; filter and order
    the returned select with them. Deleted rows are not in it. ``columns``: select only
    these attributes (plain rows, no version objects); none: the version objects.
    """
    version = version_class(model)
    statement = select(*(getattr(version, c) for c in columns)) if columns else select(version)
    return version, statement.where(*valid_at(version, transaction_id))


def unindexed(column: Any) -> Any:
    """``column`` to order a history read by, as an expression no index serves.

    SQLite keeps no statistics on these tables, so for ``ORDER BY due_date`` it would
    walk a whole version table along its ``due_date`` index (every version written since
    the transaction included) rather than read the versions up to the transaction through
    the ``transaction_id`` index and sort those. ``coalesce(c, c)`` orders the same.
    """
    return func.coalesce(column, column)


def association_as_of(table: Table, transaction_id: int) -> Select:
    """The rows of an association table (e.g. ``pilot_municipalities``) after ``transaction_id``.

    Continuum writes an insert or delete version per link without closing the earlier
    one, so the state of a link is its latest version up to the transaction.
    """
    version = table.metadata.tables[f"{table.name}_version"]
    later = version.alias("later")
    names = [c.name for c in table.primary_key.columns]
    # The link's latest version up to the transaction: no later one up to it. Read through
    # the transaction_id index and one primary-key seek per version (not a GROUP BY,
    # which SQLite answers by walking the whole table along its primary key).
    superseded = select(later.c.transaction_id).where(
        *(later.c[n] == version.c[n] for n in names),
        later.c.transaction_id > version.c.transaction_id,
        later.c.transaction_id <= transaction_id,
    ).exists()
    return select(*(version.c[n] for n in names)).where(
        version.c.transaction_id <= transaction_id,
        version.c.operation_type != Operation.DELETE,
        ~superseded,
    )


def rewrite_history(session: Session, model: type, row_id: int, **values: Any) -> int:
    """Overwrite ``values`` in every past version of one row; return how many were changed.

    For erasing a person (AVG): their name must leave history as well as the live row.
    """
    table = version_class(model).__table__
    return session.execute(table.update().where(table.c.id == row_id).values(**values)).rowcount
