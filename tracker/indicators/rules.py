"""What a raw measurement may be, as pure functions over plain facts.

Shared by the entry form and the CSV import, so that both refuse the same things
with the same Dutch reasons. Nothing here touches the database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from tracker.indicators.numbers import parse_dutch_number
from tracker.privacy import refuse_bsn
from tracker.validation import ValidationError, ValidationErrors, clean_text

#: How a unit-wide (Eenheid Oost-Nederland) value is named in a form or a CSV file.
UNIT_NAMES = frozenset({"eenheid", "oost-nederland", "eenheid oost-nederland"})
UNIT_LABEL = "Eenheid Oost-Nederland"
#: The value the entry form sends for a unit-wide measurement.
UNIT_CHOICE = "eenheid"

PERIOD_MAX_LENGTH = 20  # measurements.period is VARCHAR(20)
PERIOD_LABEL_MAX_LENGTH = 60
MAX_PERIODS = 40
_PERIOD_KEY = re.compile(r"[0-9A-Za-z][0-9A-Za-z /-]*")

UNIT_TOTAL_REFUSED = (
    "Voor een aantal wordt het totaal van Oost-Nederland berekend uit de districten; "
    "een totaal typ je niet in. Vul de waarden per district in."
)
DISTRICT_ON_UNIT_COUNT_REFUSED = (
    "Voor deze indicator is alleen een cijfer voor de hele eenheid vastgelegd; een "
    "districtswaarde zou dat cijfer vervangen door een berekend totaal."
)
RATIO_REFUSED = (
    "Deze indicator berekent de tracker ({ratio}); een ratio typ je niet in. Voer de "
    "metingen van beide indicatoren in."
)


@dataclass(frozen=True)
class IndicatorFacts:
    """What the rules need to know about one indicator and its current values."""

    is_count: bool
    is_percentage: bool
    periods: list[tuple[str, str]]  # (key, label)
    districts: list[tuple[int, str, str]]  # (id, slug, name)
    existing: dict[tuple[int | None, str], Decimal] = field(default_factory=dict)
    #: The keys of ``existing`` that are source figures (taken as printed from a source).
    source_figures: frozenset[tuple[int | None, str]] = frozenset()
    #: A ratio indicator's definition ("Afgehandelde verdachten / …"); "" for others.
    ratio_text: str = ""

    @property
    def has_district_values(self) -> bool:
        return any(d is not None for d, _ in self.existing)

    @property
    def has_unit_values(self) -> bool:
        """A unit-wide value other than a source's own total (which stands next to the
        districts' figures: see ``figures.build_table``)."""
        return any(d is None and (d, p) not in self.source_figures for d, p in self.existing)

    def district_label(self, district_id: int | None) -> str:
        if district_id is None:
            return UNIT_LABEL
        return next((name for i, _, name in self.districts if i == district_id), f"#{district_id}")

    def period_label(self, key: str) -> str:
        return next((label for k, label in self.periods if k == key), key)


@dataclass(frozen=True)
class Cells:
    """One measurement as checked: where, when, how much."""

    district_id: int | None
    period: str
    value: Decimal


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def resolve_district(text: str | None, facts: IndicatorFacts, *, field: str = "district") -> int | None:
    """A district id from its name or slug (any case); None for the unit as a whole."""
    name = clean_text(text, field=field, label="District", max_length=120)
    folded = _fold(name)
    if folded in UNIT_NAMES:
        return None
    for district_id, slug, district_name in facts.districts:
        if folded in (_fold(slug), _fold(district_name)):
            return district_id
    raise ValidationError(field, f"Onbekend district ‘{name[:40]}’. Kies een district of ‘Eenheid’.")


def resolve_period(text: str | None, facts: IndicatorFacts, *, field: str = "period") -> str:
    """A period key of the indicator, given its key or its label."""
    name = clean_text(text, field=field, label="Periode", max_length=PERIOD_LABEL_MAX_LENGTH)
    folded = _fold(name)
    for key, label in facts.periods:
        if folded in (_fold(key), _fold(label)):
            return key
    raise ValidationError(field, f"Onbekende periode ‘{name[:40]}’ voor deze indicator. Voeg de "
                                 "periode eerst toe.")


def check_value(value: Decimal, facts: IndicatorFacts, *, field: str = "value") -> Decimal:
    """Refuse values the unit makes impossible: negative counts, percentages outside 0..100."""
    if facts.is_percentage and not Decimal(0) <= value <= Decimal(100):
        raise ValidationError(field, "Een percentage ligt tussen 0 en 100.")
    if facts.is_count and value < 0:
        raise ValidationError(field, "Een aantal kan niet negatief zijn.")
    return value


def unit_rule(district_id: int | None, facts: IndicatorFacts, *,
              districts_incoming: bool = False) -> str | None:
    """Why this district/unit value may not be stored for the indicator, or None.

    For a count the Oost-Nederland total is the sum of the districts (never stored):
    a unit-wide value is refused as soon as the indicator has (or receives) district
    values. The other way round, a count kept only for the unit as a whole gets no
    district values, which would silently replace its figure by a partial sum.
    Percentages cannot be summed, so their unit-wide figure is raw data and allowed.
    """
    if not facts.is_count:
        return None
    if district_id is None and (facts.has_district_values or districts_incoming):
        return UNIT_TOTAL_REFUSED
    if district_id is not None and facts.has_unit_values:
        return DISTRICT_ON_UNIT_COUNT_REFUSED
    return None


