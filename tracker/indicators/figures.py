"""Derived indicator figures as pure functions: totals, differences, rates, targets.

Nothing here touches the database. Values are ``Decimal`` (or ``None`` when a
measurement is missing); a missing value never becomes a zero, it is reported.
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
    """``part`` as a percentage of ``whole`` (e.g. clearance: cleared / recorded)."""
    if part is None or whole is None or whole == 0:
        return None
    return round_half_up(part * 100 / whole, decimals)


@dataclass(frozen=True)
class Row:
    """One line of an indicator table: a district or the unit total."""

    label: str
    values: list[Decimal | None]
    change: Decimal | None = None
    change_pct: Decimal | None = None
    is_total: bool = False


@dataclass
class Table:
    """An indicator in the layout of the report: districts as rows, periods as columns."""

    periods: list[tuple[str, str]]  # (key, label)
    rows: list[Row]
    total: Row | None
    #: The two periods the change columns compare, e.g. ("2016", "2017"); None: no columns.
    change_between: tuple[str, str] | None
    missing: list[str] = field(default_factory=list)

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
) -> Table:
    """Lay out raw ``values`` keyed by (district id or None for the unit, period).

    District rows appear when any district has a value; the total row is the sum of
    the districts when ``summable`` (counts), else the unit's own raw figure
    (percentages cannot be added up). Change columns compare the last two periods.
    """
    keys = [key for key, _ in periods]
    change_between = (keys[-2], keys[-1]) if with_change and len(keys) >= 2 else None
    missing: list[str] = []
    has_districts = any(d is not None for d, _ in values)
    rows: list[Row] = []
    if has_districts:
        for district_id, label in districts:
            row_values = [values.get((district_id, key)) for key in keys]
            for (_key, period_label), v in zip(periods, row_values, strict=True):
                if v is None:
                    missing.append(f"{label}, {period_label}")
            rows.append(_with_change(Row(label, row_values), keys, change_between))
    total_row = None
    if has_districts and summable:
        sums = [total([row.values[i] for row in rows]) for i in range(len(keys))]
        total_row = _with_change(Row(unit_label, sums, is_total=True), keys, change_between)
    elif any(d is None for d, _ in values):
        unit_values = [values.get((None, key)) for key in keys]
        total_row = _with_change(Row(unit_label, unit_values, is_total=True), keys, change_between)
    return Table(periods=periods, rows=rows, total=total_row, change_between=change_between,
                 missing=missing)


def _with_change(row: Row, keys: list[str], between: tuple[str, str] | None) -> Row:
    if between is None:
        return row
    old = row.values[keys.index(between[0])]
    new = row.values[keys.index(between[1])]
    return Row(row.label, row.values, difference(old, new), percent_change(old, new),
               row.is_total)


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
