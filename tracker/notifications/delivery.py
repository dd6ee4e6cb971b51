"""Delivery: send queued outbox rows over one SMTP connection per run.

Rows are marked sent in small groups (:data:`GROUP_SIZE`), one statement and one
commit per group, right after the server accepted the group's messages.
Rows are first *claimed* for a short lease (``SELECT ... FOR UPDATE SKIP LOCKED``
on PostgreSQL) under the run's own id, so several delivery processes never send
the same row. Before each message the run renews its claim on that row and sends
only when the claim is still its own; on PostgreSQL the renewal's row lock is held
until the message is marked sent. A run that is killed stops renewing: its rows
are free again within ``LEASE`` (a minute). A
server that refuses, times out or drops the connection leaves the rows queued
with an exponential back-off; after the last try a row is marked failed and
the beheerder sees the error in the outbox viewer.

The transport is the standard library's ``smtplib``; each message is assembled
once, by :func:`build_email`, into the bytes that go over the wire.
"""

from __future__ import annotations

import base64
import logging
import re
import secrets
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, parseaddr
from functools import lru_cache

from flask import current_app
from sqlalchemy import bindparam, or_, select, text, update

from tracker.db import utcnow
from tracker.extensions import db
from tracker.notifications import secret_links
from tracker.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

#: Delays after the 1st, 2nd, ... failed attempt; after the last one the row fails.
BACKOFF = [timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360)]
#: How long a claim holds without renewal: a killed run's rows go out again after this.
LEASE = timedelta(seconds=60)
BATCH_SIZE = 500


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class SmtpTransport:
    """One SMTP connection for a delivery run, opened when first needed and reused.

    Built from the app's current config (not frozen at ``create_app``): ``MAIL_SERVER``,
    ``MAIL_PORT``, ``MAIL_USE_SSL``/``MAIL_USE_TLS`` (TLS certificates and host name
    verified), ``MAIL_USERNAME``/``MAIL_PASSWORD``, ``TRACKER_SMTP_TIMEOUT`` (seconds,
    per socket operation). With ``MAIL_SUPPRESS_SEND`` nothing is sent and every message
    counts as accepted. With ``TRACKER_MAIL_LOCAL_ONLY`` (the default in development)
    a server other than loopback is refused: :meth:`open` raises
    ``ConnectionRefusedError``, and the error shows in the outbox viewer.
    """

    def __init__(self, config):
        self.config = config
        self.suppress = bool(config.get("MAIL_SUPPRESS_SEND"))
        self.timeout = float(config.get("TRACKER_SMTP_TIMEOUT", 30))
        self.host: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect (and log in) unless connected already; ``OSError``/``SMTPException``."""
        config = self.config
        local_only = config.get("TRACKER_MAIL_LOCAL_ONLY")
        if local_only is None:
            local_only = config.get("TRACKER_ENV") == "development"
        if local_only and config.get("MAIL_SERVER") not in LOOPBACK:
            # Development: nothing leaves the machine; the error shows in the outbox viewer.
            raise ConnectionRefusedError(
                f"ontwikkelomgeving: alleen een lokale mailserver, niet {config.get('MAIL_SERVER')!r}")
        if self.suppress or self.host is not None:
            return
        server, port = config.get("MAIL_SERVER"), int(config.get("MAIL_PORT", 25))
        context = ssl.create_default_context()  # verifies certificate and host name
        if config.get("MAIL_USE_SSL"):
            host = smtplib.SMTP_SSL(server, port, timeout=self.timeout, context=context)
        else:
            host = smtplib.SMTP(server, port, timeout=self.timeout)
        try:
            if config.get("MAIL_USE_TLS"):
                host.starttls(context=context)
            if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
                host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            host.close()
            raise
        self.host = host

    def send(self, sender: str, recipients: list[str], data: bytes) -> None:
        """Hand one message (its wire bytes) to the server; smtplib's exceptions as they are.

        ``sender`` and ``recipients`` may carry display names; the envelope gets the bare
        addresses (an internationalised domain in IDNA form).
        """
        if self.suppress:
            return
        self.open()
        self.host.sendmail(envelope_address(sender),
                           [envelope_address(r) for r in recipients], data)

    def close(self) -> None:
        """Say QUIT and close; a connection that is gone already is just closed."""
        host, self.host = self.host, None
        if host is None:
            return
        try:
            host.quit()
        except (OSError, smtplib.SMTPException):
            host.close()

    def discard(self) -> None:
        """Close without a word (after a timeout or a dropped connection)."""
        host, self.host = self.host, None
        if host is not None:
            host.close()


def envelope_address(value: str) -> str:
    """The bare address of ``"Naam <a@b.nl>"`` for MAIL FROM / RCPT TO; IDNA domain."""
    address = parseaddr(value)[1] or value
    if not address.isascii() and "@" in address:
        local, domain = address.rsplit("@", 1)
        address = f"{local}@{domain.encode('idna').decode('ascii')}"
    return address


class WirePolicy(EmailPolicy):
    """Like ``email.policy.SMTP`` (CRLF, short lines, 7-bit headers), parsing headers late.

    The modern policy folds non-ASCII text into RFC 2047 encoded-words of at most
    75 characters, the first one on the header's own line (the classic
    ``email.header.Header`` (what Flask-Mail used) made words of 78 and began the
    Subject with an empty line). Parsing every header through the header registry
    costs several ms a message, too slow for 100 messages/s over one connection:
    a plain ASCII value on one line is kept as text and written as it is when it
    fits in 78 characters, and only other values (non-ASCII, too long) are parsed
    and folded by the registry. A value with CR or LF is refused (``ValueError``).
    """

    def header_store_parse(self, name, value):
        if isinstance(value, str) and value.isascii() and not _LINE_BREAK.search(value):
            return name, value
        return super().header_store_parse(name, value)

    def header_max_count(self, name):
        # The registry builds a header class on every lookup: once per name is enough.
        return _max_count(name.lower())

    def header_fetch_parse(self, name, value):
        # The same few values (content types, encodings) are read again and again
        # while the message is built and generated: parse each once.
        if hasattr(value, "name"):
            return value
        return _parsed_header(name, value)

    def _fold(self, name, value, refold_binary=False):
        shown, lower = str(value), name.lower()
        if lower in _TEXT and (not shown.isascii() or "=?" in shown
                               or any(len(w) > _PLAIN_WORD_MAX for w in shown.split(" "))):
            # Free text: a word too long for the Subject line is encoded, not left long.
            return _encode_unstructured(name, shown, self.max_line_length, self.linesep)
        if shown.isascii():
            return _wrap_ascii(name, shown, self.max_line_length, self.linesep)
        if lower not in _STRUCTURED and not lower.startswith("content-"):
            return _encode_unstructured(name, shown, self.max_line_length, self.linesep)
        if isinstance(value, str):
            value = self.header_factory(name, value)
        return super()._fold(name, value, refold_binary)


def _wrap_ascii(name: str, value: str, width: int, linesep: str) -> str:
    """``name: value`` folded before spaces into lines of at most ``width`` where possible.

    The registry's folder would put a value that fits on a line of its own on the
    line after an empty ``Subject:``, and turn a word longer than a line (a URL in
    List-Unsubscribe) into encoded-words that no client reads back as a URL. Here
    the first word always stays on the header's line and a long word stays whole
    (RFC 5322 allows 998 characters); ``ValueError`` beyond that.
    """
    lines, line = [], f"{name}:"
    for word in value.split(" "):
        # Only break before a word: a continuation line of white space alone is not allowed.
        if word and len(line) + 1 + len(word) > width and line != f"{name}:":
            lines.append(line)
            line = ""
        line += " " + word
    lines.append(line)
    if any(len(line) > 998 for line in lines):
        raise ValueError(f"kopregel {name} heeft een woord van meer dan 998 tekens")
    return linesep.join(lines) + linesep


#: Headers whose non-ASCII parts (display names, parameters) the registry encodes.
_STRUCTURED = {"from", "to", "cc", "bcc", "reply-to", "sender"}
#: Headers of free text, where any word may be an encoded-word (never a URL header).
_TEXT = {"subject", "comments"}
#: Characters a Q-encoded word may carry as they are (RFC 2047 5(3), a safe subset).
_Q_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")
_EW_START, _EW_END = "=?utf-8?q?", "?="
#: A word longer than this is encoded, so that the first one fits on the header's line.
_PLAIN_WORD_MAX = 60


def _q(char: str) -> str:
    if char in _Q_SAFE:
        return char
    if char == " ":
        return "_"
    return "".join(f"={byte:02X}" for byte in char.encode("utf-8"))


def _encode_unstructured(name: str, value: str, width: int, linesep: str) -> str:
    """``name: value`` with RFC 2047 encoded-words, folded into lines of at most ``width``.

    Written here because Python 3.11's folder loses or doubles spaces next to
    encoded-words (and may write an empty one). Plain ASCII words stay readable;
    each run of other words, with the spaces inside it, becomes Q-encoded words of at
    most 75 characters (whole characters each), sized to fill the current line, so
    the first one is on the header's line. Between two encoded-words the folding
    space is ignored by a reader; between a word and an encoded-word it is the
    original single space. Decoding gives ``value`` back exactly.
    """
    words = value.split(" ")
    plain = [bool(w) and w.isascii() and w.isprintable() and len(w) <= _PLAIN_WORD_MAX
             and "=?" not in w and "?=" not in w for w in words]
    for i, word in enumerate(words):
        if not word:  # a run of spaces: keep it inside an encoded-word with a neighbour
            plain[max(i - 1, 0)] = plain[min(i + 1, len(words) - 1)] = False
    chunks: list[tuple[bool, str]] = []  # (is plain, text)
    for word, is_plain in zip(words, plain, strict=True):
        if not is_plain and chunks and not chunks[-1][0]:
            chunks[-1] = (False, f"{chunks[-1][1]} {word}")
        else:
            chunks.append((is_plain, word))
    lines, line = [], f"{name}:"

    def room() -> int:
        return width - len(line) - 1

    for is_plain, piece in chunks:
        if is_plain:
            if len(line) > len(name) + 1 and len(piece) > room():
                lines.append(line)
                line = ""
            line += " " + piece
            continue
        codes = [_q(c) for c in piece]
        while codes:
            limit = min(room(), 75) - len(_EW_START) - len(_EW_END)
            if limit < len(codes[0]):
                lines.append(line)
                line = ""
                continue
            taken, size = 0, 0
            while taken < len(codes) and size + len(codes[taken]) <= limit:
                size += len(codes[taken])
                taken += 1
            line += f" {_EW_START}{''.join(codes[:taken])}{_EW_END}"
            codes = codes[taken:]
    lines.append(line)
    return linesep.join(lines) + linesep


_LINE_BREAK = re.compile(r"[\r\n]")
#: What goes over the wire. Lines of at most 76, not SMTP's 78: the folder fills a
#: continuation line to the limit with one encoded-word after the leading space, so
#: at 78 a word could be 77 characters (Python 3.11), beyond RFC 2047's 75.
WIRE_POLICY = WirePolicy(linesep="\r\n", max_line_length=76)


@lru_cache(maxsize=128)
def _max_count(name: str) -> int | None:
    return WIRE_POLICY.header_factory[name].max_count


@lru_cache(maxsize=512)
def _parsed_header(name: str, value: str):
    return WIRE_POLICY.header_factory(name, value)


def _cte(body: str) -> str:
    # 7bit when it can go as it is; otherwise base64, which the C codec writes far
    # faster than the email package's pure-Python quoted-printable.
    if body.isascii() and all(len(line) <= 998 for line in body.splitlines()):
        return "7bit"
    return "base64"


def _content_type(value: str) -> tuple[str, str, dict[str, str]]:
    """``"text/calendar; method=REQUEST"`` -> ``("text", "calendar", {"method": "REQUEST"})``."""
    header = WIRE_POLICY.header_factory("Content-Type", value)
    params = {k: v for k, v in header.params.items() if k != "charset"}
    return header.maintype, header.subtype, params


def build_email(*, subject: str, sender: str, recipients: list[str], text: str,
                html: str | None, headers: dict[str, str], attachments: list[dict],
                message_id: str, date: float | None = None) -> EmailMessage:
    """The MIME message: text (and HTML) alternatives, then the attachments.

    ``attachments`` are the outbox's JSON form (``filename``, ``content_type``,
    ``data`` in base64). Bodies are UTF-8, 7bit or base64, so the message is 7-bit
    clean whatever the server's 8BITMIME support. Raises
    ``ValueError`` for a header the email package cannot write (the delivery
    marks such a row failed).
    """
    message = EmailMessage(policy=WIRE_POLICY)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(date, localtime=True)
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name] = value
    message.set_content(text, charset="utf-8", cte=_cte(text))
    if html:
        message.add_alternative(html, subtype="html", charset="utf-8", cte=_cte(html))
    for item in attachments:
        maintype, subtype, params = _content_type(item["content_type"])
        data = base64.b64decode(item["data"])
        message.add_attachment(data, maintype=maintype, subtype=subtype,
                               filename=item["filename"], params=params)
    return message


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as it goes over the wire (CRLF, 7-bit), with a random boundary per part."""
    # A random boundary per part spares the generator a search through the body.
    for part in message.walk():
        if part.is_multipart():
            part.set_boundary(f"=_vnon_{secrets.token_hex(12)}")
    return message.as_bytes()


