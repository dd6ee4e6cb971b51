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
