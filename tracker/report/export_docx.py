"""The report as a Word document: real headings, lists, tables and styles, so that the
secretariat can go on editing it in Word.

A4 with Dutch (nl-NL) as the language of every style and run, a header with the title and
version, a footer "Pagina X van Y", the indicator charts as pictures with alternative
text, tables with fixed column widths that fit their content and repeated header rows,
and the notes as real Word footnotes.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu, Pt, RGBColor, Twips
from docx.table import _Cell

from tracker.formatting import long_date
from tracker.report.build import ACTIONS_TITLE, IndicatorSection, Report
from tracker.report.charts import alt_text, render_organogram_png, render_png
from tracker.report.sections import CombinedTable, IndicatorGroup, document_layout

BLUE = RGBColor(0x17, 0x40, 0x6D)
GREY = RGBColor(0x5B, 0x66, 0x75)
TABLE_STYLE = "Table Grid"
LANGUAGE = "nl-NL"
#: A4 in twentieths of a point (210 × 297 mm).
PAGE_WIDTH, PAGE_HEIGHT = Twips(11906), Twips(16838)
#: Margins of 2.2 cm (sides, bottom) and 2.5 cm (top), in whole twips.
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = Twips(1247), Twips(1417), Twips(1247)
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_SIDE
CHART_WIDTH = Cm(12)
#: Column widths: a column is never narrower than MIN_COLUMN, nor (text) wider than
#: MAX_CHARS characters ask; one character of 10 pt Arial takes about CHAR_WIDTH.
MIN_COLUMN = Cm(1.6)
SHORT_COLUMN = Cm(3.5)
MAX_CHARS = 45
CHAR_WIDTH = Cm(0.19)
CELL_PADDING = Cm(0.45)

# --- document-wide settings ---------------------------------------------------------------


def _set_lang(rpr) -> None:
    """``w:lang`` nl-NL in a run-properties element (in its schema place)."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), LANGUAGE)


def _style_document(doc) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _set_lang(rpr)
    normal = styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        style = styles[name]
        style.font.name = "Arial"
        style.font.color.rgb = BLUE
        style.paragraph_format.keep_with_next = True
    styles["Caption"].paragraph_format.keep_with_next = True
    # Word's own theme language, and no stale English copy of the styles (a Word 2010
    # "stylesWithEffects" part of python-docx's template, which Word rebuilds itself).
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), LANGUAGE)
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del doc.part.rels[rid]
    for style in styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            _set_lang(style.element.get_or_add_rPr())


