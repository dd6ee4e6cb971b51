"""The progress report (and the status pages) as plain data, in a fixed number of queries.

``load_world`` reads every row the report needs in a fixed number of statements
and turns them into plain facts as they stood at the cutoff; the ``build_*``
functions then lay them out as dataclasses that the HTML, PDF and DOCX exports
only show. No derived number is stored: all come from ``tracker.indicators.figures``
and ``tracker.status.rollup``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.actions.models import Action
from tracker.actions.rules import count_actions, is_overdue
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.enums import (
    ActionStatus,
    DatePrecision,
    IndicatorUnit,
    ItemKind,
    PilotStatus,
    TeamRole,
    TeamStatus,
)
from tracker.extensions import db
from tracker.formatting import approximate_date, long_date, number, percentage
from tracker.indicators import figures
from tracker.indicators.models import Indicator, Measurement
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.milestones.rules import Assessment, MilestoneState, Progress, assess, milestone_progress
from tracker.network.models import District, Municipality, ReportItem, Team, TeamMembership
from tracker.pilots.models import Pilot
from tracker.report.asof import (
    Change,
    action_status_as_of,
    cutoff_for,
    deleted_rows,
    existed,
    undo_changes,
)
from tracker.status import rollup

#: Object types whose later changes the as-of logic undoes.
AUDITED_TYPES = ("report_items", "actions", "milestones", "pilots", "teams", "measurements",
                 "indicators")

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

BLOCK_TITLES = {
    ItemKind.DOEL: "Uitgangspunten / doelen",
    ItemKind.RESULTAAT: "Resultaten",
    ItemKind.AANDACHTSPUNT: "Aandachtspunten",
}
ACTIONS_TITLE = "(Lopende) acties"


# ---------------------------------------------------------------------------------------
# Plain facts
# ---------------------------------------------------------------------------------------


@dataclass
class PersonFact:
    name: str
    title: str | None
    organisation: str | None

    @property
    def display(self) -> str:
        if self.title == "burgemeester":
            return f"burgemeester {self.name}"
        text = self.name
        if self.organisation:
            text += f" ({self.organisation})"
        return text


@dataclass
class ItemFact:
    id: int | None
    team_id: int
    kind: str
    text: str
    position: int
    version: int


@dataclass
class ActionRow:
    id: int
    team_id: int
    title: str
    description: str
    status: str
    due_date: date | None
    due_precision: str
    owner: str | None
    position: int
    #: "Tekst in de rapportage": other wording for the report, chosen explicitly.
    report_text: str = ""
    milestone_id: int | None = None
    #: Decided by ``actions.rules.is_overdue`` for the report's day (``build_sections``).
    is_overdue: bool = False

    @property
    def text(self) -> str:
        """What the status pages and the report show: the title, or the report text when one
        was chosen. Never the description (Toelichting: the team's working notes)."""
        return self.report_text or self.title

    @property
    def status_label(self) -> str:
        return ActionStatus(self.status).label

    @property
    def due_text(self) -> str:
        return approximate_date(self.due_date, self.due_precision) if self.due_date else ""

    @property
    def note(self) -> str:
        """``bezig, eerste helft 2018`` after the text; empty for an open action without date."""
        if self.status == ActionStatus.OPEN and not self.due_text:
            return ""
        return self.status_label.lower() + (f", {self.due_text}" if self.due_text else "")


@dataclass
class MilestoneRow:
    id: int
    team_id: int | None
    team_name: str
    title: str
    due_date: date
    due_precision: str
    achieved_on: date | None
    per_municipality: bool
    ticks_done: int
    ticks_total: int
    #: Decided by ``milestones.rules`` (see ``milestone_state`` below).
    state: Assessment | None = None
    linked_done: int = 0
    linked_total: int = 0

    @property
    def due_text(self) -> str:
        return approximate_date(self.due_date, self.due_precision)

    @property
    def progress(self) -> Progress | None:
        return milestone_progress(per_municipality=self.per_municipality,
                                  ticks_done=self.ticks_done, municipalities=self.ticks_total,
                                  linked_done=self.linked_done, linked_total=self.linked_total)


@dataclass
class PilotRow:
    id: int
    team_id: int
    team_name: str
    title: str
    status: str
    district: str | None
    municipalities: list[str]
    building_block: str | None
    last_change: date | None
    start_date: date | None

    @property
    def status_label(self) -> str:
        return PilotStatus(self.status).label


@dataclass
class IndicatorSection:
    key: str
    name: str
    description: str
    unit: str
    source: str
    notes: str
    table: figures.Table
    chart: figures.Chart | None
    chart_caption: str
    target_text: str
    progress: figures.Progress
    is_percentage: bool
    #: 1 when any value of the table has decimals (3,1%), so that 4,0% keeps its zero.
    decimals: int = 0

    def fmt(self, value: Decimal | None) -> str:
        """A table cell: Dutch number or percentage; a dash when missing."""
        if value is None:
            return "–"
        fmt = percentage if self.is_percentage else number
        return fmt(value, self.decimals)

    def fmt_change(self, value: Decimal | None) -> str:
        return "–" if value is None else number(value)

    def fmt_change_pct(self, value: Decimal | None) -> str:
        return "–" if value is None else percentage(value)


@dataclass
class TeamSection:
    id: int
    slug: str
    name: str
    short_name: str
    heading: str
    kind_label: str
    status: str
    status_label: str
    finished: bool
    parent_id: int | None
    parent_name: str | None
    introduction: str
    chairs: list[PersonFact]
    chair_note: str | None
    trekker: PersonFact | None
    blocks: list[tuple[str, str, list[ItemFact]]]  # (kind, title, items)
    actions: list[ActionRow]
    milestones: list[MilestoneRow]
    pilots: list[PilotRow]
    indicators: list[IndicatorSection]
    computed: rollup.StatusResult
    counts: dict[str, int]
    pilot_counts: list[tuple[str, int]]
    next_milestone: MilestoneRow | None
    notices: list[str] = field(default_factory=list)

    @property
    def chair_text(self) -> str:
        if self.chairs:
            names = [c.name for c in self.chairs]
            prefix = "burgemeesters" if len(names) > 1 and all(
                c.title == "burgemeester" for c in self.chairs) else None
            if prefix:
                return f"{prefix} {' en '.join([', '.join(names[:-1]), names[-1]])}"
            return " en ".join(c.display for c in self.chairs)
        return self.chair_note or "vacant"


@dataclass
class Report:
    peildatum: date
    version_label: str
    texts: dict[str, Any]
    teams: list[TeamSection]
    milestones: list[MilestoneRow]
    pilots: list[PilotRow]
    network: rollup.NetworkStatus
    notices: list[str]
    changes: list[str] | None  # None: no previous edition to compare with
    previous_label: str | None

    @property
    def title_line(self) -> str:
        return f"{self.texts['title']} {self.version_label}"


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


@dataclass
class World:
    """Everything read from the database, as it stood at the cutoff."""

    today: date
    cutoff: datetime | None
    teams: list[Team]
    team_state: dict[int, dict[str, Any]]
    people: dict[int, tuple[list[PersonFact], PersonFact | None]]
    items: list[ItemFact]
    actions: list[ActionRow]
    milestones: list[MilestoneRow]
    pilots: list[PilotRow]
    indicators: list[Indicator]
    measurements: dict[int, dict[tuple[int | None, str], Decimal]]
    districts: list[tuple[int, str]]
    texts: dict[str, Any]
    #: Each indicator's periods as they stood at the cutoff (a period added later is undone).
    indicator_periods: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


def _changes_by_object(changes: list[Change]) -> dict[tuple[str, int | None], list[Change]]:
    grouped: dict[tuple[str, int | None], list[Change]] = defaultdict(list)
    for c in changes:
        grouped[(c.object_type, c.object_id)].append(c)
    return grouped


def load_world(today: date, *, as_of: bool, team_ids: list[int] | None = None,
               timezone: str = "Europe/Amsterdam") -> World:
    """Read the report's rows in a fixed number of statements.

    ``as_of``: show the data as it stood at the end of ``today`` (the peildatum),
    else as it is now.
    """
    cutoff = cutoff_for(today, timezone) if as_of else None

    team_query = (
        select(Team)
        .options(
            selectinload(Team.memberships)
            .joinedload(TeamMembership.user)
            .joinedload(User.organisation),
            joinedload(Team.parent),
        )
        .order_by(Team.position, Team.name)
    )
    if team_ids is not None:
        team_query = team_query.where(Team.id.in_(team_ids))
    teams = list(db.session.scalars(team_query).unique())
    ids = [t.id for t in teams]

    changes: list[Change] = []
    if cutoff is not None:
        changes = [
            Change(at=e.at, action=e.action, object_type=e.object_type,
                   object_id=e.object_id, before=e.before)
            for e in db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.at >= cutoff, AuditEntry.object_type.in_(AUDITED_TYPES))
                .order_by(AuditEntry.at)
            )
        ]
    by_object = _changes_by_object(changes)

    team_state = {}
    people: dict[int, tuple[list[PersonFact], PersonFact | None]] = {}
    for t in teams:
        state = undo_changes({"status": t.status.value, "name": t.name}, by_object[("teams", t.id)])
        team_state[t.id] = state
        chairs, trekkers = [], []
        for m in sorted(t.memberships, key=lambda m: m.user.name):
            if not existed(m.created_at, cutoff):
                continue
            fact = PersonFact(m.user.name, m.user.title,
                              m.user.organisation.name if m.user.organisation else None)
            if m.role == TeamRole.VOORZITTER:
                chairs.append(fact)
            elif m.role == TeamRole.TREKKER:
                trekkers.append(fact)
        people[t.id] = (chairs, trekkers[0] if trekkers else None)

    items: list[ItemFact] = []
    for r in db.session.scalars(
        select(ReportItem).where(ReportItem.team_id.in_(ids)).order_by(ReportItem.position,
                                                                       ReportItem.id)
    ):
        if not existed(r.created_at, cutoff):
            continue
        state = undo_changes({"text": r.text, "position": r.position},
                             by_object[("report_items", r.id)])
        items.append(ItemFact(r.id, r.team_id, r.kind.value, state["text"], state["position"],
                              r.version))
    if cutoff is not None:
        for row in deleted_rows(changes, "report_items", cutoff):
            if row.get("team_id") in ids:
                items.append(ItemFact(None, row["team_id"], row["kind"], row["text"],
                                      int(row.get("position", 0)), 0))
    items.sort(key=lambda i: (i.position, i.id or 0))

    actions: list[ActionRow] = []
    for a in db.session.scalars(
        select(Action).where(Action.team_id.in_(ids)).options(joinedload(Action.owner))
        .order_by(Action.position, Action.id)
    ):
        if not existed(a.created_at, cutoff):
            continue
        action_changes = by_object[("actions", a.id)]
        state = undo_changes(
            {"title": a.title, "description": a.description, "report_text": a.report_text,
             "due_date": a.due_date, "position": a.position}, action_changes)
        status = action_status_as_of(a.status.value, a.completed_at, action_changes, cutoff)
        actions.append(ActionRow(
            a.id, a.team_id, state["title"], state["description"], status, state["due_date"],
            (a.due_precision or DatePrecision.DAY).value, a.owner.name if a.owner else None,
            state["position"], report_text=state["report_text"] or "", milestone_id=a.milestone_id,
        ))
    actions.sort(key=lambda a: (a.position, a.id))

    team_names = {t.id: t.name for t in teams}
    municipality_count = db.session.scalar(select(func.count(Municipality.id))) or 0
    tick_query = select(MunicipalityTick.milestone_id, func.count(MunicipalityTick.id)).group_by(
        MunicipalityTick.milestone_id)
    tick_query = tick_query.where(MunicipalityTick.completed_on <= today)
    ticks = dict(db.session.execute(tick_query).all())
    milestone_query = select(Milestone).order_by(Milestone.due_date, Milestone.id)
    if team_ids is not None:
        milestone_query = milestone_query.where(Milestone.team_id.in_(ids))
    milestones: list[MilestoneRow] = []
    for m in db.session.scalars(milestone_query):
        if not existed(m.created_at, cutoff):
            continue
        state = undo_changes({"title": m.title, "due_date": m.due_date,
                              "achieved_on": m.achieved_on}, by_object[("milestones", m.id)])
        achieved = state["achieved_on"]
        if achieved is not None and achieved > today:
            achieved = None
        milestones.append(MilestoneRow(
            m.id, m.team_id, team_names.get(m.team_id, "Netwerk (BBG)"), state["title"],
            state["due_date"], m.due_precision.value, achieved, m.per_municipality,
            ticks.get(m.id, 0), municipality_count if m.per_municipality else 0,
        ))
    for m in milestones:
        m.state = milestone_state(m, today)

    pilots: list[PilotRow] = []
    for p in db.session.scalars(
        select(Pilot).where(Pilot.team_id.in_(ids))
        .options(joinedload(Pilot.district), joinedload(Pilot.building_block),
                 selectinload(Pilot.municipalities))
        .order_by(Pilot.team_id, Pilot.title)
    ):
        if not existed(p.created_at, cutoff):
            continue
        state = undo_changes({"status": p.status.value, "title": p.title},
                             by_object[("pilots", p.id)])
        changed = p.status_changed_at or p.created_at
        if cutoff is not None and changed is not None and changed >= cutoff:
            changed = None  # changed after the peildatum: its earlier date is unknown
        pilots.append(PilotRow(
            p.id, p.team_id, team_names.get(p.team_id, ""), state["title"], state["status"],
            p.district.name if p.district else None, [mu.name for mu in p.municipalities],
            p.building_block.name if p.building_block else None,
            changed.date() if changed else None, p.start_date,
        ))

    indicators = list(db.session.scalars(
        select(Indicator).where(Indicator.team_id.in_(ids))
        .order_by(Indicator.team_id, Indicator.position, Indicator.id)
    ))
    measurements: dict[int, dict[tuple[int | None, str], Decimal]] = defaultdict(dict)
    indicator_ids = [i.id for i in indicators]
    for m in db.session.scalars(select(Measurement).where(Measurement.indicator_id.in_(indicator_ids))):
        if not existed(m.entered_at, cutoff):
            continue
        state = undo_changes({"value": m.value}, by_object[("measurements", m.id)])
        measurements[m.indicator_id][(m.district_id, m.period)] = Decimal(str(state["value"]))
    indicator_periods = {
        i.id: undo_changes({"periods": i.periods or []}, by_object[("indicators", i.id)])["periods"]
        for i in indicators
    }
    districts = [(d.id, d.name) for d in db.session.scalars(
        select(District).order_by(District.position, District.name))]

    from tracker.report.models import ReportText

    texts = dict(DEFAULT_TEXTS)
    texts.update({t.key: t.value for t in db.session.scalars(select(ReportText))})

    return World(today=today, cutoff=cutoff, teams=teams, team_state=team_state, people=people,
                 items=items, actions=actions, milestones=milestones, pilots=pilots,
                 indicators=indicators, measurements=measurements, districts=districts,
                 indicator_periods=indicator_periods,
                 texts=texts)


