"""The mayors' digest: load the network once, build each digest purely, queue them.

A fixed number of statements whatever the number of recipients: the network once,
the recipients' portfolios, answers and previous digests in one query each, then
the outbox rows in batches. Recipients whose digests differ only in the greeting
share one build and one rendering.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from tracker.actions.models import Action
from tracker.actions.rules import overdue_clause
from tracker.auth.address import greeting
from tracker.auth.models import User
from tracker.enums import ActionStatus, TeamRole
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.formatting import to_local
from tracker.jobs.base import JobResult
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.milestones.queries import linked_action_counts
from tracker.network.models import Municipality, Team, TeamMembership
from tracker.notifications import messages
from tracker.notifications.digest import (
    HORIZON_WEEKS,
    ActionInfo,
    Digest,
    EventInfo,
    MilestoneInfo,
    Network,
    PilotInfo,
    Recipient,
    TeamInfo,
    build_digest,
    content_key,
    digest_due,
    network_names_overdue,
    period_key,
)
from tracker.notifications.models import DigestFrequency, OutboxMessage
from tracker.notifications.outbox import Email, enqueue_in_batches
from tracker.notifications.preferences import can_receive, preferences_for
from tracker.pilots.models import Pilot
from tracker.status.rollup import OVERDUE_NAMED

log = logging.getLogger(__name__)

#: How far back "completed" and "status changed" are looked for at most.
LOOKBACK = timedelta(days=62)


def _action_info(action_id, team_id, title, status, due_date, precision, owner_name,
                 completed_at) -> ActionInfo:
    """An :class:`ActionInfo` of a row of the columns :func:`load_network` selects."""
    return ActionInfo(action_id, team_id, title, status.value, due_date, precision.value,
                      owner_name, completed_at)


def load_network(now: datetime, horizon_weeks: int, timezone: str = "Europe/Amsterdam",
                 portfolios: Iterable[frozenset[int]] | None = None) -> Network:
    """Every fact any digest may mention, in a fixed number of queries.

    Bounded by what a digest names, not by the history: of the overdue actions the
    :data:`OVERDUE_NAMED` most late per team (with each team's count), the actions
    completed and pilots changed within :data:`LOOKBACK`, the events within the horizon.

    ``portfolios``: the team ids each recipient chairs. Given, the most late overdue
    actions are loaded only of the teams a digest names them of: the portfolios', and every
    team's when some recipient's "Het netwerk" names them (:func:`network_names_overdue`);
    None: every team's (:attr:`Network.named_teams`).
    """
    teams = {t.id: TeamInfo(t.id, t.slug, t.name, t.short_name)
             for t in db.session.scalars(select(Team))}
    ticks = dict(db.session.execute(
        select(MunicipalityTick.milestone_id, func.count(MunicipalityTick.id))
        .group_by(MunicipalityTick.milestone_id)).all())
    total = db.session.scalar(select(func.count(Municipality.id)))
    rows = list(db.session.scalars(select(Milestone)))
    linked = linked_action_counts([m.id for m in rows])
    milestones = [
        MilestoneInfo(m.id, m.team_id, m.title, m.kind.value, m.due_date, m.due_precision.value,
                      m.achieved_on, ticks.get(m.id, 0) if m.per_municipality else None,
                      total if m.per_municipality else None, *linked.get(m.id, (0, 0)))
        for m in rows
    ]
    # Overdue: per team how many there are and the most late (as the status pages name
    # them), by the one SQL form of the rule; the owner's name says whom to call.
    today = to_local(now, timezone).date()
    overdue = overdue_clause(Action.status, Action.due_date, today)
    overdue_counts: dict[int, int] = dict(db.session.execute(
        select(Action.team_id, func.count(Action.id)).where(overdue)
        .group_by(Action.team_id)).all())
    named_teams = None
    if portfolios is not None:
        portfolios = list(portfolios)
        if not any(network_names_overdue(overdue_counts, p) for p in portfolios):
            named_teams = frozenset().union(*portfolios)
    rank = func.row_number().over(partition_by=Action.team_id,
                                  order_by=(Action.due_date, Action.title, Action.id))
    late = select(Action.id, rank.label("rank")).where(overdue)
    if named_teams is not None:
        late = late.where(Action.team_id.in_(named_teams))
    late = late.subquery()
    # Plain rows, not entities: a digest reads these few columns of many actions.
    columns = (Action.id, Action.team_id, Action.title, Action.status, Action.due_date,
               Action.due_precision, User.name, Action.completed_at)
    actions = [_action_info(*row) for row in db.session.execute(
        select(*columns).join(late, late.c.id == Action.id)
        .outerjoin(User, User.id == Action.owner_id).where(late.c.rank <= OVERDUE_NAMED))]
    # Completed: only within the look-back, the furthest any digest looks.
    actions.extend(
        _action_info(*row) for row in db.session.execute(
            select(*columns).outerjoin(User, User.id == Action.owner_id).where(
                Action.status == ActionStatus.GEREED, Action.completed_at > now - LOOKBACK)))
    events = [
        EventInfo(e.id, e.team_id, e.title, e.starts_at, e.status.value)
        for e in db.session.scalars(select(Event).where(
            Event.starts_at.between(now, now + timedelta(weeks=horizon_weeks))))
    ]
    pilots = [
        PilotInfo(p.id, p.team_id, p.title, p.status.value, p.status_changed_at)
        for p in db.session.scalars(select(Pilot).where(
            Pilot.status_changed_at > now - LOOKBACK))
    ]
    return Network(teams, milestones, actions, events, pilots, overdue_counts, named_teams)


def _settings() -> tuple[str, int, bool]:
    config = current_app.config
    return (config.get("TRACKER_TIMEZONE", "Europe/Amsterdam"),
            int(config.get("TRACKER_DIGEST_HORIZON_WEEKS", HORIZON_WEEKS)),
            bool(config.get("TRACKER_DIGEST_SKIP_EMPTY", True)))


def _digest_key(user_id: int, frequency: str, now: datetime, timezone: str) -> str:
    return f"digest:user:{user_id}:{period_key(frequency, now, timezone)}"


def _portfolios(ids: list[int]) -> dict[int, frozenset[int]]:
    """User id -> the ids of the teams they chair (empty for who chairs none), in one query."""
    portfolio: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in db.session.execute(
            select(TeamMembership.user_id, TeamMembership.team_id)
            .where(TeamMembership.role == TeamRole.VOORZITTER,
                   TeamMembership.user_id.in_(ids))):
        portfolio[user_id].add(team_id)
    return {user_id: frozenset(portfolio[user_id]) for user_id in ids}


def _recipients(users: list[tuple[User, str]], network: Network, now: datetime,
                keys: dict[int, str],
                portfolios: dict[int, frozenset[int]] | None = None) -> list[Recipient]:
    """Each user's :class:`Recipient`: portfolio (:func:`_portfolios` unless given), answers
    and previous digest, in three queries (two with ``portfolios``).

    The previous digest is the last one queued before ``now`` other than the one of
    this period (``keys``), so a page read after this week's mail shows what it said.
    """
    ids = [user.id for user, _ in users]
    last = dict(db.session.execute(
        select(OutboxMessage.user_id, func.max(OutboxMessage.created_at))
        .where(OutboxMessage.kind == "digest", OutboxMessage.created_at <= now,
               OutboxMessage.user_id.in_(ids),
               OutboxMessage.idempotency_key.not_in(list(keys.values())))
        .group_by(OutboxMessage.user_id)).all())
    portfolio = _portfolios(ids) if portfolios is None else portfolios
    responses: dict[int, dict[int, str]] = defaultdict(dict)
    # Asked even without events: the same number of queries, whatever the network holds.
    for user_id, event_id, response in db.session.execute(
            select(Invitation.user_id, Invitation.event_id, Invitation.response)
            .where(Invitation.event_id.in_([e.id for e in network.events]),
                   Invitation.user_id.in_(ids))):
        responses[user_id][event_id] = response.value if response else ""
    return [Recipient(user.id, user.name, frequency, portfolio[user.id],
                      last.get(user.id), responses[user.id], user.salutation)
            for user, frequency in users]


@dataclass(frozen=True)
class ThisWeek:
    """A person's digest as the job would queue it now, for the "deze week" page."""

    digest: Digest
    email: Email
    #: The person's choice; the page shows a weekly digest when it is ``off``.
    frequency: DigestFrequency
    #: Whether the job would send it (not when there is no news and empty ones are skipped).
    would_send: bool


def this_week(user: User, now: datetime) -> ThisWeek:
    """``user``'s digest at ``now``, built and rendered by the same functions as the job's.

    A fixed number of queries, whatever the size of the network.
    """
    timezone, horizon, skip_empty = _settings()
    chosen = preferences_for([user])[user.id].digest
    frequency = chosen.value if chosen != DigestFrequency.OFF else DigestFrequency.WEEKLY.value
    portfolios = _portfolios([user.id])
    network = load_network(now, horizon, timezone, portfolios.values())
    [recipient] = _recipients([(user, frequency)], network, now,
                              {user.id: _digest_key(user.id, frequency, now, timezone)},
                              portfolios)
    digest = build_digest(recipient, network, now, horizon_weeks=horizon, timezone=timezone)
    email = messages.digest_email(user, digest, horizon)
    return ThisWeek(digest, email, chosen,
                    chosen != DigestFrequency.OFF and (digest.has_news or not skip_empty))


def digests(now: datetime) -> JobResult:
    """Queue the digest of every person whose weekly or daily digest is due at ``now``.

    Idempotent per person and period (key ``digest:user:<id>:<period>``).
    """
    result = JobResult("digests")
    timezone, horizon, skip_empty = _settings()
    users = list(db.session.scalars(select(User).order_by(User.id)))
    prefs = preferences_for(users)
    due = []
    for user in users:
        frequency = prefs[user.id].digest
        if frequency == DigestFrequency.OFF or not digest_due(frequency.value, now, timezone):
            continue
        if can_receive(user, log, "overzicht"):
            due.append((user, frequency.value))
    if not due:
        return result
    keys = {user.id: _digest_key(user.id, freq, now, timezone) for user, freq in due}
    done = set(db.session.scalars(select(OutboxMessage.idempotency_key).where(
        OutboxMessage.idempotency_key.in_(list(keys.values())))))
    due = [(user, freq) for user, freq in due if keys[user.id] not in done]
    if not due:
        return result
    # The portfolios first: the overdue actions are loaded of the teams a digest names.
    portfolios = _portfolios([user.id for user, _ in due])
    network = load_network(now, horizon, timezone, portfolios.values())
    # One digest per content (recipients that differ only in their greeting share it),
    # built and rendered once; each person gets their own copy of it.
    groups: dict[tuple, list[tuple[User, Recipient]]] = defaultdict(list)
    recipients = _recipients(due, network, now, keys, portfolios)
    for (user, _), recipient in zip(due, recipients, strict=True):
        groups[content_key(recipient)].append((user, recipient))
    emails: dict[int, Email] = {}
    # Lines sorted once and rendered once for all digests of the run.
    shared: dict = {}
    lines: dict = {}
    for members in groups.values():
        digest = build_digest(members[0][1], network, now, horizon_weeks=horizon,
                              timezone=timezone, shared=shared)
        if skip_empty and not digest.has_news:
            continue
        people = [(user, greeting(r.salutation, r.name)) for user, r in members]
        for (user, _), email in zip(people, messages.digest_emails(people, digest, horizon,
                                                             lines=lines),
                                    strict=True):
            emails[user.id] = email
    items = []
    for user, _ in due:
        if user.id not in emails:
            result.lines.append(f"  geen nieuws voor {user.id}: overgeslagen")
            continue
        items.append((keys[user.id], "digest", emails[user.id], user.id))
    result.queued = enqueue_in_batches(items, now, skip_invalid=True)
    return result
