"""The report's sections: one per team, with its blocks, actions, milestones, pilots,
indicators and computed status, as dataclasses the HTML, PDF and DOCX exports only show.

Pure over a :class:`tracker.report.facts.World`: no database. Every derived number
comes from ``tracker.indicators.figures`` and ``tracker.status.rollup``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from tracker.actions.rules import count_actions, is_overdue
from tracker.enums import ActionStatus, IndicatorUnit, ItemKind, PilotStatus, TeamStatus
from tracker.formatting import number, percentage
from tracker.indicators import figures
from tracker.milestones.rules import Assessment, MilestoneState, assess
from tracker.report.facts import ActionRow, ItemFact, MilestoneRow, PersonFact, PilotRow, World
from tracker.status import rollup

BLOCK_TITLES = {
    ItemKind.DOEL: "Uitgangspunten / doelen",
    ItemKind.RESULTAAT: "Resultaten",
    ItemKind.AANDACHTSPUNT: "Aandachtspunten",
}
ACTIONS_TITLE = "(Lopende) acties"


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
    #: Numbered notes under the table (1, 2, …): why a marked cell is a source figure, the
    #: source's total against the sum of the districts, what a ratio is computed from.
    #: A cell's number: ``marker(row, index)``.
    source_notes: list[str] = field(default_factory=list)
    #: What the tracker computed for this indicator, in words (for the cover's claim).
    computed: list[str] = field(default_factory=list)
    #: Which of its figures were taken from a source, in words ("" none).
    source_figures: str = ""
    #: For a ratio indicator: how it is computed ("Afgehandelde verdachten / …"); else "".
    ratio_text: str = ""

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

    def marker(self, row: figures.Row, index: int) -> str:
        """The note number of a source figure in ``row`` at period ``index``; "" for none."""
        note = row.source_note(index)
        return str(self.source_notes.index(note) + 1) if note in self.source_notes else ""


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


def milestone_state(m: MilestoneRow, today: date) -> Assessment:
    """The milestone's state on ``today`` as ``milestones.rules`` decides it (one word:
    gehaald / op schema / risico / te laat, with what it rests on)."""
    return assess(m.due_date, today, achieved_on=m.achieved_on, progress=m.progress)


#: The note of a source figure stored without one.
DEFAULT_SOURCE_NOTE = "Overgenomen uit de bron; de cijfers waaruit het volgt zijn niet vastgelegd."


def build_indicators(indicators: list[Any], world: World) -> list[IndicatorSection]:
    """The sections of ``indicators`` (one team's), a ratio reading its two indicators."""
    by_key = {ind.key: ind for ind in world.indicators}

    def inputs(key: str | None) -> IndicatorInput | None:
        ind = by_key.get(key) if key else None
        if ind is None:
            return None
        return (ind, world.measurements.get(ind.id, {}), world.source_figures.get(ind.id, {}))

    return [build_indicator(ind, world.measurements.get(ind.id, {}), world.districts,
                            sources=world.source_figures.get(ind.id, {}),
                            numerator=inputs(getattr(ind, "ratio_numerator_key", None)),
                            denominator=inputs(getattr(ind, "ratio_denominator_key", None)))
            for ind in indicators]


#: An indicator with its raw values and the notes of its source figures.
IndicatorInput = tuple[Any, dict[tuple[int | None, str], Decimal],
                       dict[tuple[int | None, str], str]]


def _periods(indicator: Any) -> list[tuple[str, str]]:
    return [(p["key"], p.get("label") or p["key"]) for p in (indicator.periods or [])]


def _count_table(indicator: Any, values: dict[tuple[int | None, str], Decimal],
                 districts: list[tuple[int, str]],
                 sources: dict[tuple[int | None, str], str]) -> figures.Table:
    is_count = indicator.unit == IndicatorUnit.AANTAL
    has_districts = any(d is not None for d, _ in values)
    unit_label = "Totaal Oost-Nederland" if is_count and has_districts else "Eenheid Oost-Nederland"
    notes = {key: note or DEFAULT_SOURCE_NOTE for key, note in sources.items()}
    return figures.build_table(_periods(indicator), districts, values, summable=is_count,
                               unit_label=unit_label, with_change=is_count, sources=notes,
                               averages=figures.average_parts(indicator.periods))


def build_indicator(indicator: Any, values: dict[tuple[int | None, str], Decimal],
                    districts: list[tuple[int, str]], *,
                    sources: dict[tuple[int | None, str], str] | None = None,
                    numerator: IndicatorInput | None = None,
                    denominator: IndicatorInput | None = None) -> IndicatorSection:
    """One indicator's table, chart, target, source figures and what was computed.

    ``indicator``: an ``Indicator`` or its history version (the same attributes);
    ``values``: raw measurements by (district id or None, period key); ``sources``: the
    notes of the source figures among them. A ratio indicator (``ratio_numerator_key``)
    is computed from ``numerator`` and ``denominator`` (each an indicator with its values
    and source notes) per district and period, to one decimal.
    """
    periods = _periods(indicator)
    is_count = indicator.unit == IndicatorUnit.AANTAL
    is_ratio = bool(getattr(indicator, "ratio_numerator_key", None))
    computed: list[str] = []
    extra_notes: list[str] = []
    ratio_text = ""
    if is_ratio:
        ratio_text, table, extra_notes = _ratio(indicator, periods, districts, numerator,
                                                denominator)
        if table.total is not None or table.rows:
            computed.append(f"{indicator.name.lower()} ({ratio_text})")
    else:
        table = _count_table(indicator, values, districts, sources or {})
        if table.averaged:
            computed.append(f"gemiddelden {', '.join(table.averaged)}")
        if table.rows and table.total is not None and is_count:
            computed.append("totalen Oost-Nederland")
        if table.change_between and any(r.change is not None for r in table.all_rows):
            old, new = table.change_between
            computed.append(f"verschillen {old}-{new} in aantal en procent")
    for label, own, district_sum in table.discrepancies:
        extra_notes.append(
            f"De districtscijfers {label} tellen op tot {number(district_sum)}; het totaal "
            f"{number(own)} is dat van de bron (de districtscijfers zijn afgerond).")
    source_notes: list[str] = []
    for row in table.all_rows:
        for i in range(len(periods)):
            note = row.source_note(i)
            if note and note not in source_notes:
                source_notes.append(note)
    source_notes.extend(n for n in extra_notes if n not in source_notes)

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
        decimals=1 if is_ratio or any(v is not None and v != v.to_integral_value()
                                      for row in table.all_rows for v in row.values) else 0,
        source_notes=source_notes, computed=computed,
        source_figures=_source_figures_text(table), ratio_text=ratio_text,
    )