# ---------------------------------------------------------------------------------------
# Building (pure over the World)
# ---------------------------------------------------------------------------------------


def milestone_state(m: MilestoneRow, today: date) -> Assessment:
    """The milestone's state on ``today`` as ``milestones.rules`` decides it (one word:
    gehaald / op schema / risico / te laat, with what it rests on)."""
    return assess(m.due_date, today, achieved_on=m.achieved_on, progress=m.progress)


def version_label_for(peildatum: date) -> str:
    """``versie februari 2018``."""
    return "versie " + format_date(peildatum, "MMMM y", locale="nl_NL")


def build_indicator(indicator: Indicator, values: dict[tuple[int | None, str], Decimal],
                    districts: list[tuple[int, str]],
                    period_list: list[dict[str, Any]] | None = None) -> IndicatorSection:
    """One indicator's table, chart and target; ``period_list`` overrides its periods (as-of)."""
    source_periods = indicator.periods if period_list is None else period_list
    periods = [(p["key"], p.get("label") or p["key"]) for p in (source_periods or [])]
    is_count = indicator.unit == IndicatorUnit.AANTAL
    has_districts = any(d is not None for d, _ in values)
    unit_label = "Totaal Oost-Nederland" if is_count and has_districts else "Eenheid Oost-Nederland"
    table = figures.build_table(periods, districts, values, summable=is_count,
                                unit_label=unit_label, with_change=is_count)
    if table.rows and periods:
        last_label = periods[-1][1]
        points = [(row.label, row.values[-1]) for row in table.rows]
        caption = f"{indicator.name} per district, {last_label}"
    elif table.total is not None:
        points = [(label, v) for (_, label), v in zip(periods, table.total.values, strict=True)]
        caption = f"{indicator.name}, {table.total.label}, per periode"
    else:
        points, caption = [], ""
    chart = figures.bar_chart(points) if periods else None

    latest = None
    base = None
    if table.total is not None and periods:
        latest = table.total.values[-1]
        keys = [k for k, _ in periods]
        if indicator.target_base_period in keys:
            base = table.total.values[keys.index(indicator.target_base_period)]
    progress = figures.progress_against_target(
        target_kind=indicator.target_kind, target=indicator.target_value, latest=latest, base=base)
    target_text = _target_text(indicator)
    return IndicatorSection(
        key=indicator.key, name=indicator.name, description=indicator.description or "",
        unit=indicator.unit.label, source=indicator.source or "", notes=indicator.notes or "",
        table=table, chart=chart, chart_caption=caption, target_text=target_text,
        progress=progress, is_percentage=indicator.unit == IndicatorUnit.PROCENT,
        decimals=1 if any(v is not None and v != v.to_integral_value()
                          for row in table.all_rows for v in row.values) else 0,
    )


