"""Loading the Start page of each role: a fixed number of queries each, no N+1.

Which teams a person's home covers comes from ``tracker.auth.permissions``
(:func:`portfolio_team_ids`, :func:`work_team_ids`); the figures from ``tracker.home.rules``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, load_only, selectinload

from tracker.actions.models import Action
from tracker.actions.queries import MyWork, my_work
from tracker.actions.rules import OPEN_STATUSES, days_overdue, overdue_clause
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.auth.permissions import may_change_data
from tracker.enums import EventStatus, Role
from tracker.events.itip import UNMATCHED_REASONS, ItipReply
from tracker.events.models import Event, Invitation
from tracker.events.rules import rsvp_closed
from tracker.extensions import db
from tracker.home import rules
from tracker.milestones.models import Milestone
from tracker.milestones.queries import MilestoneView, milestone_views
from tracker.network.models import Team
from tracker.notifications.models import OutboxMessage, OutboxStatus
from tracker.pilots.models import Pilot
from tracker.report.models import ReportEdition

#: How many rows a list on the Start page shows at most (the page links to the full list).
LIST_LIMIT = 25
#: The portfolio's milestones and overdue actions: at most this many of each are listed.
PORTFOLIO_SHOWN = 50


def _teams(team_ids: list[int]) -> list[Team]:
    if not team_ids:
        return []
    return list(db.session.scalars(select(Team).where(Team.id.in_(team_ids))
                                   .order_by(Team.position, Team.id)))


@dataclass
class Portfolio:
    """A bestuurder's themes: milestones by state, overdue actions, the week's changes."""

    teams: list[Team]
    milestones: list[MilestoneView]
    by_state: list[tuple]
    overdue: list[rules.OverdueRow]
    changes: rules.ChangeSummary
    #: True when the person chairs no team and the portfolio is the whole network they see.
    whole_network: bool = False
    #: How many milestones and overdue actions there are in all (the lists name at most
    #: :data:`PORTFOLIO_SHOWN` of each, the most urgent first).
    milestone_count: int = 0
    overdue_count: int = 0


def portfolio(team_ids: list[int], today: date, now: datetime, *,
              whole_network: bool = False) -> Portfolio:
    """The portfolio of the teams ``team_ids`` (those the person chairs, or with
    ``whole_network`` every team they see, network-wide milestones included); 7 queries."""
    teams = _teams(team_ids)
    scope = Milestone.team_id.in_(team_ids)
    if whole_network:
        scope = scope | Milestone.team_id.is_(None)
    milestones = list(db.session.scalars(
        select(Milestone).where(scope)
        .options(selectinload(Milestone.team)).order_by(Milestone.due_date, Milestone.id)
    )) if team_ids else []
    views = milestone_views(milestones, today)
    order = {state: index for index, state in enumerate(rules.states_in_order())}
    views.sort(key=lambda v: (order[v.state], v.milestone.due_date))
    # Overdue by the rule's SQL form, counted in the database; the most late few named,
    # in the order of ``rules.overdue_rows`` (longest overdue, title, id).
    overdue_count = db.session.scalar(
        select(func.count()).select_from(Action)
        .where(Action.team_id.in_(team_ids),
               overdue_clause(Action.status, Action.due_date, today))) if team_ids else 0
    overdue = [
        rules.OverdueRow(row.id, row.title, row.team_name, row.owner_name or "", row.due_date,
                         days_overdue(row.due_date, today))
        for row in db.session.execute(
            select(Action.id, Action.title, Action.due_date, Team.name.label("team_name"),
                   User.name.label("owner_name"))
            .join(Team, Team.id == Action.team_id)
            .outerjoin(User, User.id == Action.owner_id)
            .where(Action.team_id.in_(team_ids),
                   overdue_clause(Action.status, Action.due_date, today))
            .order_by(Action.due_date, Action.title, Action.id).limit(PORTFOLIO_SHOWN))
    ] if team_ids else []
    return Portfolio(
        teams=teams, milestones=views[:PORTFOLIO_SHOWN],
        by_state=rules.count_by_state(v.state for v in views),
        overdue=overdue, changes=week_changes(team_ids, now), whole_network=whole_network,
        milestone_count=len(views), overdue_count=overdue_count,
    )


def week_changes(team_ids: list[int], now: datetime) -> rules.ChangeSummary:
    """The audit journal of the teams' actions, milestones, pilots and the teams
    themselves since a week before ``now``; 1 query."""
    if not team_ids:
        return rules.ChangeSummary()
    since = rules.changes_since(now)
    of_teams = or_(
        and_(AuditEntry.object_type == "actions",
             AuditEntry.object_id.in_(select(Action.id).where(Action.team_id.in_(team_ids)))),
        and_(AuditEntry.object_type == "milestones",
             AuditEntry.object_id.in_(select(Milestone.id)
                                      .where(Milestone.team_id.in_(team_ids)))),
        and_(AuditEntry.object_type == "pilots",
             AuditEntry.object_id.in_(select(Pilot.id).where(Pilot.team_id.in_(team_ids)))),
        and_(AuditEntry.object_type == "teams", AuditEntry.object_id.in_(team_ids)),
    )
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.at >= since, of_teams)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(500)
    ).all()
    return rules.summarise_changes(list(entries), since)


@dataclass
class TeamWork:
    """A coordinator's teams: tallies, the actions that need doing now, coming meetings."""

    teams: list[Team]
    tallies: dict[int, rules.TeamTally]
    now_actions: list[Action]
    meetings: list[Event]


