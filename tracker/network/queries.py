"""Read models for the dashboard and the team page, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import Select, bindparam, select, true
from sqlalchemy.orm import aliased, joinedload, selectinload

from tracker.actions.models import Action
from tracker.actions.rules import ActionCounts, action_counts, count_columns
from tracker.auth.models import User
from tracker.auth.permissions import visible_team_ids
from tracker.enums import ItemKind, TeamRole, TeamStatus
from tracker.extensions import db
from tracker.milestones.models import Milestone
from tracker.network.models import Organisation, ReportItem, Team, TeamMembership
from tracker.pagination import Page, paginate

#: Team cards a dashboard page shows (``?pagina=N``); the demo's seven fit on one page.
DASHBOARD_PAGE_SIZE = 24


@dataclass(frozen=True)
class OrganisationName:
    name: str


@dataclass(frozen=True)
class PersonCard:
    """A chair or trekker as a card names them (the ``person`` macro's fields)."""

    name: str
    title: str | None
    organisation: OrganisationName | None


@dataclass
class DashboardTeam:
    """What a dashboard card shows of a team: no ORM object, no memberships but the named."""

    id: int
    slug: str
    name: str
    status: TeamStatus
    parent_id: int | None
    chair_note: str | None
    #: The parent team's name, None without a parent or when the user may not see it.
    parent_name: str | None = None
    chairs: list[PersonCard] = field(default_factory=list)
    trekker: PersonCard | None = None


@dataclass
class TeamSummary:
    team: DashboardTeam
    actions: ActionCounts = field(default_factory=ActionCounts)


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


def dashboard_summaries(user, today: date, number: int | None = None, *,
                        size: int = DASHBOARD_PAGE_SIZE) -> Page:
    """Page ``number`` (None: the first; past the end: the last) of the teams ``user`` may
    see, ``size`` a page in the network's order, as :class:`TeamSummary` items (chairs and
    trekker, action counters). 4 statements however many teams, actions or members: the
    count, the page's teams, their named people, their counters (summed in the database
    by the rule's SQL form)."""
    ids = visible_team_ids(user)

    def scope(column):
        return true() if ids is None else column.in_(ids)

    # The parent is named only when the user may see it (the card says "een ander team").
    parent = aliased(Team)
    query = (
        select(Team.id, Team.slug, Team.name, Team.status, Team.parent_id, Team.chair_note,
               parent.name.label("parent_name"))
        .outerjoin(parent, (parent.id == Team.parent_id) & scope(parent.id))
        .where(scope(Team.id)).order_by(Team.position, Team.name, Team.id))
    page = paginate(query, number, size=size, scalars=False,
                    count_query=select(Team.id).where(scope(Team.id)))
    teams = [DashboardTeam(*row) for row in page.items]
    page_ids = [t.id for t in teams]
    by_id = {t.id: t for t in teams}
    named = db.session.execute(
        select(TeamMembership.team_id, TeamMembership.role, User.name, User.title,
               Organisation.name.label("organisation"))
        .join(User, User.id == TeamMembership.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(TeamMembership.team_id.in_(page_ids),
               TeamMembership.role.in_((TeamRole.VOORZITTER, TeamRole.TREKKER)))
        .order_by(User.name, User.id))
    for row in named:
        team = by_id[row.team_id]
        card = PersonCard(row.name, row.title,
                          OrganisationName(row.organisation) if row.organisation else None)
        if row.role == TeamRole.VOORZITTER:
            team.chairs.append(card)
        elif team.trekker is None:
            team.trekker = card
    counts = {team_id: action_counts(*numbers) for team_id, *numbers in db.session.execute(
        select(Action.team_id, *count_columns(Action.status, Action.due_date, today))
        .where(Action.team_id.in_(page_ids)).group_by(Action.team_id))}
    page.items = [TeamSummary(team=t, actions=counts.get(t.id, ActionCounts())) for t in teams]
    return page


@dataclass
class TeamPage:
    """The team page's status blocks and milestones as rows (``kind``, ``text``; ``id``,
    ``title``, ``due_date``, ``due_precision``, ``per_municipality``): read-only."""

    team: Team
    blocks: dict[ItemKind, list]
    milestones: list


def team_page(slug: str, **_ignored) -> Team | None:
    """The team with its people, parent and children loaded, or None: three statements
    (the team joined to its parent; its children; its memberships joined to their people
    and organisations). Each statement costs the ORM more CPU than the rows it brings, so
    the to-one relations ride along in a join."""
    return db.session.scalar(_team_page_statement(), {"slug": slug})


@cache
def _team_page_statement() -> Select:
    # Built once per process (it only varies by the bound slug): building the statement
    # and its loader options cost about as much CPU as running it.
    return (
        select(Team)
        .where(Team.slug == bindparam("slug"))
        .options(
            selectinload(Team.memberships)
            .joinedload(TeamMembership.user, innerjoin=True)
            .joinedload(User.organisation),
            selectinload(Team.children),
            joinedload(Team.parent),
        )
    )


def team_page_data(team: Team, today: date) -> TeamPage:
    """Everything the team page shows besides the actions: two statements of plain rows
    (the page only reads them, so no ORM objects are built)."""
    items = db.session.execute(
        select(ReportItem.kind, ReportItem.text)
        .where(ReportItem.team_id == team.id).order_by(ReportItem.position)
    )
    blocks: dict[ItemKind, list] = {kind: [] for kind in ItemKind}
    for item in items:
        blocks[item.kind].append(item)
    milestones = db.session.execute(
        select(Milestone.id, Milestone.title, Milestone.due_date, Milestone.due_precision,
               Milestone.per_municipality)
        .where(Milestone.team_id == team.id).order_by(Milestone.due_date)
    ).all()
    return TeamPage(team=team, blocks=blocks, milestones=list(milestones))
