"""Delivery: send queued outbox rows over one SMTP connection per batch.

Each row is marked sent (and committed) as soon as the server accepted it.
Rows are first *claimed* for a short lease (``SELECT ... FOR UPDATE SKIP LOCKED``
on PostgreSQL), so several delivery processes never send the same row. A
server that refuses, times out or drops the connection leaves the rows queued
with an exponential back-off; after the last try a row is marked failed and
the beheerder sees the error in the outbox viewer.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Attachment, Connection, Message
from sqlalchemy import or_, select, update

from tracker.extensions import db, mail
from tracker.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

#: Delays after the 1st, 2nd, ... failed attempt; after the last one the row fails.
BACKOFF = [timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360)]
LEASE = timedelta(minutes=10)
BATCH_SIZE = 500


class TrackerConnection(Connection):
    """Flask-Mail's connection with a socket timeout and verified TLS certificates."""

    def __init__(self, state, timeout: float):
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self):
        context = ssl.create_default_context()  # verifies certificate and host name
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=self.timeout,
                                    context=context)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=self.timeout)
        if self.mail.use_tls:
            host.starttls(context=context)
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _connection() -> TrackerConnection:
    # Built from the current config on every batch (not frozen at create_app).
    config = current_app.config
    state = mail.init_mail(config, current_app.debug, False)
    state.suppress = bool(config.get("MAIL_SUPPRESS_SEND"))
    return TrackerConnection(state, float(config.get("TRACKER_SMTP_TIMEOUT", 30)))


def to_message(row: OutboxMessage) -> Message:
    """The Flask-Mail message for an outbox row, with its stable Message-ID."""
    message = Message(
        subject=row.subject,
        recipients=list(row.recipients),
        body=row.body_text,
        html=row.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers=dict(row.headers or {}),
        attachments=[
            Attachment(a["filename"], a["content_type"], base64.b64decode(a["data"]))
            for a in row.attachments or []
        ],
    )
    message.msgId = row.message_id
    return message


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{len(self.sent)} verzonden, {len(self.retried)} later opnieuw, "
                f"{len(self.failed)} mislukt")


def claim(now: datetime, limit: int = BATCH_SIZE) -> list[int]:
    """Claim up to ``limit`` due rows for this process; committed before sending."""
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.QUEUED,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(query))
    if ids:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids))
            .values(claimed_until=now + LEASE)
        )
    db.session.commit()
    return ids


def _record_failure(row: OutboxMessage, error: str, now: datetime, report: DeliveryReport,
                    permanent: bool = False) -> None:
    row.attempts += 1
    row.last_error = error[:2000]
    row.claimed_until = None
    if permanent or row.attempts > len(BACKOFF):
        row.status = OutboxStatus.FAILED
        report.failed.append(row.id)
        log.warning("outbox %s mislukt na %s pogingen: %s", row.id, row.attempts, error)
    else:
        row.next_attempt_at = now + BACKOFF[row.attempts - 1]
        report.retried.append(row.id)


def deliver(now: datetime, limit: int = BATCH_SIZE) -> DeliveryReport:
    """Send every due queued row (up to ``limit``) over one SMTP connection."""
    report = DeliveryReport()
    ids = claim(now, limit)
    if not ids:
        return report
    rows = list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
    ))
    pending = list(rows)
    try:
        with _connection() as connection:
            while pending:
                row = pending[0]
                try:
                    connection.send(to_message(row))
                except smtplib.SMTPRecipientsRefused as error:
                    codes = [code for code, _ in error.recipients.values()]
                    permanent = all(500 <= code < 600 for code in codes)
                    _record_failure(row, f"ontvanger geweigerd: {error.recipients}", now, report,
                                    permanent)
                except smtplib.SMTPResponseException as error:
                    permanent = 500 <= error.smtp_code < 600
                    _record_failure(row, f"{error.smtp_code} {error.smtp_error!r}", now, report,
                                    permanent)
                except (ValueError, UnicodeError) as error:
                    _record_failure(row, f"onverzendbaar: {error}", now, report, permanent=True)
                else:
                    row.status = OutboxStatus.SENT
                    row.sent_at = now
                    row.attempts += 1
                    row.last_error = None
                    row.claimed_until = None
                    report.sent.append(row.id)
                pending.pop(0)
                db.session.commit()
    except (TimeoutError, OSError, smtplib.SMTPException) as error:
        # Refused, timed out or dropped: everything not yet sent is tried again later.
        db.session.rollback()
        message = f"{type(error).__name__}: {error}"
        log.warning("SMTP-fout, %s berichten later opnieuw: %s", len(pending), message)
        for row in pending:
            row = db.session.get(OutboxMessage, row.id)
            if row is not None and row.status == OutboxStatus.QUEUED:
                _record_failure(row, message, now, report)
        db.session.commit()
    return report


def deliver_all(now: datetime, limit: int = BATCH_SIZE) -> DeliveryReport:
    """Deliver batches until nothing due is left or a batch sent nothing."""
    total = DeliveryReport()
    while True:
        batch = deliver(now, limit)
        total.sent += batch.sent
        total.retried += batch.retried
        total.failed += batch.failed
        if not batch.sent or len(batch.sent) + len(batch.retried) + len(batch.failed) < limit:
            return total


def retry(row: OutboxMessage, now: datetime) -> None:
    """Put a failed row back in the queue, due now (the beheerder's "opnieuw")."""
    row.status = OutboxStatus.QUEUED
    row.next_attempt_at = now
    row.claimed_until = None
    row.attempts = 0
