"""The report as a Word document: A4, Dutch, header and footer with page numbers, the
charts as pictures with alternative text, fitted column widths, footnotes, and no text
of the HTML report lost (also with hostile content)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import lxml.html
from docx import Document
from lxml import etree

from tests.factories import create_action, create_item
from tests.test_status_and_report import PEILDATUM, team, user
from tracker.clock import local_today
from tracker.enums import ItemKind
from tracker.extensions import db
from tracker.report.build import build_report
from tracker.report.charts import _font, _text_width, alt_text, render_png, wrap_label
from tracker.report.export_docx import TEXT_WIDTH

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W,
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
TITLE = "Voortgangsrapportage versie februari 2018"


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _parts(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: etree.fromstring(archive.read(name)) for name in archive.namelist()
                if name.endswith(".xml") and name.startswith("word/")}


def _text(root) -> str:
    """All text of a part, paragraph by paragraph (tables and footnotes included)."""
    lines = []
    for p in root.iter(_w("p")):
        pieces = []
        for node in p.iter(_w("t"), _w("br"), _w("tab")):
            pieces.append(node.text or "" if node.tag == _w("t") else " ")
        lines.append("".join(pieces))
    return "\n".join(lines)


def _docx(client, login, peildatum: str) -> bytes:
    login(user("lezer@example.org"))
    response = client.get(f"/report.docx?peildatum={peildatum}")
    assert response.status_code == 200
    return response.data


def test_word_document_is_dutch_a4_with_header_footer_and_footnote(demo, client, login):
    data = _docx(client, login, PEILDATUM)
    document = Document(io.BytesIO(data))
    parts = _parts(data)
    body, styles = parts["word/document.xml"], parts["word/styles.xml"]

    # A4 on every section, sensible margins.
    sections = body.findall(f".//{_w('sectPr')}")
    assert len(sections) == len(document.sections) >= 2
    for sect in sections:
        size = sect.find(_w("pgSz"))
        assert (size.get(_w("w")), size.get(_w("h"))) == ("11906", "16838")
        margins = sect.find(_w("pgMar"))
        for side in ("left", "right", "top", "bottom"):
            assert 1000 <= int(margins.get(_w(side))) <= 1700, side

    # Dutch: the default run properties, the styles, every run, the metadata.
    default = styles.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}/{_w('lang')}")
    assert default.get(_w("val")) == "nl-NL"
    for name in ("Normal", "Heading1", "Heading2", "Title", "ListBullet", "Caption"):
        style = styles.find(f"{_w('style')}[@{_w('styleId')}='{name}']")
        assert style.find(f"{_w('rPr')}/{_w('lang')}").get(_w("val")) == "nl-NL", name
    langs = {lang.get(_w("val")) for root in parts.values() for lang in root.iter(_w("lang"))}
    assert langs == {"nl-NL"}
    runs = list(body.iter(_w("r")))
    assert runs and all(r.find(f"{_w('rPr')}/{_w('lang')}") is not None for r in runs)
    assert document.core_properties.language == "nl-NL"
    assert document.core_properties.title == TITLE

    # Header with title and version; footer "Pagina X van Y" with PAGE and NUMPAGES fields;
    # the cover page has neither.
    first = document.sections[0]
    assert first.different_first_page_header_footer
    assert first.header.paragraphs[0].text == TITLE
    footer = first.footer._element
    instructions = [t.text.strip() for t in footer.iter(_w("instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert re.fullmatch(r"Pagina 1 van 1", first.footer.paragraphs[0].text)
    for section in document.sections[1:]:
        assert section.header.is_linked_to_previous and not section.different_first_page_header_footer

    # The note on "78 gemeenten" is a real footnote of the paragraph that names them.
    notes = parts["word/footnotes.xml"]
    note = notes.find(f"{_w('footnote')}[@{_w('id')}='1']")
    assert "samenvoegingen" in _text(note)
    referring = [p for p in body.iter(_w("p"))
                 if p.find(f".//{_w('footnoteReference')}[@{_w('id')}='1']") is not None]
    assert len(referring) == 1 and "78 gemeenten" in _text(referring[0])
    rels = zipfile.ZipFile(io.BytesIO(data)).read("word/_rels/document.xml.rels").decode()
    assert "relationships/footnotes" in rels


def test_word_document_has_a_chart_picture_with_alt_text_per_indicator(demo, client, login):
    data = _docx(client, login, PEILDATUM)
    report = build_report(date.fromisoformat(PEILDATUM))
    measured = [ind for s in report.teams for ind in s.indicators
                if ind.table.periods and not ind.table.is_empty]
    assert measured
    body = _parts(data)["word/document.xml"]
    pictures = body.findall(".//wp:inline", NS)
    descriptions = [p.find("wp:docPr", NS).get("descr") for p in pictures]
    assert len(pictures) >= len(measured)
    for ind in measured:
        assert ind.chart is not None
        expected = alt_text(ind.chart_caption, ind.chart, ind.fmt)
        assert expected in descriptions, ind.name
        for bar in ind.chart.bars:
            assert f"{bar.label}: {ind.fmt(bar.value)}" in expected
    assert any("Noord- en Oost-Gelderland" in d or "NO-Gelderland" in d for d in descriptions)
    for picture in pictures:
        if picture.find("wp:docPr", NS).get("title", "").startswith("Organogram"):
            continue  # 8 cm beside the text, like the PDF
        extent = picture.find("wp:extent", NS)
        assert int(extent.get("cx")) == 12 * 360000  # 12 cm wide
        assert 0 < int(extent.get("cy")) < int(extent.get("cx"))
    # The pictures are PNGs in the package.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        images = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert images and all(archive.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in images)


def test_chart_labels_wrap_and_are_never_cut():
    from decimal import Decimal

    from tracker.indicators.figures import bar_chart

    labels = ["IJsselland", "Twente", "Noord- en Oost-Gelderland", "Gelderland-Midden",
              "Gelderland-Zuid"]
    lines = wrap_label("Noord- en Oost-Gelderland", 90)
    assert lines == ["Noord- en Oost-", "Gelderland"]
    long_word = "x" * 200
    font = _font(10)
    pieces = wrap_label(long_word, 80)
    assert "".join(pieces) == long_word and all(_text_width(font, p) <= 80 for p in pieces)
    chart = bar_chart([(label, Decimal(1000 + 500 * i)) for i, label in enumerate(labels)])
    picture = render_png(chart, str)
    assert picture.png.startswith(b"\x89PNG") and picture.width == chart.width
    assert picture.height > chart.baseline + 2 * 12  # room for two label lines


def _col_widths(tbl) -> list[int]:
    return [int(c.get(_w("w"))) for c in tbl.find(_w("tblGrid")).findall(_w("gridCol"))]


def test_word_tables_have_fixed_fitted_widths_and_repeated_headers(demo, client, login):
    body = _parts(_docx(client, login, PEILDATUM))["word/document.xml"]
    tables = body.findall(f".//{_w('tbl')}")
    assert len(tables) > 10
    text_width = TEXT_WIDTH // 635
    indicator_tables = 0
    for tbl in tables:
        props = tbl.find(_w("tblPr"))
        assert props.find(_w("tblLayout")).get(_w("type")) == "fixed"
        assert props.find(_w("tblCaption")).get(_w("val"))
        widths = _col_widths(tbl)
        assert sum(widths) <= text_width + len(widths)
        assert int(props.find(_w("tblW")).get(_w("w"))) == sum(widths)
        for row in tbl.findall(_w("tr")):
            # A merged cell (w:gridSpan) is as wide as the grid columns it spans.
            expected, position = [], 0
            for c in row.findall(_w("tc")):
                span_el = c.find(f"{_w('tcPr')}/{_w('gridSpan')}")
                span = int(span_el.get(_w("val"))) if span_el is not None else 1
                expected.append(sum(widths[position:position + span]))
                assert int(c.find(f"{_w('tcPr')}/{_w('tcW')}").get(_w("w"))) == expected[-1]
                position += span
            assert position == len(widths)
        first_row = tbl.find(_w("tr"))
        header = first_row.find(f"{_w('trPr')}/{_w('tblHeader')}") is not None
        first_text = _text(first_row)
        if first_text.startswith("Uitgangspunten"):  # a team's blocks: no header row
            assert not header and widths[0] < widths[1] / 3
            continue
        assert header, first_text
        if first_text.startswith(("Districten/Eenheid", "Eenheid")):
            indicator_tables += 1
            assert widths[0] > max(widths[1:]), first_text
    # The burglary figures as one combined table, the verdachtenratio as its own table.
    assert indicator_tables >= 2


# --- no text lost ---------------------------------------------------------------------------

LONG_URL = "https://samenwerken.example.org/sites/vnon/Gedeelde%20documenten/" + (
    "Expertteam-Verwarde-personen/" * 10)[:300 - 65] + "plan.pdf"
LONG_WORD = "Veiligheids" + "netwerkoostnederland" * 10
LONG_WORD = LONG_WORD[:200]
LONG_ITEM = " ".join(f"Zin {n} van een heel lang punt over de aanpak in de regio." for n in
                     range(1, 400))[:5000]


def _html_texts(html: str) -> list[str]:
    """Every visible text block of the report's main content, whitespace-free."""
    root = lxml.html.fromstring(html).find(".//main")
    for mark in list(root.iter("sup")):  # footnote marks: Word numbers its footnotes itself
        mark.drop_tree()
    for back in root.xpath('.//a[starts-with(@href, "#voetnoot-verwijzing")]'):
        back.drop_tree()  # the web page's "terug naar de tekst": Word's footnotes need none
    texts = []
    for element in root.iter("h1", "h2", "h3", "h4", "p", "li", "th", "td", "caption",
                             "figcaption"):
        if "visually-hidden" in (element.get("class") or ""):
            continue
        if element.tag in ("td", "th") and element.find(".//li") is not None:
            continue  # a cell with a list: its items are checked one by one
        text = re.sub(r"\s+", "", element.text_content())
        if text:
            texts.append(text)
    return texts


