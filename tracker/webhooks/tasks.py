"""The webhook jobs: find transitions that happen by the calendar, and deliver.

``webhook_events(now)`` emits ``action.overdue`` and ``milestone.reached`` with the
rules every page uses (``actions.rules.is_overdue``, ``milestones.rules.assess`` through
``milestone_views``); each under an idempotency key per transition, so running it again
(or two schedulers at once) emits nothing twice. ``webhooks(now)`` sends what is due.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.actions.models import Action
from tracker.actions.rules import CATCH_UP_DAYS, OPEN_STATUSES, is_overdue
from tracker.db import short_write
from tracker.extensions import db
from tracker.formatting import to_local
from tracker.jobs.base import JobResult
from tracker.milestones.models import Milestone
from tracker.milestones.queries import milestone_views
from tracker.webhooks import services
from tracker.webhooks.delivery import deliver_all
from tracker.webhooks.models import Webhook

#: Transitions recorded per write transaction.
EMIT_BATCH = 100


def _wanted_events() -> set[str]:
    return {name for events in db.session.scalars(
        select(Webhook.events).where(Webhook.active.is_(True))) for name in events}


def webhook_events(now: datetime) -> JobResult:
    """Emit overdue actions and reached milestones not emitted before.

    Only actions that became overdue within the last ``CATCH_UP_DAYS`` (the reminders'
    cut-off) are considered: a first run on an old database does not announce years of
    overdue work. Milestones: every one the rules call gehaald whose key was not sent,
    except those marked gehaald on a day before that cut-off.
    """
    result = JobResult("webhook-events")
    wanted = _wanted_events()
    if not wanted:
        return result
    today = to_local(now).date()
    # Decided while reading; recorded afterwards in short write transactions (run_job
    # runs this job read-only, see tracker.jobs.READ_FIRST).
    emits = []
    if "action.overdue" in wanted:
        actions = db.session.scalars(
            select(Action).where(
                Action.status.in_(OPEN_STATUSES),
                Action.due_date.between(today - timedelta(days=CATCH_UP_DAYS + 1),
                                        today - timedelta(days=1)))
            .options(selectinload(Action.team)).order_by(Action.id)).all()
        emits += [(services.action_overdue, action) for action in actions
                  if is_overdue(action.status, action.due_date, today)]
    if "milestone.reached" in wanted:
        milestones = db.session.scalars(
            select(Milestone).options(selectinload(Milestone.team)).order_by(Milestone.id)).all()
        cut_off = today - timedelta(days=CATCH_UP_DAYS)
        for view in milestone_views(milestones, today):
            marked = view.assessment.achieved_on
            if view.assessment.achieved and (marked is None or marked >= cut_off):
                emits.append((partial(services.milestone_reached, progress=view.progress),
                              view.milestone))
    emitted = 0
    for start in range(0, len(emits), EMIT_BATCH):
        with short_write(db.session):
            emitted += sum(emit(obj, now=now) for emit, obj in emits[start:start + EMIT_BATCH])
    result.lines.append(f"webhook-events: {emitted} gebeurtenis(sen) vastgelegd")
    return result


def webhooks(now: datetime) -> JobResult:
    """Deliver every due webhook event (signed POST, back-off, once)."""
    report = deliver_all(now)
    return JobResult("webhooks", lines=[str(report)])