@dataclass(frozen=True)
class OutgoingMessage:
    """One outbox row ready to send: envelope and the wire bytes, built once."""

    sender: str
    recipients: list[str]
    data: bytes


def to_message(row, date: float | None = None) -> OutgoingMessage:
    """The message for an outbox row (a row mapping), with its stable Message-ID.

    Secret links get their signed tokens here, at sending time
    (``secret_links.fill_row``); the row itself keeps the placeholders. ``date`` is
    the Date header (seconds since the epoch; now when omitted). Raises
    ``ValueError`` for a header that cannot be written (CR/LF in it, for instance).
    """
    filled = secret_links.fill_row(row)
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    recipients = list(row["recipients"])
    message = build_email(
        subject=row["subject"], sender=sender, recipients=recipients,
        text=filled["body_text"], html=filled["body_html"], headers=dict(filled["headers"]),
        attachments=list(filled["attachments"]), message_id=row["message_id"],
        date=time.time() if date is None else date)
    return OutgoingMessage(sender, recipients, wire_bytes(message))


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{len(self.sent)} verzonden, {len(self.retried)} later opnieuw, "
                f"{len(self.failed)} mislukt")


OUTBOX = OutboxMessage.__table__


def claim(connection, now: datetime, limit: int = BATCH_SIZE, run_id: str | None = None,
          *, table=None, queued=OutboxStatus.QUEUED) -> list[int]:
    """Claim up to ``limit`` due rows for the run ``run_id``; committed before sending.

    Returns the claimed ids. A row claimed by another run is skipped until its
    lease (:data:`LEASE`) has passed without renewal. ``table`` (default the outbox)
    may be any queue with the same columns (``status``, ``next_attempt_at``,
    ``claimed_until``, ``claimed_by``), such as ``webhook_deliveries``; ``queued`` is
    its status value for "waiting".
    """
    table = OUTBOX if table is None else table
    query = (
        select(table.c.id)
        .where(
            table.c.status == queued,
            table.c.next_attempt_at <= now,
            or_(table.c.claimed_until.is_(None), table.c.claimed_until < now),
        )
        .order_by(table.c.next_attempt_at, table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(connection.execute(query).scalars())
    if ids:
        connection.execute(
            update(table).where(table.c.id.in_(ids)).values(
                claimed_until=_lease_end(now), claimed_by=run_id)
        )
    connection.commit()
    return ids


def _lease_end(now: datetime) -> datetime:
    # The job's ``now`` may lie ahead of the clock (a catch-up run): never shorter.
    return max(now, utcnow()) + LEASE


def renew(connection, row_id: int, run_id: str, now: datetime, *, table=None,
          queued=OutboxStatus.QUEUED) -> bool:
    """Extend this run's claim on one row; False when the row is no longer this run's.

    On PostgreSQL the UPDATE also locks the row until the caller's commit, so a run
    that takes it over after the lease would skip it (``SKIP LOCKED``) while this
    run is still sending it.
    """
    table = OUTBOX if table is None else table
    result = connection.execute(
        update(table)
        .where(table.c.id == row_id, table.c.claimed_by == run_id, table.c.status == queued)
        .values(claimed_until=_lease_end(now))
    )
    return result.rowcount == 1


def renew_many(connection, row_ids: list[int], run_id: str, now: datetime) -> set[int]:
    """:func:`renew` for several outbox rows in one statement; the ids still this run's."""
    if not row_ids:
        return set()
    return set(connection.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(row_ids), OUTBOX.c.claimed_by == run_id,
               OUTBOX.c.status == OutboxStatus.QUEUED)
        .values(claimed_until=_lease_end(now))
        .returning(OUTBOX.c.id)
    ).scalars())


