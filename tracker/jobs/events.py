"""Event reminders: non-responders before the RSVP deadline, invitees just before the meeting."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.enums import EventStatus, RsvpResponse
from tracker.events.models import Event, Invitation
from tracker.events.rules import is_remindable
from tracker.extensions import db
from tracker.jobs.base import JobResult
from tracker.notifications import messages
from tracker.notifications.outbox import enqueue_in_batches
from tracker.notifications.preferences import can_receive, preferences_for

log = logging.getLogger(__name__)


def event_reminders(now: datetime) -> JobResult:
    """Remind non-responders N days before the RSVP deadline, and invitees before the meeting.

    Each reminder has its own idempotency key, so a second run queues nothing.
    """
    result = JobResult("event-reminders")
    result.queued = rsvp_deadline_reminders(now)
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
    invitations = [i for i in invitations
                   if i.response != RsvpResponse.NEE and is_remindable(i.event, i)]
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
    queued = enqueue_in_batches(items, now, skip_invalid=True,
                                also=_mark_reminded(by_key, now))
    result.queued = result.queued + queued
    return result


def rsvp_deadline_reminders(now: datetime) -> list[str]:
    """Those who have not answered, once, when the RSVP deadline is N days away or less."""
    from tracker.events.mail import rsvp_reminder_email

    days = int(current_app.config.get("TRACKER_EVENT_RSVP_REMINDER_DAYS", 7))
    invitations = db.session.scalars(
        select(Invitation)
        .join(Invitation.event)
        .where(Event.status == EventStatus.GEPLAND, Invitation.response.is_(None),
               Event.rsvp_deadline.is_not(None), Event.rsvp_deadline > now,
               Event.rsvp_deadline <= now + timedelta(days=days))
        .options(selectinload(Invitation.event).selectinload(Event.organiser),
                 selectinload(Invitation.user))
        .order_by(Invitation.id)
    ).all()
    invitations = [i for i in invitations if is_remindable(i.event, i)]
    prefs = preferences_for({i.user for i in invitations})
    items = []
    by_key = {}
    for invitation in invitations:
        if (not prefs[invitation.user_id].reminders
                or not can_receive(invitation.user, log, "antwoordherinnering")):
            continue
        deadline = invitation.event.rsvp_deadline
        key = f"event-rsvp-reminder:invitation:{invitation.id}:{deadline.isoformat()}"
        by_key[key] = invitation
        items.append((key, "event-rsvp-reminder", rsvp_reminder_email(invitation),
                      invitation.user_id))
    return enqueue_in_batches(items, now, skip_invalid=True, also=_mark_reminded(by_key, now))


def _mark_reminded(by_key: dict, now: datetime):
    """What :func:`enqueue_in_batches` calls per batch: the reminded invitations, with the
    mails that remind them."""

    def mark(keys: list[str]) -> None:
        for key in keys:
            by_key[key].last_reminded_at = now

    return mark
