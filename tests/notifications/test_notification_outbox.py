"""The outbox and its delivery, against a real SMTP server on a loopback port."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import create_user
from tracker.extensions import db
from tracker.notifications.delivery import BACKOFF, deliver_all
from tracker.notifications.models import OutboxMessage, OutboxStatus
from tracker.notifications.outbox import Email, HeaderInjectionError, attachment, enqueue

NOW = datetime(2018, 2, 5, 6, 30, tzinfo=UTC)


def _email(to="a@example.org", **overrides) -> Email:
    values = {"to": [to], "subject": "Onderwerp met één accent", "text": "Hallo\n",
              "html": "<p>Hallo</p>",
              "headers": {"List-Unsubscribe": "<http://localhost/afmelden/x/direct>",
                          "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}
    values.update(overrides)
    return Email(**values)


def _count(status=None) -> int:
    query = select(func.count(OutboxMessage.id))
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return db.session.scalar(query)


def test_the_same_key_is_queued_once():
    assert enqueue("test:1", "test", _email(), now=NOW) is True
    assert enqueue("test:1", "test", _email(subject="Anders"), now=NOW) is False
    db.session.commit()
    assert _count() == 1


@pytest.mark.parametrize("field", ["subject", "to", "header", "attachment"])
@pytest.mark.parametrize("bad", ["a\r\nBcc: x@example.org", "a\nb", "a\rb", "a\x00b"])
def test_line_breaks_in_header_values_are_refused(field, bad):
    overrides = {
        "subject": {"subject": bad},
        "to": {"to": bad},
        "header": {"headers": {"X-Test": bad}},
        "attachment": {"attachments": [attachment(bad, "text/plain", b"x")]},
    }[field]
    with pytest.raises(HeaderInjectionError):
        enqueue("test:bad", "test", _email(**overrides), now=NOW)
    db.session.rollback()
    assert _count() == 0


def test_delivery_sends_both_parts_with_headers_and_a_stable_message_id(smtp):
    enqueue("test:1", "test", _email(attachments=[attachment("lijst.csv", "text/csv", b"a;b\n")]),
            now=NOW)
    db.session.commit()
    row = db.session.scalar(select(OutboxMessage))
    report = deliver_all(NOW)
    assert report.sent == [row.id]
    [message] = smtp.messages
    assert message["Message-ID"] == row.message_id
    assert message["Subject"] == "Onderwerp met één accent"
    assert message["To"] == "a@example.org"
    assert message["List-Unsubscribe"] == "<http://localhost/afmelden/x/direct>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(("plain",)).get_content().strip() == "Hallo"
    assert message.get_body(("html",)).get_content().strip() == "<p>Hallo</p>"
    assert [a.get_filename() for a in message.iter_attachments()] == ["lijst.csv"]
    db.session.expire_all()
    assert row.status == OutboxStatus.SENT and row.sent_at == NOW
    assert deliver_all(NOW + timedelta(hours=1)).sent == []
    assert len(smtp.messages) == 1


def test_a_rolled_back_transaction_sends_nothing(smtp):
    enqueue("test:rollback", "test", _email(), now=NOW)
    db.session.rollback()
    assert deliver_all(NOW).sent == []
    assert smtp.messages == []


def test_smtp_refusing_connections_then_back_delivers_everything_once(smtp_server):
    for n in range(20):
        enqueue(f"test:{n}", "test", _email(to=f"p{n}@example.org"), now=NOW)
    db.session.commit()
    report = deliver_all(NOW)  # nothing listens on the port yet
    assert report.sent == [] and len(report.retried) == 20
    db.session.expire_all()
    row = db.session.scalar(select(OutboxMessage).limit(1))
    assert row.status == OutboxStatus.QUEUED and row.attempts == 1
    assert "ConnectionRefused" in row.last_error
    assert row.next_attempt_at == NOW + BACKOFF[0]
    assert deliver_all(NOW).sent == []  # not due yet: back-off
    smtp_server.start()
    assert len(deliver_all(NOW + timedelta(hours=1)).sent) == 20
    assert deliver_all(NOW + timedelta(hours=2)).sent == []
    ids = [m["Message-ID"] for m in smtp_server.handler.messages]
    assert len(ids) == 20 and len(set(ids)) == 20


def test_a_refused_recipient_fails_alone_and_the_error_is_kept(smtp):
    smtp.refuse.add("weg@example.org")
    enqueue("test:ok", "test", _email(to="ok@example.org"), now=NOW)
    enqueue("test:weg", "test", _email(to="weg@example.org"), now=NOW)
    db.session.commit()
    report = deliver_all(NOW)
    assert len(report.sent) == 1 and len(report.failed) == 1
    failed = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.FAILED))
    assert failed.recipients == ["weg@example.org"] and "550" in failed.last_error


def test_after_the_last_try_a_row_is_failed(smtp_server):
    enqueue("test:down", "test", _email(), now=NOW)
    db.session.commit()
    moment = NOW
    for _ in range(len(BACKOFF) + 1):
        deliver_all(moment)
        moment += timedelta(days=1)
    db.session.expire_all()
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == OutboxStatus.FAILED and row.attempts == len(BACKOFF) + 1


def test_a_slow_server_times_out_and_the_row_stays_queued(app, monkeypatch, mail_on):
    import socket

    monkeypatch.setitem(app.config, "TRACKER_SMTP_TIMEOUT", 0.3)
    silent = socket.socket()
    silent.bind(("127.0.0.1", mail_on))
    silent.listen(1)  # accepts the connection but never greets
    try:
        enqueue("test:slow", "test", _email(), now=NOW)
        db.session.commit()
        report = deliver_all(NOW)
    finally:
        silent.close()
    assert report.retried and not report.sent
    db.session.expire_all()
    assert db.session.scalar(select(OutboxMessage)).status == OutboxStatus.QUEUED


def test_two_delivery_processes_never_send_a_row_twice(app, smtp):
    for n in range(60):
        enqueue(f"test:{n}", "test", _email(to=f"p{n}@example.org"), now=NOW)
    db.session.commit()
    errors = []

    def worker():
        try:
            with app.app_context():
                deliver_all(NOW, limit=10)
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == 60 and len(set(ids)) == 60
    assert _count(OutboxStatus.SENT) == 60


def test_create_user_sanity():
    # The factories work inside this folder's conftest too.
    assert create_user().id


def test_development_never_sends_to_a_remote_server(app, monkeypatch, mail_on):
    monkeypatch.setitem(app.config, "TRACKER_MAIL_LOCAL_ONLY", True)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    enqueue("test:remote", "test", _email(), now=NOW)
    db.session.commit()
    report = deliver_all(NOW)
    assert report.retried and not report.sent
    db.session.expire_all()
    assert "alleen een lokale mailserver" in db.session.scalar(select(OutboxMessage)).last_error


def test_asynchronous_commit_is_opt_in_and_reset_afterwards(app, monkeypatch, smtp, is_postgres):
    from sqlalchemy import text

    monkeypatch.setitem(app.config, "TRACKER_OUTBOX_ASYNC_COMMIT", True)
    for n in range(3):
        enqueue(f"test:{n}", "test", _email(to=f"p{n}@example.org"), now=NOW)
    db.session.commit()
    assert len(deliver_all(NOW).sent) == 3 and len(smtp.messages) == 3
    if is_postgres:
        for _ in range(3):  # whichever pooled connection comes back: the default again
            with db.engine.connect() as connection:
                assert connection.execute(text("SHOW synchronous_commit")).scalar() == "on"
