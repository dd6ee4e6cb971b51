"""The report's sections: one per team, with its blocks, actions, milestones, pilots,
indicators and computed status, as dataclasses the HTML, PDF and DOCX exports only show.

Pure over a :class:`tracker.report.facts.World`: no database. Every derived number
comes from ``tracker.indicators.figures`` and ``tracker.status.rollup``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
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
    progress: figures.Progress
    is_percentage: bool
    #: 1 when any value of the table has decimals (3,1%), so that 4,0% keeps its zero.
    decimals: int = 0
    #: The target and how the figures stand against it, in a sentence for the reader
    #: ("Doel: ... Stand: ..."); never a system phrase. Empty without a target.
    target_line: str = ""
    #: False when no value is measured yet: no table and no chart, only a sentence.
    has_measurements: bool = False
    #: The chart's bar labels broken into lines (nothing cut off), and the SVG height
    #: that leaves room for them.
    chart_labels: list[list[str]] = field(default_factory=list)
    chart_height: int = 0
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
class CombinedColumn:
    """A figure column of a combined table: its header and the column group it is in."""

    label: str
    group: int  # index into CombinedTable.groups


@dataclass
class CombinedGroup:
    """One indicator's columns in a combined table ("Woninginbraken (misdrijven)")."""

    label: str
    span: int


@dataclass
class CombinedCell:
    """A formatted cell ("1.525", "10%", "–") and the number of its source note ("" none)."""

    text: str
    mark: str = ""


@dataclass
class CombinedRow:
    label: str
    is_total: bool
    cells: list[CombinedCell]


@dataclass
class CombinedTable:
    """Several indicators of one source table as ONE table, like the source: a row per
    district and the total, per indicator a group of columns (its periods, then its
    changes). The notes are numbered over the whole table; ``CombinedCell.mark`` is the
    number of the cell's note in ``notes``."""

    caption: str
    first_header: str
    groups: list[CombinedGroup]
    columns: list[CombinedColumn]
    rows: list[CombinedRow]
    notes: list[str]
    #: Above the table, for the reader: "Bron: Politie." (each source once) and each
    #: indicator's target sentence with its name.
    source_line: str = ""
    target_lines: list[str] = field(default_factory=list)


@dataclass
class IndicatorGroup:
    """Indicators shown under one table title of the source ("Diefstal/inbraak woning");
    ``title`` is empty for an indicator that stands on its own. ``table``: the combined
    table when two or more indicators share the title (None: each shows its own)."""

    title: str
    subtitle: str
    indicators: list[IndicatorSection]
    table: CombinedTable | None = None


