"""The outbox (every mail is a row), preferences per person, settings per team, job runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db import UTCDateTime, utcnow
from tracker.enums import LabelledEnum, enum_column_type
from tracker.extensions import db
from tracker.redaction import redact


class OutboxStatus(LabelledEnum):
    QUEUED = "queued", "In de wachtrij", "neutral"
    SENT = "sent", "Verzonden", "safe"
    FAILED = "failed", "Mislukt", "danger"


class DigestFrequency(LabelledEnum):
    WEEKLY = "weekly", "Wekelijks (maandag 07:30)"
    DAILY = "daily", "Dagelijks (07:30)"
    OFF = "off", "Nooit"


class OutboxMessage(db.Model):
    """One e-mail, written in the same transaction as the change that caused it.

    The delivery job sends queued rows; nothing is sent inside a web request.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique per message, e.g. ``reminders:user:7:2018-06-30`` or
    #: ``digest:user:7:2018-W06``: enqueueing the same key twice adds nothing.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    #: What kind of mail: ``reminder``, ``escalation``, ``milestone``, ``digest``, ...
    kind: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    recipients: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    #: Extra headers such as ``List-Unsubscribe``; checked for CR/LF on enqueue.
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: ``[{"filename", "content_type", "data" (base64)}]``.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: Kind of secret link -> claims to sign its token at delivery (``secret_links``);
    #: the texts hold placeholders, so the row holds no working link.
    link_claims: Mapped[dict[str, dict[str, Any]] | None] = mapped_column(JSON)
    #: Stable across retries, so a receiving server can drop a duplicate.
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column_type(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set while a delivery process holds the row; another process skips it until then.
    #: The holder renews it before every message, so a killed run's rows return soon.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Which delivery run holds the claim: a run sends only rows it still holds.
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()

    @property
    def shown_text(self) -> str:
        """The text as the beheerder may see it: every token link hidden."""
        return redact(self.body_text)

    @property
    def shown_html(self) -> str | None:
        """The HTML source as the beheerder may see it: every token link hidden."""
        return redact(self.body_html)

    @property
    def awaits_retry(self) -> bool:
        """Tried and failed at least once, and still queued for another attempt."""
        return self.status == OutboxStatus.QUEUED and self.attempts > 0

    @property
    def is_failed(self) -> bool:
        return self.status == OutboxStatus.FAILED


class NotificationPreference(db.Model):
    """What mail a person wants; without a row the defaults apply (see ``preferences``)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[DigestFrequency] = mapped_column(
        enum_column_type(DigestFrequency, "digest_frequency"), default=DigestFrequency.WEEKLY
    )
    reminders: Mapped[bool] = mapped_column(default=True)
    #: Per kind of notice (``tracker.notifications.notices.KINDS``) ``direct``, ``bundel``
    #: or ``nooit``; a kind missing here has its default.
    notices: Mapped[dict[str, str] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class TeamNotificationSettings(db.Model):
    """Per team: when action owners are reminded and when overdue work is escalated."""

    __tablename__ = "team_notification_settings"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    #: Days before the due date on which the owner is reminded, e.g. ``"7,1"``.
    reminder_days: Mapped[str] = mapped_column(String(40), default="7,1")
    #: Remind the owner once when the action is overdue.
    overdue_reminder: Mapped[bool] = mapped_column(default=True)
    #: Escalate to the trekker when an action is overdue for more than this many days.
    escalation_days: Mapped[int] = mapped_column(default=14)


class JobRun(db.Model):
    """The last scheduled period each job has done: the scheduler catches up from it."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: The scheduled moment (UTC) of the last run that completed.
    last_period_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    summary: Mapped[str] = mapped_column(String(300), default="")
