"""Reading the report's rows, now or as they stood on a peildatum, in a fixed number of queries.

One code path for both: each table is read either as it is (the status pages) or
through its history (``tracker.history``) as it stood after the last change made
before the end of the peildatum. So the report "as of" a day shows, for every field,
what a copy of the database taken that evening would have shown; and its cost
depends on the history up to that day, not on what was changed since.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select

from tracker import history
from tracker.actions.models import Action
from tracker.auth.models import User
from tracker.enums import DatePrecision, TeamRole
from tracker.extensions import db
from tracker.indicators.models import Indicator, Measurement
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.network.models import (
    District,
    Municipality,
    Organisation,
    ReportItem,
    Team,
    TeamMembership,
)
from tracker.pilots.models import BuildingBlock, Pilot, pilot_municipalities
from tracker.report.asof import cutoff_for
from tracker.report.facts import (
    ActionRow,
    ItemFact,
    MilestoneRow,
    PersonFact,
    PilotRow,
    TeamFact,
    World,
)
from tracker.report.models import ReportText

#: Defaults for the report's texts when none are stored (``ReportText``).
DEFAULT_TEXTS: dict[str, Any] = {
    "title": "Voortgangsrapportage",
    "subtitle": "Veiligheidsnetwerk Oost-Nederland",
    "key_facts": [],
    "intro": [],
    "footnotes": [],
    "chairs_intro": "De expertteams en het platform hebben de volgende bestuurlijke voorzitters:",
    "network_goals_title": "Doelstellingen van het netwerk",
    "network_goals_intro": "",
    "network_goals": [],
    "teams_heading": "Stand van zaken Expertteams",
}

#: The name under which network-wide milestones (no team) appear.
NETWORK_NAME = "Netwerk (BBG)"


class Rows:
    """Selects of a model's rows: as they are (``transaction_id`` None) or as of a transaction.

    Each select names the columns the report shows and returns plain rows: no ORM or
    history version objects are built for the thousands of rows of a large network.
    """

    def __init__(self, transaction_id: int | None):
        self.transaction_id = transaction_id

    def __call__(self, model: type, *columns: str) -> tuple[Any, Select]:
        """``(entity, select of columns)``: filter and order with the entity's attributes."""
        if self.transaction_id is None:
            return model, select(*(getattr(model, c) for c in columns))
        return history.as_of(model, self.transaction_id, *columns)

    def links(self, table) -> Select:
        """The rows of an association table."""
        if self.transaction_id is None:
            return select(*table.primary_key.columns)
        return history.association_as_of(table, self.transaction_id)


#: The columns the report reads of each model (plain rows, see :class:`Rows`).
TEAM_COLUMNS = ("id", "slug", "name", "short_name", "kind", "status", "parent_id",
                "introduction", "chair_note", "position")
ACTION_COLUMNS = ("id", "team_id", "title", "description", "status", "due_date",
                  "due_precision", "owner_id", "position", "report_text", "milestone_id")
MILESTONE_COLUMNS = ("id", "team_id", "title", "due_date", "due_precision", "achieved_on",
                     "per_municipality")
PILOT_COLUMNS = ("id", "team_id", "title", "status", "district_id", "building_block_id",
                 "status_changed_at", "created_at", "start_date")
INDICATOR_COLUMNS = ("id", "key", "team_id", "name", "description", "unit", "source",
                     "direction", "baseline_value", "target_value", "target_kind",
                     "target_base_period", "target_period", "periods", "notes",
                     "ratio_numerator_key", "ratio_denominator_key", "position")
MEASUREMENT_COLUMNS = ("indicator_id", "district_id", "period", "value", "is_source_figure",
                       "source_note")


