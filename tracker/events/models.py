"""Regional meetings and the invitations to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.enums import EventStatus, RsvpResponse, enum_column_type
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.network.models import Team


class Event(db.Model):
    """A meeting of the network; the date may still be open ("voorjaar 2018")."""

    __tablename__ = "events"
    __versioned__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: What is known of the date while it is not fixed, e.g. "voorjaar 2018".
    date_note: Mapped[str | None] = mapped_column(String(120))
    location: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None]
    rsvp_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[EventStatus] = mapped_column(
        enum_column_type(EventStatus, "event_status"), default=EventStatus.GEPLAND
    )
    #: iCalendar SEQUENCE: raised on every change sent to invitees.
    sequence: Mapped[int] = mapped_column(default=0)
    #: The local day the organiser last reminded those who had not answered (once a day).
    reminded_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    team: Mapped[Team | None] = relationship()
    organiser: Mapped[User | None] = relationship()
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )
    minutes: Mapped[EventMinutes | None] = relationship(
        back_populates="event", cascade="all, delete-orphan", uselist=False
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.GEANNULEERD


class Invitation(db.Model):
    """One person invited to one event, and their answer."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response: Mapped[RsvpResponse | None] = mapped_column(
        enum_column_type(RsvpResponse, "rsvp_response")
    )
    remark: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set while a "ja" waits for a seat; the order of the waiting list.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    event: Mapped[Event] = relationship(back_populates="invitations")
    user: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}


class EventMinutes(db.Model):
    """The notes and decisions of a meeting, kept by its organiser (one row per event).

    ``version`` is the optimistic lock and the edition of the minutes: a mail of the
    minutes is sent once per version (the outbox key holds it). Sending changes nothing
    here, so the version counts edits only; the outbox knows what was sent.
    """

    __tablename__ = "event_minutes"
    __versioned__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), unique=True
    )
    #: Free text: what was discussed.
    notes: Mapped[str] = mapped_column(Text, default="")
    #: The decisions, one a line (see :attr:`decision_list`).
    decisions: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    event: Mapped[Event] = relationship(back_populates="minutes")
    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def decision_list(self) -> list[str]:
        """The decisions as a list: one per non-empty line, stripped."""
        return [line.strip() for line in (self.decisions or "").splitlines() if line.strip()]

    @property
    def note_paragraphs(self) -> list[str]:
        """The notes as paragraphs: one per non-empty line, stripped."""
        return [line.strip() for line in (self.notes or "").splitlines() if line.strip()]