def _fmt_decimal(value: Decimal) -> str:
    decimals = 0 if value == value.to_integral_value() else 1
    return number(value, decimals)


def _target_text(indicator: Indicator) -> str:
    parts = []
    suffix = "%" if indicator.unit == IndicatorUnit.PROCENT else ""
    if indicator.target_value is not None:
        t = _fmt_decimal(indicator.target_value)
        if indicator.target_kind == "max":
            parts.append(f"doel: maximaal {t}{suffix}")
        elif indicator.target_kind == "min":
            parts.append(f"doel: minimaal {t}{suffix}")
        elif indicator.target_kind == "change_pct":
            period = f" in {indicator.target_period}" if indicator.target_period else ""
            base = (f" (gerekend vanaf {indicator.target_base_period})"
                    if indicator.target_base_period else "")
            parts.append(f"doel: {t}%{period}{base}")
    if indicator.baseline_value is not None:
        parts.append(f"uitgangswaarde {_fmt_decimal(indicator.baseline_value)}{suffix}")
    return "; ".join(parts)


def build_sections(world: World) -> list[TeamSection]:
    """One section per team, in report order, with its computed status."""
    items_by_team: dict[int, list[ItemFact]] = defaultdict(list)
    for i in world.items:
        items_by_team[i.team_id].append(i)
    actions_by_team: dict[int, list[ActionRow]] = defaultdict(list)
    for a in world.actions:
        actions_by_team[a.team_id].append(a)
    linked: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for a in world.actions:
        a.is_overdue = is_overdue(a.status, a.due_date, world.today)
        if a.milestone_id is not None and a.status != ActionStatus.VERVALLEN:
            linked[a.milestone_id][1] += 1
            linked[a.milestone_id][0] += a.status == ActionStatus.GEREED
    milestones_by_team: dict[int | None, list[MilestoneRow]] = defaultdict(list)
    for m in world.milestones:
        m.linked_done, m.linked_total = linked.get(m.id, (0, 0))
        m.state = milestone_state(m, world.today)
        milestones_by_team[m.team_id].append(m)
    pilots_by_team: dict[int, list[PilotRow]] = defaultdict(list)
    for p in world.pilots:
        pilots_by_team[p.team_id].append(p)
    indicators_by_team: dict[int, list[Indicator]] = defaultdict(list)
    for ind in world.indicators:
        indicators_by_team[ind.team_id].append(ind)

    sections = []
    for t in world.teams:
        state = world.team_state[t.id]
        status = TeamStatus(state["status"])
        finished = status == TeamStatus.AFGEROND
        chairs, trekker = world.people[t.id]
        items = items_by_team[t.id]
        blocks = [(kind.value, title, [i for i in items if i.kind == kind.value])
                  for kind, title in BLOCK_TITLES.items()]
        actions = actions_by_team[t.id]
        milestones = milestones_by_team[t.id]
        pilots = pilots_by_team[t.id]
        computed = rollup.team_status(
            actions=[rollup.ActionFact(a.title, a.status, a.due_date) for a in actions],
            milestones=[rollup.MilestoneFact(m.title, m.due_date, m.achieved_on,
                                             m.per_municipality, m.ticks_done, m.ticks_total,
                                             m.linked_done, m.linked_total)
                        for m in milestones],
            pilots=[rollup.PilotFact(p.title, p.status, p.last_change, p.start_date)
                    for p in pilots],
            today=world.today, finished=finished,
        )
        tally = count_actions(((a.status, a.due_date, 1) for a in actions), world.today)
        counts = {"open": tally.open, "overdue": tally.overdue, "done": tally.done}
        pilot_counter = Counter(p.status for p in pilots)
        pilot_counts = [(s.label, pilot_counter[s.value]) for s in PilotStatus
                        if pilot_counter[s.value]]
        upcoming = [m for m in milestones if m.state is not None
                    and m.state.state != MilestoneState.GEHAALD and m.state.days_left >= 0]
        notices = []
        if not items and not actions:
            notices.append("Op deze datum is voor dit team nog niets vastgelegd.")
        if trekker is None:
            notices.append("Geen trekker vastgelegd.")
        sections.append(TeamSection(
            id=t.id, slug=t.slug, name=state["name"], short_name=t.short_name,
            heading=t.short_name,
            kind_label=t.kind.label, status=status.value, status_label=status.label,
            finished=finished, parent_id=t.parent_id,
            parent_name=t.parent.name if t.parent else None,
            introduction=t.introduction or "", chairs=chairs, chair_note=t.chair_note,
            trekker=trekker, blocks=blocks, actions=actions, milestones=milestones,
            pilots=pilots,
            indicators=[build_indicator(ind, world.measurements.get(ind.id, {}), world.districts,
                                        world.indicator_periods.get(ind.id))
                        for ind in indicators_by_team[t.id]],
            computed=computed, counts=counts, pilot_counts=pilot_counts,
            next_milestone=upcoming[0] if upcoming else None, notices=notices,
        ))
    return sections


