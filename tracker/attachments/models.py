"""Attachment: a file on an action, a pilot or a meeting.

Not versioned (no ``__versioned__``), on purpose: a stored file never changes (a new
version is a new upload under a new random name), so a row is only ever inserted and
deleted; the report and the status pages do not read attachments, so "as of a
peildatum" has nothing to reconstruct. Who added or removed which file, with its name,
size and SHA-256, is in the audit journal (``attachment.add`` / ``attachment.remove``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.actions.models import Action
    from tracker.auth.models import User
    from tracker.events.models import Event
    from tracker.pilots.models import Pilot

FILE_NAME_MAX_LENGTH = 200
#: The parent kinds, by the foreign-key column that points at them.
PARENT_COLUMNS = ("action_id", "pilot_id", "event_id")


class Attachment(db.Model):
    """One uploaded file; exactly one of ``action_id``, ``pilot_id``, ``event_id`` is set."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN action_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN pilot_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN event_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    pilot_id: Mapped[int | None] = mapped_column(
        ForeignKey("pilots.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: The name the uploader's computer gave it, cleaned (no folders, control characters
    #: or BSN); shown and offered as the download name, never used on disk.
    file_name: Mapped[str] = mapped_column(String(FILE_NAME_MAX_LENGTH))
    #: The random name on disk (``secrets.token_hex``) under ``TRACKER_ATTACHMENT_DIR``.
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    #: The content type decided from the bytes (``tracker.attachments.sniff``).
    content_type: Mapped[str] = mapped_column(String(100))
    #: Size in bytes.
    size: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the content, hex (integrity; also in the audit entry).
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()
    action: Mapped[Action | None] = relationship()
    pilot: Mapped[Pilot | None] = relationship()
    event: Mapped[Event | None] = relationship()

    @property
    def parent(self):
        """The action, pilot or event this file belongs to."""
        return self.action or self.pilot or self.event

    @property
    def parent_column(self) -> str:
        """``action_id``, ``pilot_id`` or ``event_id``: the one that is set."""
        return next(c for c in PARENT_COLUMNS if getattr(self, c) is not None)
