"""Scheduled jobs: each a plain function ``job(now)``; the scheduler only calls them."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime

from tracker.avg.tasks import invitee_retention
from tracker.jobs.actions import escalations, reminders
from tracker.jobs.base import JobResult
from tracker.jobs.calendar_replies import calendar_replies
from tracker.jobs.digests import digests
from tracker.jobs.events import event_reminders
from tracker.jobs.milestones import milestones
from tracker.jobs.outbox import outbox
from tracker.report.renders import make_renders
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
    "report-renders": make_renders,
}
#: Jobs that read in a read-only transaction (SQLite: DEFERRED, never the write lock)
#: and write what they computed in short transactions of their own (``short_write``),
#: so the web never waits for them. The others (delivery, mailbox, erasure) keep
#: their own short transactions.
READ_FIRST = frozenset({"reminders", "escalations", "milestones", "digests",
                        "event-reminders", "webhook-events"})


def run_job(name: str, now: datetime) -> JobResult:
    """Run one job as of ``now`` and commit what it wrote.

    The caller's transaction is ended first, so the job starts its own: for the jobs
    in :data:`READ_FIRST` a read-only one (:func:`tracker.db.read_only`).
    """
    from tracker.db import read_only
    from tracker.extensions import db

    db.session.commit()
    try:
        with read_only() if name in READ_FIRST else nullcontext():
            result = JOBS[name](now)
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result
