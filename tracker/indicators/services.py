"""Entering, correcting and importing raw measurements; adding periods.

Services flush only; the route commits once. Every stored change writes an audit
entry (``object_type`` ``measurements``, ``before``/``after`` values as strings) in
the same transaction, which is also what lets the report for an earlier peildatum
undo a later correction. There is one row per indicator, district and period: the
unique constraint covers districts, but not the unit-wide row (``district_id``
NULL never collides in SQL), so every write first locks the indicator row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite requests that write already hold the
database's write lock) and looks up the existing row itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.audit.services import record
from tracker.enums import IndicatorUnit
from tracker.extensions import db
from tracker.indicators import rules
from tracker.indicators.csv_import import CsvRow, read_csv
from tracker.indicators.models import Indicator, Measurement
from tracker.network.models import District

#: A preview may be confirmed within this many seconds.
IMPORT_MAX_AGE = 30 * 60
IMPORT_SALT = "tracker.indicators.import"


def load_indicator(key: str, **_ignored) -> Indicator | None:
    """The indicator with its team (the permission subject of every route)."""
    return db.session.scalar(
        select(Indicator).where(Indicator.key == key).options(joinedload(Indicator.team))
    )


def _districts() -> list[tuple[int, str, str]]:
    return [tuple(row) for row in db.session.execute(
        select(District.id, District.slug, District.name).order_by(District.position, District.name)
    )]


def _measurements(indicator: Indicator) -> dict[tuple[int | None, str], Measurement]:
    return {(m.district_id, m.period): m for m in db.session.scalars(
        select(Measurement).where(Measurement.indicator_id == indicator.id))}


def facts_for(indicator: Indicator, measurements: dict[tuple[int | None, str], Measurement],
              districts: list[tuple[int, str, str]]) -> rules.IndicatorFacts:
    ratio = ""
    if indicator.ratio_numerator_key:
        keys = (indicator.ratio_numerator_key, indicator.ratio_denominator_key)
        names = dict(db.session.execute(
            select(Indicator.key, Indicator.name).where(Indicator.key.in_(keys))).all())
        ratio = " / ".join(names.get(key, key or "?") for key in keys)
    return rules.IndicatorFacts(
        is_count=indicator.unit == IndicatorUnit.AANTAL,
        is_percentage=indicator.unit == IndicatorUnit.PROCENT,
        periods=[(p["key"], p.get("label") or p["key"]) for p in (indicator.periods or [])],
        districts=districts,
        existing={key: m.value for key, m in measurements.items()},
        source_figures=frozenset(key for key, m in measurements.items() if m.is_source_figure),
        ratio_text=ratio,
    )


def _sources(measurements: dict[tuple[int | None, str], Measurement]
             ) -> dict[tuple[int | None, str], str]:
    return {key: m.source_note or "" for key, m in measurements.items() if m.is_source_figure}


def _ratio_input(key: str | None) -> tuple[Indicator, dict, dict] | None:
    """A ratio's numerator or denominator with its values and source notes."""
    other = db.session.scalar(select(Indicator).where(Indicator.key == key)) if key else None
    if other is None:
        return None
    measurements = _measurements(other)
    return other, {k: m.value for k, m in measurements.items()}, _sources(measurements)


@dataclass
class PageData:
    """What the measurements page shows, read in a fixed number of statements."""

    section: Any  # tracker.report.build.IndicatorSection
    facts: rules.IndicatorFacts


def page_data(indicator: Indicator) -> PageData:
    """The table in report layout (totals computed, never stored) and the form choices."""
    from tracker.report.build import build_indicator

    districts = _districts()
    measurements = _measurements(indicator)
    facts = facts_for(indicator, measurements, districts)
    section = build_indicator(indicator, dict(facts.existing), [(i, n) for i, _, n in districts],
                              sources=_sources(measurements),
                              numerator=_ratio_input(indicator.ratio_numerator_key),
                              denominator=_ratio_input(indicator.ratio_denominator_key))
    return PageData(section=section, facts=facts)


def _lock(indicator: Indicator) -> None:
    """Serialise writers of one indicator (see the module docstring)."""
    # populate_existing: continue with the periods as they are now that the row is locked.
    db.session.execute(
        select(Indicator).where(Indicator.id == indicator.id).with_for_update()
        .execution_options(populate_existing=True)
    )


def _store(indicator: Indicator, measurements: dict[tuple[int | None, str], Measurement],
           cells: rules.Cells, facts: rules.IndicatorFacts, actor) -> str:
    """Create or correct one value; returns the outcome (``nieuw``/``gewijzigd``/``ongewijzigd``)."""
    key = (cells.district_id, cells.period)
    where = f"{facts.district_label(cells.district_id)}, {facts.period_label(cells.period)}"
    existing = measurements.get(key)
    if existing is None:
        measurement = Measurement(indicator_id=indicator.id, district_id=cells.district_id,
                                  period=cells.period, value=cells.value)
        db.session.add(measurement)
        db.session.flush()
        measurements[key] = measurement
        record("measurement.create", actor=actor, obj=measurement,
               summary=f"{indicator.name}: {where} vastgelegd",
               after={"indicator": indicator.key, "district_id": cells.district_id,
                      "period": cells.period, "value": str(cells.value)})
        return rules.NEW
    if existing.value == cells.value:
        return rules.UNCHANGED
    before = {"value": str(existing.value)}
    existing.value = cells.value
    db.session.flush()
    record("measurement.update", actor=actor, obj=existing,
           summary=f"{indicator.name}: {where} gecorrigeerd", before=before,
           after={"value": str(cells.value)})
    return rules.CHANGED


