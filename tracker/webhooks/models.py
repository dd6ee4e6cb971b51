"""Webhooks: the registered receivers, the events recorded for them, one delivery per pair.

A delivery is the webhook counterpart of an outbox row (``notifications.models``):
written in the transaction of the change, claimed with a lease by the delivery job,
retried with back-off, marked delivered once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import UTCDateTime, utcnow
from tracker.enums import LabelledEnum, enum_column_type
from tracker.extensions import db


class DeliveryStatus(LabelledEnum):
    QUEUED = "queued", "In de wachtrij", "neutral"
    DELIVERED = "delivered", "Afgeleverd", "safe"
    FAILED = "failed", "Mislukt", "danger"


class Webhook(db.Model):
    """An address that receives signed POSTs for the events it chose."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the beheerder calls it ("Dashboard RIEC").
    name: Mapped[str] = mapped_column(String(120))
    #: https:// (http:// only to this machine outside production, see ``rules.check_url``).
    url: Mapped[str] = mapped_column(String(500))
    #: Event names (``rules.EVENTS``) this receiver wants.
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The signing secret, Fernet-encrypted under TRACKER_DATA_KEY (``tracker.crypto``).
    secret_encrypted: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The id of the form that made it (``tracker.submissions``): sent again, it makes none.
    submission_id: Mapped[str | None] = mapped_column(String(32), unique=True)

    def wants(self, event: str) -> bool:
        return self.active and event in (self.events or [])


class WebhookEvent(db.Model):
    """Something that happened, recorded once per idempotency key in the change's transaction."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``action.completed``, ``milestone.reached``, ... or ``ping`` (the test button).
    event: Mapped[str] = mapped_column(String(40))
    #: Unique per transition, e.g. ``action.overdue:12:2018-10-01``: recording it again adds
    #: nothing, so a job that runs twice (or two schedulers) never emits twice.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The ``data`` object of the body, as JSON.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class WebhookDelivery(db.Model):
    """One event for one webhook: queued, delivered (2xx) or failed after the last attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
                      Index("ix_webhook_deliveries_log", "webhook_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True)
    #: ``<event key>@<webhook id>``: the body's ``id`` and ``X-Tracker-Delivery``, stable
    #: across retries so that the receiver can drop a duplicate.
    idempotency_key: Mapped[str] = mapped_column(String(220), unique=True)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column_type(DeliveryStatus, "webhook_delivery_status"), default=DeliveryStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The lease of the delivery run holding the row (as ``outbox_messages.claimed_until``).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    #: HTTP status of the last attempt (None: no answer, e.g. a time-out).
    last_status_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    webhook: Mapped[Webhook] = relationship()
    event: Mapped[WebhookEvent] = relationship()

    @property
    def awaits_retry(self) -> bool:
        return self.status == DeliveryStatus.QUEUED and self.attempts > 0
