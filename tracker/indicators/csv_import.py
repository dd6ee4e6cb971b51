"""Reading an uploaded measurements file into rows with line numbers. Pure.

The file is UTF-8 (with or without the BOM Excel writes), separated by ``;`` or ``,``
(found from the header line), with the columns ``district;periode;waarde`` (English
``district;period;value`` also works). A decimal comma in a comma-separated file must
be quoted, as Excel does. Cells that a spreadsheet would run as a formula are refused,
except a number with a leading minus.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from tracker.indicators.numbers import parse_dutch_number
from tracker.validation import ValidationError

MAX_BYTES = 1_000_000
MAX_ROWS = 1000
COLUMNS = ("district", "period", "value")
HEADER_NAMES = {
    "district": "district",
    "periode": "period",
    "period": "period",
    "waarde": "value",
    "value": "value",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


class CsvError(ValueError):
    """The file as a whole cannot be read; the message is Dutch."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CsvRow:
    """One data line; ``error`` set when the line itself is unusable."""

    line: int
    district: str
    period: str
    value: str
    error: str | None = None


def _looks_like_formula(cell: str, *, numeric: bool) -> bool:
    text = cell.lstrip(" ")
    if not text.startswith(FORMULA_PREFIXES):
        return False
    if numeric and text.startswith("-"):
        try:
            parse_dutch_number(text)
        except ValidationError:
            return True
        return False
    return True


def _short(cell: str) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in cell)
    return text if len(text) <= 30 else text[:29] + "…"


def read_csv(data: bytes) -> list[CsvRow]:
    """The data rows of ``data``; raises :class:`CsvError` when the file is unusable."""
    if len(data) > MAX_BYTES:
        raise CsvError(f"Het bestand is groter dan {MAX_BYTES // 1_000_000} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvError("Het bestand is geen UTF-8-tekst. Sla het in Excel op als "
                       "‘CSV UTF-8 (gescheiden door lijstscheidingsteken)’.") from error
    if "\x00" in text:
        raise CsvError("Het bestand is geen tekstbestand.")
    if not text.strip():
        raise CsvError("Het bestand is leeg.")
    first_line = next(line for line in text.splitlines() if line.strip())
    if ";" in first_line:
        delimiter = ";"
    elif "," in first_line:
        delimiter = ","
    else:
        raise CsvError("De eerste regel moet de kolomnamen district;periode;waarde bevatten, "
                       "gescheiden door ; of ,.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[CsvRow] = []
    header: list[str] | None = None
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [HEADER_NAMES.get(c.strip().casefold(), "") for c in cells]
                if sorted(header) != sorted(COLUMNS):
                    raise CsvError("De eerste regel moet de kolomnamen district;periode;waarde "
                                   "bevatten (in die of een andere volgorde).")
                continue
            line = reader.line_num
            if len(rows) >= MAX_ROWS:
                raise CsvError(f"Het bestand heeft meer dan {MAX_ROWS} regels met metingen. "
                               "Splits het in kleinere bestanden.")
            if len(cells) != len(header):
                rows.append(CsvRow(line, "", "", "", f"Verwacht {len(header)} kolommen, gevonden "
                                                     f"{len(cells)}."))
                continue
            named = dict(zip(header, cells, strict=True))
            formula = next((named[c] for c in COLUMNS
                            if _looks_like_formula(named[c], numeric=c == "value")), None)
            if formula is not None:
                rows.append(CsvRow(line, named["district"], named["period"], named["value"],
                                   f"De cel ‘{_short(formula)}’ lijkt een formule (begint met =, +, "
                                   "-, @ of een tab) en wordt niet ingelezen."))
                continue
            rows.append(CsvRow(line, named["district"], named["period"], named["value"]))
    except csv.Error as error:
        raise CsvError(f"Regel {reader.line_num}: het bestand is geen geldige CSV (controleer de "
                       "aanhalingstekens).") from error
    if header is None:
        raise CsvError("Het bestand is leeg.")
    if not rows:
        raise CsvError("Het bestand bevat geen metingen, alleen kolomnamen.")
    return rows
