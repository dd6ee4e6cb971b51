"""Derived indicator figures as pure functions: totals, averages, differences, rates,
ratios, targets.

Nothing here touches the database. Values are ``Decimal`` (or ``None`` when a
measurement is missing); a missing value never becomes a zero, it is reported.
A *source figure* is a stored value the tracker cannot compute (it was taken as printed
from a source); tables carry its note per cell so that the report can mark it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ONE = Decimal(1)


def round_half_up(value: Decimal, decimals: int = 0) -> Decimal:
    """Round like the report does: half away from zero (-0,5 → -1)."""
    return value.quantize(ONE.scaleb(-decimals), rounding=ROUND_HALF_UP)


def difference(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    """``new - old``, or None when either is missing."""
    if old is None or new is None:
        return None
    return new - old


def percent_change(old: Decimal | None, new: Decimal | None, decimals: int = 0) -> Decimal | None:
    """The change from ``old`` to ``new`` in percent, rounded half away from zero.

    None when a value is missing or ``old`` is zero (no meaningful percentage).
    """
    if old is None or new is None or old == 0:
        return None
    return round_half_up((new - old) * 100 / old, decimals)


def total(values: list[Decimal | None]) -> Decimal | None:
    """The sum of ``values``; None when any of them is missing (a partial total misleads)."""
    if not values or any(v is None for v in values):
        return None
    return sum(values, Decimal(0))


def rate(part: Decimal | None, whole: Decimal | None, decimals: int = 0) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (e.g. clearance: cleared / recorded;
    the verdachtenratio: suspects dealt with / burglaries), rounded half away from zero."""
    if part is None or whole is None or whole == 0:
        return None
    return round_half_up(part * 100 / whole, decimals)


def average(values: list[Decimal | None], decimals: int = 0) -> Decimal | None:
    """The mean of ``values`` rounded half away from zero; None when any is missing."""
    if not values or any(v is None for v in values):
        return None
    return round_half_up(sum(values, Decimal(0)) / len(values), decimals)


def average_parts(periods: list[dict]) -> dict[str, list[str]]:
    """The periods computed as an average of others: ``{"2013-2016": ["2013", ..., "2016"]}``.

    From an indicator's period list, where such a period says ``"average_of": [...]``.
    """
    return {p["key"]: [str(k) for k in p["average_of"]]
            for p in periods or [] if p.get("average_of")}


@dataclass(frozen=True)
class Row:
    """One line of an indicator table: a district or the unit total."""

    label: str
    values: list[Decimal | None]
    change: Decimal | None = None
    change_pct: Decimal | None = None
    is_total: bool = False
    #: Per value: the note of a source figure (taken as printed from a source); "" for a
    #: value stored raw or computed by the tracker. Empty tuple: no source figures.
    sources: tuple[str, ...] = ()

    def source_note(self, index: int) -> str:
        return self.sources[index] if index < len(self.sources) else ""


@dataclass
class Table:
    """An indicator in the layout of the report: districts as rows, periods as columns."""

    periods: list[tuple[str, str]]  # (key, label)
    rows: list[Row]
    total: Row | None
    #: The two periods the change columns compare, e.g. ("2016", "2017"); None: no columns.
    change_between: tuple[str, str] | None
    missing: list[str] = field(default_factory=list)
    #: Period labels whose values the tracker computed as an average of stored years.
    averaged: list[str] = field(default_factory=list)
    #: A source's own total that differs from the sum of the districts:
    #: (period label, the source's total, the sum of the district values).
    discrepancies: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)

    def value(self, row: Row, key: str) -> Decimal | None:
        keys = [k for k, _ in self.periods]
        return row.values[keys.index(key)] if key in keys else None

    def is_source(self, row: Row, key: str) -> bool:
        keys = [k for k, _ in self.periods]
        return key in keys and bool(row.source_note(keys.index(key)))

    @property
    def source_cells(self) -> list[tuple[Row, str]]:
        """(row, period label) of every source figure in the table."""
        return [(row, label) for row in self.all_rows
                for i, (_, label) in enumerate(self.periods) if row.source_note(i)]

    @property
    def all_rows(self) -> list[Row]:
        return self.rows + ([self.total] if self.total is not None else [])

    @property
    def is_empty(self) -> bool:
        return not any(v is not None for row in self.all_rows for v in row.values)