def _docx_text(data: bytes) -> str:
    parts = _parts(data)
    return re.sub(r"\s+", "", "\n".join(_text(parts[name]) for name in
                                         ("word/document.xml", "word/footnotes.xml")))


def test_no_text_of_the_html_report_is_lost_in_word_even_hostile_content(demo, client, login):
    vp = team("verwarde-personen")
    create_item(vp, ItemKind.RESULTAAT, text=f"Zie het plan op {LONG_URL} voor de details.")
    create_item(vp, ItemKind.AANDACHTSPUNT, text=f"Een woord zonder einde: {LONG_WORD}.")
    create_item(vp, ItemKind.DOEL, text=LONG_ITEM)
    for n in range(1, 61):
        create_action(vp, title=f"Hostile actie nummer {n} met een eigen tekst")
    create_action(vp, title="Lange actie", report_text=LONG_ITEM[:3000] + " " + LONG_URL)
    db.session.commit()
    assert len(LONG_URL) >= 300 and len(LONG_WORD) == 200 and len(LONG_ITEM) == 5000

    peildatum = local_today().isoformat()
    login(user("lezer@example.org"))
    html = client.get(f"/report?peildatum={peildatum}").get_data(as_text=True)
    word = _docx_text(_docx(client, login, peildatum))
    for needle in (LONG_URL, LONG_WORD, LONG_ITEM, "Hostile actie nummer 60 met een eigen tekst"):
        assert re.sub(r"\s+", "", needle) in word
    texts = _html_texts(html)
    assert len(texts) > 200
    missing = [t for t in texts if t not in word]
    assert not missing, missing[:5]

    # The report for the demo's peildatum too.
    html = client.get(f"/report?peildatum={PEILDATUM}").get_data(as_text=True)
    word = _docx_text(_docx(client, login, PEILDATUM))
    missing = [t for t in _html_texts(html) if t not in word]
    assert not missing, missing[:5]



