"""Published editions of the progress report and the report's own texts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.extensions import db


class ReportEdition(db.Model):
    """A published edition: the report as it was built, stored once and never changed."""

    __tablename__ = "report_editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. ``versie februari 2018``
    version_label: Mapped[str] = mapped_column(String(120), unique=True)
    peildatum: Mapped[date] = mapped_column(index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    #: The publisher's name at the time (kept when the account goes).
    published_by_name: Mapped[str] = mapped_column(String(120), default="")
    #: A compact summary of the content, to list what changed in the next edition.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    docx: Mapped[bytes] = mapped_column(LargeBinary)
    #: A correction replaces a wrong edition; both are kept (one correction per edition).
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_editions.id"), unique=True
    )
    #: Built from the data as it stood on the peildatum (False: a correction, the stand on
    #: the peildatum with the texts and figures corrected since: ``apply_corrections``).
    as_of: Mapped[bool] = mapped_column(default=True, server_default=true())

    supersedes: Mapped[ReportEdition | None] = relationship(
        remote_side=[id], foreign_keys=[supersedes_id], back_populates="superseded_by")
    superseded_by: Mapped[ReportEdition | None] = relationship(
        foreign_keys=[supersedes_id], back_populates="supersedes", uselist=False)


class ReportText(db.Model):
    """A fixed text of the report (key facts, leeswijzer, organisation, network goals).

    ``value`` is a string or a list of strings (paragraphs or bullets).
    """

    __tablename__ = "report_texts"
    __versioned__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
