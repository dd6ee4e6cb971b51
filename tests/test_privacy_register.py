"""The register of personal data (docs/privacy.md) covers every personal-data column.

The rule that finds such columns is ``tracker.avg.register.holds_personal_data``; it walks
``db.metadata``, history tables (``*_version``) included. A new column that holds personal
data (e.g. ``users.totp_secret``) makes this test fail until docs/privacy.md has a row for it.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Text

from tracker.avg.register import (
    REGISTER_FIELDS,
    detected_columns,
    holds_personal_data,
    read_register,
    schema_columns,
)
from tracker.extensions import db


def test_every_personal_data_column_is_in_the_register():
    register = read_register()
    missing = sorted(detected_columns() - set(register))
    assert not missing, (
        "Kolommen met persoonsgegevens ontbreken in docs/privacy.md (voeg een rij toe met wat, "
        f"waarom, wie, bewaartermijn en wat er bij wissen gebeurt): {missing}")


def test_the_register_names_no_column_that_does_not_exist():
    stale = sorted(set(read_register()) - schema_columns())
    assert not stale, f"docs/privacy.md noemt kolommen die niet (meer) bestaan: {stale}"


def test_every_register_row_is_filled_in():
    for name, entry in read_register().items():
        if entry.personal:
            assert len(entry.cells) == len(REGISTER_FIELDS) - 1, name
            assert all(entry.cells), f"{name}: lege cel in het register"
        else:
            assert entry.cells and entry.cells[0], f"{name}: zeg waarom het geen persoonsgegeven is"


def test_the_rule_sees_history_tables_and_the_people_in_them():
    tables = {c.split(".")[0] for c in detected_columns()}
    assert "actions_version" not in tables  # history columns are registered as the live ones
    users_version = db.metadata.tables["users_version"]
    assert holds_personal_data(users_version.c.name) and holds_personal_data(users_version.c.id)
    assert holds_personal_data(db.metadata.tables["actions_version"].c.owner_id)
    assert not holds_personal_data(db.metadata.tables["actions_version"].c.transaction_id)
    # Secrets of the account are registered (and excluded from history and export).
    register = read_register()
    assert register["users.password_hash"].personal and register["users.email"].personal
    assert not register["districts.name"].personal


def test_the_rule_catches_the_columns_a_new_feature_would_add():
    """The kinds of column other features add: all caught, none registered yet."""
    metadata = MetaData()
    Table("users", metadata, Column("id", Integer, primary_key=True),
          Column("totp_secret", String(64)))
    log = Table("security_events", metadata, Column("id", Integer, primary_key=True),
                Column("client_ip", String(45)), Column("origin", String(64)),
                Column("details", Text), Column("kind", String(20)),
                Column("reviewed_by", Integer))
    assert holds_personal_data(metadata.tables["users"].c.totp_secret)
    assert all(holds_personal_data(log.c[name])
               for name in ("client_ip", "origin", "details", "reviewed_by"))
    assert not holds_personal_data(log.c.kind)


def test_every_table_that_refers_to_a_person_has_a_dutch_export_name():
    """The export's file names are Dutch: a new table pointing at users needs a name."""
    from tracker.avg.export import SECTION_NAMES
    from tracker.avg.register import refers_to_user
    from tracker.avg.tables import all_tables

    referring = {t.name for t in all_tables() if any(refers_to_user(c) for c in t.columns)}
    assert referring and not referring - set(SECTION_NAMES), referring - set(SECTION_NAMES)