def _page_setup(doc, report: Report) -> None:
    title = f"{report.texts['title']} {report.version_label}"
    for index, section in enumerate(doc.sections):
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.left_margin = section.right_margin = MARGIN_SIDE
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.header_distance = section.footer_distance = Cm(1.2)
        # The cover page has no header or footer; every other page has both.
        section.different_first_page_header_footer = index == 0
        if index:
            section.header.is_linked_to_previous = True
            section.footer.is_linked_to_previous = True
            continue
        header = section.header.paragraphs[0]
        header.text = ""
        run = header.add_run(title)
        run.font.size, run.font.color.rgb = Pt(8), GREY
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        footer = section.footer.paragraphs[0]
        footer.text = ""
        footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for part in ("Pagina ", "PAGE", " van ", "NUMPAGES"):
            if part.isupper():
                _field(footer, part)
            else:
                footer.add_run(part)
        for run in footer.runs:
            run.font.size, run.font.color.rgb = Pt(8), GREY


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) with a placeholder result Word updates."""
    def char(kind: str):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    paragraph.add_run()._r.append(char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(char("separate"))
    paragraph.add_run("1")
    paragraph.add_run()._r.append(char("end"))


def _language_on_runs(doc) -> None:
    """Every run says it is Dutch, also where a style would not (pasted or edited text)."""
    roots = [doc.element.body]
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header,
                     section.first_page_footer):
            if not part.is_linked_to_previous:
                roots.append(part._element)
    roots.extend(Footnotes.elements(doc))
    for root in roots:
        for r in root.iter(qn("w:r")):
            _set_lang(r.get_or_add_rPr())


# --- footnotes ------------------------------------------------------------------------------

_SEPARATORS = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0"/></w:pPr>'
    '<w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0"/>'
    '</w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
)


class Footnotes:
    """The document's footnotes part (python-docx has no footnotes API): numbered notes
    at the foot of the page, each referenced by a superscript number in the text."""

    def __init__(self, doc) -> None:
        self.element = parse_xml(f"<w:footnotes {nsdecls('w')}>{_SEPARATORS}</w:footnotes>")
        part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, self.element,
                       doc.part.package)
        doc.part.relate_to(part, RT.FOOTNOTES)
        # The settings name the separators, as Word itself writes them.
        settings = doc.settings.element
        if settings.find(qn("w:footnotePr")) is None:
            settings.insert_element_before(
                parse_xml(f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/>'
                          '<w:footnote w:id="0"/></w:footnotePr>'),
                "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "w:attachedSchema",
                "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
                "w:readModeInkLockDown", "w:smartTagType", "w:shapeDefaults",
                "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")
        self.next_id = 1

    @staticmethod
    def elements(doc) -> list:
        return [rel.target_part.element for rel in doc.part.rels.values()
                if rel.reltype == RT.FOOTNOTES and hasattr(rel.target_part, "element")]

    def add(self, paragraph, text: str) -> None:
        note_id = self.next_id
        self.next_id += 1
        run = paragraph.add_run()
        run.font.superscript = True
        reference = OxmlElement("w:footnoteReference")
        reference.set(qn("w:id"), str(note_id))
        run._r.append(reference)
        self.element.append(parse_xml(
            f'<w:footnote {nsdecls("w")} w:id="{note_id}"><w:p>'
            '<w:pPr><w:spacing w:after="0"/></w:pPr>'
            '<w:r><w:rPr><w:sz w:val="16"/><w:vertAlign w:val="superscript"/></w:rPr>'
            '<w:footnoteRef/></w:r>'
            f'<w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:t xml:space="preserve"> {escape(text)}'
            '</w:t></w:r></w:p></w:footnote>'))


# --- tables ---------------------------------------------------------------------------------


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _natural_width(texts: Sequence[str], is_numeric: bool) -> int:
    """How wide a column wants to be (EMU): its longest value (numeric) or its longest line
    up to ``MAX_CHARS`` (text), at least its header's longest word."""
    header, *cells = texts or [""]
    if is_numeric:
        chars = max([_longest_word(header), *(len(c) for c in cells)])
    else:
        lines = [line for c in cells for line in c.split("\n")]
        chars = max([_longest_word(header), *(min(len(line), MAX_CHARS) for line in lines)])
    return max(int(chars * CHAR_WIDTH + CELL_PADDING), MIN_COLUMN)


