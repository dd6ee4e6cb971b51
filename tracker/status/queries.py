"""Reading the status pages' figures as they are today: aggregates from the database.

The network status page and the API's status show one row per team: its computed
status, action counters, next milestone and pilots per status. None of that needs every
action: the counters are summed in the database (``actions.rules.count_columns``), the
overdue reasons name the few most late actions per team and count the rest
(``actions.rules.overdue_clause``), and ``tracker.status.rollup`` judges those facts,
as it judges the report's. Milestones and pilots are few per team: their columns are
read as plain rows (no ORM objects). Every function issues a fixed number of
statements, however many actions, pilots or teams there are.

A team's status page (:func:`team_section`) shows more of one team: its people, status
points, milestones, pilots, indicators and its actions, the latter bounded by
:data:`ACTIONS_SHOWN` (the page links to the team's full, paginated list).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, true

from tracker import history
from tracker.actions.models import Action
from tracker.actions.rules import (
    ActionCounts,
    action_counts,
    count_columns,
    is_overdue,
    overdue_clause,
)
from tracker.auth.models import User
from tracker.caching import kept_values
from tracker.enums import ActionStatus, DatePrecision, PilotStatus, TeamRole, TeamStatus
from tracker.extensions import db
from tracker.indicators.models import Indicator, Measurement
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.milestones.rules import MilestoneState
from tracker.network.models import District, Municipality, ReportItem, Team
from tracker.pagination import Page, clamp
from tracker.pilots.models import BuildingBlock, Pilot, pilot_municipalities
from tracker.report.facts import ActionRow, ItemFact, MilestoneRow, PersonFact, PilotRow, World
from tracker.report.models import ReportText
from tracker.report.sections import (
    BLOCK_TITLES,
    TeamSection,
    build_indicators,
    group_indicators,
    milestone_state,
    unmeasured_sentence,
)
from tracker.status import rollup

#: A team's status page lists at most this many of its actions (in the team's order);
#: a line under the list says how many more there are and links to the team's list.
ACTIONS_SHOWN = 100
#: The network status page shows this many teams a page (``?pagina=N``); its lead
#: sentence counts every team. The demo's seven fit on one page, so it shows no pager.
TEAMS_PER_PAGE = 25


@dataclass
class TeamStatusRow:
    """One team on the network status page (and in the API's status): what it shows."""

    id: int
    slug: str
    name: str
    short_name: str
    status_label: str
    finished: bool
    computed: rollup.StatusResult
    counts: dict[str, int]
    pilot_counts: list[tuple[str, int]]
    next_milestone: MilestoneRow | None


def _in(column: ColumnElement, ids: list[int] | None) -> ColumnElement[bool]:
    """``column`` among ``ids``; every row when ``ids`` is None (all teams)."""
    return true() if ids is None else column.in_(ids)


def _action_text(report_text: str | None, title: str) -> str:
    """What the status pages call an action (``ActionRow.text``): its report text or title."""
    return report_text or title


def _counts(team_ids: list[int] | None, today: date) -> dict[int, ActionCounts]:
    """The action counters per team, summed in the database; 1 statement."""
    rows = db.session.execute(
        select(Action.team_id, *count_columns(Action.status, Action.due_date, today))
        .where(_in(Action.team_id, team_ids)).group_by(Action.team_id))
    return {team_id: action_counts(*numbers) for team_id, *numbers in rows}


def _shown(tally: ActionCounts) -> dict[str, int]:
    """The counters the status pages show (and the API gives)."""
    return {"open": tally.open, "overdue": tally.overdue, "done": tally.done}


def _overdue(team_ids: list[int] | None, today: date, named: int,
             named_for: list[int] | None = None) -> dict[int, list[rollup.ActionFact]]:
    """Per team its ``named`` most late overdue actions (due date, then the team's order:
    the order ``rollup.action_reasons`` gives them); 1 statement. ``named_for``: only
    these teams get ``named``, the others the few that decide their level
    (``rollup.OVERDUE_DECIDING``); None: every team gets ``named``."""
    rank = func.row_number().over(partition_by=Action.team_id,
                                  order_by=(Action.due_date, Action.position, Action.id))
    inner = (select(Action.team_id, Action.title, Action.report_text, Action.status,
                    Action.due_date, rank.label("rank"))
             .where(_in(Action.team_id, team_ids),
                    overdue_clause(Action.status, Action.due_date, today))
             .subquery())
    most = (named if named_for is None else
            case((inner.c.team_id.in_(named_for), named), else_=rollup.OVERDUE_DECIDING))
    found: dict[int, list[rollup.ActionFact]] = defaultdict(list)
    for row in db.session.execute(select(inner).where(inner.c.rank <= most)
                                  .order_by(inner.c.team_id, inner.c.rank)):
        found[row.team_id].append(rollup.ActionFact(_action_text(row.report_text, row.title),
                                                    row.status.value, row.due_date))
    return found


def _milestones(team_ids: list[int] | None, today: date,
                team_names: dict[int, str]) -> dict[int, list[MilestoneRow]]:
    """The teams' milestones (plain rows, by due date) judged on ``today``, with their
    ticks and linked actions counted in the database; 4 statements."""
    of_teams = _in(Milestone.team_id, team_ids) & Milestone.team_id.is_not(None)
    municipality_count = db.session.scalar(select(func.count()).select_from(Municipality))
    ticks = dict(db.session.execute(
        select(MunicipalityTick.milestone_id, func.count())
        .where(MunicipalityTick.completed_on <= today,
               MunicipalityTick.milestone_id.in_(select(Milestone.id).where(of_teams)))
        .group_by(MunicipalityTick.milestone_id)).all())
    # Linked actions (not cancelled), done and in all: a plain milestone's progress.
    linked = {milestone_id: (int(done or 0), total) for milestone_id, done, total in
              db.session.execute(
                  select(Action.milestone_id,
                         func.sum(case((Action.status == ActionStatus.GEREED, 1), else_=0)),
                         func.count())
                  .where(Action.milestone_id.in_(select(Milestone.id).where(of_teams)),
                         Action.status != ActionStatus.VERVALLEN)
                  .group_by(Action.milestone_id))}
    by_team: dict[int, list[MilestoneRow]] = defaultdict(list)
    for m in db.session.execute(
            select(Milestone.id, Milestone.team_id, Milestone.title, Milestone.due_date,
                   Milestone.due_precision, Milestone.achieved_on, Milestone.per_municipality)
            .where(of_teams).order_by(Milestone.due_date, Milestone.id)):
        done, total = linked.get(m.id, (0, 0))
        row = MilestoneRow(
            m.id, m.team_id, team_names.get(m.team_id, ""), m.title, m.due_date,
            m.due_precision.value, m.achieved_on, m.per_municipality, ticks.get(m.id, 0),
            municipality_count if m.per_municipality else 0,
            linked_done=done, linked_total=total)
        row.state = milestone_state(row, today)
        by_team[m.team_id].append(row)
    return by_team


def _pilot_facts(team_ids: list[int] | None) -> dict[int, list[rollup.PilotFact]]:
    """The teams' pilots as the rollup's facts (four columns each); 1 statement."""
    by_team: dict[int, list[rollup.PilotFact]] = defaultdict(list)
    for p in db.session.execute(
            select(Pilot.team_id, Pilot.title, Pilot.status, Pilot.status_changed_at,
                   Pilot.created_at, Pilot.start_date)
            .where(_in(Pilot.team_id, team_ids)).order_by(Pilot.team_id, Pilot.title)):
        changed = p.status_changed_at or p.created_at
        by_team[p.team_id].append(rollup.PilotFact(
            p.title, p.status.value, changed.date() if changed else None, p.start_date))
    return by_team


def pilot_counts(statuses: list[str]) -> list[tuple[str, int]]:
    """``(label, number)`` per pilot status present, in lifecycle order."""
    counter = Counter(statuses)
    return [(s.label, counter[s.value]) for s in PilotStatus if counter[s.value]]


def next_milestone(milestones: list[MilestoneRow]) -> MilestoneRow | None:
    """The first milestone not achieved whose date has not passed (they come by date)."""
    return next((m for m in milestones if m.state is not None
                 and m.state.state != MilestoneState.GEHAALD and m.state.days_left >= 0), None)


def _judge(finished: bool, today: date, tally: ActionCounts,
           overdue: list[rollup.ActionFact], milestones: list[MilestoneRow],
           pilots: list[rollup.PilotFact]) -> rollup.StatusResult:
    return rollup.team_status(
        actions=[],
        overdue=(overdue, tally.overdue),
        milestones=[rollup.MilestoneFact(m.title, m.due_date, m.achieved_on, m.per_municipality,
                                         m.ticks_done, m.ticks_total, m.linked_done,
                                         m.linked_total) for m in milestones],
        pilots=pilots, today=today, finished=finished)


def _teams(team_ids: list[int] | None):
    """The teams of ``team_ids`` (None: every team) in the report's team order, as the
    status rows name them; 1 statement."""
    return db.session.execute(
        select(Team.id, Team.slug, Team.name, Team.short_name, Team.status)
        .where(_in(Team.id, team_ids)).order_by(Team.position, Team.name)).all()


def _judged(teams, team_ids: list[int] | None, today: date,
            shown: list[int] | None = None) -> list[tuple]:
    """Each of ``teams`` (those of ``team_ids``, None: every team) with its facts and
    computed status: ``(team row, finished, tally, milestones, pilots, computed)``; 7
    statements, however much data. ``shown``: the teams whose reasons are shown (None:
    all); the others are read as far as their level needs."""
    if not teams:
        return []
    counts = _counts(team_ids, today)
    overdue = _overdue(team_ids, today, rollup.OVERDUE_NAMED, named_for=shown)
    milestones = _milestones(team_ids, today, {t.id: t.name for t in teams})
    pilots = _pilot_facts(team_ids)
    judged = []
    for t in teams:
        finished = TeamStatus(t.status) == TeamStatus.AFGEROND
        tally = counts.get(t.id, ActionCounts())
        team_milestones = milestones.get(t.id, [])
        team_pilots = pilots.get(t.id, [])
        judged.append((t, finished, tally, team_milestones, team_pilots,
                       _judge(finished, today, tally, overdue.get(t.id, []),
                              team_milestones, team_pilots)))
    return judged


def _status_row(t, finished: bool, tally: ActionCounts, milestones: list[MilestoneRow],
                pilots: list[rollup.PilotFact], computed: rollup.StatusResult) -> TeamStatusRow:
    return TeamStatusRow(
        id=t.id, slug=t.slug, name=t.name, short_name=t.short_name,
        status_label=TeamStatus(t.status).label, finished=finished, computed=computed,
        counts=_shown(tally), pilot_counts=pilot_counts([p.status for p in pilots]),
        next_milestone=next_milestone(milestones))


def network_rows(team_ids: list[int] | None, today: date) -> list[TeamStatusRow]:
    """The network status rows of ``team_ids`` (None: every team), in the report's team
    order, every one (the API's status); 8 statements, however much data."""
    return [_status_row(*facts) for facts in _judged(_teams(team_ids), team_ids, today)]


@dataclass
class NetworkPage:
    """The network status page: one page of its team rows and the whole network's figures.

    ``rows``: a :class:`~tracker.pagination.Page` of :class:`TeamStatusRow` (``total``:
    every team of the scope); ``network``: the teams per level over that whole scope."""

    rows: Page
    network: rollup.NetworkStatus


#: The network's figures (teams per level) per scope, kept under the history's
#: :func:`~tracker.history.data_key` and the day: every change to what the levels are
#: judged from (actions, milestones and their ticks, pilots, teams: all versioned) writes
#: a history transaction and so gives another key; a new day too (:mod:`tracker.caching`).
network_cache = kept_values(128)


def network_page(team_ids: list[int] | None, today: date, number: int | None, *,
                 size: int = TEAMS_PER_PAGE) -> NetworkPage:
    """Page ``number`` (None: the first; past the end: the last) of the network status
    page's rows of ``team_ids`` (None: every team), ``size`` teams a page in the report's
    team order; 9 statements, however many teams, actions or pages.

    The lead sentence counts the teams per level over the whole scope, so every team of
    the scope is judged, once per change of the data (:data:`network_cache`); then only
    the page's teams are read, with every reason shown. Without a kept value the whole
    scope is judged and the page's rows come from that (the same number of statements).
    """
    teams = _teams(team_ids)
    number = clamp(number, len(teams), size)
    start = (number - 1) * size
    on_page = teams[start:start + size]
    page_ids = [t.id for t in on_page]
    key = (history.data_key(db.session), today,
           None if team_ids is None else tuple(sorted(team_ids)))
    network = network_cache.get(key)
    if network is None:
        judged = _judged(teams, team_ids, today, shown=page_ids)
        network = rollup.network_status([facts[-1] for facts in judged])
        network_cache.put(key, network)
        judged = judged[start:start + size]
    else:
        judged = _judged(on_page, page_ids, today)
    rows = [_status_row(*facts) for facts in judged]
    return NetworkPage(Page(items=rows, total=len(teams), number=number, size=size), network)


def _people(team: Team) -> tuple[list[PersonFact], PersonFact | None]:
    """The team's chairs and trekker from its memberships (loaded with the team by
    ``network.queries.team_page``), by name, as the report names them."""
    members = sorted((m for m in team.memberships
                      if m.role in (TeamRole.VOORZITTER, TeamRole.TREKKER)),
                     key=lambda m: m.user.name)

    def person(user: User) -> PersonFact:
        return PersonFact(user.name, user.title,
                          user.organisation.name if user.organisation else None)

    chairs = [person(m.user) for m in members if m.role == TeamRole.VOORZITTER]
    trekkers = [person(m.user) for m in members if m.role == TeamRole.TREKKER]
    return chairs, trekkers[0] if trekkers else None


@dataclass
class TeamStatusPage:
    """A team's status page: its section as the report lays it out, with the actions
    bounded by :data:`ACTIONS_SHOWN`; ``more_actions`` of them are not listed."""

    section: TeamSection
    more_actions: int = 0


def _indicators(team_id: int, today: date) -> tuple[list[Any], World]:
    """The team's indicators (entities: few) with their measurements as plain rows; 4
    statements."""
    indicators = list(db.session.scalars(
        select(Indicator).where(Indicator.team_id == team_id)
        .order_by(Indicator.position, Indicator.id)))
    measurements: dict[int, dict[tuple[int | None, str], Decimal]] = defaultdict(dict)
    source_figures: dict[int, dict[tuple[int | None, str], str]] = defaultdict(dict)
    for m in db.session.execute(
            select(Measurement.indicator_id, Measurement.district_id, Measurement.period,
                   Measurement.value, Measurement.is_source_figure, Measurement.source_note)
            .where(Measurement.indicator_id.in_(
                select(Indicator.id).where(Indicator.team_id == team_id)))):
        measurements[m.indicator_id][(m.district_id, m.period)] = Decimal(str(m.value))
        if m.is_source_figure:
            source_figures[m.indicator_id][(m.district_id, m.period)] = m.source_note or ""
    districts = [(d.id, d.name) for d in db.session.execute(
        select(District.id, District.name).order_by(District.position, District.name))]
    tables = db.session.scalar(select(ReportText.value)
                               .where(ReportText.key == "indicator_tables"))
    world = World(today=today, as_of=False, teams=[], people={}, items=[], actions=[],
                  milestones=[], pilots=[], indicators=indicators, measurements=measurements,
                  districts=districts, texts={"indicator_tables": tables or []},
                  source_figures=source_figures)
    return indicators, world


def _team_pilots(team: Team) -> list[PilotRow]:
    """The team's pilots with district, municipalities and building block; 2 statements."""
    pilots = db.session.execute(
        select(Pilot.id, Pilot.title, Pilot.status, Pilot.status_changed_at, Pilot.created_at,
               Pilot.start_date, District.name.label("district"),
               BuildingBlock.name.label("block"))
        .outerjoin(District, District.id == Pilot.district_id)
        .outerjoin(BuildingBlock, BuildingBlock.id == Pilot.building_block_id)
        .where(Pilot.team_id == team.id).order_by(Pilot.title)).all()
    places: dict[int, list[str]] = defaultdict(list)
    for pilot_id, name in db.session.execute(
            select(pilot_municipalities.c.pilot_id, Municipality.name)
            .join(Municipality, Municipality.id == pilot_municipalities.c.municipality_id)
            .where(pilot_municipalities.c.pilot_id.in_(
                select(Pilot.id).where(Pilot.team_id == team.id)))):
        places[pilot_id].append(name)
    rows = []
    for p in pilots:
        changed = p.status_changed_at or p.created_at
        rows.append(PilotRow(p.id, team.id, team.name, p.title, p.status.value, p.district,
                             sorted(places[p.id]), p.block,
                             changed.date() if changed else None, p.start_date))
    return rows


def team_section(team: Team, today: date) -> TeamStatusPage:
    """Everything a team's status page shows, in a fixed number of statements (about 17):
    the same section the report lays out for the team, its figures from the database."""
    ids = [team.id]
    tally = _counts(ids, today).get(team.id, ActionCounts())
    overdue = _overdue(ids, today, rollup.OVERDUE_NAMED).get(team.id, [])
    milestones = _milestones(ids, today, {team.id: team.name}).get(team.id, [])
    pilots = _team_pilots(team)
    finished = team.status == TeamStatus.AFGEROND
    computed = _judge(finished, today, tally, overdue, milestones,
                      [rollup.PilotFact(p.title, p.status, p.last_change, p.start_date)
                       for p in pilots])

    items = [ItemFact(r.id, r.team_id, r.kind.value, r.text, r.position, r.version)
             for r in db.session.execute(
                 select(ReportItem.id, ReportItem.team_id, ReportItem.kind, ReportItem.text,
                        ReportItem.position, ReportItem.version)
                 .where(ReportItem.team_id == team.id)
                 .order_by(ReportItem.position, ReportItem.id))]
    blocks = [(kind.value, title, [i for i in items if i.kind == kind.value])
              for kind, title in BLOCK_TITLES.items()]

    total = tally.open + tally.done + tally.cancelled
    actions = []
    for a in db.session.execute(
            select(Action.id, Action.title, Action.description, Action.status, Action.due_date,
                   Action.due_precision, User.name.label("owner"), Action.position,
                   Action.report_text, Action.milestone_id)
            .outerjoin(User, User.id == Action.owner_id)
            .where(Action.team_id == team.id)
            .order_by(Action.position, Action.id).limit(ACTIONS_SHOWN)):
        row = ActionRow(a.id, team.id, a.title, a.description or "", a.status.value, a.due_date,
                        (a.due_precision or DatePrecision.DAY).value, a.owner, a.position,
                        report_text=a.report_text or "", milestone_id=a.milestone_id)
        row.is_overdue = is_overdue(row.status, row.due_date, today)
        actions.append(row)

    indicator_rows, world = _indicators(team.id, today)
    indicators = build_indicators(indicator_rows, world)
    chairs, trekker = _people(team)
    notices = []
    if not items and not total:
        notices.append("Op deze datum is voor dit team nog niets vastgelegd.")
    if trekker is None:
        notices.append("Geen trekker vastgelegd.")
    parent = team.parent
    section = TeamSection(
        id=team.id, slug=team.slug, name=team.name, short_name=team.short_name,
        heading=team.short_name, kind_label=team.kind.label, status=team.status.value,
        status_label=team.status.label, finished=finished, parent_id=team.parent_id,
        parent_name=parent.name if parent else None, introduction=team.introduction or "",
        chairs=chairs, chair_note=team.chair_note, trekker=trekker, blocks=blocks,
        actions=actions, milestones=milestones, pilots=pilots, indicators=indicators,
        computed=computed, counts=_shown(tally),
        pilot_counts=pilot_counts([p.status for p in pilots]),
        next_milestone=next_milestone(milestones), notices=notices,
        indicator_groups=group_indicators(indicators, _tables(world.texts)),
        figures_note=unmeasured_sentence(indicators),
    )
    return TeamStatusPage(section, more_actions=max(0, total - len(actions)))


def _tables(texts: dict[str, Any]) -> list[dict[str, Any]]:
    """The source's table titles (as ``report.sections`` reads them from the texts)."""
    tables = texts.get("indicator_tables") or []
    return [t for t in tables if isinstance(t, dict) and t.get("title")]