def team_work(team_ids: list[int], today: date, now: datetime) -> TeamWork:
    """The work of the teams ``team_ids``; 6 queries."""
    teams = _teams(team_ids)
    if not team_ids:
        return TeamWork([], {}, [], [])
    tally_rows = db.session.execute(
        select(Action.team_id, Action.status, Action.due_date, func.count(Action.id))
        .where(Action.team_id.in_(team_ids))
        .group_by(Action.team_id, Action.status, Action.due_date)
    ).all()
    sunday = today.toordinal() - today.weekday() + 6
    open_soon = db.session.scalars(
        select(Action).where(Action.team_id.in_(team_ids), Action.status.in_(OPEN_STATUSES),
                             Action.due_date <= date.fromordinal(sunday))
        .options(selectinload(Action.team), selectinload(Action.owner))
        .order_by(Action.due_date, Action.id)
    ).all()
    meetings = db.session.scalars(
        select(Event).where(Event.team_id.in_(team_ids), Event.status != EventStatus.GEANNULEERD,
                            Event.starts_at >= now)
        .options(selectinload(Event.team)).order_by(Event.starts_at, Event.id).limit(5)
    ).all()
    return TeamWork(
        teams=teams,
        tallies=rules.team_tallies(tally_rows, team_ids, today),
        now_actions=[a for a in open_soon if rules.needs_attention(a.status, a.due_date, today)],
        meetings=list(meetings),
    )


@dataclass
class PartnerHome:
    """A partner's (or anyone's) meetings to answer, answered meetings, and own actions."""

    to_answer: list[Invitation]
    answered: list[Invitation]
    work: MyWork


def partner_home(user_id: int, today: date, now: datetime) -> PartnerHome:
    """Invitations to coming meetings and the person's actions; 4 queries."""
    invitations = db.session.scalars(
        select(Invitation).join(Invitation.event)
        .where(Invitation.user_id == user_id, Event.status != EventStatus.GEANNULEERD,
               or_(Event.starts_at.is_(None), Event.starts_at >= now))
        .options(contains_eager(Invitation.event))
        .order_by(Event.starts_at.is_(None), Event.starts_at, Invitation.id)
    ).all()
    to_answer, answered = rules.split_invitations(invitations, now, rsvp_closed)
    return PartnerHome(to_answer, answered, my_work(user_id, today, now))


#: The beheerder's Start page names at most this many accounts without a second factor.
ACCOUNTS_SHOWN = 50


@dataclass(frozen=True)
class AccountRow:
    """An active account without a second factor, as the queue lists it (no ORM object)."""

    id: int
    name: str
    role: Role
    active: bool = True
    has_mfa: bool = False


@dataclass
class Queue:
    """The beheerder's queue: outbox problems, recent editions, accounts, calendar replies."""

    failed: list[OutboxMessage] = field(default_factory=list)
    held: list[OutboxMessage] = field(default_factory=list)
    editions: list[ReportEdition] = field(default_factory=list)
    #: The first :data:`ACCOUNTS_SHOWN` accounts without a second factor (those who must
    #: use one first); ``without_mfa_count``: how many there are in all.
    without_mfa: list[AccountRow] = field(default_factory=list)
    without_mfa_count: int = 0
    unmatched_replies: list[ItipReply] = field(default_factory=list)


_OUTBOX_COLUMNS = (OutboxMessage.id, OutboxMessage.kind, OutboxMessage.subject,
                   OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.last_error,
                   OutboxMessage.created_at, OutboxMessage.next_attempt_at)


def queue(now: datetime) -> Queue:
    """What asks for the beheerder's attention; 5 queries (no mail bodies, no documents)."""
    failed = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
        .options(load_only(*_OUTBOX_COLUMNS))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(LIST_LIMIT)
    ).all()
    held = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.QUEUED,
                                    OutboxMessage.next_attempt_at < rules.held_before(now))
        .options(load_only(*_OUTBOX_COLUMNS))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(LIST_LIMIT)
    ).all()
    editions = db.session.scalars(
        select(ReportEdition).where(ReportEdition.published_at >= now - rules.RECENT_EDITIONS)
        .options(load_only(ReportEdition.id, ReportEdition.version_label,
                           ReportEdition.peildatum, ReportEdition.published_at,
                           ReportEdition.published_by_name))
        .order_by(ReportEdition.published_at.desc())
    ).all()
    # Plain rows: without a confirmed enrolment (``User.has_mfa`` is False for all of them).
    accounts = [AccountRow(*row) for row in db.session.execute(
        select(User.id, User.name, User.role)
        .where(User.active.is_(True), User.totp_enabled_at.is_(None)))]
    ranked = rules.without_second_factor(accounts, may_change_data)
    replies = db.session.scalars(
        select(ItipReply).where(ItipReply.outcome.in_(list(UNMATCHED_REASONS)))
        .options(selectinload(ItipReply.event))
        .order_by(ItipReply.processed_at.desc(), ItipReply.id.desc()).limit(LIST_LIMIT)
    ).all()
    return Queue(failed=list(failed), held=list(held), editions=list(editions),
                 without_mfa=ranked[:ACCOUNTS_SHOWN], without_mfa_count=len(ranked),
                 unmatched_replies=list(replies))


def member_teams(user_id: int) -> list[Team]:
    """The teams ``user_id`` belongs to (any team role), for pointers; 1 query."""
    from tracker.network.models import TeamMembership

    return list(db.session.scalars(
        select(Team).join(TeamMembership, TeamMembership.team_id == Team.id)
        .where(TeamMembership.user_id == user_id).order_by(Team.position, Team.id)))
