"""``flask demo scale``: a synthetic network N times the demo, with years of history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from tests.conftest import DEMO_PASSWORD, empty_all_tables, login_via_form
from tracker.audit.models import AuditEntry
from tracker.demo.scale import (
    ADMIN_EMAIL,
    PER_REGION,
    content_digest,
    count_scaled,
    scale_network,
)
from tracker.extensions import db
from tracker.history import versioning_manager

#: The anchor of every run here: the plan is made relative to its local date.
AT = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
KINDS = ("people", "actions", "pilots", "milestones", "meetings", "invitations")


def _fresh_ids() -> None:
    """Start every id sequence again, as on a new database (PostgreSQL keeps counting
    after DELETE; SQLite starts again by itself)."""
    if db.engine.dialect.name != "postgresql":
        return
    names = db.session.scalars(text(
        "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'"))
    for name in list(names):
        db.session.execute(text(f'ALTER SEQUENCE "{name}" RESTART WITH 1'))
    db.session.commit()


def _scale(factor: int, seed: int = 1) -> dict[str, int]:
    _fresh_ids()
    scale_network(factor, seed, now=AT, progress=lambda line: None)
    return count_scaled()


def _empty() -> None:
    db.session.remove()
    empty_all_tables()


def test_counts_scale_with_the_factor_and_history_lies_in_the_past():
    one = _scale(1)
    # One region: the figures of PER_REGION (the beheerder of the scaled network besides).
    assert one["people"] == PER_REGION["people"] + 1
    assert one["actions"] == PER_REGION["actions"]
    assert one["pilots"] == PER_REGION["pilots"]
    assert one["milestones"] == PER_REGION["milestones"]
    assert one["meetings"] == PER_REGION["meetings"]
    assert one["invitations"] == PER_REGION["meetings"] * PER_REGION["invitations_per_meeting"]
    # History: written by the services, spread over years before the anchor.
    transaction = versioning_manager.transaction_cls
    first, last = db.session.execute(
        select(func.min(transaction.issued_at), func.max(transaction.issued_at))).one()
    assert last < AT.replace(tzinfo=None) - timedelta(hours=1)
    assert (last - first).days > 3 * 365
    audit_first, audit_last = db.session.execute(
        select(func.min(AuditEntry.at), func.max(AuditEntry.at))).one()
    assert audit_last < AT and (audit_last - audit_first).days > 3 * 365
    actions = {row[0] for row in db.session.execute(select(AuditEntry.action))}
    assert {"user.create", "team.member_set", "action.create", "action.update",
            "action.complete", "pilot.create", "pilot.status", "milestone.create",
            "event.create", "event.invite", "invitation.answer"} <= actions
    # Every audit entry of a versioned row sits at the moment of its history transaction
    # (invitations are not versioned: their entries have no transaction).
    moments = {m.replace(tzinfo=UTC) for m in db.session.scalars(select(transaction.issued_at))}
    audited = db.session.scalars(select(AuditEntry.at).where(
        AuditEntry.action.not_in(["event.invite", "invitation.answer"])))
    assert {e.astimezone(UTC) for e in audited} <= moments
    versions = db.session.scalar(text("SELECT count(*) FROM actions_version"))
    assert versions > one["actions"] * 2
    assert one["audit"] > 400

    _empty()
    two = _scale(2)
    for kind in KINDS:
        expected = 2 * one[kind] - (1 if kind == "people" else 0)
        assert two[kind] == expected, kind
    assert 1.7 * one["audit"] < two["audit"] < 2.3 * one["audit"]
    assert 1.5 * one["history_transactions"] < two["history_transactions"]


def test_the_same_factor_and_seed_give_the_same_content():
    run_started = datetime.now(UTC) - timedelta(minutes=1)
    _scale(1, seed=7)
    first = content_digest(run_started)
    _empty()
    _scale(1, seed=7)
    assert content_digest(run_started) == first
    _empty()
    _scale(1, seed=8)
    assert content_digest(run_started) != first


def test_command_loads_the_demo_after_the_history_and_pages_answer(runner, client):
    _fresh_ids()
    result = runner.invoke(args=["demo", "scale", "--factor", "1", "--at", AT.isoformat()])
    assert result.exit_code == 0, result.output
    assert "schaal 1:" in result.stderr  # progress on stderr
    assert "Geschaald netwerk (factor 1, seed 1)" in result.stdout
    # The demo (loaded last) came after the synthetic years: history stays in time order.
    transaction = versioning_manager.transaction_cls
    last = db.session.scalar(select(transaction).order_by(transaction.id.desc()).limit(1))
    earlier = db.session.scalar(select(func.max(transaction.issued_at)).where(
        transaction.id < last.id))
    assert earlier <= last.issued_at
    slug = db.session.scalar(text(
        "SELECT slug FROM teams WHERE slug LIKE 'schaal-001-%' ORDER BY id LIMIT 1"))
    reply = login_via_form(client, ADMIN_EMAIL, DEMO_PASSWORD)
    assert reply.status_code == 303
    for path in ("/", "/status", f"/teams/{slug}", "/pilots", "/milestones"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("other", ["user", "team"])
def test_refuses_a_database_with_other_data_unless_forced(runner, other):
    from tracker.auth.services import create_user

    if other == "user":
        create_user(name="Echte Persoon", email="echt@gemeente.nl", role="coordinator")
    else:
        db.session.execute(text(
            "INSERT INTO teams (slug, name, short_name, kind, status, introduction, position, version)"
            " VALUES ('echt', 'Echt team', 'Echt', 'platform', 'actief', '', 0, 1)"))
    db.session.commit()
    result = runner.invoke(args=["demo", "scale", "--factor", "1"])
    assert result.exit_code != 0
    assert "niet van de demo" in result.output
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "action.create")) == 0