def build_table(
    periods: list[tuple[str, str]],
    districts: list[tuple[int, str]],
    values: dict[tuple[int | None, str], Decimal],
    *,
    summable: bool,
    unit_label: str,
    with_change: bool,
    sources: dict[tuple[int | None, str], str] | None = None,
    averages: dict[str, list[str]] | None = None,
) -> Table:
    """Lay out raw ``values`` keyed by (district id or None for the unit, period).

    District rows appear when any district has a value; the total row is the sum of
    the districts when ``summable`` (counts), else the unit's own raw figure
    (percentages cannot be added up). Change columns compare the last two periods.

    ``sources``: the note of every source figure by the same key. ``averages``: periods
    that are the average of other periods (``average_parts``): where all those years are
    stored the tracker computes the average (and it is no longer a source figure); else
    the stored value stands. For a count, the total of such a period is the average of
    the yearly totals. When the source's own total of a count is stored as a source
    figure, the total row shows it, marked, and a difference from the sum of the districts
    is reported in ``discrepancies`` (the districts' figures may be rounded).
    """
    keys = [key for key, _ in periods]
    labels = dict(periods)
    sources = dict(sources or {})
    values = dict(values)
    averaged: list[str] = []
    change_between = (keys[-2], keys[-1]) if with_change and len(keys) >= 2 else None
    for key, parts in (averages or {}).items():
        if key not in labels:
            continue
        places = {d for d, _ in values}
        computed_any = False
        for place in places:
            mean = average([values.get((place, p)) for p in parts], 0 if summable else 1)
            if mean is not None:
                values[(place, key)] = mean
                sources.pop((place, key), None)
                computed_any = True
        if computed_any:
            averaged.append(labels[key])
    missing: list[str] = []
    has_districts = any(d is not None for d, _ in values)
    rows: list[Row] = []
    if has_districts:
        for district_id, label in districts:
            row_values = [values.get((district_id, key)) for key in keys]
            for (_key, period_label), v in zip(periods, row_values, strict=True):
                if v is None:
                    missing.append(f"{label}, {period_label}")
            row_sources = tuple(sources.get((district_id, key), "") for key in keys)
            rows.append(_with_change(Row(label, row_values, sources=row_sources), keys,
                                     change_between))
    total_row = None
    discrepancies: list[tuple[str, Decimal, Decimal]] = []
    if has_districts and summable:
        sums: list[Decimal | None] = []
        total_sources: list[str] = []
        for i, key in enumerate(keys):
            district_sum = total([row.values[i] for row in rows])
            parts = (averages or {}).get(key)
            yearly = [total([values.get((d, p)) for d, _ in districts]) for p in parts or []]
            source_note = sources.get((None, key), "")
            if parts and labels[key] in averaged and average(yearly) is not None:
                sums.append(average(yearly))
                total_sources.append("")
            elif source_note and values.get((None, key)) is not None:
                own = values[(None, key)]
                sums.append(own)
                total_sources.append(source_note)
                if district_sum is not None and district_sum != own:
                    discrepancies.append((labels[key], own, district_sum))
            else:
                sums.append(district_sum)
                total_sources.append("")
        total_row = _with_change(Row(unit_label, sums, is_total=True,
                                     sources=tuple(total_sources)), keys, change_between)
    elif any(d is None for d, _ in values):
        unit_values = [values.get((None, key)) for key in keys]
        unit_sources = tuple(sources.get((None, key), "") for key in keys)
        total_row = _with_change(Row(unit_label, unit_values, is_total=True,
                                     sources=unit_sources), keys, change_between)
    return Table(periods=periods, rows=rows, total=total_row, change_between=change_between,
                 missing=missing, averaged=averaged, discrepancies=discrepancies)


