"""Writing the change journal."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from tracker.audit.models import AuditEntry
from tracker.db import utcnow
from tracker.extensions import db


def request_origin() -> str:
    """The client address of the current request, or ``cli`` outside a request."""
    if has_request_context():
        return (request.remote_addr or "")[:64]
    return "cli"


def record(
    action: str,
    *,
    actor=None,
    obj=None,
    object_type: str | None = None,
    object_id: int | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    result: str = "ok",
    origin: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the session; it commits with the change it describes.

    Never pass passwords, tokens or session ids in ``before``/``after``. Inside
    :func:`tracker.history.recorded_at` the entry is dated at that block's moment, like
    the history rows of the same transaction (the demo and ``flask demo scale``).
    """
    from tracker.history import RECORDED_AT

    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    entry = AuditEntry(
        at=db.session.info.get(RECORDED_AT) or utcnow(),
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "name", None) or "systeem",
        object_type=object_type or "",
        object_id=object_id,
        summary=summary[:300],
        before=before,
        after=after,
        result=result,
        origin=origin if origin is not None else request_origin(),
    )
    db.session.add(entry)
    return entry
