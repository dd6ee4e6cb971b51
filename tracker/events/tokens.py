"""Signed RSVP links: bound to one invitation and one purpose, valid until the event ends.

The token carries only the invitation id and the purpose; the expiry is read from
the event itself, so a rescheduled meeting moves the end of every link with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

RSVP_SALT = "tracker.events.rsvp"
RSVP_PURPOSE = "rsvp"
#: When an event has no end time, its links stay valid this long after the start.
DEFAULT_DURATION = timedelta(hours=2)


class TokenError(Exception):
    """A link that cannot be used; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class RsvpClaim:
    invitation_id: int
    purpose: str


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=RSVP_SALT)


def rsvp_token(invitation_id: int, purpose: str = RSVP_PURPOSE) -> str:
    """A signed token for this invitation and purpose."""
    return _serializer().dumps({"i": invitation_id, "p": purpose})


def read_rsvp_token(token: str, purpose: str = RSVP_PURPOSE) -> RsvpClaim:
    """The claim in a genuine token for ``purpose``; :class:`TokenError` (400) otherwise."""
    try:
        data = _serializer().loads(token)
    except BadSignature as error:
        raise TokenError(400) from error
    if (not isinstance(data, dict) or data.get("p") != purpose
            or not isinstance(data.get("i"), int) or isinstance(data.get("i"), bool)):
        raise TokenError(400)
    return RsvpClaim(data["i"], data["p"])


def link_expires_at(event) -> datetime | None:
    """The last moment an RSVP link for ``event`` works: the end of the event."""
    if event.starts_at is None:
        return None
    return event.ends_at or event.starts_at + DEFAULT_DURATION


def check_not_expired(event, now: datetime) -> None:
    """Raise :class:`TokenError` (410) once the event has ended."""
    expires = link_expires_at(event)
    if expires is not None and now > expires:
        raise TokenError(410)
