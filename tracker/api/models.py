"""Personal API tokens: stored as a keyed hash only, shown in full once."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime
from tracker.enums import LabelledEnum, enum_column_type
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.auth.models import User


class ApiScope(LabelledEnum):
    """What a token may do: read only, or read and change (as its owner may)."""

    READ = "read", "Alleen lezen"
    WRITE = "write", "Lezen en wijzigen"


class ApiToken(db.Model):
    """A personal API token of ``user``; the API acts as that user.

    ``token_hash`` is HMAC-SHA-256 (hex) of the whole token under the data key
    (:func:`tracker.crypto.keyed_hashes`, purpose ``api-token``); the token itself is
    never stored. ``prefix`` (the first characters, e.g. ``vnon_AbC1``) lets the owner
    recognise a token in the list. No history: the audit journal records creation and
    revocation.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[ApiScope] = mapped_column(enum_column_type(ApiScope, "api_scope"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The id of the form that made it (``tracker.submissions``): sent again, it makes none.
    submission_id: Mapped[str | None] = mapped_column(String(32), unique=True)

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        """Not revoked, not expired, and its owner's account still active."""
        return self.revoked_at is None and not self.is_expired(now) and bool(self.user.active)

    def is_expired(self, now: datetime) -> bool:
        """Past its end (the midnight after the last day it works)."""
        return now >= self.expires_at

    def state(self, now: datetime) -> str:
        """What the token page says of it: ``Ingetrokken``, ``Verlopen`` or ``Geldig``."""
        if self.revoked_at is not None:
            return "Ingetrokken"
        return "Verlopen" if self.is_expired(now) else "Geldig"