def check_entry(district: str | None, period: str | None, value: str | None,
                facts: IndicatorFacts) -> Cells:
    """Check one measurement as typed; collect every problem (``ValidationErrors``)."""
    errors: dict[str, str] = {}
    district_id = resolved_period = number = None
    try:
        district_id = resolve_district(district, facts)
    except ValidationError as error:
        errors["district"] = error.message
    try:
        resolved_period = resolve_period(period, facts)
    except ValidationError as error:
        errors["period"] = error.message
    try:
        number = check_value(parse_dutch_number(value), facts)
    except ValidationError as error:
        errors["value"] = error.message
    if "district" not in errors:
        reason = unit_rule(district_id, facts)
        if reason:
            errors["district"] = reason
    if facts.ratio_text:
        errors["value"] = RATIO_REFUSED.format(ratio=facts.ratio_text)
    if errors:
        raise ValidationErrors(errors)
    assert resolved_period is not None and number is not None
    return Cells(district_id, resolved_period, number)


def check_new_period(key: str | None, label: str | None,
                     periods: list[tuple[str, str]]) -> tuple[str, str]:
    """A new period ``(key, label)``; the label defaults to the key."""
    errors: dict[str, str] = {}
    clean_key = clean_label = ""
    try:
        clean_key = clean_text(key, field="period_key", label="Periode",
                               max_length=PERIOD_MAX_LENGTH)
        if not _PERIOD_KEY.fullmatch(clean_key):
            raise ValidationError("period_key", "Gebruik voor de periode cijfers, letters, spaties, "
                                                "- of /, bijvoorbeeld 2018 of 2013-2016.")
        folded = _fold(clean_key)
        if any(folded in (_fold(k), _fold(lab)) for k, lab in periods):
            raise ValidationError("period_key", f"De periode ‘{clean_key}’ bestaat al.")
    except ValidationError as error:
        errors["period_key"] = error.message
    try:
        clean_label = refuse_bsn(clean_text(label, field="period_label", label="Omschrijving",
                                            max_length=PERIOD_LABEL_MAX_LENGTH, required=False),
                                 field="period_label")
        if clean_label.startswith(("=", "+", "-", "@")):
            raise ValidationError("period_label", "De omschrijving mag niet met =, +, - of @ "
                                                  "beginnen.")
        if clean_label and any(_fold(clean_label) in (_fold(k), _fold(lab))
                               for k, lab in periods):
            raise ValidationError("period_label", f"De omschrijving ‘{clean_label}’ bestaat al.")
    except ValidationError as error:
        errors["period_label"] = error.message
    if len(periods) >= MAX_PERIODS and "period_key" not in errors:
        errors["period_key"] = f"Een indicator heeft hoogstens {MAX_PERIODS} perioden."
    if errors:
        raise ValidationErrors(errors)
    return clean_key, clean_label or clean_key


# ---------------------------------------------------------------------------------------
# The CSV import, row by row
# ---------------------------------------------------------------------------------------

NEW, CHANGED, UNCHANGED, BAD = "nieuw", "gewijzigd", "ongewijzigd", "fout"


@dataclass(frozen=True)
class ImportRow:
    """One line of an import file, checked and compared with what is stored."""

    line: int
    district: str  # as in the file (for bad rows) or the district's name
    period: str
    value_text: str
    outcome: str  # NEW, CHANGED, UNCHANGED or BAD
    error: str | None = None
    district_id: int | None = None
    period_key: str | None = None
    value: Decimal | None = None
    current: Decimal | None = None


def check_import(rows, facts: IndicatorFacts, *, seen: dict[int, str | None] | None = None
                 ) -> list[ImportRow]:
    """Check every row of a read file (``csv_import.CsvRow``) against the indicator.

    ``seen``: the current value per line as the preview showed it (``None``: none); when
    given, a row whose stored value changed since then is refused, so that a confirmation
    never applies something other than what was previewed.
    """
    checked: list[tuple[object, Cells | None, str | None]] = []
    first_line: dict[tuple[int | None, str], int] = {}
    for row in rows:
        if row.error:
            checked.append((row, None, row.error))
            continue
        try:
            district_id = resolve_district(row.district, facts)
            period = resolve_period(row.period, facts)
            value = check_value(parse_dutch_number(row.value, label="Waarde"), facts)
        except ValidationError as error:
            checked.append((row, None, error.message))
            continue
        key = (district_id, period)
        if key in first_line:
            checked.append((row, None, f"Dezelfde meting staat al op regel {first_line[key]}."))
            continue
        first_line[key] = row.line
        checked.append((row, Cells(district_id, period, value), None))

    districts_incoming = any(c is not None and c.district_id is not None for _, c, _ in checked)
    result = []
    for row, cells, error in checked:
        if cells is None:
            result.append(ImportRow(row.line, row.district, row.period, row.value, BAD, error))
            continue
        district, period = facts.district_label(cells.district_id), facts.period_label(cells.period)
        reason = unit_rule(cells.district_id, facts, districts_incoming=districts_incoming)
        if facts.ratio_text:
            reason = RATIO_REFUSED.format(ratio=facts.ratio_text)
        current = facts.existing.get((cells.district_id, cells.period))
        if reason is None and seen is not None:
            expected = seen.get(row.line)
            expected_value = None if expected is None else Decimal(expected)
            if expected_value != current:
                reason = "Deze meting is gewijzigd sinds de controle; controleer het bestand opnieuw."
        if reason:
            result.append(ImportRow(row.line, district, period, row.value, BAD, reason,
                                    cells.district_id, cells.period, cells.value, current))
            continue
        if current is None:
            outcome = NEW
        elif current == cells.value:
            outcome = UNCHANGED
        else:
            outcome = CHANGED
        result.append(ImportRow(row.line, district, period, row.value, outcome, None,
                                cells.district_id, cells.period, cells.value, current))
    return result