def snapshot_of(sections: list[TeamSection]) -> dict[str, Any]:
    """A compact summary of the report's content, stored with an edition."""
    return {
        "teams": {
            s.slug: {
                "name": s.name,
                "status": s.status_label,
                "computed": s.computed.label,
                "blocks": {kind: [i.text for i in items] for kind, _, items in s.blocks},
                "actions": {a.text: a.status_label for a in s.actions},
            }
            for s in sections
        }
    }


def changes_between(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What changed from one snapshot to the next, as Dutch sentences. Pure."""
    lines: list[str] = []
    old_teams, new_teams = old.get("teams", {}), new.get("teams", {})
    for slug, team in new_teams.items():
        name = team["name"]
        before = old_teams.get(slug)
        if before is None:
            lines.append(f"{name}: nieuw in de rapportage.")
            continue
        if before.get("status") != team["status"]:
            lines.append(f"{name}: status gewijzigd van ‘{before.get('status')}’ in "
                         f"‘{team['status']}’.")
        if before.get("computed") != team["computed"]:
            lines.append(f"{name}: beoordeling gewijzigd van ‘{before.get('computed')}’ in "
                         f"‘{team['computed']}’.")
        for kind, title in BLOCK_TITLES.items():
            old_items = before.get("blocks", {}).get(kind.value, [])
            new_items = team["blocks"].get(kind.value, [])
            for text in new_items:
                if text not in old_items:
                    lines.append(f"{name}, {title.lower()}: toegevoegd ‘{text}’.")
            for text in old_items:
                if text not in new_items:
                    lines.append(f"{name}, {title.lower()}: vervallen ‘{text}’.")
        old_actions = before.get("actions", {})
        for text, status in team["actions"].items():
            if text not in old_actions:
                lines.append(f"{name}, acties: nieuw ‘{text}’ ({status.lower()}).")
            elif old_actions[text] != status:
                lines.append(f"{name}, acties: ‘{text}’ van {old_actions[text].lower()} naar "
                             f"{status.lower()}.")
        for text in old_actions:
            if text not in team["actions"]:
                lines.append(f"{name}, acties: vervallen ‘{text}’.")
    for slug, team in old_teams.items():
        if slug not in new_teams:
            lines.append(f"{team['name']}: niet meer in de rapportage.")
    return lines


def build_report(peildatum: date, *, timezone: str = "Europe/Amsterdam") -> Report:
    """The progress report with the data as it stood on ``peildatum``."""
    from tracker.report.models import ReportEdition

    world = load_world(peildatum, as_of=True, timezone=timezone)
    sections = build_sections(world)
    notices = []
    if not any(s.blocks[0][2] or s.blocks[1][2] or s.blocks[2][2] or s.actions for s in sections):
        notices.append(
            f"Op {long_date(peildatum)} bevatte de tracker nog geen stand van zaken van de "
            "teams: de peildatum ligt vóór de eerste vastgelegde gegevens."
        )
    if not sections:
        notices.append("Er zijn geen teams vastgelegd.")
    previous = db.session.execute(
        select(ReportEdition.version_label, ReportEdition.snapshot)
        .where(ReportEdition.peildatum < peildatum)
        .order_by(ReportEdition.peildatum.desc(), ReportEdition.id.desc()).limit(1)
    ).first()
    changes = None
    previous_label = None
    if previous is not None:
        previous_label = previous.version_label
        changes = changes_between(previous.snapshot or {}, snapshot_of(sections))
    return Report(
        peildatum=peildatum, version_label=version_label_for(peildatum), texts=world.texts,
        teams=sections, milestones=world.milestones, pilots=world.pilots,
        network=rollup.network_status([s.computed for s in sections]), notices=notices,
        changes=changes, previous_label=previous_label,
    )