def fit_widths(columns: Sequence[Sequence[str]], numeric: Sequence[bool]) -> list[Twips]:
    """Column widths that fit what the columns hold, within the text width.

    Every column wants its natural width (``_natural_width``). When they do not fit
    together, numeric and short columns (up to ``SHORT_COLUMN``) keep theirs and the
    other columns share the rest in proportion to what they want, never narrower than
    ``MIN_COLUMN`` (their text wraps; nothing is cut)."""
    wants = [_natural_width(texts, is_numeric)
             for texts, is_numeric in zip(columns, numeric, strict=True)]
    widths = list(wants)
    if sum(wants) > TEXT_WIDTH:
        fixed = [is_numeric or want <= SHORT_COLUMN
                 for want, is_numeric in zip(wants, numeric, strict=True)]
        rest = TEXT_WIDTH - sum(w for w, f in zip(wants, fixed, strict=True) if f)
        flexible = sum(w for w, f in zip(wants, fixed, strict=True) if not f)
        if flexible and rest >= MIN_COLUMN * fixed.count(False):
            widths = [w if f else max(w * rest // flexible, MIN_COLUMN)
                      for w, f in zip(wants, fixed, strict=True)]
        else:  # too many columns for the page: everything in proportion
            widths = [max(w * TEXT_WIDTH // sum(wants), MIN_COLUMN // 2) for w in wants]
    # Whole twips, as Word stores them; rounding never takes the table past the margin.
    widths = [Twips(w // 635) for w in widths]
    excess = sum(widths) - TEXT_WIDTH
    if excess > 0:
        widest = widths.index(max(widths))
        widths[widest] = Twips(widths[widest].twips - -(-excess // 635))
    return widths


def _fixed_widths(table, widths: list[int]) -> None:
    """Fixed layout (``tblLayout``), the table's width, its grid and every cell's width."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.insert_element_before(tbl_w, "w:jc", "w:tblCellSpacing", "w:tblInd",
                                     "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar",
                                     "w:tblLook", "w:tblCaption", "w:tblDescription")
    tbl_w.set(qn("w:w"), str(Emu(sum(widths)).twips))
    tbl_w.set(qn("w:type"), "dxa")
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _repeat_header(row) -> None:
    """The row repeats at the top of every page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:tblHeader")) is None:
        tr_pr.insert_element_before(OxmlElement("w:tblHeader"), "w:tblCellSpacing", "w:jc",
                                    "w:hidden", "w:ins", "w:del", "w:trPrChange")


def _describe(table, caption: str) -> None:
    """The table's title for assistive technology (Word's alternative text)."""
    element = OxmlElement("w:tblCaption")
    element.set(qn("w:val"), caption[:255])
    table._tbl.tblPr.insert_element_before(element, "w:tblDescription", "w:tblPrChange")


def _cell_text(cell, text: str, *, bold: bool = False, right: bool = False) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold or None
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _table(doc, headers: list[str], rows: list[list[str]], *, caption: str,
           numeric: Sequence[bool] | None = None, widths: list[int] | None = None,
           bold_rows: Sequence[bool] = (), keep_together: bool = False):
    """A table with a repeated, bold header row and widths that fit its content.

    ``keep_together``: on one page (a small figures table, as in the PDF): no row splits
    and every row keeps with the next, Word's way to keep a table whole."""
    numeric = list(numeric or [False] * len(headers))
    table = doc.add_table(rows=1, cols=len(headers), style=TABLE_STYLE)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, label, is_numeric in zip(table.rows[0].cells, headers, numeric, strict=True):
        _cell_text(cell, label, bold=True, right=is_numeric)
    _repeat_header(table.rows[0])
    for index, values in enumerate(rows):
        bold = index < len(bold_rows) and bold_rows[index]
        for cell, value, is_numeric in zip(table.add_row().cells, values, numeric, strict=True):
            _cell_text(cell, value, bold=bold, right=is_numeric)
    if keep_together:
        _keep_together(table)
    columns = [[headers[i], *(r[i] for r in rows)] for i in range(len(headers))]
    _fixed_widths(table, widths or fit_widths(columns, numeric))
    _describe(table, caption)
    return table


def _style_id(part, name: str) -> str:
    """The id of the paragraph style ``name``, looked up once per document: python-docx
    looks it up anew for every styled paragraph, through every style of the document
    (at 20,000 bullets, most of the minute the Word file of a big network took)."""
    ids = part.__dict__.setdefault("_tracker_style_ids", {})
    if name not in ids:
        ids[name] = part.styles[name].style_id
    return ids[name]


def _styled(paragraph, name: str):
    """``paragraph`` in the paragraph style ``name`` (as ``paragraph.style = name``)."""
    paragraph._p.style = _style_id(paragraph.part, name)
    return paragraph


def _add_styled(container, text: str, style: str):
    """``container.add_paragraph(text, style=style)``, the style's id looked up once."""
    paragraph = _styled(container.add_paragraph(), style)
    if text:
        paragraph.add_run(text)
    return paragraph


def _caption(doc, text: str) -> None:
    _add_styled(doc, text, "Caption")


# --- content --------------------------------------------------------------------------------


def _bullets(doc_or_cell, texts: list[str]) -> None:
    for text in texts:
        _add_styled(doc_or_cell, text, "List Bullet")


def _small(doc, text: str):
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.font.size = Pt(8.5)
    return paragraph


def _chart(doc, ind: IndicatorSection) -> None:
    if ind.chart is None or not ind.chart.bars:
        return
    picture = render_png(ind.chart, ind.fmt)
    shape = doc.add_picture(BytesIO(picture.png), width=CHART_WIDTH)
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", alt_text(ind.chart_caption, ind.chart, ind.fmt))
    doc_pr.set("title", ind.chart_caption)
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    _caption(doc, f"{ind.chart_caption} (de cijfers staan in de tabel)")


def _indicator(doc, ind: IndicatorSection, *, level: int = 3) -> None:
    doc.add_heading(ind.name, level=level)
    # The description and the source line stay with the table below them (no heading and
    # "Bron: Politie." stranded at the foot of a page).
    if ind.description:
        doc.add_paragraph(ind.description).paragraph_format.keep_with_next = True
    meta = ([f"Bron: {ind.source}."] if ind.source else []) + (
        [ind.target_line] if ind.target_line else [])
    if meta:
        _small(doc, " ".join(meta)).paragraph_format.keep_with_next = True
    t = ind.table
    if not ind.has_measurements:
        _small(doc, "Nog geen metingen vastgelegd.")
        return
    headers = ["Districten/Eenheid" if t.rows else "Eenheid"] + [label for _, label in t.periods]
    if t.change_between:
        a, b = t.change_between
        headers += [f"Verschil {a}-{b} (#)", f"Verschil {a}-{b} (%)"]
    rows = []
    for row in t.all_rows:
        values = []
        for index, value in enumerate(row.values):
            mark = ind.marker(row, index)
            # The note number of a source figure, as in the HTML (a superscript there).
            values.append(ind.fmt(value) + (f" ({mark})" if mark else ""))
        if t.change_between:
            values += [ind.fmt_change(row.change), ind.fmt_change_pct(row.change_pct)]
        rows.append([row.label, *values])
    caption = ind.name + (f" ({ind.notes.lower()})" if ind.notes else "")
    _caption(doc, caption)
    _table(doc, headers, rows, caption=caption,
           numeric=[False] + [True] * (len(headers) - 1),
           bold_rows=[row.is_total for row in t.all_rows], keep_together=True)
    for number, note in enumerate(ind.source_notes, start=1):
        _small(doc, f"{number}. {note}")
    _chart(doc, ind)
    if t.missing:
        note = "Ontbrekende metingen: " + "; ".join(t.missing) + "."
        if t.total and t.total.is_total and t.rows:
            note += " Het totaal is alleen berekend waar alle districten een meting hebben."
        _small(doc, note)


#: A combined figures table (13 columns in the demo) in a small font with narrow cell
#: margins, so that it fits the text width of A4 portrait like in the PDF.
COMBINED_FONT = Pt(7)
COMBINED_CHAR = Cm(0.14)
COMBINED_PADDING = Cm(0.22)
COMBINED_MARGIN = Twips(57)  # 1 mm each side
COMBINED_LABEL_MIN = Cm(2.4)


def _combined_widths(ct: CombinedTable) -> list[Twips]:
    """The label column and the figure columns of ``ct`` within the text width: a figure
    column as wide as its widest figure or header word (a header wraps at spaces and
    after hyphens), the label column what its longest word needs (at least
    ``COMBINED_LABEL_MIN``; when that does not fit, the figure columns shrink in
    proportion), the rest of the width shared by the figure columns. Whole twips."""
    def chars(texts: list[str]) -> int:
        return max(len(part) for text in texts for word in text.split()
                   for part in word.replace("-", "- ").split() or [""])

    wants = []
    for index, column in enumerate(ct.columns):
        texts = [column.label] + [row.cells[index].text + row.cells[index].mark
                                  for row in ct.rows]
        wants.append(int(chars(texts) * COMBINED_CHAR + COMBINED_PADDING))
    # A group's name must fit over its columns without breaking a word ("Opheldering").
    start = 0
    for group in ct.groups:
        need = int(chars([group.label]) * COMBINED_CHAR + COMBINED_PADDING)
        have = sum(wants[start:start + group.span])
        if have < need:
            for index in range(start, start + group.span):
                wants[index] += -(-(need - have) // group.span)
        start += group.span
    room = TEXT_WIDTH - COMBINED_LABEL_MIN
    if sum(wants) > room:
        wants = [w * room // sum(wants) for w in wants]
    label_texts = [ct.first_header] + [row.label for row in ct.rows]
    label = max(COMBINED_LABEL_MIN,
                min(int(chars(label_texts) * COMBINED_CHAR + COMBINED_PADDING),
                    TEXT_WIDTH - sum(wants)))
    # What is left of the text width goes to the figure columns (more room for a bold total).
    spare = max(TEXT_WIDTH - label - sum(wants), 0) // max(len(wants), 1)
    widths = [Twips(w // 635) for w in [label, *(w + spare for w in wants)]]
    excess = sum(w.twips for w in widths) - TEXT_WIDTH // 635
    if excess > 0:
        widths[0] = Twips(widths[0].twips - excess)
    return widths


def _small_cell(cell, text: str, *, bold: bool = False, right: bool = False,
                center: bool = False, mark: str = "") -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    runs = [paragraph.add_run(text)]
    if mark:  # the note number of a source figure, superscript as in the HTML
        runs.append(paragraph.add_run(mark))
        runs[-1].font.superscript = True
    for run in runs:
        run.bold = bold or None
        run.font.size = COMBINED_FONT
    if right or center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.CENTER


def _combined_table(doc, ct: CombinedTable):
    """``ct`` as one Word table: two header rows (the first header cell merged down, each
    indicator's name merged over its columns), both repeated on a next page, the rows
    kept together; fitted fixed widths and narrow cell margins."""
    columns = 1 + len(ct.columns)
    table = doc.add_table(rows=2, cols=columns, style=TABLE_STYLE)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    first = table.cell(0, 0).merge(table.cell(1, 0))
    _small_cell(first, ct.first_header, bold=True)
    start = 1
    for group in ct.groups:
        cell = table.cell(0, start)
        if group.span > 1:
            cell = cell.merge(table.cell(0, start + group.span - 1))
        _small_cell(cell, group.label, bold=True, center=True)
        start += group.span
    for index, column in enumerate(ct.columns, start=1):
        _small_cell(table.cell(1, index), column.label, bold=True, right=True)
    for row in table.rows[:2]:
        _repeat_header(row)
    for data in ct.rows:
        cells = table.add_row().cells
        _small_cell(cells[0], data.label, bold=True)
        for cell, value in zip(cells[1:], data.cells, strict=True):
            _small_cell(cell, value.text, bold=data.is_total, right=True, mark=value.mark)
    _keep_together(table)
    widths = _combined_widths(ct)
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.insert_element_before(tbl_w, "w:jc", "w:tblCellSpacing", "w:tblInd",
                                     "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar",
                                     "w:tblLook", "w:tblCaption", "w:tblDescription")
    tbl_w.set(qn("w:w"), str(sum(w.twips for w in widths)))
    tbl_w.set(qn("w:type"), "dxa")
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    # A merged cell is one w:tc spanning columns (w:gridSpan): it gets their summed width.
    for row in table.rows:
        position = 0
        for tc in row._tr.tc_lst:
            span = tc.grid_span
            _Cell(tc, table).width = Twips(sum(w.twips for w in widths[position:position + span]))
            position += span
    margins = parse_xml(
        f'<w:tblCellMar {nsdecls("w")}><w:left w:w="{COMBINED_MARGIN.twips}" w:type="dxa"/>'
        f'<w:right w:w="{COMBINED_MARGIN.twips}" w:type="dxa"/></w:tblCellMar>')
    tbl_pr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")
    _describe(table, ct.caption)
    return table


def _combined(doc, group: IndicatorGroup) -> None:
    """A group shown as one combined table: the indicators' descriptions, source and
    targets, the table, its notes, then each indicator's chart (as in the HTML)."""
    ct = group.table
    for ind in group.indicators:
        if ind.description:
            doc.add_paragraph(ind.description).paragraph_format.keep_with_next = True
    meta = " ".join(([ct.source_line] if ct.source_line else []) + ct.target_lines)
    if meta:
        _small(doc, meta).paragraph_format.keep_with_next = True
    _caption(doc, ct.caption)
    _combined_table(doc, ct)
    for number, note in enumerate(ct.notes, start=1):
        _small(doc, f"{number}. {note}")
    for ind in group.indicators:
        _chart(doc, ind)
        t = ind.table
        if t.missing:
            note = f"{ind.name}: ontbrekende metingen: " + "; ".join(t.missing) + "."
            if t.total and t.rows:
                note += " Het totaal is alleen berekend waar alle districten een meting hebben."
            _small(doc, note)


def _organogram(doc, organogram) -> None:
    """The organogram as a picture (drawn from the same geometry as the SVG) with its full
    text alternative, and its title as a caption."""
    picture = render_organogram_png(organogram)
    shape = doc.add_picture(BytesIO(picture.png), width=Cm(8))
    shape._inline.docPr.set("descr", f"{organogram.title}. {organogram.text}")
    shape._inline.docPr.set("title", organogram.title)
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    _caption(doc, organogram.title)


def _team_blocks(doc, s) -> None:
    rows = [(title, [i.text for i in items], "Niets vastgelegd.") for _, title, items in s.blocks]
    rows.append((ACTIONS_TITLE, [a.text + (f" ({a.note})" if a.note else "") for a in s.actions],
                 "Geen acties."))
    table = doc.add_table(rows=0, cols=2, style=TABLE_STYLE)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for title, texts, empty in rows:
        cells = table.add_row().cells
        _cell_text(cells[0], title, bold=True)
        cell = cells[1]
        if not texts:
            _cell_text(cell, empty)
            continue
        cell.text = ""
        for index, text in enumerate(texts):
            paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            _styled(paragraph, "List Bullet").add_run(text)
    _fixed_widths(table, [Cm(3.6), TEXT_WIDTH - Cm(3.6)])
    _describe(table, f"Stand van zaken {s.name}")


def render_report_docx(report: Report) -> bytes:
    """DOCX bytes of ``report``."""
    doc = Document()
    _style_document(doc)
    footnotes = Footnotes(doc)
    props = doc.core_properties
    props.title = report.title_line
    props.subject = report.texts["subtitle"]
    props.author = "Veiligheidsnetwerk Oost-Nederland"
    props.language = LANGUAGE

    # Cover
    doc.add_heading(report.texts["title"], level=0)
    version = doc.add_paragraph(report.version_label, style="Subtitle")
    version.runs[0].font.color.rgb = BLUE
    doc.add_paragraph(report.texts["subtitle"]).runs[0].bold = True
    _bullets(doc, list(report.texts.get("key_facts") or []))
    doc.add_paragraph(f"Peildatum {long_date(report.peildatum)}."
                      + (f" {report.figures_claim}" if report.figures_claim else ""))
    for notice in report.notices:
        doc.add_paragraph(notice, style="Intense Quote")
    doc.add_page_break()

    intro = list(report.texts.get("intro") or [])
    doc.add_heading("Leeswijzer", level=1)
    doc.add_paragraph(intro[0] if intro else "Er is geen leeswijzer vastgelegd.")

    doc.add_heading("Organisatiestructuur", level=1)
    layout = document_layout(report.texts, report.teams)
    for index, parts in enumerate(layout.organisation or [[]]):
        if index == layout.organogram_at and layout.organogram:
            _organogram(doc, layout.organogram)
        if not parts:
            continue
        paragraph = doc.add_paragraph()
        for part in parts:
            paragraph.add_run(part.text)
            if part.note:
                footnotes.add(paragraph, layout.footnotes[part.note - 1])
    doc.add_paragraph(report.texts["chairs_intro"])
    caption = "Teams, bestuurlijke voorzitters en trekkers"
    _caption(doc, caption)
    _table(doc, ["Team", "Bestuurlijk voorzitter", "Trekker"], [
        [("Onderdeel van het platform: " if s.parent_name else "") + s.name, s.chair_text,
         s.trekker.display if s.trekker else "–"]
        for s in report.teams
    ], caption=caption)

    doc.add_heading(report.texts["network_goals_title"], level=1)
    if report.texts.get("network_goals_intro"):
        doc.add_paragraph(report.texts["network_goals_intro"])
    goals = list(report.texts.get("network_goals") or [])
    if goals:
        _bullets(doc, goals)
    else:
        doc.add_paragraph("Er zijn geen doelen voor deze periode vastgelegd.")

    doc.add_heading("Stand per thema", level=1)
    caption = f"Berekende status per team op {long_date(report.peildatum)}"
    _caption(doc, caption)
    _table(doc, ["Team", "Status", "Toelichting"], [
        [s.name, s.computed.label + (f"\n{s.status_label.lower()}" if s.finished else ""),
         "\n".join(r.text for r in s.computed.reasons) or "–"]
        for s in report.teams
    ], caption=caption)

    if report.changes is not None:
        doc.add_heading(report.changes_heading, level=1)
        if report.changes:
            _bullets(doc, report.changes)
        else:
            doc.add_paragraph("Geen wijzigingen.")

    doc.add_page_break()
    doc.add_heading(report.texts["teams_heading"], level=1)
    if layout.figures_overview:
        doc.add_paragraph(layout.figures_overview)
    # The teams follow each other like in the PDF (a page per team left half-empty pages:
    # 14 pages against the PDF's 11); each heading keeps with what follows.
    for s in report.teams:
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
        _team_blocks(doc, s)
        for group in s.indicator_groups:
            if group.title:
                doc.add_heading(group.title, level=3)
                if group.subtitle:
                    _small(doc, group.subtitle)
            if group.table:
                _combined(doc, group)
                continue
            for ind in group.indicators:
                _indicator(doc, ind, level=4 if group.title else 3)
        if s.figures_note:
            doc.add_paragraph(s.figures_note)

    doc.add_section(WD_SECTION.NEW_PAGE)
    doc.add_heading("Bijlage: mijlpalen en pilots", level=1)
    doc.add_heading("Mijlpalen", level=2)
    if report.milestones:
        caption = f"Mijlpalen op {long_date(report.peildatum)}"
        _caption(doc, caption)
        _table(doc, ["Team", "Mijlpaal", "Datum", "Stand"], [
            [m.team_name, m.title, m.due_text, m.state.text if m.state else ""]
            for m in report.milestones
        ], caption=caption)
    else:
        doc.add_paragraph("Geen mijlpalen.")
    doc.add_heading("Pilots", level=2)
    if report.pilots:
        caption = f"Pilots op {long_date(report.peildatum)}"
        _caption(doc, caption)
        _table(doc, ["Team", "Pilot", "Gemeente(n)", "District", "Status"], [
            [p.team_name, p.title, ", ".join(p.municipalities), p.district or "", p.status_label]
            for p in report.pilots
        ], caption=caption)
    else:
        doc.add_paragraph("Geen pilots.")

    _page_setup(doc, report)
    _language_on_runs(doc)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _keep_together(table) -> None:
    """Keep ``table`` on one page: no row split, every row kept with the next."""
    for row in table.rows:
        # In schema order: before trHeight, tblHeader, … (Word refuses other orders).
        row._tr.get_or_add_trPr().insert_element_before(
            OxmlElement("w:cantSplit"), "w:trHeight", "w:tblHeader", "w:tblCellSpacing",
            "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")
    for row in table.rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
