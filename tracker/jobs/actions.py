"""Action reminders to owners and escalation of long-overdue actions to the trekker.

Both are bundled: at most one mail per person per local day (see docs/architecture.md,
"Herinneringen en meldingen"). When a mail is due is decided in ``tracker.actions.rules``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.actions.models import Action
from tracker.actions.rules import (
    CATCH_UP_DAYS,
    OPEN_STATUSES,
    calls_for_mail,
    days_left,
    days_overdue,
    due_soon,
    escalation_day,
    is_overdue,
    reminder_day,
)
from tracker.auth.models import User
from tracker.extensions import db
from tracker.formatting import to_local
from tracker.jobs.base import JobResult
from tracker.network.models import Team, TeamMembership
from tracker.notifications import messages
from tracker.notifications.models import OutboxMessage, TeamNotificationSettings
from tracker.notifications.notices import bundled_notices
from tracker.notifications.outbox import enqueue_in_batches
from tracker.notifications.preferences import can_receive, preferences_for

log = logging.getLogger(__name__)

#: Outbox kinds of the two bundles.
BUNDLE_KIND = "reminders"
ESCALATION_KIND = "escalations"

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


def horizon(rules: TeamRules) -> int:
    """How many days ahead an action counts as "binnenkort" for a team: its largest step."""
    return max(rules.reminder_days, default=0)


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


def last_sent(kind: str) -> dict[int, datetime]:
    """Per person, when the last mail of ``kind`` was queued (any status)."""
    return dict(db.session.execute(
        select(OutboxMessage.user_id, func.max(OutboxMessage.created_at))
        .where(OutboxMessage.kind == kind, OutboxMessage.user_id.is_not(None))
        .group_by(OutboxMessage.user_id)
    ).all())


def _local_day(moment: datetime | None) -> date | None:
    return to_local(moment).date() if moment is not None else None


def reminders(now: datetime) -> JobResult:
    """One bundle per person per local day: all their overdue and soon-due actions, and
    the notices they want bundled.

    A person gets a bundle when one of their actions has a reminder day
    (``rules.reminder_day``: the team's days before the due date, the day after it,
    then weekly for eight weeks) that :func:`rules.calls_for_mail` says is not yet
    mailed, or when a "bundel" notice waits. The key is per person per day, so a
    second run, or a catch-up after downtime, adds nothing or one bundle.
    """
    result = JobResult("reminders")
    today = to_local(now).date()
    default, per_team = team_rules()
    ahead = max([horizon(default), *(horizon(r) for r in per_team.values())])
    actions = [a for a in _open_actions(today + timedelta(days=ahead)) if a.owner is not None]
    by_owner: dict[int, list[Action]] = {}
    for action in actions:
        by_owner.setdefault(action.owner_id, []).append(action)
    sent = last_sent(BUNDLE_KIND)
    floor = now - timedelta(days=CATCH_UP_DAYS)
    notices = bundled_notices(sent, floor, now)
    people = {a.owner.id: a.owner for a in actions}
    missing = set(notices) - set(people)
    if missing:
        people.update({u.id: u for u in db.session.scalars(select(User).where(User.id.in_(missing)))})
    prefs = preferences_for(people.values())
    items = []
    for user_id in sorted(people):
        user = people[user_id]
        own = by_owner.get(user_id, []) if prefs[user_id].reminders else []
        last_day = _local_day(sent.get(user_id))
        due_now = any(calls_for_mail(
            reminder_day(a.due_date, today, per_team.get(a.team_id, default).reminder_days,
                         overdue=per_team.get(a.team_id, default).overdue_reminder),
            last_day, today) for a in own)
        waiting = notices.get(user_id, [])
        if not due_now and not waiting:
            continue
        if not can_receive(user, log, "dagelijkse bundel"):
            continue
        overdue = [(a, days_overdue(a.due_date, today)) for a in own
                   if is_overdue(a.status, a.due_date, today)]
        soon = [(a, days_left(a.due_date, today)) for a in own
                if due_soon(a.due_date, today, horizon(per_team.get(a.team_id, default)))]
        key = f"reminders:user:{user_id}:{today.isoformat()}"
        items.append((key, BUNDLE_KIND,
                      messages.action_bundle(user, overdue, soon, waiting, today), user_id))
    result.queued = enqueue_in_batches(items, now, skip_invalid=True)
    return result


def escalations(now: datetime) -> JobResult:
    """One mail per trekker per local day: the actions of their teams that went over the
    team's limit (``rules.escalation_day``) since their last escalation mail, at most
    ``rules.CATCH_UP_DAYS`` ago."""
    result = JobResult("escalations")
    today = to_local(now).date()
    default, per_team = team_rules()
    limit = min([default.escalation_days, *(r.escalation_days for r in per_team.values())])
    actions = _open_actions(today - timedelta(days=limit + 1))
    sent = last_sent(ESCALATION_KIND)
    by_trekker: dict[int, list[tuple[Action, int]]] = {}
    trekkers = {}
    for action in actions:
        rules = per_team.get(action.team_id, default)
        trekker = action.team.trekker
        if trekker is None or trekker.id == action.owner_id:
            continue  # their own action is in their daily reminder bundle already
        day = escalation_day(action.due_date, rules.escalation_days)
        if not calls_for_mail(day, _local_day(sent.get(trekker.id)), today):
            continue
        trekkers[trekker.id] = trekker
        by_trekker.setdefault(trekker.id, []).append(
            (action, days_overdue(action.due_date, today)))
    prefs = preferences_for(trekkers.values())
    items = []
    for trekker_id, found in sorted(by_trekker.items()):
        trekker = trekkers[trekker_id]
        if not prefs[trekker_id].reminders or not can_receive(trekker, log, "escalatie"):
            continue
        key = f"escalations:user:{trekker_id}:{today.isoformat()}"
        items.append((key, ESCALATION_KIND, messages.escalation_bundle(trekker, found),
                      trekker_id))
    result.queued = enqueue_in_batches(items, now, skip_invalid=True)
    return result