def _failure(row, error: str, now: datetime, report: DeliveryReport,
             permanent: bool = False) -> dict:
    """The row's new values after a failed attempt: a retry with back-off, or failed."""
    attempts = row["attempts"] + 1
    values = {"attempts": attempts, "last_error": error[:2000], "claimed_until": None,
              "claimed_by": None}
    if permanent or attempts > len(BACKOFF):
        values["status"] = OutboxStatus.FAILED
        report.failed.append(row["id"])
        log.warning("outbox %s mislukt na %s pogingen: %s", row["id"], attempts, error)
    else:
        values["next_attempt_at"] = now + BACKOFF[attempts - 1]
        report.retried.append(row["id"])
    return values


#: One statement marks a whole group sent.
_MARK_SENT = (update(OUTBOX).where(OUTBOX.c.id == bindparam("row_id"))
              .values(status=OutboxStatus.SENT, sent_at=bindparam("sent_at"),
                      attempts=bindparam("new_attempts"), last_error=None,
                      claimed_until=None, claimed_by=None))


def _write_outcomes(connection, sent: list, failures: list[tuple[int, dict]],
                    now: datetime) -> None:
    """Mark ``sent`` rows sent (one statement) and apply ``failures``; the caller commits."""
    if sent:
        connection.execute(_MARK_SENT, [
            {"row_id": row["id"], "sent_at": now, "new_attempts": row["attempts"] + 1}
            for row in sent])
    for row_id, values in failures:
        connection.execute(update(OUTBOX).where(OUTBOX.c.id == row_id).values(**values))


