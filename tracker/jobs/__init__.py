"""Scheduled jobs: each a plain function ``job(now)``; the scheduler only calls them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tracker.avg.tasks import invitee_retention
from tracker.jobs.actions import escalations, reminders
from tracker.jobs.base import JobResult
from tracker.jobs.calendar_replies import calendar_replies
from tracker.jobs.digests import digests
from tracker.jobs.events import event_reminders
from tracker.jobs.milestones import milestones
from tracker.jobs.outbox import outbox
from tracker.webhooks.tasks import webhook_events, webhooks

JOBS: dict[str, Callable[[datetime], JobResult]] = {
    "reminders": reminders,
    "escalations": escalations,
    "milestones": milestones,
    "digests": digests,
    "event-reminders": event_reminders,
    "outbox": outbox,
    "invitee-retention": invitee_retention,
    "calendar-replies": calendar_replies,
    "webhook-events": webhook_events,
    "webhooks": webhooks,
}


def run_job(name: str, now: datetime) -> JobResult:
    """Run one job as of ``now`` and commit what it queued (outbox commits as it goes)."""
    from tracker.extensions import db

    try:
        result = JOBS[name](now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result
