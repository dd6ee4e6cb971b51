"""Milestone alerts to the team's chair, trekker and coordinators."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.auth.models import User
from tracker.enums import Role, TeamRole
from tracker.extensions import db
from tracker.formatting import to_local
from tracker.jobs.base import JobResult
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.milestones.queries import linked_action_counts
from tracker.milestones.rules import is_achieved, milestone_progress
from tracker.network.models import Municipality, Team, TeamMembership
from tracker.notifications import messages
from tracker.notifications.outbox import enqueue_in_batches
from tracker.notifications.preferences import can_receive, preferences_for

log = logging.getLogger(__name__)

ALERT_ROLES = (TeamRole.VOORZITTER, TeamRole.TREKKER, TeamRole.COORDINATOR)


def alert_step(days_left: int, alert_days: tuple[int, ...]) -> str | None:
    """``due-28d`` / ``due-7d`` before the date, ``passed`` within a week after. Pure."""
    if days_left < 0:
        return "passed" if days_left >= -7 else None
    steps = [n for n in alert_days if days_left <= n]
    return f"due-{min(steps)}d" if steps else None


def milestones(now: datetime) -> JobResult:
    """Alert the people of a team when a milestone is near or has passed unmet."""
    result = JobResult("milestones")
    today = to_local(now).date()
    alert_days = tuple(current_app.config.get("TRACKER_MILESTONE_ALERT_DAYS", (28, 7)))
    rows = db.session.scalars(
        select(Milestone)
        .where(Milestone.achieved_on.is_(None),
               Milestone.due_date.between(today - timedelta(days=7),
                                          today + timedelta(days=max(alert_days, default=0))))
        .options(selectinload(Milestone.team).selectinload(Team.memberships)
                 .selectinload(TeamMembership.user))
    ).all()
    if not rows:
        return result
    ticks = dict(db.session.execute(
        select(MunicipalityTick.milestone_id, func.count(MunicipalityTick.id))
        .where(MunicipalityTick.milestone_id.in_([m.id for m in rows]))
        .group_by(MunicipalityTick.milestone_id)
    ).all())
    municipalities = db.session.scalar(select(func.count(Municipality.id)))
    linked = linked_action_counts([m.id for m in rows])
    beheerders = list(db.session.scalars(select(User).where(User.role == Role.BEHEERDER)))
    audience = {
        m.id: (m.team.members_with(*ALERT_ROLES) if m.team else beheerders) for m in rows
    }
    prefs = preferences_for({u for people in audience.values() for u in people})
    items = []
    for m in rows:
        days_left = (m.due_date - today).days
        step = alert_step(days_left, alert_days)
        if step is None:
            continue
        progress = milestone_progress(
            per_municipality=m.per_municipality, ticks_done=ticks.get(m.id, 0),
            municipalities=municipalities or 0, linked_done=linked.get(m.id, (0, 0))[0],
            linked_total=linked.get(m.id, (0, 0))[1])
        if is_achieved(today, achieved_on=m.achieved_on, progress=progress):
            continue  # 78 of 78 municipalities: gehaald, as on every page
        done, total = (ticks.get(m.id, 0), municipalities) if m.per_municipality else (None, None)
        for user in audience[m.id]:
            if not prefs[user.id].reminders or not can_receive(user, log, "mijlpaal"):
                continue
            key = f"milestone:{m.id}:user:{user.id}:{step}:{m.due_date.isoformat()}"
            items.append((key, "milestone",
                          messages.milestone_alert(m, user, days_left, done, total), user.id))
    result.queued = enqueue_in_batches(items, now, skip_invalid=True)
    return result
