"""The report as a Word document: real headings, lists, tables and styles, so that the
secretariat can go on editing it in Word."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from tracker.formatting import long_date
from tracker.report.build import ACTIONS_TITLE, IndicatorSection, Report

BLUE = RGBColor(0x17, 0x40, 0x6D)
TABLE_STYLE = "Table Grid"


def _style_document(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        style.font.name = "Arial"
        style.font.color.rgb = BLUE


def _bullets(doc_or_cell, texts: list[str]) -> None:
    for text in texts:
        doc_or_cell.add_paragraph(text, style="List Bullet")


def _header_row(table, labels: list[str]) -> None:
    for cell, label in zip(table.rows[0].cells, labels, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(label)
        run.bold = True


def _indicator(doc, ind: IndicatorSection) -> None:
    doc.add_heading(ind.name, level=3)
    if ind.description:
        doc.add_paragraph(ind.description)
    meta = []
    if ind.source:
        meta.append(f"Bron: {ind.source}.")
    if ind.target_text:
        progress = f" ({ind.progress.state}: {ind.progress.text})" \
            if ind.progress.state != "geen doel" else ""
        meta.append(f"{ind.target_text[0].upper()}{ind.target_text[1:]}{progress}.")
    if meta:
        doc.add_paragraph(" ".join(meta))
    t = ind.table
    if not t.periods or t.is_empty:
        doc.add_paragraph("Nog geen metingen vastgelegd.")
        return
    labels = ["Districten/Eenheid" if t.rows else "Eenheid"] + [label for _, label in t.periods]
    if t.change_between:
        a, b = t.change_between
        labels += [f"Verschil {a}-{b} (#)", f"Verschil {a}-{b} (%)"]
    caption = doc.add_paragraph(ind.name + (f" ({ind.notes.lower()})" if ind.notes else ""),
                                style="Caption")
    caption.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=len(labels), style=TABLE_STYLE)
    _header_row(table, labels)
    for row in t.all_rows:
        cells = table.add_row().cells
        values = [ind.fmt(v) for v in row.values]
        if t.change_between:
            values += [ind.fmt_change(row.change), ind.fmt_change_pct(row.change_pct)]
        cells[0].text = row.label
        for cell, value in zip(cells[1:], values, strict=True):
            cell.text = value
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if row.is_total:
            for cell in cells:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    if t.missing:
        doc.add_paragraph("Ontbrekende metingen: " + "; ".join(t.missing) + ".")


def render_report_docx(report: Report) -> bytes:
    """DOCX bytes of ``report``."""
    doc = Document()
    _style_document(doc)
    props = doc.core_properties
    props.title = report.title_line
    props.subject = report.texts["subtitle"]
    props.author = "Veiligheidsnetwerk Oost-Nederland"

    # Cover
    doc.add_heading(report.texts["title"], level=0)
    version = doc.add_paragraph(report.version_label, style="Subtitle")
    version.runs[0].font.color.rgb = BLUE
    doc.add_paragraph(report.texts["subtitle"]).runs[0].bold = True
    _bullets(doc, list(report.texts.get("key_facts") or []))
    doc.add_paragraph(f"Peildatum {long_date(report.peildatum)}. Alle cijfers, verschillen en "
                      "percentages zijn door de tracker berekend uit de vastgelegde metingen.")
    for notice in report.notices:
        doc.add_paragraph(notice, style="Intense Quote")
    doc.add_page_break()

    intro = list(report.texts.get("intro") or [])
    doc.add_heading("Leeswijzer", level=1)
    doc.add_paragraph(intro[0] if intro else "Er is geen leeswijzer vastgelegd.")

    doc.add_heading("Organisatiestructuur", level=1)
    for paragraph in intro[1:]:
        doc.add_paragraph(paragraph)
    for i, note in enumerate(report.texts.get("footnotes") or [], start=1):
        doc.add_paragraph(f"{i} {note}").runs[0].font.size = Pt(8)
    doc.add_paragraph(report.texts["chairs_intro"])
    table = doc.add_table(rows=1, cols=3, style=TABLE_STYLE)
    _header_row(table, ["Team", "Bestuurlijk voorzitter", "Trekker"])
    for s in report.teams:
        cells = table.add_row().cells
        cells[0].text = ("Onderdeel van het platform: " if s.parent_name else "") + s.name
        cells[1].text = s.chair_text
        cells[2].text = s.trekker.display if s.trekker else "–"

    doc.add_heading(report.texts["network_goals_title"], level=1)
    if report.texts.get("network_goals_intro"):
        doc.add_paragraph(report.texts["network_goals_intro"])
    goals = list(report.texts.get("network_goals") or [])
    if goals:
        _bullets(doc, goals)
    else:
        doc.add_paragraph("Er zijn geen doelen voor deze periode vastgelegd.")

    doc.add_heading("Stand per thema", level=1)
    table = doc.add_table(rows=1, cols=3, style=TABLE_STYLE)
    _header_row(table, ["Team", "Status", "Toelichting"])
    for s in report.teams:
        cells = table.add_row().cells
        cells[0].text = s.name
        cells[1].text = s.computed.label + (f" ({s.status_label.lower()})" if s.finished else "")
        cells[2].text = "\n".join(r.text for r in s.computed.reasons) or "–"

    if report.changes is not None:
        doc.add_heading(f"Wijzigingen sinds {report.previous_label}", level=1)
        if report.changes:
            _bullets(doc, report.changes)
        else:
            doc.add_paragraph("Geen wijzigingen.")

    doc.add_page_break()
    doc.add_heading(report.texts["teams_heading"], level=1)
    for index, s in enumerate(report.teams):
        if index:
            doc.add_page_break()
        doc.add_heading(s.heading + (f" (onderdeel van {s.parent_name})" if s.parent_name else ""),
                        level=2)
        for paragraph in s.introduction.split("\n\n"):
            if paragraph.strip():
                doc.add_paragraph(paragraph.strip())
        if s.trekker:
            doc.add_paragraph(f"De trekker van {s.name} is {s.trekker.display}.")
        if s.finished:
            doc.add_paragraph(s.status_label + ".").runs[0].bold = True
        for notice in s.notices:
            doc.add_paragraph(notice)
        blocks = doc.add_table(rows=0, cols=2, style=TABLE_STYLE)
        blocks.alignment = WD_TABLE_ALIGNMENT.LEFT
        rows = [(title, [i.text for i in items]) for _, title, items in s.blocks]
        rows.append((ACTIONS_TITLE, [
            a.text + (f" ({a.note})" if a.note else "")
            for a in s.actions
        ]))
        for title, texts in rows:
            cells = blocks.add_row().cells
            cells[0].text = ""
            cells[0].paragraphs[0].add_run(title).bold = True
            cell = cells[1]
            if not texts:
                cell.text = "Niets vastgelegd."
                continue
            cell.text = ""
            first = True
            for text in texts:
                paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
                paragraph.style = doc.styles["List Bullet"]
                paragraph.add_run(text)
                first = False
        if s.indicators:
            for ind in s.indicators:
                _indicator(doc, ind)
        else:
            doc.add_paragraph("Voor dit thema zijn geen indicatoren vastgelegd.")

    doc.add_section(WD_SECTION.NEW_PAGE)
    doc.add_heading("Bijlage: mijlpalen en pilots", level=1)
    doc.add_heading("Mijlpalen", level=2)
    table = doc.add_table(rows=1, cols=4, style=TABLE_STYLE)
    _header_row(table, ["Team", "Mijlpaal", "Datum", "Stand"])
    for m in report.milestones:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text, cells[3].text = (
            m.team_name, m.title, m.due_text, m.state.text if m.state else "")
    doc.add_heading("Pilots", level=2)
    table = doc.add_table(rows=1, cols=5, style=TABLE_STYLE)
    _header_row(table, ["Team", "Pilot", "Gemeente(n)", "District", "Status"])
    for p in report.pilots:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text, cells[3].text, cells[4].text = (
            p.team_name, p.title, ", ".join(p.municipalities), p.district or "", p.status_label)

    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
