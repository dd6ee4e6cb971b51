"""The org chart of the network: districts, municipalities, organisations, teams."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.enums import (
    ItemKind,
    OrganisationKind,
    TeamKind,
    TeamRole,
    TeamStatus,
    enum_column_type,
)
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.auth.models import User


class District(db.Model):
    """A police district; its boundaries are those of a safety region and a DVO."""

    __tablename__ = "districts"
    __versioned__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    #: URL-safe key, e.g. ``noord-en-oost-gelderland``.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: Order in which the progress report lists the districts.
    position: Mapped[int] = mapped_column(default=0)

    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="district", order_by="Municipality.name"
    )

    def __repr__(self) -> str:
        return f"<District {self.slug}>"


class Municipality(db.Model):
    """A gemeente; every municipality lies in exactly one district."""

    __tablename__ = "municipalities"
    __versioned__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: CBS municipality code such as ``GM0153``, where known.
    cbs_code: Mapped[str | None] = mapped_column(String(6), unique=True)
    province: Mapped[str | None] = mapped_column(String(60))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)

    district: Mapped[District] = relationship(back_populates="municipalities")

    def __repr__(self) -> str:
        return f"<Municipality {self.name}>"


class Organisation(db.Model):
    """A partner organisation: a municipality, the police, OM, RIEC, GGZ or other."""

    __tablename__ = "organisations"
    __versioned__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_column_type(OrganisationKind, "organisation_kind")
    )
    #: Set for organisations of kind ``gemeente``.
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id"), unique=True
    )

    municipality: Mapped[Municipality | None] = relationship()

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Team(db.Model):
    """An expertteam or platform carrying one theme."""

    __tablename__ = "teams"
    __versioned__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    #: The theme name used in menus and headings, e.g. ``Verwarde personen``.
    short_name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[TeamKind] = mapped_column(enum_column_type(TeamKind, "team_kind"))
    status: Mapped[TeamStatus] = mapped_column(
        enum_column_type(TeamStatus, "team_status"), default=TeamStatus.ACTIEF
    )
    #: Hennep and OMG fall under platform Ondermijning.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    introduction: Mapped[str] = mapped_column(Text, default="")
    #: Shown where the chair is vacant or inherited, e.g. "vacant (door vertrek ...)".
    chair_note: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    parent: Mapped[Team | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Team]] = relationship(back_populates="parent", order_by="Team.position")
    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )
    report_items: Mapped[list[ReportItem]] = relationship(
        back_populates="team", order_by="ReportItem.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def members_with(self, *roles: TeamRole) -> list[User]:
        """The team's people holding one of ``roles``, in name order."""
        return sorted(
            (m.user for m in self.memberships if m.role in roles), key=lambda u: u.name
        )

    @property
    def chairs(self) -> list[User]:
        return self.members_with(TeamRole.VOORZITTER)

    @property
    def trekker(self) -> User | None:
        trekkers = self.members_with(TeamRole.TREKKER)
        return trekkers[0] if trekkers else None

    def __repr__(self) -> str:
        return f"<Team {self.slug}>"


class TeamMembership(db.Model):
    """A person's place in a team: chair, trekker, coordinator or member."""

    __tablename__ = "team_memberships"
    __versioned__: dict = {}
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[TeamRole] = mapped_column(enum_column_type(TeamRole, "team_role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class ReportItem(db.Model):
    """One bullet of a team's status: a goal, a result or a point of attention.

    The fourth block of the report, the actions, lives in ``actions``: actions
    carry owners, due dates and a status of their own.
    """

    __tablename__ = "report_items"
    __versioned__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ItemKind] = mapped_column(enum_column_type(ItemKind, "item_kind"))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    team: Mapped[Team] = relationship(back_populates="report_items")

    __mapper_args__ = {"version_id_col": version}
