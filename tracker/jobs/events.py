"""Event reminders: invitees hear about a meeting shortly before it starts."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.enums import EventStatus, RsvpResponse
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.jobs.base import JobResult
from tracker.notifications import messages
from tracker.notifications.outbox import enqueue_many
from tracker.notifications.preferences import can_receive, preferences_for

log = logging.getLogger(__name__)


def event_reminders(now: datetime) -> JobResult:
    """Remind everyone invited (and not declined) to a planned meeting in the next days."""
    result = JobResult("event-reminders")
    days = int(current_app.config.get("TRACKER_EVENT_REMINDER_DAYS", 2))
    invitations = db.session.scalars(
        select(Invitation)
        .join(Invitation.event)
        .where(Event.status == EventStatus.GEPLAND,
               Event.starts_at > now, Event.starts_at <= now + timedelta(days=days))
        .options(selectinload(Invitation.event).selectinload(Event.team),
                 selectinload(Invitation.user))
        .order_by(Invitation.id)
    ).all()
    invitations = [i for i in invitations if i.response != RsvpResponse.NEE]
    prefs = preferences_for({i.user for i in invitations})
    items = []
    by_key = {}
    for invitation in invitations:
        user = invitation.user
        if not prefs[user.id].reminders or not can_receive(user, log, "uitnodiging"):
            continue
        starts = invitation.event.starts_at
        key = f"event-reminder:invitation:{invitation.id}:{starts.isoformat()}"
        by_key[key] = invitation
        days_left = max(0, (starts - now).days)
        items.append((key, "event-reminder", messages.event_reminder(invitation, days_left),
                      user.id))
    result.queued = enqueue_many(items, now, skip_invalid=True)
    for key in result.queued:
        by_key[key].last_reminded_at = now
    return result
