"""Pilots and the building blocks (bouwstenen) they serve."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.enums import PilotStatus, enum_column_type
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.network.models import District, Municipality, Team

pilot_municipalities = Table(
    "pilot_municipalities",
    db.metadata,
    Column("pilot_id", ForeignKey("pilots.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipalities.id"), primary_key=True),
)


class BuildingBlock(db.Model):
    """A bouwsteen: one part of an approach that pilots serve (e.g. the nine of the
    sluitende aanpak for people with confused behaviour)."""

    __tablename__ = "building_blocks"
    __versioned__: dict = {}
    __table_args__ = (UniqueConstraint("team_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(160))

    team: Mapped[Team] = relationship()


class Pilot(db.Model):
    """A pilot project run by a team in one or more municipalities."""

    __tablename__ = "pilots"
    __versioned__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    building_block_id: Mapped[int | None] = mapped_column(
        ForeignKey("building_blocks.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[PilotStatus] = mapped_column(
        enum_column_type(PilotStatus, "pilot_status"), default=PilotStatus.GEPLAND
    )
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    results: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    team: Mapped[Team] = relationship()
    district: Mapped[District | None] = relationship()
    building_block: Mapped[BuildingBlock | None] = relationship()
    lead: Mapped[User | None] = relationship()
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=pilot_municipalities, order_by="Municipality.name"
    )

    __mapper_args__ = {"version_id_col": version}
