"""Milestones: hard dates, optionally tracked per municipality ("78 ticks")."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.enums import DatePrecision, MilestoneKind, enum_column_type
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.actions.models import Action
    from tracker.auth.models import User
    from tracker.network.models import Municipality, Team


class Milestone(db.Model):
    """A dated commitment of a team, or of the whole network when ``team`` is empty."""

    __tablename__ = "milestones"
    __versioned__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[MilestoneKind] = mapped_column(enum_column_type(MilestoneKind, "milestone_kind"))
    due_date: Mapped[date] = mapped_column(index=True)
    due_precision: Mapped[DatePrecision] = mapped_column(
        enum_column_type(DatePrecision, "date_precision"), default=DatePrecision.DAY
    )
    #: True when progress is one tick per municipality (e.g. sluitende aanpak).
    per_municipality: Mapped[bool] = mapped_column(default=False)
    achieved_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    team: Mapped[Team | None] = relationship()
    actions: Mapped[list[Action]] = relationship(back_populates="milestone")
    ticks: Mapped[list[MunicipalityTick]] = relationship(
        back_populates="milestone", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class MunicipalityTick(db.Model):
    """One municipality's completion of a per-municipality milestone."""

    __tablename__ = "municipality_ticks"
    __versioned__: dict = {}
    __table_args__ = (UniqueConstraint("milestone_id", "municipality_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("milestones.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    completed_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    ticked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ticked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    milestone: Mapped[Milestone] = relationship(back_populates="ticks")
    municipality: Mapped[Municipality] = relationship()
    ticked_by: Mapped[User | None] = relationship()
