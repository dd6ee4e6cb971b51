"""A leader that loses its database connection stops; a killed delivery's claims return
within a minute, and no message is sent twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select, text

from tracker.extensions import db
from tracker.jobs.scheduler import Leader, run_scheduled
from tracker.notifications.delivery import LEASE, claim, deliver_all, renew
from tracker.notifications.models import JobRun, OutboxMessage, OutboxStatus
from tracker.notifications.outbox import Email, enqueue

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _outbox_run() -> datetime | None:
    db.session.expire_all()
    run = db.session.get(JobRun, "outbox")
    return run.finished_at if run else None


def test_a_leader_that_loses_its_connection_runs_nothing_and_another_takes_over(
        app, is_postgres):
    if not is_postgres:
        pytest.skip("the advisory lock and its connection exist on PostgreSQL only")
    first = Leader(app)
    assert first.acquire(wait=False)
    assert run_scheduled(app, "outbox", first) is True
    ran_at = _outbox_run()
    assert ran_at is not None

    second = Leader(app)
    took_over = threading.Event()

    def wait_for_the_lock():
        if second.acquire(wait=True, poll_seconds=0.05):
            took_over.set()

    waiter = threading.Thread(target=wait_for_the_lock, daemon=True)
    waiter.start()
    assert not took_over.wait(0.3)  # the first still leads: the second waits

    with db.engine.connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"),
                             {"pid": first.backend_pid}).scalar()
        other.commit()
    assert took_over.wait(10), "the waiting scheduler did not take the free lock"
    waiter.join(5)
    try:
        assert run_scheduled(app, "outbox", first) is False  # its next run: not executed
        assert _outbox_run() == ran_at
        assert run_scheduled(app, "outbox", first) is False  # a follower while the other leads
        assert run_scheduled(app, "outbox", second) is True
        assert _outbox_run() > ran_at
    finally:
        second.release()
    assert run_scheduled(app, "outbox", first) is True  # free again: it leads again
    first.release()


def test_a_leader_keeps_running_while_it_holds_the_lock(app):
    leader = Leader(app)
    assert leader.acquire(wait=False)
    try:
        assert leader.holds() and leader.check()
        assert run_scheduled(app, "outbox", leader) is True
        assert run_scheduled(app, "outbox", leader) is True
    finally:
        leader.release()
    assert not leader.holds()


def _queue(key: str = "test:lease") -> int:
    enqueue(key, "test", Email(to=["ontvanger@example.org"], subject="Lease", text="Tekst"),
            now=T0)
    db.session.commit()
    return db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key))


def test_the_claims_of_a_killed_run_go_out_within_a_minute_and_once(app, smtp):
    row_id = _queue()
    # A run that claims, then dies before sending.
    with time_machine.travel(T0, tick=False), db.engine.connect() as killed:
        assert claim(killed, T0, run_id="killed") == [row_id]
    assert timedelta(seconds=60) >= LEASE
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        assert deliver_all(T0 + timedelta(seconds=30)).sent == []  # still claimed
    with time_machine.travel(T0 + LEASE + timedelta(seconds=1), tick=False):
        assert deliver_all(T0 + LEASE + timedelta(seconds=1)).sent == [row_id]
        with db.engine.connect() as killed:  # the killed run comes back: not its row
            assert renew(killed, row_id, "killed", T0) is False
            killed.commit()
        assert deliver_all(T0 + timedelta(minutes=5)).sent == []
    assert len(smtp.messages) == 1
    db.session.expire_all()
    row = db.session.get(OutboxMessage, row_id)
    assert row.status == OutboxStatus.SENT and row.claimed_by is None


def test_a_slow_run_past_its_lease_is_not_overtaken_on_postgres(app, smtp, is_postgres):
    """The renewal locks the row until the run marks it sent: another run skips it."""
    if not is_postgres:
        pytest.skip("row locks: PostgreSQL")
    row_id = _queue()
    with db.engine.connect() as slow:
        with time_machine.travel(T0, tick=False):
            assert claim(slow, T0, run_id="slow") == [row_id]
            assert renew(slow, row_id, "slow", T0)  # sending now, transaction open
        later = T0 + LEASE + timedelta(minutes=5)
        with time_machine.travel(later, tick=False):
            found = {}
            worker = threading.Thread(target=lambda: found.update(
                sent=_deliver_in_context(app, later)))
            worker.start()
            worker.join(20)
            assert found["sent"] == []
        slow.rollback()  # the slow run fails instead: the row is free again
    with time_machine.travel(T0 + LEASE * 20, tick=False):
        assert deliver_all(T0 + LEASE * 20).sent == [row_id]
    assert len(smtp.messages) == 1


def _deliver_in_context(app, now):
    with app.app_context():
        try:
            return deliver_all(now).sent
        finally:
            db.session.remove()