def combine_tables(title: str, subtitle: str, indicators: list[IndicatorSection]
                   ) -> CombinedTable:
    """The tables of ``indicators`` as one: rows matched by district label (the totals
    with each other, under the first indicator's total label), in the order they first
    appear; a cell an indicator has no row for is a dash. Each indicator keeps its own
    periods and change columns, so differing periods each get their own column set."""
    groups: list[CombinedGroup] = []
    columns: list[CombinedColumn] = []
    notes: list[str] = []
    for ind in indicators:
        t = ind.table
        labels = [label for _, label in t.periods]
        if t.change_between:
            old, new = t.change_between
            labels += [f"Verschil {old}-{new} (#)", f"Verschil {old}-{new} (%)"]
        groups.append(CombinedGroup(ind.name, len(labels)))
        columns.extend(CombinedColumn(label, len(groups) - 1) for label in labels)
        notes.extend(n for n in ind.source_notes if n not in notes)

    order: list[tuple[bool, str]] = []
    total_label = ""
    for ind in indicators:
        for row in ind.table.rows:
            if (False, row.label) not in order:
                order.append((False, row.label))
        if ind.table.total is not None and not total_label:
            total_label = ind.table.total.label
    if total_label:
        order.append((True, total_label))

    def cells(ind: IndicatorSection, row: figures.Row | None) -> list[CombinedCell]:
        t = ind.table
        width = len(t.periods) + (2 if t.change_between else 0)
        if row is None:
            return [CombinedCell("–")] * width
        out = []
        for index, value in enumerate(row.values):
            note = row.source_note(index)
            mark = str(notes.index(note) + 1) if note and value is not None else ""
            out.append(CombinedCell(ind.fmt(value), mark))
        if t.change_between:
            out += [CombinedCell(ind.fmt_change(row.change)),
                    CombinedCell(ind.fmt_change_pct(row.change_pct))]
        return out

    rows = []
    for is_total, label in order:
        row_cells: list[CombinedCell] = []
        for ind in indicators:
            match = (ind.table.total if is_total
                     else next((r for r in ind.table.rows if r.label == label), None))
            row_cells += cells(ind, match)
        rows.append(CombinedRow(label, is_total, row_cells))
    has_rows = any(not is_total for is_total, _ in order)
    names = [ind.name[:1].lower() + ind.name[1:] for ind in indicators]
    listed = f"{', '.join(names[:-1])} en {names[-1]}"
    caption = f"{title}: {listed}" + (f" ({subtitle[:1].lower()}{subtitle[1:]})"
                                       if subtitle else "")
    sources = list(dict.fromkeys(ind.source for ind in indicators if ind.source))
    if len(sources) > 1:
        sources = [f"{ind.source} ({ind.name.lower()})" for ind in indicators if ind.source]
    return CombinedTable(caption=caption,
                         first_header="Districten/Eenheid" if has_rows else "Eenheid",
                         groups=groups, columns=columns, rows=rows, notes=notes,
                         source_line=f"Bron: {', '.join(sources)}." if sources else "",
                         target_lines=[f"{ind.name} – {ind.target_line}"
                                       for ind in indicators if ind.target_line])


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
    #: The team's indicators with measurements, under the source's table titles.
    indicator_groups: list[IndicatorGroup] = field(default_factory=list)
    #: One sentence for the indicators the team has but has not measured yet ("" if none).
    figures_note: str = ""

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
    labels = ([wrap_label(bar.label, max(6, (chart.width // max(len(points), 1)) // 6))
               for bar in chart.bars] if chart else [])
    extra_lines = max((len(lines) for lines in labels), default=0) - 2
    return IndicatorSection(
        key=indicator.key, name=indicator.name, description=indicator.description or "",
        unit=indicator.unit.label, source=indicator.source or "", notes=indicator.notes or "",
        table=table, chart=chart, chart_caption=caption,
        progress=progress, is_percentage=indicator.unit == IndicatorUnit.PROCENT,
        decimals=1 if is_ratio or any(v is not None and v != v.to_integral_value()
                                      for row in table.all_rows for v in row.values) else 0,
        source_notes=source_notes, computed=computed,
        # A ratio is computed, never a source figure (its marks only say what it rests on).
        source_figures="" if is_ratio else _source_figures_text(table), ratio_text=ratio_text,
        target_line=_target_line(indicator, progress, base=base, latest=latest),
        has_measurements=bool(periods) and not table.is_empty,
        chart_labels=labels,
        chart_height=(chart.height + max(extra_lines, 0) * LABEL_LINE_HEIGHT) if chart else 0,
    )


#: SVG units between two lines of a bar label.
LABEL_LINE_HEIGHT = 12


def wrap_label(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at spaces and after hyphens
    ("Noord- en" / "Oost-Gelderland"); a longer word is cut into pieces: nothing is lost."""
    pieces: list[tuple[str, bool]] = []  # (piece, preceded by a space)
    for index, word in enumerate(text.split()):
        spaced = index > 0
        for part in (p for p in re.split(r"(?<=-)", word) if p):
            while part:
                pieces.append((part[:width], spaced))
                part, spaced = part[width:], False
    lines: list[str] = []
    for piece, spaced in pieces:
        if lines and len(lines[-1]) + spaced + len(piece) <= width:
            lines[-1] += (" " if spaced else "") + piece
        else:
            lines.append(piece)
    return lines or [""]


def _target_line(indicator: Any, progress: figures.Progress, *, base: Decimal | None,
                 latest: Decimal | None) -> str:
    """The target and the stand against it, written for the reader of the report."""
    if indicator.target_value is None or indicator.target_kind is None:
        return ""
    is_pct = indicator.unit == IndicatorUnit.PROCENT
    suffix = "%" if is_pct else ""
    target = indicator.target_value
    kind = indicator.target_kind
    if kind == "change_pct":
        direction = "een daling" if target < 0 else "een stijging"
        period = f" in {indicator.target_period}" if indicator.target_period else ""
        since = (f", gerekend vanaf {indicator.target_base_period}"
                 if indicator.target_base_period else "")
        sentence = f"Doel: {direction} van {_fmt_decimal(abs(target))}%{period}{since}."
    elif kind in ("max", "min"):
        word = "maximaal" if kind == "max" else "minimaal"
        sentence = f"Doel: {word} {_fmt_decimal(target)}{suffix}."
    else:
        return ""
    if indicator.baseline_value is not None:
        sentence += f" Uitgangswaarde: {_fmt_decimal(indicator.baseline_value)}{suffix}."
    if progress.state in ("behaald", "niet behaald"):
        verdict = "doel gehaald" if progress.state == "behaald" else "doel nog niet gehaald"
        if kind == "change_pct":
            change = figures.percent_change(base, latest)
            word = "gedaald" if change is not None and change < 0 else "gestegen"
            sentence += (f" Sinds {indicator.target_base_period} is het aantal "
                         f"{word} met {_fmt_decimal(abs(change or 0))}% ({verdict}).")
        else:
            sentence += f" Laatste meting: {_fmt_decimal(latest or Decimal(0))}{suffix} ({verdict})."
    elif kind == "change_pct" and base is None and latest is not None:
        sentence += (" Of het doel wordt gehaald, is nog niet te berekenen: er is geen cijfer over "
                     f"{indicator.target_base_period} vastgelegd.")
    elif latest is None:
        sentence += " Of het doel wordt gehaald, is nog niet te zeggen: er is nog geen meting."
    return sentence


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
        note = (f"De ratio over {' en '.join(from_source)} is door de tracker berekend uit "
                "cijfers die uit de bron zijn overgenomen.")
        notes.append(note)
        table = _mark_ratio_cells(table, num_table, den_table, note)
    return text, table, notes


def _mark_ratio_cells(table: figures.Table, numerator: figures.Table,
                      denominator: figures.Table, note: str) -> figures.Table:
    """``table`` with ``note`` on every ratio computed from a source figure (the numerator's
    or denominator's cell of the same row and period), so the cell carries the note's mark
    like a source figure does in every format."""
    def parts(t: figures.Table) -> dict[tuple[bool, str], figures.Row]:
        return {(row.is_total, row.label): row for row in t.all_rows}

    nums, dens = parts(numerator), parts(denominator)

    def marked(row: figures.Row) -> figures.Row:
        place = (row.is_total, row.label)
        inputs = [(t, r) for t, r in ((numerator, nums.get(place)),
                                      (denominator, dens.get(place))) if r is not None]
        sources = tuple(
            note if value is not None and any(t.is_source(r, key) for t, r in inputs) else ""
            for (key, _), value in zip(table.periods, row.values, strict=True))
        return replace(row, sources=sources) if any(sources) else row

    return replace(table, rows=[marked(r) for r in table.rows],
                   total=marked(table.total) if table.total is not None else None)


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

    tables = _table_titles(world.texts)
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
        indicators = build_indicators(indicators_by_team[t.id], world)
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
            indicators=indicators,
            computed=computed, counts=counts, pilot_counts=pilot_counts,
            next_milestone=upcoming[0] if upcoming else None, notices=notices,
            indicator_groups=group_indicators(indicators, tables),
            figures_note=unmeasured_sentence(indicators),
        ))
    return sections


def _table_titles(texts: dict[str, Any]) -> list[dict[str, Any]]:
    """The source's table titles (report text ``indicator_tables``): each a dict with
    ``title``, ``subtitle`` and the ``indicators`` (keys) shown under it."""
    tables = texts.get("indicator_tables") or []
    return [t for t in tables if isinstance(t, dict) and t.get("title")]


def group_indicators(indicators: list[IndicatorSection], tables: list[dict[str, Any]]
                     ) -> list[IndicatorGroup]:
    """The measured indicators in their order, those of one source table under its title
    (shown as one combined table when there are several)."""
    group_of = {key: table for table in tables for key in table.get("indicators") or []}
    groups: list[IndicatorGroup] = []
    by_title: dict[str, IndicatorGroup] = {}
    for ind in indicators:
        if not ind.has_measurements:
            continue
        table = group_of.get(ind.key)
        if table is None:
            groups.append(IndicatorGroup("", "", [ind]))
        elif table["title"] in by_title:
            by_title[table["title"]].indicators.append(ind)
        else:
            group = IndicatorGroup(table["title"], table.get("subtitle") or "", [ind])
            by_title[table["title"]] = group
            groups.append(group)
    for group in groups:
        if group.title and len(group.indicators) > 1:
            group.table = combine_tables(group.title, group.subtitle, group.indicators)
    return groups


def _names(names: list[str]) -> str:
    quoted = [f"‘{n}’" for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} en {quoted[-1]}"


def unmeasured_sentence(indicators: list[IndicatorSection]) -> str:
    """One sentence for the indicators without any measurement yet ("" when none)."""
    names = [ind.name for ind in indicators if not ind.has_measurements]
    if not names:
        return ""
    return f"Van {_names(names)} zijn nog geen cijfers beschikbaar."


def figures_overview(sections: list[TeamSection]) -> str:
    """One sentence on which themes the report gives figures for, instead of a line in
    every theme without them ("" when every theme has figures)."""
    if not sections:
        return ""
    with_figures = [s.name for s in sections if s.indicator_groups]
    if not with_figures:
        return "Deze rapportage bevat nog geen cijfers: er zijn nog geen metingen vastgelegd."
    if len(with_figures) == len(sections):
        return ""
    listed = (with_figures[0] if len(with_figures) == 1
              else f"{', '.join(with_figures[:-1])} en {with_figures[-1]}")
    return (f"Cijfers zijn opgenomen bij {listed}; voor de andere thema’s zijn nog geen "
            "cijfers vastgelegd.")


# ---------------------------------------------------------------------------------------
# The document around the teams: footnotes in their sentence, the organogram
# ---------------------------------------------------------------------------------------


@dataclass
class TextPart:
    """A piece of a paragraph, followed by footnote ``note`` (its number) when set."""

    text: str
    note: int | None = None


def place_footnotes(paragraphs: list[str], footnotes: list[str], anchors: list[str]
                    ) -> list[list[TextPart]]:
    """The paragraphs as parts, footnote n placed right after the first occurrence of
    ``anchors[n-1]`` ("78 gemeenten"); without (a found) anchor, at the end of the first
    paragraph. The text itself is never changed."""
    parts = [[TextPart(p)] for p in paragraphs]
    for note_number, _note in enumerate(footnotes, start=1):
        anchor = anchors[note_number - 1] if note_number <= len(anchors) else ""
        placed = False
        for paragraph in parts if anchor else []:
            for index, part in enumerate(paragraph):
                at = part.text.find(anchor)
                if at < 0:
                    continue
                end = at + len(anchor)
                paragraph[index:index + 1] = [TextPart(part.text[:end], note_number),
                                              TextPart(part.text[end:], part.note)]
                placed = True
                break
            if placed:
                break
        if not placed and parts:
            parts[0].append(TextPart("", note_number))
    return [[p for p in paragraph if p.text or p.note] for paragraph in parts]


@dataclass
class OrgBox:
    x: int
    y: int
    width: int
    height: int
    #: (text, bold) per line
    lines: list[tuple[str, bool]]
    level: int  # 0 the BBG, 1 a team or platform, 2 a part of the platform


@dataclass
class Organogram:
    """The network drawn from its model: the BBG, the teams and the platform with its
    parts, each with its chair(s). Geometry in SVG units; ``text`` is the full text
    alternative."""

    width: int
    height: int
    boxes: list[OrgBox]
    #: connectors: (x1, y1, x2, y2)
    lines: list[tuple[int, int, int, int]]
    title: str
    text: str


ORG_WIDTH = 300
ORG_LINE = 12
ORG_INDENT = 22


def _org_box(x: int, y: int, level: int, name: str, chair: str) -> OrgBox:
    width = ORG_WIDTH - x
    chars = max(10, (width - 12) // 6)
    lines = [(line, True) for line in wrap_label(name, chars)]
    if chair:
        lines += [(line, False) for line in wrap_label(chair, chars + 2)]
    return OrgBox(x, y, width, 8 + ORG_LINE * len(lines), lines, level)


def build_organogram(sections: list[TeamSection]) -> Organogram | None:
    """The organogram, top down: the BBG; under it every team, the platform's parts under
    the platform. None when there are no teams."""
    if not sections:
        return None
    ids = {s.id for s in sections}
    top = [s for s in sections if s.parent_id not in ids]
    children: dict[int, list[TeamSection]] = defaultdict(list)
    for s in sections:
        if s.parent_id in ids:
            children[s.parent_id].append(s)
    bbg = _org_box(0, 0, 0, "Bestuurlijke Begeleidingsgroep (BBG)", "")
    boxes, lines = [bbg], []
    y = bbg.height + 10
    described = []

    def chair_of(s: TeamSection) -> str:
        return s.chair_text if s.chairs or s.chair_note else "voorzitter vacant"

    def add(s: TeamSection, level: int, parent_x: int, parent_bottom: int) -> None:
        nonlocal y
        box = _org_box(ORG_INDENT * level, y, level, s.name, chair_of(s))
        boxes.append(box)
        trunk = parent_x + ORG_INDENT // 2
        middle = y + box.height // 2
        lines.append((trunk, parent_bottom, trunk, middle))
        lines.append((trunk, middle, box.x, middle))
        y += box.height + 6
        for child in children.get(s.id, []):
            add(child, level + 1, box.x, box.y + box.height)

    for s in top:
        add(s, 1, 0, bbg.height)
    for s in top:
        text = f"{s.name} ({chair_of(s)})"
        parts = children.get(s.id, [])
        if parts:
            text += " met als onderdelen " + " en ".join(
                f"{c.name} ({chair_of(c)})" for c in parts)
        described.append(text)
    # Connectors from the same parent overlap; keep each segment once, in order.
    unique = list(dict.fromkeys(lines))
    title = "Organogram van het Veiligheidsnetwerk Oost-Nederland"
    text = ("De Bestuurlijke Begeleidingsgroep (BBG) met daaronder: "
            + "; ".join(described) + ".")
    return Organogram(ORG_WIDTH, y, boxes, unique, title, text)


@dataclass
class DocumentLayout:
    """What the exports show around the teams, decided once for HTML, PDF and Word."""

    #: The Organisatiestructuur paragraphs, with the footnote numbers in place.
    organisation: list[list[TextPart]]
    footnotes: list[str]
    organogram: Organogram | None
    #: Index of the paragraph the organogram stands beside ("Hiernaast ...").
    organogram_at: int
    figures_overview: str


def document_layout(texts: dict[str, Any], sections: list[TeamSection]) -> DocumentLayout:
    paragraphs = list(texts.get("intro") or [])[1:]
    footnotes = list(texts.get("footnotes") or [])
    anchors = list(texts.get("footnote_anchors") or [])
    at = next((i for i, p in enumerate(paragraphs) if "hiernaast" in p.lower()),
              max(len(paragraphs) - 1, 0))
    return DocumentLayout(
        organisation=place_footnotes(paragraphs, footnotes, anchors), footnotes=footnotes,
        organogram=build_organogram(sections), organogram_at=at,
        figures_overview=figures_overview(sections),
    )