def _ratio(indicator: Any, periods: list[tuple[str, str]], districts: list[tuple[int, str]],
           numerator: IndicatorInput | None, denominator: IndicatorInput | None
           ) -> tuple[str, figures.Table, list[str]]:
    """A ratio indicator's text, table and notes (what it rests on)."""
    if numerator is None or denominator is None:
        text = (f"{indicator.ratio_numerator_key} / {indicator.ratio_denominator_key}")
        empty = figures.Table(periods=periods, rows=[], total=None, change_between=None)
        return text, empty, ["De cijfers waaruit deze ratio volgt, zijn niet vastgelegd."]
    num_table = _count_table(*numerator[:2], districts, numerator[2])
    den_table = _count_table(*denominator[:2], districts, denominator[2])
    text = f"{numerator[0].name} / {denominator[0].name}"
    table = figures.ratio_table(periods, num_table, den_table, decimals=1)
    from_source = [label for key, label in periods
                   if any(t.is_source(row, key) for t in (num_table, den_table)
                          for row in t.all_rows)]
    notes = []
    if from_source:
        notes.append(f"De ratio over {' en '.join(from_source)} is door de tracker berekend uit "
                     "cijfers die uit de bron zijn overgenomen.")
    return text, table, notes


def _source_figures_text(table: figures.Table) -> str:
    """Which cells of ``table`` are source figures, in words: "alle cijfers", or by period."""
    cells = table.source_cells
    if not cells:
        return ""
    total_cells = sum(1 for row in table.all_rows for v in row.values if v is not None)
    if len(cells) == total_cells:
        return "alle cijfers"
    labels: list[str] = []
    for _, label in table.periods:
        rows = [row for row, cell_label in cells if cell_label == label]
        if not rows:
            continue
        only_total = all(row.is_total for row in rows)
        labels.append(f"het totaal {label}" if only_total else label)
    return ", ".join(labels)


def _fmt_decimal(value: Decimal) -> str:
    decimals = 0 if value == value.to_integral_value() else 1
    return number(value, decimals)


def _target_text(indicator: Any) -> str:
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
    indicators_by_team: dict[int, list[Any]] = defaultdict(list)
    for ind in world.indicators:
        indicators_by_team[ind.team_id].append(ind)

    sections = []
    for t in world.teams:
        status = TeamStatus(t.status)
        finished = status == TeamStatus.AFGEROND
        chairs, trekker = world.people[t.id]
        items = items_by_team[t.id]
        blocks = [(kind.value, title, [i for i in items if i.kind == kind.value])
                  for kind, title in BLOCK_TITLES.items()]
        actions = actions_by_team[t.id]
        milestones = milestones_by_team[t.id]
        pilots = pilots_by_team[t.id]
        computed = rollup.team_status(
            actions=[rollup.ActionFact(a.text, a.status, a.due_date) for a in actions],
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
            id=t.id, slug=t.slug, name=t.name, short_name=t.short_name,
            heading=t.short_name,
            kind_label=t.kind.label, status=status.value, status_label=status.label,
            finished=finished, parent_id=t.parent_id,
            parent_name=t.parent_name, introduction=t.introduction, chairs=chairs, chair_note=t.chair_note,
            trekker=trekker, blocks=blocks, actions=actions, milestones=milestones,
            pilots=pilots,
            indicators=build_indicators(indicators_by_team[t.id], world),
            computed=computed, counts=counts, pilot_counts=pilot_counts,
            next_milestone=upcoming[0] if upcoming else None, notices=notices,
        ))
    return sections


