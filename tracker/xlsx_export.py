"""Excel workbooks (.xlsx) with real dates and numbers, for secretariats that sort and sum.

The one writer of every ``.xlsx`` the tracker offers (beside ``tracker.csv_export``):
routes describe their columns (:class:`Column`: a Dutch header and a kind) and pass
their values as they are (``date``, ``datetime``, ``int``, ``Decimal``, ``str``,
``None``); this module decides how they land in Excel:

* ``text``: always a string cell (``write_string``), so a title such as
  ``=HYPERLINK(...)`` stays text and never becomes a formula (formula injection);
* ``integer`` / ``number``: a number cell with a thousands format (``#,##0``, or with the
  column's decimals);
* ``percent``: a value in percent points (``3.1`` meaning 3,1%, as the tracker stores
  percentages) written as the fraction ``0.031`` with a ``0.0%`` format;
* ``date``: an Excel date (``dd-mm-yyyy``); ``datetime``: an Excel date and time in the
  network's local time (``dd-mm-yyyy hh:mm``; an aware moment converted to
  Europe/Amsterdam unless configured otherwise, a naive one taken as UTC).

Every sheet has a bold header row, panes frozen under it, an autofilter over the table
and column widths fitted to the content; optional lines above the table (a title, the
peildatum) and below it (notes). Sheet names are Dutch and made valid for Excel.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

import xlsxwriter
from flask import Response, current_app, has_app_context

from tracker.formatting import DEFAULT_TIMEZONE, to_local

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Kind = Literal["text", "integer", "number", "percent", "date", "datetime"]
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
#: Column widths in characters: at least this (room for the filter button), at most that.
MIN_WIDTH, MAX_WIDTH = 8, 60
#: Characters Excel refuses in a sheet name; a name has at most 31 characters.
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    """One column: its header (Dutch), the kind of its values and, for ``number`` and
    ``percent``, the decimals shown (the stored value is never rounded)."""

    header: str
    kind: Kind = "text"
    decimals: int = 0


@dataclass
class Sheet:
    """One worksheet: ``rows`` hold a value per column (``None``: an empty cell).

    ``title``: bold line above the table; ``lines``: further lines under the title (the
    peildatum, a source); ``notes``: lines under the table (footnotes, missing values)."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[object]]
    title: str = ""
    lines: Sequence[str] = field(default_factory=list)
    notes: Sequence[str] = field(default_factory=list)


def sheet_name(text: str, taken: Iterable[str] = ()) -> str:
    """``text`` as a valid, unique sheet name: without ``[]:*?/\\``, no leading or trailing
    apostrophe, at most 31 characters; ``(2)``, ``(3)`` … appended when already taken
    (compared case-insensitively, as Excel does). Empty text becomes ``Blad``."""
    clean = _BAD_SHEET_CHARS.sub(" ", text).strip().strip("'").strip() or "Blad"
    used = {t.lower() for t in taken}
    candidate, n = clean[:31], 1
    while candidate.lower() in used:
        n += 1
        suffix = f" ({n})"
        candidate = clean[: 31 - len(suffix)].rstrip() + suffix
    return candidate


def _timezone() -> str:
    if has_app_context():
        return current_app.config.get("TRACKER_TIMEZONE", DEFAULT_TIMEZONE)
    return DEFAULT_TIMEZONE


def _number_format(column: Column) -> str:
    decimals = "." + "0" * column.decimals if column.decimals > 0 else ""
    if column.kind == "percent":
        return f"0{decimals}%"
    if column.kind in ("integer", "number"):
        return f"#,##0{decimals}"
    if column.kind == "date":
        return DATE_FORMAT
    if column.kind == "datetime":
        return DATETIME_FORMAT
    return "@"


def _shown_width(column: Column, value: object) -> int:
    """About the number of characters Excel shows for ``value`` in ``column``."""
    if value is None:
        return 0
    if column.kind == "date":
        return len("30-11-2026")
    if column.kind == "datetime":
        return len("30-11-2026 14:05")
    if column.kind in ("integer", "number", "percent"):
        digits = len(f"{abs(float(value)):,.{column.decimals}f}")
        return digits + (1 if float(value) < 0 else 0) + (1 if column.kind == "percent" else 0)
    return max((len(line) for line in str(value).splitlines()), default=0)