def load_world(today: date, *, as_of: bool, team_ids: list[int] | None = None,
               timezone: str = "Europe/Amsterdam", stand: datetime | None = None) -> World:
    """Read the report's rows in a fixed number of statements.

    ``as_of``: the data as it stood at the end of ``today`` (the peildatum, local time),
    read from history; else as it is now. ``team_ids`` limits the teams (and their
    actions, items, milestones, pilots and indicators); None: every team, and then no
    statement filters on team (a list of every team id would only steer the database
    to read each team's whole history through its team index). ``stand`` (aware, with
    ``as_of``): the history up to that moment when it is earlier than the end of
    ``today`` (an edition asked for during its peildatum is the stand when it was asked).
    """
    cutoff = cutoff_for(today, timezone)
    if stand is not None:
        cutoff = min(cutoff, stand)
    rows = Rows(history.transaction_before(db.session, cutoff) if as_of else None)

    def all_of(model, columns, where=None, order=()):
        """Plain rows of ``model``; ``where`` and ``order`` are functions of the entity read."""
        entity, statement = rows(model, *columns)
        if where is not None:
            statement = statement.where(*where(entity))
        ordered = (o(entity) for o in order)
        if rows.transaction_id is not None:
            ordered = (history.unindexed(o) for o in ordered)
        # Through the connection: plain rows of columns need none of the ORM's result
        # processing, which was a third of the report's time for 20,000 actions.
        return db.session.connection().execute(statement.order_by(*ordered)).all()

    def of_teams(e):
        """The condition "of the chosen teams"; None (no condition) for every team."""
        return None if team_ids is None else (e.team_id.in_(team_ids),)

    def team_filter():
        return None if team_ids is None else of_teams

    # The network's reference data: small tables, read whole.
    districts = all_of(District, ("id", "name"), order=(lambda e: e.position, lambda e: e.name))
    district_names = {d.id: d.name for d in districts}
    municipalities = dict(all_of(Municipality, ("id", "name")))
    blocks = dict(all_of(BuildingBlock, ("id", "name")))

    every_team = all_of(Team, TEAM_COLUMNS, order=(lambda e: e.position, lambda e: e.name))
    team_names = {t.id: t.name for t in every_team}
    teams = [
        TeamFact(t.id, t.slug, t.name, t.short_name, t.kind, t.status, t.parent_id,
                 team_names.get(t.parent_id), t.introduction or "", t.chair_note, t.position)
        for t in every_team if team_ids is None or t.id in team_ids
    ]
    # The chosen teams' rows only (also without a filter in SQL: a row left by a team
    # that no longer exists is not the report's).
    chosen = {t.id for t in teams}

    # Only the people the report names: chairs, trekkers and action owners (not everyone).
    named_roles = (TeamRole.VOORZITTER, TeamRole.TREKKER)
    memberships = [m for m in all_of(
        TeamMembership, ("team_id", "user_id", "role"),
        lambda e: (e.role.in_(named_roles), *(of_teams(e) or ()))) if m.team_id in chosen]
    action_rows = [a for a in all_of(Action, ACTION_COLUMNS, team_filter(),
                                     order=(lambda e: e.position, lambda e: e.id))
                   if a.team_id in chosen]
    named = {m.user_id for m in memberships} | {a.owner_id for a in action_rows if a.owner_id}
    users = {u.id: u for u in all_of(User, ("id", "name", "title", "organisation_id"),
                                      lambda e: (e.id.in_(named),))}
    organisations = dict(all_of(
        Organisation, ("id", "name"),
        lambda e: (e.id.in_({u.organisation_id for u in users.values()}),)))

    persons: dict[int, PersonFact] = {}

    def person(user_id: int) -> PersonFact:
        if user_id not in persons:
            user = users[user_id]
            persons[user_id] = PersonFact(user.name, user.title,
                                          organisations.get(user.organisation_id))
        return persons[user_id]

    people: dict[int, tuple[list[PersonFact], PersonFact | None]] = {}
    by_team: dict[int, list[Any]] = defaultdict(list)
    for m in memberships:
        if m.user_id in users:
            by_team[m.team_id].append(m)
    for t in teams:
        members = sorted(by_team[t.id], key=lambda m: users[m.user_id].name)
        chairs = [person(m.user_id) for m in members if m.role == TeamRole.VOORZITTER]
        trekkers = [person(m.user_id) for m in members if m.role == TeamRole.TREKKER]
        people[t.id] = (chairs, trekkers[0] if trekkers else None)

    items = [
        ItemFact(r.id, r.team_id, r.kind.value, r.text, r.position, r.version)
        for r in all_of(ReportItem, ("id", "team_id", "kind", "text", "position", "version"),
                        team_filter(), order=(lambda e: e.position, lambda e: e.id))
        if r.team_id in chosen
    ]

    owner_names = {user_id: user.name for user_id, user in users.items()}
    day = DatePrecision.DAY.value
    actions = [
        ActionRow(a.id, a.team_id, a.title, a.description or "", a.status.value, a.due_date,
                  a.due_precision.value if a.due_precision else day,
                  owner_names.get(a.owner_id), a.position, report_text=a.report_text or "",
                  milestone_id=a.milestone_id)
        for a in action_rows
    ]

    municipality_count = len(municipalities)
    ticks = _tick_counts(rows, today)
    milestones = []
    for m in all_of(Milestone, MILESTONE_COLUMNS, team_filter(),
                    order=(lambda e: e.due_date, lambda e: e.id)):
        # An achieved_on after ``today`` is judged by milestones.rules (not achieved yet).
        milestones.append(MilestoneRow(
            m.id, m.team_id, team_names.get(m.team_id, NETWORK_NAME), m.title, m.due_date,
            m.due_precision.value, m.achieved_on, m.per_municipality, ticks.get(m.id, 0),
            municipality_count if m.per_municipality else 0,
        ))

    pilot_places: dict[int, list[str]] = defaultdict(list)
    for pilot_id, municipality_id in db.session.execute(rows.links(pilot_municipalities)):
        pilot_places[pilot_id].append(municipalities.get(municipality_id, ""))
    pilots = []
    for p in all_of(Pilot, PILOT_COLUMNS, team_filter(),
                    order=(lambda e: e.team_id, lambda e: e.title)):
        if p.team_id not in chosen:
            continue
        changed = p.status_changed_at or p.created_at
        pilots.append(PilotRow(
            p.id, p.team_id, team_names.get(p.team_id, ""), p.title, p.status.value,
            district_names.get(p.district_id), sorted(pilot_places[p.id]),
            blocks.get(p.building_block_id), changed.date() if changed else None, p.start_date,
        ))

    indicators = [i for i in all_of(Indicator, INDICATOR_COLUMNS, team_filter(),
                                    order=(lambda e: e.team_id, lambda e: e.position,
                                           lambda e: e.id))
                  if i.team_id in chosen]
    indicator_set = {i.id for i in indicators}
    measurements: dict[int, dict[tuple[int | None, str], Decimal]] = defaultdict(dict)
    source_figures: dict[int, dict[tuple[int | None, str], str]] = defaultdict(dict)
    indicator_ids = None if team_ids is None else [i.id for i in indicators]
    for m in all_of(Measurement, MEASUREMENT_COLUMNS,
                    None if indicator_ids is None
                    else (lambda e: (e.indicator_id.in_(indicator_ids),))):
        if m.indicator_id not in indicator_set:
            continue
        measurements[m.indicator_id][(m.district_id, m.period)] = Decimal(str(m.value))
        if m.is_source_figure:
            source_figures[m.indicator_id][(m.district_id, m.period)] = m.source_note or ""

    texts = dict(DEFAULT_TEXTS)
    texts.update(dict(all_of(ReportText, ("key", "value"))))

    return World(today=today, as_of=as_of, teams=teams, people=people, items=items,
                 actions=actions, milestones=milestones, pilots=pilots, indicators=indicators,
                 measurements=measurements, districts=[(d.id, d.name) for d in districts],
                 texts=texts, source_figures=source_figures)


