"""The full-text structures beside ``search_documents``, per database, and what Alembic
must not compare.

PostgreSQL: a GIN index on the expression :data:`PG_VECTOR` (title weighs A, body B), the
same expression the query uses, so the planner can use it. SQLite: an FTS5 table over the
``stems`` column with ``search_documents`` as its external content, kept in step by three
triggers (so also raw INSERTs and DELETEs, such as the test suite's table copies, reach it).

Neither can be declared on the SQLAlchemy model (an FTS5 table is no table SQLAlchemy
knows; the expression index exists on one database only), so the migration creates them
and :func:`include_object` hides them from ``flask db check`` and from the migration tests'
``compare_metadata``: there they would show up as tables or an index "to drop".
"""

from __future__ import annotations

#: The document's text vector on PostgreSQL; the index and the query use this same text.
#: ``translate`` turns the punctuation inside addresses, hosts and paths into spaces, so
#: that "unieke-zoeker@example.org" is found by its words, as on SQLite (whose words are
#: runs of letters and digits); PostgreSQL's parser would keep it as one e-mail token.
PG_VECTOR = ("(setweight(to_tsvector('dutch'::regconfig, translate(title, '@./_-:', '      ')), "
             "'A') || setweight(to_tsvector('dutch'::regconfig, "
             "translate(body, '@./_-:', '      ')), 'B'))")
PG_INDEX = "ix_search_documents_vector"
FTS_TABLE = "search_documents_fts"

PG_CREATE = [f"CREATE INDEX {PG_INDEX} ON search_documents USING gin ({PG_VECTOR})"]
PG_DROP = [f"DROP INDEX IF EXISTS {PG_INDEX}"]

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE search_documents_fts USING fts5(stems, content='search_documents', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_documents_fts(rowid, stems) VALUES (new.id, new.stems); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_documents_fts(search_documents_fts, rowid, stems) "
    "VALUES ('delete', old.id, old.stems); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_documents_fts(search_documents_fts, rowid, stems) "
    "VALUES ('delete', old.id, old.stems); "
    "INSERT INTO search_documents_fts(rowid, stems) VALUES (new.id, new.stems); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_documents_au",
    "DROP TRIGGER IF EXISTS search_documents_ad",
    "DROP TRIGGER IF EXISTS search_documents_ai",
    "DROP TABLE IF EXISTS search_documents_fts",
]


def create_statements(dialect: str) -> list[str]:
    return PG_CREATE if dialect == "postgresql" else SQLITE_CREATE


def drop_statements(dialect: str) -> list[str]:
    return PG_DROP if dialect == "postgresql" else SQLITE_DROP


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: leave out the FTS5 table (and its shadow tables
    ``search_documents_fts_data`` …) and the PostgreSQL expression index."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == PG_INDEX)