def deliver(now: datetime, limit: int = BATCH_SIZE,
            transport: SmtpTransport | None = None) -> DeliveryReport:
    """Send every due queued row (up to ``limit``) over one SMTP connection.

    ``transport`` is the run's connection (:func:`deliver_all` passes one for all its
    batches); without it the batch opens and closes its own. Works on its own
    database connection (Core, no ORM identity map), so that a commit per message
    stays cheap however much the caller's session holds.
    """
    if transport is None:
        transport = SmtpTransport(current_app.config)
        try:
            return deliver(now, limit, transport)
        finally:
            transport.close()
    report = DeliveryReport()
    # End the caller's transaction: delivery runs on its own connection, and the
    # caller must see its results afterwards (a SQLite snapshot would hide them).
    db.session.commit()
    with db.engine.connect() as connection:
        asynchronous = (connection.dialect.name == "postgresql"
                        and current_app.config.get("TRACKER_OUTBOX_ASYNC_COMMIT", False))
        if asynchronous:
            # Opt-in: commits do not wait for the WAL flush. Faster per message; a crash
            # of the database server (not of this process) may lose the last few "sent"
            # marks, and those messages would go out again with the same Message-ID.
            connection.execute(text("SET synchronous_commit TO OFF"))
            connection.commit()
        try:
            return _deliver_on(connection, now, limit, report, transport)
        finally:
            if asynchronous:
                connection.rollback()
                connection.execute(text("RESET synchronous_commit"))
                connection.commit()


