"""Delivery marks rows in groups: statements per group, not per message; a connection
dropped in the middle of a group keeps what was accepted sent and the rest queued."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.notifications.conftest import RecordingHandler
from tracker.extensions import db
from tracker.notifications.delivery import GROUP_SIZE, deliver_all
from tracker.notifications.models import OutboxMessage, OutboxStatus
from tracker.notifications.outbox import Email, enqueue

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class DroppingHandler(RecordingHandler):
    """Accepts messages until ``drop_at`` have arrived, then closes the connection unanswered."""

    def __init__(self, drop_at: int):
        super().__init__()
        self.drop_at = drop_at

    async def handle_DATA(self, server, session, envelope):
        if len(self.messages) + 1 == self.drop_at:
            server.transport.close()
            return "421 weg"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def dropping_smtp(mail_on):
    handler = DroppingHandler(drop_at=GROUP_SIZE + 5)
    controller = Controller(handler, hostname="127.0.0.1", port=mail_on)
    controller.start()
    yield handler
    controller.stop()


def _queue(n: int) -> None:
    for i in range(n):
        enqueue(f"groep:{i}", "test", Email(to=[f"p{i}@example.org"], subject=f"Bericht {i}",
                                            text=f"Tekst {i}"), now=NOW)
    db.session.commit()


def test_statements_per_group_not_per_message(smtp, count_queries):
    n = 2 * GROUP_SIZE + 10
    _queue(n)
    with count_queries() as counter:
        report = deliver_all(NOW)
    assert len(report.sent) == n == len(smtp.messages)
    groups = math.ceil(n / GROUP_SIZE)
    # Claim (select, update), read the rows; per group one renewal and one marking.
    updates = [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1 + 2 * groups
    assert len(counter.statements) <= 4 + 2 * groups
    statuses = set(db.session.scalars(select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENT}


def test_a_connection_dropped_mid_group_keeps_the_accepted_ones_sent(dropping_smtp):
    _queue(2 * GROUP_SIZE)
    report = deliver_all(NOW)
    accepted = GROUP_SIZE + 4  # the next one was cut off before the server answered
    assert len(dropping_smtp.messages) == accepted
    assert len(report.sent) == accepted and len(report.retried) == 2 * GROUP_SIZE - accepted
    rows = db.session.execute(select(OutboxMessage.idempotency_key, OutboxMessage.status,
                                     OutboxMessage.attempts)).all()
    sent = {key for key, status, _ in rows if status == OutboxStatus.SENT}
    assert sent == {m["Subject"].replace("Bericht ", "groep:") for m in dropping_smtp.messages}
    assert all(status == OutboxStatus.QUEUED and attempts == 1
               for key, status, attempts in rows if key not in sent)
