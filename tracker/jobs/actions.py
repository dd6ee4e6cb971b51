"""Action reminders to owners and escalation of long-overdue actions to the trekker."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.actions.models import Action
from tracker.actions.rules import OPEN_STATUSES, days_left, days_overdue
from tracker.extensions import db
from tracker.formatting import to_local
from tracker.jobs.base import JobResult
from tracker.network.models import Team, TeamMembership
from tracker.notifications import messages
from tracker.notifications.models import TeamNotificationSettings
from tracker.notifications.outbox import enqueue_many
from tracker.notifications.preferences import can_receive, preferences_for

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class TeamRules:
    reminder_days: tuple[int, ...] = (7, 1)
    overdue_reminder: bool = True
    escalation_days: int = 14


def parse_days(text: str) -> tuple[int, ...]:
    """``"7,1"`` -> ``(1, 7)``; ignores what is not a non-negative number."""
    days = {int(p) for p in text.replace(";", ",").split(",") if p.strip().isdigit()}
    return tuple(sorted(days))


def team_rules() -> tuple[TeamRules, dict[int, TeamRules]]:
    """The default rules (from config) and each team's own, where set."""
    config = current_app.config
    default = TeamRules(
        reminder_days=tuple(sorted(config.get("TRACKER_REMINDER_DAYS", (7, 1)))),
        overdue_reminder=True,
        escalation_days=int(config.get("TRACKER_ESCALATION_DAYS", 14)),
    )
    per_team = {
        s.team_id: TeamRules(parse_days(s.reminder_days), s.overdue_reminder, s.escalation_days)
        for s in db.session.scalars(select(TeamNotificationSettings))
    }
    return default, per_team


def reminder_step(days_left: int, rules: TeamRules) -> str | None:
    """Which reminder is due ``days_left`` days before the due date. Pure.

    The smallest configured N with ``days_left <= N``: a run missed on day N is
    made up the next day with the same key, so it is sent once, late.
    """
    if days_left < 0:
        return "overdue" if rules.overdue_reminder else None
    steps = [n for n in rules.reminder_days if days_left <= n]
    return f"due-{min(steps)}d" if steps else None


def _open_actions(until: date):
    return db.session.scalars(
        select(Action)
        .where(Action.status.in_(OPEN_STATUSES), Action.due_date.is_not(None), Action.due_date <= until)
        .options(
            selectinload(Action.owner),
            selectinload(Action.team).selectinload(Team.memberships)
            .selectinload(TeamMembership.user),
        )
        .order_by(Action.due_date, Action.id)
    ).all()


def reminders(now: datetime) -> JobResult:
    """Remind owners N days before an action is due, and once when it is overdue."""
    result = JobResult("reminders")
    today = to_local(now).date()
    default, per_team = team_rules()
    horizon = max([*default.reminder_days, *(d for r in per_team.values()
                                              for d in r.reminder_days)], default=0)
    actions = [a for a in _open_actions(today + timedelta(days=horizon)) if a.owner is not None]
    prefs = preferences_for({a.owner for a in actions})
    items = []
    for action in actions:
        owner = action.owner
        left = days_left(action.due_date, today)
        step = reminder_step(left, per_team.get(action.team_id, default))
        if step is None or not prefs[owner.id].reminders:
            continue
        if not can_receive(owner, log, f"herinnering actie {action.id}"):
            continue
        key = f"reminder:action:{action.id}:{step}:{action.due_date.isoformat()}"
        email = messages.action_reminder(action, owner, left)
        items.append((key, "reminder", email, owner.id))
    result.queued = enqueue_many(items, now, skip_invalid=True)
    return result


def escalations(now: datetime) -> JobResult:
    """Escalate actions overdue for more than the team's limit to the team's trekker."""
    result = JobResult("escalations")
    today = to_local(now).date()
    default, per_team = team_rules()
    limit = min([default.escalation_days, *(r.escalation_days for r in per_team.values())])
    actions = _open_actions(today - timedelta(days=limit + 1))
    trekkers = {a.team.trekker for a in actions if a.team.trekker is not None}
    prefs = preferences_for(trekkers)
    items = []
    for action in actions:
        rules = per_team.get(action.team_id, default)
        overdue = days_overdue(action.due_date, today)
        trekker = action.team.trekker
        if overdue <= rules.escalation_days:
            continue
        if trekker is None:
            log.info("escalatie actie %s: team %s heeft geen trekker", action.id, action.team_id)
            continue
        if not prefs[trekker.id].reminders or not can_receive(trekker, log, "escalatie"):
            continue
        key = f"escalation:action:{action.id}:{action.due_date.isoformat()}"
        items.append((key, "escalation", messages.action_escalation(action, trekker, overdue),
                      trekker.id))
    result.queued = enqueue_many(items, now, skip_invalid=True)
    return result
