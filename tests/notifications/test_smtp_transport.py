"""The SMTP transport (standard-library smtplib): one connection per run, each message
built once, the envelope's bare addresses, and the mail settings read from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tests.notifications.conftest import RecordingHandler
from tracker.extensions import db
from tracker.notifications import delivery
from tracker.notifications.delivery import deliver_all, envelope_address
from tracker.notifications.models import OutboxMessage, OutboxStatus
from tracker.notifications.outbox import Email, enqueue

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


class PeerRecordingHandler(RecordingHandler):
    """Also keeps the client's (address, port) of every message: one port, one connection."""

    def __init__(self):
        super().__init__()
        self.peers: list[tuple] = []
        self.quits = 0

    async def handle_DATA(self, server, session, envelope):
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server, session, envelope):
        self.quits += 1
        return "221 Bye"


@pytest.fixture
def peer_smtp(mail_on):
    handler = PeerRecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=mail_on)
    controller.start()
    yield handler
    controller.stop()


def _email(n: int) -> Email:
    return Email(to=[f"p{n}@example.org"], subject=f"Bericht {n}", text=f"Tekst {n}")


def test_one_connection_carries_every_batch_of_a_run(peer_smtp):
    for n in range(25):
        enqueue(f"transport:{n}", "test", _email(n), now=NOW)
    db.session.commit()
    report = deliver_all(NOW, limit=10)  # three batches
    assert len(report.sent) == 25 and len(peer_smtp.messages) == 25
    assert len(set(peer_smtp.peers)) == 1
    assert peer_smtp.quits == 1  # closed politely at the end of the run
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.SENT)) == 25


def test_each_message_is_built_once(peer_smtp, monkeypatch):
    built = []
    real = delivery.build_email

    def counting(**kwargs):
        built.append(kwargs["message_id"])
        return real(**kwargs)

    monkeypatch.setattr(delivery, "build_email", counting)
    for n in range(5):
        enqueue(f"once:{n}", "test", _email(n), now=NOW)
    db.session.commit()
    assert len(deliver_all(NOW).sent) == 5
    assert len(built) == 5 and len(set(built)) == 5
    assert sorted(m["Message-ID"] for m in peer_smtp.messages) == sorted(built)


def test_the_envelope_carries_bare_addresses(peer_smtp, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "Netwerk – Zoë <tracker@example.org>")
    enqueue("envelope", "test", _email(1), now=NOW)
    db.session.commit()
    assert deliver_all(NOW).sent
    assert peer_smtp.envelopes == [("tracker@example.org", ["p1@example.org"])]
    assert peer_smtp.messages[0]["From"].addresses[0].display_name == "Netwerk – Zoë"


def test_envelope_address():
    assert envelope_address("Naam <a@example.org>") == "a@example.org"
    assert envelope_address("a@example.org") == "a@example.org"
    assert envelope_address("Zoë <zoë@bücher.example>") == "zoë@xn--bcher-kva.example"


def test_suppressed_mail_is_built_and_counted_sent_without_a_server(app, monkeypatch, smtp_port):
    monkeypatch.setitem(app.config, "MAIL_SUPPRESS_SEND", True)
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_port)  # nothing listens there
    enqueue("suppressed", "test", _email(1), now=NOW)
    db.session.commit()
    assert len(deliver_all(NOW).sent) == 1


SETTINGS = ["TRACKER_SMTP_TIMEOUT", "TRACKER_DIGEST_SKIP_EMPTY", "TRACKER_MAIL_LOCAL_ONLY",
            "TRACKER_OUTBOX_ASYNC_COMMIT"]


def _settings(env: dict[str, str], config_class: str) -> dict:
    """The four settings of ``config.<config_class>`` in a fresh process with ``env``."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    script = ("import json, config; c = config." + config_class + "; "
              f"print(json.dumps({{n: getattr(c, n) for n in {SETTINGS!r}}}))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**clean, **env},
                            capture_output=True, text=True, check=True, timeout=60)
    return json.loads(result.stdout)


def test_the_documented_mail_settings_are_read_from_the_environment():
    assert _settings({}, "ProductionConfig") == {
        "TRACKER_SMTP_TIMEOUT": 30.0, "TRACKER_DIGEST_SKIP_EMPTY": True,
        "TRACKER_MAIL_LOCAL_ONLY": False, "TRACKER_OUTBOX_ASYNC_COMMIT": False}
    assert _settings({}, "DevelopmentConfig")["TRACKER_MAIL_LOCAL_ONLY"] is True
    changed = {"TRACKER_SMTP_TIMEOUT": "7.5", "TRACKER_DIGEST_SKIP_EMPTY": "0",
               "TRACKER_MAIL_LOCAL_ONLY": "1", "TRACKER_OUTBOX_ASYNC_COMMIT": "true"}
    assert _settings(changed, "ProductionConfig") == {
        "TRACKER_SMTP_TIMEOUT": 7.5, "TRACKER_DIGEST_SKIP_EMPTY": False,
        "TRACKER_MAIL_LOCAL_ONLY": True, "TRACKER_OUTBOX_ASYNC_COMMIT": True}
    assert _settings({"TRACKER_MAIL_LOCAL_ONLY": "0"}, "DevelopmentConfig")[
        "TRACKER_MAIL_LOCAL_ONLY"] is False


def test_every_documented_setting_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in SETTINGS)