@dataclass(frozen=True)
class Entered:
    """The outcome of one entry: what, where (``IJsselland, 2018``) and the value."""

    outcome: str
    where: str
    value: Decimal


def enter_measurement(indicator: Indicator, *, district: str | None, period: str | None,
                      value: str | None, actor) -> Entered:
    """Enter or correct one raw value as typed in the form (raises ``ValidationErrors``)."""
    _lock(indicator)
    measurements = _measurements(indicator)
    facts = facts_for(indicator, measurements, _districts())
    cells = rules.check_entry(district, period, value, facts)
    outcome = _store(indicator, measurements, cells, facts, actor)
    where = f"{facts.district_label(cells.district_id)}, {facts.period_label(cells.period)}"
    return Entered(outcome, where, cells.value)


def add_period(indicator: Indicator, *, key: str | None, label: str | None, actor) -> str:
    """Append a period (column) to the indicator; returns its key."""
    _lock(indicator)
    before = [dict(p) for p in (indicator.periods or [])]
    new_key, new_label = rules.check_new_period(
        key, label, [(p["key"], p.get("label") or p["key"]) for p in before])
    # A new list, not an in-place append: the JSON column only sees reassignment.
    indicator.periods = [*before, {"key": new_key, "label": new_label}]
    db.session.flush()
    record("indicator.add_period", actor=actor, obj=indicator,
           summary=f"{indicator.name}: periode {new_label} toegevoegd",
           before={"periods": before}, after={"periods": indicator.periods})
    return new_key


# ---------------------------------------------------------------------------------------
# CSV import: preview, then confirm
# ---------------------------------------------------------------------------------------


class ImportRefused(Exception):
    """The import cannot be applied; ``rows`` says why per line (or ``message`` overall)."""

    def __init__(self, message: str, rows: list[rules.ImportRow] | None = None):
        super().__init__(message)
        self.message = message
        self.rows = rows or []


def preview_import(indicator: Indicator, data: bytes) -> list[rules.ImportRow]:
    """Read and check a file against the stored values; changes nothing.

    Raises :class:`tracker.indicators.csv_import.CsvError` when the file is unusable.
    """
    rows = read_csv(data)
    facts = facts_for(indicator, _measurements(indicator), _districts())
    return rules.check_import(rows, facts)


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=IMPORT_SALT)


def sign_import(rows: list[rules.ImportRow], *, indicator: Indicator, actor,
                secret_key: str) -> str:
    """The previewed rows as a signed token for the confirmation form.

    Why a signed hidden field, and not a stored upload or a second upload: a browser
    cannot re-select a file for the user, and storing uploads needs cleaning up. The
    token holds the rows exactly as read from the file plus the stored value each row
    was compared with. It is signed with the app's SECRET_KEY, bound to this purpose
    (salt), this indicator and this user, and expires after 30 minutes, so it can be
    neither altered nor replayed elsewhere. Confirming checks every row again against
    the data as it is then, and refuses the whole import when anything differs from
    the preview (a value changed meanwhile, a period removed): what is applied is
    always what was shown.
    """
    payload = {
        "indicator": indicator.id,
        "user": actor.id,
        "rows": [[r.line, r.district, r.period, r.value_text,
                  None if r.current is None else str(r.current)] for r in rows],
    }
    return _serializer(secret_key).dumps(payload)


def apply_import(indicator: Indicator, token: str | None, *, actor,
                 secret_key: str) -> list[rules.ImportRow]:
    """Apply a previewed import all-or-nothing; raises :class:`ImportRefused`."""
    try:
        payload = _serializer(secret_key).loads(token or "", max_age=IMPORT_MAX_AGE)
    except SignatureExpired as error:
        raise ImportRefused("De controle is verlopen (na 30 minuten). Laad het bestand "
                            "opnieuw.") from error
    except BadSignature as error:
        raise ImportRefused("De gegevens van de controle zijn ongeldig. Laad het bestand "
                            "opnieuw.") from error
    if payload.get("indicator") != indicator.id or payload.get("user") != actor.id:
        raise ImportRefused("Deze controle hoort niet bij deze indicator of gebruiker. Laad het "
                            "bestand opnieuw.")
    rows = [CsvRow(line, district, period, value)
            for line, district, period, value, _ in payload["rows"]]
    seen = {line: current for line, _, _, _, current in payload["rows"]}
    _lock(indicator)
    measurements = _measurements(indicator)
    facts = facts_for(indicator, measurements, _districts())
    checked = rules.check_import(rows, facts, seen=seen)
    if not checked or any(r.outcome == rules.BAD for r in checked):
        raise ImportRefused("Er is niets ingelezen: niet alle regels zijn in orde.", checked)
    counts = {outcome: 0 for outcome in (rules.NEW, rules.CHANGED, rules.UNCHANGED)}
    for row in checked:
        assert row.value is not None and row.period_key is not None
        cells = rules.Cells(row.district_id, row.period_key, row.value)
        counts[_store(indicator, measurements, cells, facts, actor)] += 1
    record("indicator.import", actor=actor, obj=indicator,
           summary=f"{indicator.name}: CSV ingelezen ({counts[rules.NEW]} nieuw, "
                   f"{counts[rules.CHANGED]} gewijzigd, {counts[rules.UNCHANGED]} ongewijzigd)",
           after=counts)
    return checked
