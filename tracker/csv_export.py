"""CSV that Excel opens well: UTF-8 with BOM, semicolons, formulas neutralised.

Every cell of every CSV the tracker writes goes through :func:`csv_cell`, the one place
that decides how a date looks in a CSV: ISO 8601 (``2026-11-30``; a moment as
``2026-11-30 14:05`` in the network's local time), which Excel recognises and sorts as
a date whatever its language. So routes pass dates and datetimes as they are, never
formatted for reading ("30 november 2026", "31-12-2018" are for pages and mail).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from flask import Response, current_app, has_app_context

from tracker.formatting import DEFAULT_TIMEZONE, to_local

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
#: The two forms of a date column (``strftime``): a day, and a local moment to the minute.
DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"


def csv_cell(value: object) -> str:
    """A cell's text: a datetime as ``2026-11-30 14:05`` (local, Europe/Amsterdam unless
    configured otherwise; naive taken as UTC), a date as ``2026-11-30``, None as ``""``,
    anything else as ``str``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        timezone = (current_app.config.get("TRACKER_TIMEZONE", DEFAULT_TIMEZONE)
                    if has_app_context() else DEFAULT_TIMEZONE)
        return to_local(value, timezone).strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    return str(value)


def neutralise(value: object) -> str:
    """Prefix a quote to cells Excel would run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(csv_cell(cell)) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    response = Response(csv_bytes(header, rows), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
