"""Indicators and their raw measurements per district and period.

Only raw values are stored. Totals, averages, differences, percentages, ratios and
progress against a target are computed by pure functions, never typed in. A figure
that can only be taken from a source (an average whose yearly values are not stored,
a clearance percentage whose counts are not stored) is stored as a *source figure*:
marked as such, with a note, so that the report says so.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.enums import Direction, IndicatorUnit, enum_column_type
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.network.models import District, Team


class Indicator(db.Model):
    """What is measured, for which team, in which unit, against which target."""

    __tablename__ = "indicators"
    __versioned__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[IndicatorUnit] = mapped_column(enum_column_type(IndicatorUnit, "indicator_unit"))
    source: Mapped[str] = mapped_column(String(120), default="")
    direction: Mapped[Direction] = mapped_column(enum_column_type(Direction, "direction"))
    baseline_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    #: How to read the target: ``max``, ``min`` or ``change_pct`` (against a base period).
    target_kind: Mapped[str | None] = mapped_column(String(20))
    target_base_period: Mapped[str | None] = mapped_column(String(20))
    target_period: Mapped[str | None] = mapped_column(String(20))
    #: Periods in display order: ``[{"key": "2013-2016", "label": "2013-2016 gemiddeld"}, ...]``.
    periods: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    #: A ratio indicator (e.g. the verdachtenratio): no measurements of its own, computed
    #: per district and period as numerator / denominator (the keys of two indicators).
    ratio_numerator_key: Mapped[str | None] = mapped_column(String(80))
    ratio_denominator_key: Mapped[str | None] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)

    team: Mapped[Team] = relationship()
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan"
    )


class Measurement(db.Model):
    """A raw value of an indicator for one district (or the whole unit) and period."""

    __tablename__ = "measurements"
    __versioned__: dict = {}
    __table_args__ = (UniqueConstraint("indicator_id", "district_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), index=True
    )
    #: Empty for a unit-wide figure (Eenheid Oost-Nederland).
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Taken as printed from a source because the tracker cannot compute it (the raw
    #: values it derives from are not stored); the report marks it and shows the note.
    is_source_figure: Mapped[bool] = mapped_column(default=False, server_default=false())
    source_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    indicator: Mapped[Indicator] = relationship(back_populates="measurements")
    district: Mapped[District | None] = relationship()