def test_the_organogram_is_a_picture_with_its_text_alternative(demo, client, login):
    body = _parts(_docx(client, login, PEILDATUM))["word/document.xml"]
    found = [p.find("wp:docPr", NS) for p in body.findall(".//wp:inline", NS)
             if p.find("wp:docPr", NS).get("title", "").startswith("Organogram")]
    assert len(found) == 1
    assert "Expertteam Hennep" in found[0].get("descr")
    assert "burgemeester Welten" in found[0].get("descr")


def test_word_teams_flow_and_figure_tables_stay_whole_with_their_heading(demo, client, login):
    """As in the PDF: a page break after the cover and before the teams only (a page per
    team left half-empty pages); a figures table never splits over pages, and its heading,
    description and source line keep with it."""
    data = _docx(client, login, PEILDATUM)
    body = _parts(data)["word/document.xml"]
    breaks = [br for br in body.iter(_w("br")) if br.get(_w("type")) == "page"]
    assert len(breaks) == 2  # after the cover, before the teams (the appendix is a section)

    document = Document(io.BytesIO(data))
    figures_tables = [t for t in document.tables
                      if t.rows[0].cells[0].text in ("Districten/Eenheid", "Eenheid")]
    assert len(figures_tables) >= 3  # the burglary figures combined in one
    for table in figures_tables:
        for row in table.rows:
            pr = row._tr.trPr
            assert pr is not None and pr.find(_w("cantSplit")) is not None
            # cantSplit comes before tblHeader (the schema's order; Word refuses others).
            names = [etree.QName(child).localname for child in pr]
            assert names.index("cantSplit") == 0
        for row in table.rows[:-1]:
            assert all(p.paragraph_format.keep_with_next
                       for cell in row.cells for p in cell.paragraphs)
    source_lines = [p for p in document.paragraphs if p.text.startswith("Bron: Politie.")]
    assert source_lines and all(p.paragraph_format.keep_with_next for p in source_lines)