#: Messages per group: one renewal before and one commit of their outcomes after. A
#: delivery process killed mid-group sends at most this many again (same Message-ID).
GROUP_SIZE = 25


def _deliver_on(connection, now: datetime, limit: int, report: DeliveryReport,
                transport: SmtpTransport) -> DeliveryReport:
    """Claim, send and mark rows on ``connection``; see :func:`deliver`.

    Rows go in groups of :data:`GROUP_SIZE`: one statement renews the group's claims
    (committed first on SQLite, which must not hold its write lock while talking to the
    mail server; on PostgreSQL the renewal's row locks stay until the outcomes commit),
    the messages go out one by one, then one statement marks the sent ones and one
    commit ends the group. A group stops early when half the lease has passed, so no
    claim runs out while its row is being sent.
    """
    run_id = secrets.token_hex(16)
    ids = claim(connection, now, limit, run_id)
    if not ids:
        return report
    pending = list(connection.execute(
        select(OUTBOX).where(OUTBOX.c.id.in_(ids)).order_by(OUTBOX.c.id)).mappings())
    connection.commit()
    commit_renewal = connection.dialect.name != "postgresql"
    half_lease = LEASE.total_seconds() / 2
    sent: list = []
    failures: list[tuple[int, dict]] = []
    try:
        transport.open()
        while pending:
            group = pending[:GROUP_SIZE]
            mine = renew_many(connection, [row["id"] for row in group], run_id, now)
            if commit_renewal:
                connection.commit()
            renewed = time.monotonic()
            for row in group:
                if time.monotonic() - renewed > half_lease:
                    break
                if row["id"] not in mine:
                    # Taken over after our lease ran out, or handled meanwhile: not ours.
                    log.warning("outbox %s niet meer door deze run geclaimd; overgeslagen",
                                row["id"])
                    pending.pop(0)
                    continue
                try:
                    message = to_message(row)
                    transport.send(message.sender, message.recipients, message.data)
                except smtplib.SMTPRecipientsRefused as error:
                    codes = [code for code, _ in error.recipients.values()]
                    permanent = all(500 <= code < 600 for code in codes)
                    failures.append((row["id"], _failure(
                        row, f"ontvanger geweigerd: {error.recipients}", now, report,
                        permanent)))
                except smtplib.SMTPResponseException as error:
                    permanent = 500 <= error.smtp_code < 600
                    failures.append((row["id"], _failure(
                        row, f"{error.smtp_code} {error.smtp_error!r}", now, report,
                        permanent)))
                except (ValueError, UnicodeError) as error:
                    failures.append((row["id"], _failure(row, f"onverzendbaar: {error}", now,
                                                         report, permanent=True)))
                else:
                    sent.append(row)
                    report.sent.append(row["id"])
                pending.pop(0)
            _write_outcomes(connection, sent, failures, now)
            connection.commit()
            sent, failures = [], []
    except (OSError, smtplib.SMTPException) as error:
        # Refused, timed out or dropped: what went out is marked sent, everything not yet
        # sent is tried again later, and the next batch of this run connects anew.
        transport.discard()
        connection.rollback()
        message = f"{type(error).__name__}: {error}"
        log.warning("SMTP-fout, %s berichten later opnieuw: %s", len(pending), message)
        failures += [(row["id"], _failure(row, message, now, report)) for row in pending]
        _write_outcomes(connection, sent, failures, now)
        connection.commit()
    return report


def deliver_all(now: datetime, limit: int = BATCH_SIZE) -> DeliveryReport:
    """Deliver batches until nothing due is left or a batch sent nothing.

    The whole run shares one SMTP connection (opened for the first message, closed
    with QUIT at the end).
    """
    total = DeliveryReport()
    transport = SmtpTransport(current_app.config)
    try:
        while True:
            batch = deliver(now, limit, transport)
            total.sent += batch.sent
            total.retried += batch.retried
            total.failed += batch.failed
            if not batch.sent or len(batch.sent) + len(batch.retried) + len(batch.failed) < limit:
                return total
    finally:
        transport.close()


def retry(row: OutboxMessage, now: datetime) -> None:
    """Put a failed row back in the queue, due now (the beheerder's "opnieuw")."""
    row.status = OutboxStatus.QUEUED
    row.next_attempt_at = now
    row.claimed_until = None
    row.claimed_by = None
    row.attempts = 0
