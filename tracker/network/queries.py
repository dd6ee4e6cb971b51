"""Read models for the dashboard and the team page, in a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.actions.models import Action
from tracker.actions.rules import ActionCounts, count_actions
from tracker.auth.models import User
from tracker.auth.permissions import visible_team_ids
from tracker.enums import ItemKind
from tracker.extensions import db
from tracker.milestones.models import Milestone
from tracker.network.models import ReportItem, Team, TeamMembership


@dataclass
class TeamSummary:
    team: Team
    actions: ActionCounts = field(default_factory=ActionCounts)
    items: Counter = field(default_factory=Counter)


def visible_teams(user) -> list[Team]:
    """Teams the user may see, parents before their children, with people loaded."""
    query = (
        select(Team)
        .options(
            selectinload(Team.memberships)
            .selectinload(TeamMembership.user)
            .selectinload(User.organisation)
        )
        .order_by(Team.position, Team.name)
    )
    ids = visible_team_ids(user)
    if ids is not None:
        query = query.where(Team.id.in_(ids))
    return list(db.session.scalars(query))


def team_choices(user) -> list[Team]:
    """Teams ``user`` may see, parents before their children, without their people: for
    filter menus (one query)."""
    query = select(Team).order_by(Team.position, Team.name)
    ids = visible_team_ids(user)
    if ids is not None:
        query = query.where(Team.id.in_(ids))
    return list(db.session.scalars(query))


def dashboard_summaries(user, today: date) -> list[TeamSummary]:
    """One summary per visible team: people, action counts and block sizes."""
    teams = visible_teams(user)
    if not teams:
        return []
    ids = [t.id for t in teams]
    action_rows: dict[int, list] = {i: [] for i in ids}
    for team_id, status, due, n in db.session.execute(
        select(Action.team_id, Action.status, Action.due_date, func.count(Action.id))
        .where(Action.team_id.in_(ids))
        .group_by(Action.team_id, Action.status, Action.due_date)
    ):
        action_rows[team_id].append((status, due, n))
    item_counts: dict[int, Counter] = {i: Counter() for i in ids}
    for team_id, kind, n in db.session.execute(
        select(ReportItem.team_id, ReportItem.kind, func.count(ReportItem.id))
        .where(ReportItem.team_id.in_(ids))
        .group_by(ReportItem.team_id, ReportItem.kind)
    ):
        item_counts[team_id][kind] = n
    return [
        TeamSummary(team=t, actions=count_actions(action_rows[t.id], today), items=item_counts[t.id])
        for t in teams
    ]


@dataclass
class TeamPage:
    team: Team
    blocks: dict[ItemKind, list[ReportItem]]
    milestones: list[Milestone]


def team_page(slug: str, **_ignored) -> Team | None:
    """The team with its people, parent and children loaded, or None."""
    return db.session.scalar(
        select(Team)
        .where(Team.slug == slug)
        .options(
            selectinload(Team.memberships)
            .selectinload(TeamMembership.user)
            .selectinload(User.organisation),
            selectinload(Team.children),
            selectinload(Team.parent),
        )
    )


def team_page_data(team: Team, today: date) -> TeamPage:
    """Everything the team page shows, in a fixed number of queries."""
    items = db.session.scalars(
        select(ReportItem).where(ReportItem.team_id == team.id).order_by(ReportItem.position)
    ).all()
    blocks: dict[ItemKind, list[ReportItem]] = {kind: [] for kind in ItemKind}
    for item in items:
        blocks[item.kind].append(item)
    milestones = db.session.scalars(
        select(Milestone).where(Milestone.team_id == team.id).order_by(Milestone.due_date)
    ).all()
    return TeamPage(team=team, blocks=blocks, milestones=list(milestones))
