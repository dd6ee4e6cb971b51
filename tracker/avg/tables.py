"""Walking the schema: which columns hold text, which refer to a person, which class maps a table."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Enum, String, Table, Text

from tracker.extensions import db

#: Suffix of the history tables SQLAlchemy-Continuum keeps beside a versioned table.
VERSION_SUFFIX = "_version"


def live_name(table: Table) -> str:
    """``actions_version`` -> ``actions``; a live table's own name otherwise."""
    name = table.name
    return name[: -len(VERSION_SUFFIX)] if name.endswith(VERSION_SUFFIX) else name


def is_history(table: Table) -> bool:
    return table.name.endswith(VERSION_SUFFIX)


def all_tables() -> list[Table]:
    """Every table of the application, history tables and Continuum's ``transaction`` included."""
    return list(db.metadata.sorted_tables)


def is_text(column: Column) -> bool:
    """A column that can hold words: strings, long text and JSON; not a controlled
    vocabulary (an enum's VARCHAR) and not binary documents."""
    return isinstance(column.type, String | Text | JSON) and not isinstance(column.type, Enum)


def is_json(column: Column) -> bool:
    return isinstance(column.type, JSON)


def refers_to_user(column: Column) -> bool:
    """A column holding a user id: a foreign key to ``users.id`` on the live table, or the
    same column in a history table (history tables have no foreign keys), or a history
    table's own ``id`` when it is the history of ``users``."""
    table = column.table
    if is_history(table):
        live = db.metadata.tables.get(live_name(table))
        if live is None or column.name not in live.c:
            return False
        if live.name == "users" and column.name == "id":
            return True
        column = live.c[column.name]
    elif table.name == "users" and column.name == "id":
        return True
    return any(fk.column.table.name == "users" and fk.column.name == "id"
               for fk in column.foreign_keys)


def mapped_class(table: Table) -> type | None:
    """The model class of a live table (None for history, association and Continuum tables)."""
    if is_history(table):
        return None
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    return None
