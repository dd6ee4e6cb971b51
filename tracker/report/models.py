"""Published editions of the progress report and the report's own texts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.enums import LabelledEnum, enum_column_type
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


class RenderStatus(LabelledEnum):
    QUEUED = "queued", "Wordt gemaakt", "neutral"
    READY = "ready", "Klaar", "safe"
    FAILED = "failed", "Mislukt", "danger"


class ReportRender(db.Model):
    """A report file (PDF or Word) or a whole edition made in the background, because it
    takes longer than a request may (``tracker.report.renders``).

    A file: one row per :attr:`key`, the format, the peildatum, the data version and the
    renderer it was made from. A change to the data gives a new version and so a new
    key: a stored file is only ever served for the data it was made from. An edition
    (``fmt`` ``editie``): one row per confirmed label; the job publishes it.
    """

    __tablename__ = "report_renders"
    __table_args__ = (Index("ix_report_renders_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``pdf:2026-12-01:v81234:r3f2a…`` (``renders.render_key``)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    #: ``pdf`` or ``docx``
    fmt: Mapped[str] = mapped_column(String(8))
    peildatum: Mapped[date] = mapped_column()
    status: Mapped[RenderStatus] = mapped_column(
        enum_column_type(RenderStatus, "report_render_status"), default=RenderStatus.QUEUED)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: As ``outbox_messages``: when the job may take it, and the lease of the run holding it.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Seconds the rendering took (shown on the waiting page as what to expect).
    seconds: Mapped[float | None] = mapped_column()
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: An edition: the label the publisher confirmed, the edition it corrects, the result.
    label: Mapped[str | None] = mapped_column(String(160))
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_editions.id", ondelete="CASCADE"))
    edition_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_editions.id", ondelete="SET NULL"))
