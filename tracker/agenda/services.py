"""Personal calendar-feed links: issue (rotating the old one) and revoke."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from tracker.audit.services import record
from tracker.auth.models import User
from tracker.extensions import db


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_calendar_token(user: User) -> str:
    """A new secret for the user's feed URL; the previous link stops working."""
    token = secrets.token_urlsafe(32)
    user.calendar_token_hash = token_hash(token)
    db.session.flush()
    record("calendar.issue", actor=user, obj=user, summary="Nieuwe agendalink gemaakt")
    return token


def revoke_calendar_token(user: User) -> None:
    user.calendar_token_hash = None
    db.session.flush()
    record("calendar.revoke", actor=user, obj=user, summary="Agendalink ingetrokken")


def user_for_token(token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token_hash == token_hash(token)))
    return user if user is not None and user.active else None
