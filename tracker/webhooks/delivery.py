"""Delivering webhook events: signed HTTP POSTs from ``webhook_deliveries``, like the mail outbox.

Rows are claimed with the outbox's lease (``notifications.delivery.claim`` / ``renew``,
``FOR UPDATE SKIP LOCKED`` on PostgreSQL), renewed before each request and marked as
they go, each committed at once: a delivery marked delivered is never sent again.
A 2xx answer is delivered; any other answer, a redirect (never followed), a time-out
or a refused connection is tried again after the outbox's back-off, until
``TRACKER_WEBHOOK_MAX_ATTEMPTS`` tries are spent; then the row is failed and the
beheerder sees it in the delivery log, with a button to try again.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update

from tracker import crypto
from tracker.db import utcnow
from tracker.extensions import db
from tracker.notifications.delivery import BACKOFF, claim, renew
from tracker.validation import ValidationError
from tracker.webhooks import rules
from tracker.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent

log = logging.getLogger(__name__)

DELIVERIES = WebhookDelivery.__table__
WEBHOOKS = Webhook.__table__
EVENTS = WebhookEvent.__table__
BATCH_SIZE = 100
#: Characters of a refusing receiver's answer kept in ``last_error``.
ANSWER_KEPT = 300


@dataclass
class WebhookReport:
    delivered: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"webhooks: {len(self.delivered)} afgeleverd, {len(self.retried)} later opnieuw, "
                f"{len(self.failed)} mislukt")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is the receiver's answer, not an instruction: never followed (SSRF)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects())


@dataclass
class Attempt:
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return rules.is_success(self.status_code)


def post(url: str, payload: bytes, headers: dict[str, str], timeout: float) -> Attempt:
    """One POST; the status code (None without an answer) and, unless 2xx, why it failed."""
    if not url.lower().startswith(("https://", "http://")):
        return Attempt(None, "alleen http(s)-adressen")
    # The scheme is checked just above (and by rules.check_url before every call).
    request = urllib.request.Request(url, data=payload, headers=headers,  # noqa: S310
                                     method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            code = response.status
            answer = b"" if rules.is_success(code) else response.read(ANSWER_KEPT)
    except urllib.error.HTTPError as error:
        answer = error.read(ANSWER_KEPT) if error.fp is not None else b""
        text = answer.decode("utf-8", "replace").strip()
        reason = "doorverwijzing niet gevolgd" if 300 <= error.code < 400 else "geweigerd"
        return Attempt(error.code, f"HTTP {error.code} ({reason}){': ' + text if text else ''}")
    except TimeoutError:
        return Attempt(None, f"geen antwoord binnen {timeout:g} s")
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            return Attempt(None, f"geen antwoord binnen {timeout:g} s")
        return Attempt(None, f"verbinding mislukt: {reason}")
    except (OSError, ValueError) as error:
        return Attempt(None, f"verbinding mislukt: {type(error).__name__}: {error}")
    if rules.is_success(code):
        return Attempt(code, None)
    return Attempt(code, f"HTTP {code}: {answer.decode('utf-8', 'replace').strip()}")


def _settings() -> tuple[float, int]:
    config = current_app.config
    return (float(config["TRACKER_WEBHOOK_TIMEOUT"]),
            int(config["TRACKER_WEBHOOK_MAX_ATTEMPTS"] or len(BACKOFF) + 1))


def deliver(now: datetime, limit: int = BATCH_SIZE) -> WebhookReport:
    """Send every due queued delivery (up to ``limit``); each marked and committed as it goes.

    Works on its own connection (Core), like the mail outbox's ``deliver``.
    """
    report = WebhookReport()
    db.session.commit()
    timeout, max_attempts = _settings()
    with db.engine.connect() as connection:
        run_id = secrets.token_hex(16)
        ids = claim(connection, now, limit, run_id, table=DELIVERIES,
                    queued=DeliveryStatus.QUEUED)
        if not ids:
            return report
        rows = list(connection.execute(
            select(DELIVERIES.c.id, DELIVERIES.c.attempts, DELIVERIES.c.idempotency_key,
                   WEBHOOKS.c.url, WEBHOOKS.c.secret_encrypted, WEBHOOKS.c.active,
                   EVENTS.c.event, EVENTS.c.occurred_at, EVENTS.c.data)
            .join(WEBHOOKS, WEBHOOKS.c.id == DELIVERIES.c.webhook_id)
            .join(EVENTS, EVENTS.c.id == DELIVERIES.c.event_id)
            .where(DELIVERIES.c.id.in_(ids)).order_by(DELIVERIES.c.id)).mappings())
        connection.commit()
        # SQLite must not hold its write lock while waiting for a receiver.
        commit_renewal = connection.dialect.name != "postgresql"
        for row in rows:
            if not renew(connection, row["id"], run_id, now, table=DELIVERIES,
                         queued=DeliveryStatus.QUEUED):
                log.warning("webhook-aflevering %s niet meer door deze run geclaimd", row["id"])
                connection.commit()
                continue
            if commit_renewal:
                connection.commit()
            attempt = _attempt(row, timeout)
            _record(connection, row, attempt, now, max_attempts, report)
            connection.commit()
    return report


def _attempt(row, timeout: float) -> Attempt:
    if row["event"] != rules.PING and not row["active"]:
        return Attempt(None, "webhook is uitgeschakeld")
    try:
        url = rules.check_url(row["url"], allow_local_http=_allow_local_http())
    except ValidationError as error:
        return Attempt(None, f"adres niet (meer) toegestaan: {error.message}")
    refused = _resolves_inwards(url)
    if refused:
        return Attempt(None, refused)
    try:
        secret = crypto.decrypt(row["secret_encrypted"])
    except ValueError:
        return Attempt(None, "geheim niet te ontsleutelen met TRACKER_DATA_KEY")
    payload = rules.body(row["event"], row["idempotency_key"], row["occurred_at"], row["data"])
    timestamp = str(int(utcnow().timestamp()))
    headers = rules.headers(row["event"], row["idempotency_key"], timestamp,
                            rules.signature(secret, timestamp, payload))
    return post(url, payload, headers, timeout)


def _resolves_inwards(url: str) -> str | None:
    """Why ``url`` may not be posted to because its name resolves to a non-public address
    (``0x7f000001``, a DNS name pointing at 10.x …), or None. Loopback stays allowed where
    :func:`_allow_local_http` allows http:// to this machine (tests, development)."""
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None  # not resolvable: the POST itself fails and says so
    inwards = rules.internal_addresses([info[4][0] for info in infos])
    if inwards and _allow_local_http():
        inwards = [a for a in inwards if not ipaddress.ip_address(a.split("%")[0]).is_loopback]
    if inwards:
        return f"adres niet toegestaan: de naam wijst naar het eigen netwerk ({inwards[0]})"
    return None