def _write_cell(worksheet, row: int, col: int, column: Column, value: object, fmt) -> None:
    if value is None or value == "":
        worksheet.write_blank(row, col, None, fmt)
    elif column.kind == "text":
        worksheet.write_string(row, col, str(value), fmt)
    elif column.kind in ("integer", "number"):
        worksheet.write_number(row, col, int(value) if column.kind == "integer" else float(value), fmt)
    elif column.kind == "percent":
        worksheet.write_number(row, col, float(Decimal(str(value)) / 100), fmt)
    elif column.kind == "datetime":
        if not isinstance(value, datetime):
            raise TypeError(f"{column.header}: a datetime expected, got {value!r}")
        local = to_local(value, _timezone()).replace(tzinfo=None)
        worksheet.write_datetime(row, col, local, fmt)
    elif column.kind == "date":
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(f"{column.header}: a date expected, got {value!r}")
        worksheet.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt)
    else:  # pragma: no cover - Kind is closed
        raise ValueError(f"unknown column kind {column.kind!r}")


def _write_sheet(workbook, sheet: Sheet, name: str, styles: dict) -> None:
    worksheet = workbook.add_worksheet(name)
    columns = list(sheet.columns)
    formats = [workbook.add_format({"num_format": _number_format(c), "valign": "top"})
               for c in columns]
    widths = [len(c.header) + 3 for c in columns]  # + room for the filter button
    row = 0
    if sheet.title:
        worksheet.write_string(row, 0, sheet.title, styles["title"])
        row += 1
    for line in sheet.lines:
        worksheet.write_string(row, 0, line)
        row += 1
    if row:
        row += 1  # an empty line between the heading lines and the table
    header_row = row
    for col, column in enumerate(columns):
        worksheet.write_string(header_row, col, column.header, styles["header"])
    for values in sheet.rows:
        row += 1
        if len(values) != len(columns):
            raise ValueError(f"{sheet.name}: a row of {len(values)} values for {len(columns)} columns")
        for col, (column, value) in enumerate(zip(columns, values, strict=True)):
            _write_cell(worksheet, row, col, column, value, formats[col])
            widths[col] = max(widths[col], _shown_width(column, value) + 2)
    last_row = row
    for col, width in enumerate(widths):
        worksheet.set_column(col, col, min(max(width, MIN_WIDTH), MAX_WIDTH))
    worksheet.freeze_panes(header_row + 1, 0)
    worksheet.autofilter(header_row, 0, last_row, max(len(columns) - 1, 0))
    row = last_row + 1
    for note in sheet.notes:
        row += 1
        worksheet.write_string(row, 0, note)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The workbook of ``sheets`` (at least one) as the bytes of an ``.xlsx`` file.

    Raises ``ValueError`` for a row whose length differs from the columns and
    ``TypeError`` for a value that does not fit its ``date``/``datetime`` column."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    buffer = io.BytesIO()
    # Strings are never converted: no formulas, no links, no numbers from text.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    styles = {"header": workbook.add_format({"bold": True, "bottom": 1, "valign": "top"}),
              "title": workbook.add_format({"bold": True, "font_size": 13})}
    taken: list[str] = []
    for sheet in sheets:
        name = sheet_name(sheet.name, taken)
        taken.append(name)
        _write_sheet(workbook, sheet, name, styles)
    workbook.close()
    return buffer.getvalue()


def xlsx_bytes(columns: Sequence[Column], rows: Iterable[Sequence[object]], *,
               sheet: str = "Blad", title: str = "", lines: Sequence[str] = (),
               notes: Sequence[str] = ()) -> bytes:
    """A workbook of one sheet: ``columns`` (header and kind) and ``rows`` → ``.xlsx`` bytes."""
    return workbook_bytes([Sheet(sheet, columns, rows, title=title, lines=lines, notes=notes)])


def xlsx_response(filename: str, data: bytes) -> Response:
    """``data`` (from :func:`xlsx_bytes`/:func:`workbook_bytes`) as a download named
    ``filename`` (ending in ``.xlsx``; other characters than ``A-Za-z0-9._-`` become ``_``)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    response = Response(data, mimetype=MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response
