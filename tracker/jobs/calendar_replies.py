"""Read the reply mailbox over IMAP and record the calendar answers in it.

Idempotency: the database is the memory. Every message handled is a row in
``itip_replies`` keyed by its Message-ID, committed together with the answer it
recorded; the job first fetches only the Message-ID headers and downloads the
messages it has not handled. Afterwards it flags them ``\\Seen`` for whoever looks
into the mailbox, but never relies on flags: a person reading the mailbox, a
second run, or a crash between commit and flag cannot make an answer count twice.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
from datetime import datetime
from email import message_from_bytes, policy

from flask import current_app
from sqlalchemy.exc import IntegrityError

from tracker.events.itip import (
    ReplyOutcome,
    already_processed,
    mailbox_configured,
    message_key,
    process_message,
)
from tracker.events.mail import ICS_DOMAIN
from tracker.extensions import db
from tracker.jobs.base import JobResult

log = logging.getLogger(__name__)
TIMEOUT = 30  # seconds per IMAP operation
_UID = re.compile(rb"UID (\d+)")


def _connect(config) -> imaplib.IMAP4:
    host, port = config["TRACKER_IMAP_HOST"], int(config.get("TRACKER_IMAP_PORT") or 993)
    if config.get("TRACKER_IMAP_SSL", True):
        client = imaplib.IMAP4_SSL(host, port, timeout=TIMEOUT)
    else:
        client = imaplib.IMAP4(host, port, timeout=TIMEOUT)
    client.login(config["TRACKER_IMAP_USER"], config.get("TRACKER_IMAP_PASSWORD") or "")
    return client


def _check(status: str, data, what: str):
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what}: {data!r}")
    return data


def _message_ids(client: imaplib.IMAP4) -> dict[int, str | None]:
    """``{uid: Message-ID or None}`` for every message in the selected folder."""
    uids = _check(*client.uid("SEARCH", None, "ALL"), "SEARCH")[0].split()
    found: dict[int, str | None] = {}
    if not uids:
        return found
    data = _check(*client.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"),
                  "FETCH")
    for item in data:
        if not isinstance(item, tuple):
            continue
        match = _UID.search(item[0])
        if match:
            header = message_from_bytes(item[1], policy=policy.default)
            found[int(match.group(1))] = header.get("Message-ID")
    return found


def _fetch(client: imaplib.IMAP4, uid: int) -> bytes | None:
    data = _check(*client.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH")
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    return None


def calendar_replies(now: datetime) -> JobResult:
    """Record every new iTIP reply in the mailbox as of ``now``; one line per message.

    Without a configured mailbox it does nothing. IMAP errors are raised
    (``imaplib.IMAP4.error``, ``OSError``) after what was handled is committed.
    """
    result = JobResult("calendar-replies")
    config = current_app.config
    if not mailbox_configured(config):
        result.lines.append("calendar-replies: geen antwoordmailbox ingesteld")
        return result
    client = _connect(config)
    handled: list[int] = []
    try:
        _check(*client.select(config.get("TRACKER_IMAP_FOLDER") or "INBOX"), "SELECT")
        for uid, message_id in sorted(_message_ids(client).items()):
            if message_id and already_processed(message_key(message_id, b"")):
                continue
            raw = _fetch(client, uid)
            if raw is None:
                continue
            if not message_id and already_processed(message_key(None, raw)):
                continue
            try:
                rows = process_message(raw, now=now, domain=ICS_DOMAIN)
                db.session.commit()
            except IntegrityError:
                # Another run handled this message at the same moment.
                db.session.rollback()
                continue
            except Exception:
                # One unreadable message must not block the others; it is tried again.
                db.session.rollback()
                log.exception("agenda-antwoord %s niet verwerkt", uid)
                continue
            handled.append(uid)
            outcomes = ", ".join(r.outcome for r in rows)
            result.lines.append(f"  bericht {uid}: {outcomes}")
            if any(r.outcome != ReplyOutcome.RECORDED for r in rows):
                log.info("agenda-antwoord %s niet (helemaal) vastgelegd: %s", uid, outcomes)
        if handled:
            client.uid("STORE", ",".join(map(str, handled)), "+FLAGS", "(\\Seen)")
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    result.lines.insert(0, f"calendar-replies: {len(handled)} nieuw(e) bericht(en) gelezen")
    return result
