"""The register of personal data (``docs/privacy.md``) and the rule that finds such columns.

The rule, applied to every table of ``db.metadata`` (history tables included):

- every column of a table that describes a person (``PERSON_TABLES``);
- every column that holds a user id (a foreign key to ``users.id``, or its copy in a
  history table);
- every column that can hold free text: ``Text``, JSON, binary documents, and strings
  of ``FREE_TEXT_MIN_LENGTH`` characters or more (names, titles, notes, summaries);
- every column whose name says it holds a person's details (``PERSONAL_NAME``: name,
  e-mail, phone, address, ip/origin, recipients, author, actor, ``*_by``).

A history table's column counts as the live table's column (``actions_version.title``
is registered as ``actions.title``); history-only columns are registered under their
own table. Each detected column must be in the register, either as personal data or
in the list of columns checked and found to hold none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import JSON, Column, Enum, LargeBinary, String, Text

from tracker.avg.tables import all_tables, is_history, live_name, refers_to_user
from tracker.extensions import db

REGISTER_PATH = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"
#: Tables whose every column is about one person. Add a table here when it describes people.
PERSON_TABLES = frozenset({"users", "throttle_failures"})
#: Continuum's bookkeeping in every history table: no personal data.
HISTORY_BOOKKEEPING = frozenset({"transaction_id", "end_transaction_id", "operation_type"})
FREE_TEXT_MIN_LENGTH = 120
PERSONAL_NAME = re.compile(
    r"(^|_)(name|email|e_mail|phone|telefoon|mobile|address|adres|ip|ip_address|origin|"
    r"remote_addr|user_agent|recipients?|author|actor)(_|$)|_by(_id)?$")
#: The columns of a register row, in order.
REGISTER_FIELDS = ("kolom", "wat", "waarom", "wie", "bewaartermijn", "bij_wissen")
NOT_PERSONAL_HEADING = "geen persoonsgegevens"


@dataclass(frozen=True)
class Entry:
    """One row of the register: ``table.column`` and its description."""

    column: str
    personal: bool
    cells: tuple[str, ...]


def register_name(column: Column) -> str:
    """``table.column`` as the register names it (history columns under the live table)."""
    table = column.table
    if is_history(table):
        live = db.metadata.tables.get(live_name(table))
        if live is not None and column.name in live.c:
            return f"{live.name}.{column.name}"
    return f"{table.name}.{column.name}"


def holds_personal_data(column: Column) -> bool:
    """The detection rule of the module docstring."""
    table = column.table
    if is_history(table) and column.name in HISTORY_BOOKKEEPING:
        return False
    if live_name(table) in PERSON_TABLES or refers_to_user(column):
        return True
    if PERSONAL_NAME.search(column.name):
        return True
    kind = column.type
    if isinstance(kind, Enum):  # a controlled vocabulary, never free text
        return False
    if isinstance(kind, Text | JSON | LargeBinary):
        return True
    return isinstance(kind, String) and (kind.length or 10**6) >= FREE_TEXT_MIN_LENGTH


def detected_columns() -> set[str]:
    """Register names of every column the rule finds, over all tables of the schema."""
    return {register_name(c) for t in all_tables() for c in t.columns if holds_personal_data(c)}


def schema_columns() -> set[str]:
    """Register names of every column in the schema (to find stale register rows)."""
    return {register_name(c) for t in all_tables() for c in t.columns}


_ROW = re.compile(r"^\|\s*`([a-z0-9_]+\.[a-z0-9_]+)`\s*\|(.*)\|\s*$")


def read_register(path: Path = REGISTER_PATH) -> dict[str, Entry]:
    """The rows of the register tables in ``path``: ``{"table.column": Entry}``.

    A row is a Markdown table row whose first cell is ``table.column`` in backticks;
    rows under a heading containing "geen persoonsgegevens" are columns checked and
    found to hold none. Raises ``ValueError`` on a column listed twice.
    """
    entries: dict[str, Entry] = {}
    personal = True
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            personal = NOT_PERSONAL_HEADING not in line.lower()
            continue
        match = _ROW.match(line.strip())
        if not match:
            continue
        name = match.group(1)
        if name in entries:
            raise ValueError(f"{name} staat twee keer in het register")
        cells = tuple(cell.strip() for cell in match.group(2).split("|"))
        entries[name] = Entry(name, personal, cells)
    return entries
