"""Queueing mail: one outbox row per message, unique by idempotency key.

Rows are added to the caller's session and commit (or roll back) with the
change that caused them; the delivery job sends them later. Jobs, which change
nothing else, queue in short transactions of their own (:func:`enqueue_in_batches`).
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import make_msgid
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker.db import short_write, utcnow
from tracker.extensions import db
from tracker.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,76}$")

#: ``session.info`` key: while it is true, :func:`enqueue_many` (and so every service that
#: queues mail) queues nothing in that session. Only ``flask demo scale`` sets it: it makes
#: years of a synthetic past through the services, and nobody must be mailed about that.
QUIET = "outbox_quiet"


class HeaderInjectionError(ValueError):
    """A value that would end up in a mail header contains CR or LF."""


@dataclass
class Email:
    """A rendered message, ready for the outbox."""

    to: list[str]
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    #: Kind of secret link -> the claims to sign its token at delivery
    #: (see ``tracker.notifications.secret_links``); the texts hold placeholders.
    link_claims: dict[str, dict[str, Any]] = field(default_factory=dict)


def refuse_line_breaks(value: str, what: str) -> str:
    """Return ``value``; raise when it contains CR, LF or NUL (header injection)."""
    if any(c in value for c in "\r\n\x00"):
        raise HeaderInjectionError(f"{what} bevat een regelovergang of stuurteken")
    return value


def check_headers(email: Email) -> None:
    """Refuse CR/LF in every value that reaches a header."""
    if not email.to:
        raise ValueError("geen ontvanger")
    for address in email.to:
        refuse_line_breaks(address, "ontvanger")
    refuse_line_breaks(email.subject, "onderwerp")
    for name, value in email.headers.items():
        if not HEADER_NAME.match(name):
            raise HeaderInjectionError(f"ongeldige kopregel {name!r}")
        refuse_line_breaks(value, name)
    for attachment in email.attachments:
        refuse_line_breaks(attachment["filename"], "bijlage")


def attachment(filename: str, content_type: str, data: bytes) -> dict[str, Any]:
    """An attachment in the JSON form the outbox stores."""
    return {"filename": filename, "content_type": content_type,
            "data": base64.b64encode(data).decode("ascii")}


def _message_id() -> str:
    domain = current_app.config.get("TRACKER_MAIL_DOMAIN") or "tracker.vnon.local"
    return make_msgid(domain=domain)


def _row(key: str, kind: str, email: Email, user_id: int | None, now: datetime) -> dict:
    check_headers(email)
    return {
        "idempotency_key": refuse_line_breaks(key, "sleutel")[:200],
        "kind": kind,
        "user_id": user_id,
        "recipients": list(email.to),
        "subject": email.subject[:300],
        "body_text": email.text,
        "body_html": email.html,
        "headers": dict(email.headers),
        "attachments": list(email.attachments),
        "link_claims": dict(email.link_claims) or None,
        "message_id": _message_id(),
        "status": OutboxStatus.QUEUED.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def outbox_rows(items: list[tuple[str, str, Email, int | None]], now: datetime, *,
                skip_invalid: bool = False) -> list[dict]:
    """The outbox rows of ``(key, kind, email, user_id)`` items (headers checked).

    A message with CR/LF in a header value is refused (``HeaderInjectionError``);
    with ``skip_invalid`` it is logged and left out instead.
    """
    rows = []
    for key, kind, email, user_id in items:
        try:
            rows.append(_row(key, kind, email, user_id, now))
        except ValueError as error:
            if not skip_invalid:
                raise
            log.warning("bericht %s geweigerd: %s", key.replace("\r", " ").replace("\n", " "),
                        error)
    return rows


#: Rows per INSERT: every statement well inside the bound-parameter limits.
INSERT_CHUNK = 200


def insert_rows(rows: list[dict]) -> list[str]:
    """Insert outbox rows in the session's transaction; return the keys that were new.

    An existing key is skipped by the database itself (``ON CONFLICT DO NOTHING``),
    so two processes queueing the same message at once still store it once.
    """
    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = OutboxMessage.__table__
    new: list[str] = []
    for start in range(0, len(rows), INSERT_CHUNK):
        stmt = (
            insert(table)
            .values(rows[start:start + INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(table.c.idempotency_key)
        )
        new.extend(db.session.execute(stmt).scalars())
    return new


def enqueue_many(items: list[tuple[str, str, Email, int | None]], now: datetime | None = None,
                 *, skip_invalid: bool = False) -> list[str]:
    """Queue ``(key, kind, email, user_id)`` items; return the keys that were new.

    The rows join the caller's transaction (see :func:`insert_rows` for keys that
    exist already, :func:`outbox_rows` for ``skip_invalid``). Nothing is queued in a
    session marked :data:`QUIET`.
    """
    if not items or db.session.info.get(QUIET):
        return []
    return insert_rows(outbox_rows(items, now or utcnow(), skip_invalid=skip_invalid))


#: Rows per transaction when a job queues: SQLite's write lock is held for one batch only.
JOB_BATCH = 200


def enqueue_in_batches(items: list[tuple[str, str, Email, int | None]], now: datetime, *,
                       skip_invalid: bool = False,
                       also: Callable[[list[str]], None] | None = None) -> list[str]:
    """For jobs: queue ``items`` in short write transactions of :data:`JOB_BATCH` rows.

    Every row is built (and checked) before the first batch; each batch is one
    transaction of its own (:func:`tracker.db.short_write`), committed before the
    next, so a web request waits for one batch at most, never for the job. ``also``
    gets each batch's new keys and may write more in the same transaction (say, when
    a reminder went out). A job that fails halfway leaves whole batches queued; its
    rerun queues the rest (the keys make it once only). Returns the new keys.
    """
    if db.session.info.get(QUIET):
        return []
    rows = outbox_rows(items, now, skip_invalid=skip_invalid)
    new: list[str] = []
    for start in range(0, len(rows), JOB_BATCH):
        with short_write(db.session):
            keys = insert_rows(rows[start:start + JOB_BATCH])
            if also is not None:
                also(keys)
        new.extend(keys)
    return new


def enqueue(key: str, kind: str, email: Email, *, user_id: int | None = None,
            now: datetime | None = None) -> bool:
    """Queue one message; False when a message with this key exists already."""
    return bool(enqueue_many([(key, kind, email, user_id)], now))


def existing_keys(prefix: str) -> set[str]:
    """Keys already in the outbox that start with ``prefix``."""
    return set(db.session.scalars(
        select(OutboxMessage.idempotency_key).where(
            OutboxMessage.idempotency_key.startswith(prefix, autoescape=True))
    ))