def ratio_table(periods: list[tuple[str, str]], numerator: Table, denominator: Table, *,
                decimals: int = 1) -> Table:
    """A ratio indicator's table: per row and period ``numerator / denominator`` in percent.

    Rows are matched by label (the districts, then the totals: the total's ratio is the
    total numerator over the total denominator, never an average of district ratios).
    A cell is missing when either figure is; no change columns.
    """
    by_label = {row.label: row for row in denominator.rows}
    missing: list[str] = []

    def ratio_row(num: Row, den: Row | None, label: str, is_total: bool) -> Row:
        values = []
        for key, period_label in periods:
            v = rate(numerator.value(num, key),
                     denominator.value(den, key) if den is not None else None, decimals)
            if v is None:
                missing.append(f"{label}, {period_label}")
            values.append(v)
        return Row(label, values, is_total=is_total)

    rows = [ratio_row(num, by_label.get(num.label), num.label, False) for num in numerator.rows]
    total_row = None
    if numerator.total is not None and denominator.total is not None:
        total_row = ratio_row(numerator.total, denominator.total, numerator.total.label, True)
    return Table(periods=periods, rows=rows, total=total_row, change_between=None,
                 missing=missing)


def _with_change(row: Row, keys: list[str], between: tuple[str, str] | None) -> Row:
    if between is None:
        return row
    old = row.values[keys.index(between[0])]
    new = row.values[keys.index(between[1])]
    return Row(row.label, row.values, difference(old, new), percent_change(old, new),
               row.is_total, row.sources)


@dataclass(frozen=True)
class Progress:
    """How an indicator stands against its target."""

    state: str  # "behaald", "niet behaald", "onbekend", "geen doel"
    text: str


def progress_against_target(
    *,
    target_kind: str | None,
    target: Decimal | None,
    latest: Decimal | None,
    base: Decimal | None = None,
) -> Progress:
    """Compare the latest value with the target.

    ``max`` / ``min``: the latest value must stay below / reach the target.
    ``change_pct``: the change from ``base`` to ``latest`` must reach ``target`` percent
    (a negative target is a required decrease).
    """
    if target_kind is None or target is None:
        return Progress("geen doel", "Geen doel vastgelegd.")
    if target_kind == "change_pct":
        change = percent_change(base, latest)
        if change is None:
            return Progress("onbekend", "Basiswaarde of laatste meting ontbreekt.")
        met = change <= target if target < 0 else change >= target
        return Progress("behaald" if met else "niet behaald", f"{change}% tegen doel {target}%")
    if latest is None:
        return Progress("onbekend", "Nog geen meting.")
    if target_kind == "max":
        met = latest <= target
    elif target_kind == "min":
        met = latest >= target
    else:
        return Progress("onbekend", f"Onbekend soort doel: {target_kind}.")
    return Progress("behaald" if met else "niet behaald", f"{latest} tegen doel {target}")


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Chart:
    """Geometry of a simple bar chart (SVG units); the template only draws it."""

    width: int
    height: int
    baseline: int
    bars: list[Bar]
    max_value: Decimal


def bar_chart(points: list[tuple[str, Decimal | None]], *, width: int = 480, height: int = 200,
              top: int = 20, bottom: int = 40) -> Chart | None:
    """Bars for ``points`` (label, value); missing values get no bar. None when nothing to draw."""
    present = [(label, v) for label, v in points if v is not None]
    if not present:
        return None
    max_value = max(max(v for _, v in present), Decimal(0))
    if max_value == 0:
        max_value = Decimal(1)
    plot_height = height - top - bottom
    slot = width // max(len(points), 1)
    bar_width = max(int(slot * 0.6), 4)
    baseline = height - bottom
    bars = []
    for i, (label, value) in enumerate(points):
        if value is None:
            continue
        h = int(round_half_up(max(value, Decimal(0)) / max_value * plot_height))
        x = i * slot + (slot - bar_width) // 2
        bars.append(Bar(label, value, x, baseline - h, bar_width, h))
    return Chart(width=width, height=height, baseline=baseline, bars=bars, max_value=max_value)