def _allow_local_http() -> bool:
    from tracker.webhooks.services import allow_local_http

    return allow_local_http()


def _record(connection, row, attempt: Attempt, now: datetime, max_attempts: int,
            report: WebhookReport) -> None:
    attempts = row["attempts"] + 1
    values = {"attempts": attempts, "last_status_code": attempt.status_code,
              "last_attempt_at": utcnow(), "claimed_until": None, "claimed_by": None}
    if attempt.ok:
        values.update(status=DeliveryStatus.DELIVERED, delivered_at=utcnow(), last_error=None)
        report.delivered.append(row["id"])
    else:
        values["last_error"] = (attempt.error or "onbekende fout")[:2000]
        retry_at = rules.next_attempt(attempts, now, BACKOFF, max_attempts)
        if retry_at is None:
            values["status"] = DeliveryStatus.FAILED
            report.failed.append(row["id"])
            log.warning("webhook-aflevering %s mislukt na %s pogingen: %s", row["id"], attempts,
                        values["last_error"])
        else:
            values["next_attempt_at"] = retry_at
            report.retried.append(row["id"])
    connection.execute(update(DELIVERIES).where(DELIVERIES.c.id == row["id"]).values(**values))


def deliver_all(now: datetime, limit: int = BATCH_SIZE) -> WebhookReport:
    """Deliver batches until nothing due is left."""
    total = WebhookReport()
    while True:
        batch = deliver(now, limit)
        total.delivered += batch.delivered
        total.retried += batch.retried
        total.failed += batch.failed
        if len(batch.delivered) + len(batch.retried) + len(batch.failed) < limit:
            return total