def _tick_counts(rows: Rows, today: date) -> dict[int, int]:
    """Ticked municipalities per milestone: the ticks completed on or before ``today``
    (a tick counts from the day the municipality completed it, even when entered later)."""
    entity, statement = rows(MunicipalityTick, "milestone_id")
    # Counted here, not by GROUP BY: grouping steered SQLite to walk the whole history
    # table along its milestone index instead of reading the history up to the day.
    return dict(Counter(db.session.scalars(statement.where(entity.completed_on <= today))))


def apply_corrections(world: World) -> World:
    """``world`` (the stand on its peildatum) with the corrections made since: the rule
    of a corrected edition ("versie februari 2018, herzien").

    - the fixed texts (``ReportText``) and the teams' introductions: as they are now;
    - the figures: for each indicator, the periods it had figures over on the peildatum,
      with their figures as they are now (a corrected value, a figure added to such a
      period, a figure removed; source marks and notes too). Figures over a period that
      was not in the report yet (published later) stay out;
    - everything else (status points, actions, milestones, pilots, people, indicators):
      as it stood on the peildatum, since a change there is progress, not a correction.

    Mutates and returns ``world``; three statements.
    """
    texts = dict(DEFAULT_TEXTS)
    texts.update({t.key: t.value for t in db.session.scalars(select(ReportText))})
    world.texts = texts

    ids = [t.id for t in world.teams]
    introductions = dict(db.session.execute(
        select(Team.id, Team.introduction).where(Team.id.in_(ids))).all())
    world.teams = [replace(t, introduction=introductions[t.id] or "") if t.id in introductions
                   else t for t in world.teams]

    periods = {indicator_id: {period for _, period in values}
               for indicator_id, values in world.measurements.items()}
    measurements: dict[int, dict[tuple[int | None, str], Decimal]] = defaultdict(dict)
    source_figures: dict[int, dict[tuple[int | None, str], str]] = defaultdict(dict)
    for m in db.session.scalars(select(Measurement).where(
            Measurement.indicator_id.in_(list(periods)))):
        if m.period not in periods[m.indicator_id]:
            continue
        measurements[m.indicator_id][(m.district_id, m.period)] = Decimal(str(m.value))
        if m.is_source_figure:
            source_figures[m.indicator_id][(m.district_id, m.period)] = m.source_note or ""
    world.measurements, world.source_figures = measurements, source_figures
    return world
