"""Actions: the (lopende) acties of a team, with owner, due date and status."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.enums import ActionStatus, DatePrecision, enum_column_type
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.events.models import Event
    from tracker.milestones.models import Milestone
    from tracker.network.models import District, Team

TITLE_MAX_LENGTH = 200


class Action(db.Model):
    """A piece of work a team has committed to."""

    __tablename__ = "actions"
    __versioned__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    #: "Tekst in de rapportage": other wording for the status pages and the report. Empty:
    #: they show the title. The description (Toelichting) is never shown there.
    report_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_date: Mapped[date | None] = mapped_column(index=True)
    #: How exact the due date is: "eerste helft 2018" is stored as 30 June, precision half.
    due_precision: Mapped[DatePrecision] = mapped_column(
        enum_column_type(DatePrecision, "date_precision"), default=DatePrecision.DAY
    )
    status: Mapped[ActionStatus] = mapped_column(
        enum_column_type(ActionStatus, "action_status"), default=ActionStatus.OPEN, index=True
    )
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestones.id", ondelete="SET NULL"), index=True
    )
    #: The district an action concerns, when it concerns one.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    #: The meeting this action came out of ("Voortgekomen uit"), when it did.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Optimistic lock: a write with a stale version fails instead of overwriting.
    version: Mapped[int] = mapped_column(default=1)

    team: Mapped[Team] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    milestone: Mapped[Milestone | None] = relationship(back_populates="actions")
    district: Mapped[District | None] = relationship()
    event: Mapped[Event | None] = relationship()
    comments: Mapped[list[ActionComment]] = relationship(
        back_populates="action", order_by="ActionComment.created_at", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_closed(self) -> bool:
        from tracker.actions.rules import is_open

        return not is_open(self.status)

    @property
    def is_overdue(self) -> bool:
        """Overdue today (Europe/Amsterdam), decided by ``actions.rules.is_overdue``."""
        from tracker.actions.rules import is_overdue
        from tracker.clock import local_today

        return is_overdue(self.status, self.due_date, local_today())


COMMENT_MAX_LENGTH = 4000


class ActionComment(db.Model):
    """A plain-text remark on an action."""

    __tablename__ = "action_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[Action] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()
