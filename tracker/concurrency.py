"""Optimistic locking and racing writers: a write based on a stale version is refused,
never applied; two first inserts of the same row never end in a 500.

Three ways a write can lose a race, all answered with 409 (see ``tracker.errors`` and
``tracker.forms.form_errors``):

- :class:`ConflictError`: the form carried an older version than the row has now;
- ``StaleDataError``: the versioned UPDATE matched no row because another transaction
  committed a new version between our read and our write (PostgreSQL, READ COMMITTED);
- a unique-key violation (:func:`is_unique_violation`): two transactions inserted the
  same first row. Rows that are simply "there or not" are upserted instead
  (:func:`insert_if_missing`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError


class ConflictError(Exception):
    """Someone else changed ``obj`` after the user loaded version ``expected``."""

    def __init__(self, obj: Any, expected: int | None):
        super().__init__(f"{obj!r}: expected version {expected}, found {obj.version}")
        self.obj = obj
        self.expected = expected


#: Every exception that means "someone else saved this first".
CONFLICTS: tuple[type[Exception], ...] = (ConflictError, StaleDataError)

#: SQLSTATE of a unique violation (PostgreSQL); SQLite only says it in words.
_UNIQUE_VIOLATION = "23505"


def parse_version(value: str | int | None) -> int | None:
    """The version a form was built from; None when absent or malformed."""
    from tracker.validation import parse_id

    return parse_id(value)  # a version is counted from 1, like an id


def check_version(obj: Any, expected: int | None) -> None:
    """Raise :class:`ConflictError` unless ``expected`` is the stored version."""
    if expected is None or expected != obj.version:
        raise ConflictError(obj, expected)


def is_unique_violation(error: IntegrityError) -> bool:
    """True when ``error`` is a duplicate key (a racing first insert), not another
    integrity problem (a missing parent, a NULL), which stays a bug."""
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) == _UNIQUE_VIOLATION:
        return True
    return "UNIQUE constraint failed" in str(original)


def insert_if_missing(model: type, values: dict[str, Any]) -> None:
    """Insert the row ``values`` of ``model`` unless a row with its primary key exists
    (``INSERT … ON CONFLICT DO NOTHING`` on PostgreSQL and SQLite).

    For unversioned rows that are simply there or not (preferences, settings): the
    loser of two racing first inserts waits for the winner and then inserts nothing.
    Load the row afterwards with ``session.get(model, key, populate_existing=True)``.
    """
    from sqlalchemy import inspect

    from tracker.extensions import db

    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    keys = [column.name for column in inspect(model).primary_key]
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=keys))
