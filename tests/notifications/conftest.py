"""A real SMTP server (aiosmtpd) on a free loopback port, and mail switched on for a test."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    """A loopback port nobody listens on (bound once, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Keeps every message received; refuses the addresses in ``refuse`` with a 550."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        #: The bytes of each message as received (for checks of the wire form).
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Onbekende ontvanger"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.raw.append(envelope.content)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mail_on(app, monkeypatch, smtp_port):
    """Send for real (to 127.0.0.1:``smtp_port``) during this test only."""
    monkeypatch.setitem(app.config, "MAIL_SUPPRESS_SEND", False)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USE_SSL", False)
    monkeypatch.setitem(app.config, "TRACKER_SMTP_TIMEOUT", 5)
    return smtp_port


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.handler = RecordingHandler()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(mail_on):
    """An SMTP server that is not started yet (``start()`` it when the test wants it up)."""
    server = SmtpServer(mail_on)
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server):
    """A running SMTP server; its ``handler.messages`` are what it received."""
    smtp_server.start()
    return smtp_server.handler
