"""An indicator table as an Excel sheet: the figures the status and indicator pages show.

The same table (``IndicatorSection.table``, built by ``tracker.report.sections``): a row
per district and the total, a column per period, for counts the two change columns.
Counts are numbers, percentages numbers with a % format (the stored percent points, so
``3.1`` shows as 3,1%), the change in percent likewise; a missing value is an empty cell.
The source notes the page numbers under the table are written under it, in order (the
cells carry no mark).
"""

from __future__ import annotations

from datetime import date

from tracker.formatting import long_date
from tracker.xlsx_export import Column, Sheet


def indicator_sheet(ind, today: date, *, team_name: str = "") -> Sheet:
    """The sheet of one indicator (``ind``: a ``tracker.report.sections.IndicatorSection``)
    named after it, with its title, source, target and the peildatum ``today`` above."""
    table = ind.table
    value_kind = "percent" if ind.is_percentage else "number"
    columns = [Column("Districten/Eenheid" if table.rows else "Eenheid")]
    columns += [Column(label, value_kind, ind.decimals) for _, label in table.periods]
    if table.change_between:
        old, new = table.change_between
        columns += [Column(f"Verschil {old}-{new} (#)", "number"),
                    Column(f"Verschil {old}-{new} (%)", "percent")]
    rows = []
    if ind.has_measurements:
        for row in table.all_rows:
            values: list[object] = [row.label, *row.values]
            if table.change_between:
                values += [row.change, row.change_pct]
            rows.append(values)
    lines = [f"Team: {team_name}"] if team_name else []
    lines.append(f"Eenheid van meten: {ind.unit}")
    if ind.source:
        lines.append(f"Bron: {ind.source}")
    if ind.ratio_text:
        lines.append(f"Berekend per district en periode: {ind.ratio_text}, in procenten")
    if ind.target_line:
        lines.append(ind.target_line)
    lines.append(f"Peildatum: {long_date(today)}")
    notes = [f"{n}. {note}" for n, note in enumerate(ind.source_notes, start=1)]
    if ind.source_notes:
        notes.insert(0, "Bronnen van overgenomen cijfers:")
    if table.missing:
        notes.append(f"Ontbrekende metingen: {'; '.join(table.missing)}.")
    if not ind.has_measurements:
        notes.append("Nog geen metingen vastgelegd.")
    return Sheet(ind.name, columns, rows, title=ind.name, lines=lines, notes=notes)
