"""Personal API tokens: issue (shown once), recognise, revoke.

A token reads ``vnon_`` + 43 characters (32 random bytes, URL-safe base64). Only its
HMAC-SHA-256 under the data key is stored (:func:`tracker.crypto.keyed_hashes`, purpose
``api-token``): random secrets need no slow hash, and a copy of the database alone
cannot test a guess. Services flush; the route commits.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.api.models import ApiScope, ApiToken
from tracker.audit.services import record
from tracker.crypto import keyed_hashes
from tracker.extensions import db
from tracker.submissions import create_once
from tracker.validation import ValidationError, clean_text

#: Every token starts with this, so that a leaked one can be recognised (secret scanners).
TOKEN_PREFIX = "vnon_"  # noqa: S105 (a public marker, not a secret)
#: Characters of the token kept readable in the list (the prefix and four more).
SHOWN_PREFIX_LENGTH = len(TOKEN_PREFIX) + 4
NAME_MAX_LENGTH = 100
HASH_PURPOSE = "api-token"
#: ``last_used_at`` is written at most this often (a read stays a read otherwise).
LAST_USED_RESOLUTION = timedelta(minutes=5)


def max_days() -> int:
    return int(current_app.config["TRACKER_API_TOKEN_MAX_DAYS"])


def expiry_moment(expires_on: date) -> datetime:
    """A token expiring "on" a date works through that whole local day: it ends at
    midnight (Europe/Amsterdam) at the start of the next day, as UTC."""
    zone = ZoneInfo(current_app.config["TRACKER_TIMEZONE"])
    local = datetime.combine(expires_on + timedelta(days=1), time(0, 0), tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC"))


def last_day(token_expires_at: datetime) -> date:
    """The last local day a token works (the inverse of :func:`expiry_moment`): the form's
    "Geldig tot en met" date, shown the same way in the list."""
    zone = ZoneInfo(current_app.config["TRACKER_TIMEZONE"])
    return (token_expires_at.astimezone(zone) - timedelta(microseconds=1)).date()


def token_rows(tokens: list[ApiToken], now: datetime) -> list[dict]:
    """The token list as shown: each token with its ``state`` and ``last_day``."""
    return [{"token": t, "state": t.state(now), "last_day": last_day(t.expires_at)}
            for t in tokens]


def issue_token(user, *, name: str, scope: ApiScope, expires_on: date | None, today: date,
                now: datetime, submission: str | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the token text (shown once).

    ``expires_on`` is required, after ``today`` and at most ``TRACKER_API_TOKEN_MAX_DAYS``
    days ahead. Raises :class:`ValidationError` (field ``name`` or ``expires_on``).
    ``submission``: the form's one-time id (:mod:`tracker.submissions`); when it made a
    token before, raises :class:`tracker.submissions.AlreadySubmitted` and makes none.
    """

    def make() -> tuple[ApiToken, str]:
        clean_name = clean_text(name, field="name", label="Naam", max_length=NAME_MAX_LENGTH)
        if expires_on is None:
            raise ValidationError("expires_on", "Kies tot wanneer de sleutel geldig is.")
        if expires_on <= today:
            raise ValidationError("expires_on", "De vervaldatum moet na vandaag liggen.")
        if expires_on > today + timedelta(days=max_days()):
            raise ValidationError(
                "expires_on",
                f"Een sleutel is hoogstens {max_days()} dagen geldig; kies een eerdere datum.")
        text = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            user_id=user.id, name=clean_name, scope=scope,
            token_hash=keyed_hashes(text, HASH_PURPOSE)[0], prefix=text[:SHOWN_PREFIX_LENGTH],
            created_at=now, expires_at=expiry_moment(expires_on), submission_id=submission,
        )
        db.session.add(token)
        db.session.flush()
        record("api_token.create", actor=user, obj=token,
               summary=f"API-sleutel aangemaakt: {clean_name}",
               after={"name": clean_name, "scope": scope.value,
                      "expires_at": token.expires_at.isoformat()})
        return token, text

    return create_once(ApiToken, submission, make) if submission else make()


def revoke_token(token: ApiToken, *, actor, now: datetime) -> bool:
    """Revoke ``token`` (idempotent: False when it was revoked already)."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    db.session.flush()
    record("api_token.revoke", actor=actor, obj=token, summary=f"API-sleutel ingetrokken: {token.name}",
           before={"revoked_at": None}, after={"revoked_at": now.isoformat()})
    return True


def user_tokens(user) -> list[ApiToken]:
    """``user``'s tokens, newest first (revoked and expired ones included)."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def find_token(text: str) -> ApiToken | None:
    """The stored token ``text`` names (whatever its state), or None. Texts without the
    prefix or of another length are refused before any query."""
    if not text.startswith(TOKEN_PREFIX) or not 40 <= len(text) <= 80:
        return None
    hashes = keyed_hashes(text, HASH_PURPOSE)
    return db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash.in_(hashes))
        .options(joinedload(ApiToken.user)))


def authenticate(text: str, now: datetime) -> ApiToken | None:
    """The usable token ``text`` names (not revoked, not expired, owner active), or None.

    Notes the use in ``last_used_at`` (to within :data:`LAST_USED_RESOLUTION`; flushed,
    the caller commits).
    """
    token = find_token(text)
    if token is None or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.flush()
    return token
