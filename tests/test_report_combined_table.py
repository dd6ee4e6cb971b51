"""The indicators of one source table ("Diefstal/inbraak woning") are ONE table in every
format, as in the source: Districten/Eenheid, then per indicator a group of columns
(Woninginbraken (misdrijven) and Afgehandelde verdachten: 2013-2016 gemiddeld, 2016, 2017,
the two changes; Opheldering: 2016, 2017), a row per district and the total."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date

import lxml.html
import pytest
from docx import Document

from tracker.report.build import build_report
from tracker.report.export_docx import render_report_docx
from tracker.report.export_html import render_report_html
from tracker.report.export_pdf import render_report_pdf
from tracker.report.sections import combine_tables

PEILDATUM = date(2018, 2, 1)
GROUPS = [("Woninginbraken (misdrijven)", 5), ("Afgehandelde verdachten", 5),
          ("Opheldering", 2)]
COLUMNS = ["2013-2016 gemiddeld", "2016", "2017", "Verschil 2016-2017 (#)",
           "Verschil 2016-2017 (%)"] * 2 + ["2016", "2017"]
# The source's figures (voortgangsrapportage februari 2018), with the note numbers of the
# source figures: 1 the 2013-2016 averages, 2 the source's own total 1.119, 4 opheldering.
IJSSELLAND = ["1.5251", "1.306", "867", "-439", "-34%", "1661", "125", "124", "-1", "-1%",
              "10%4", "14%4"]
TOTAL = ["11.194", "9.537", "7.391", "-2.146", "-23%", "1.1192", "926", "788", "-138", "-15%",
         "10%4", "11%4"]
TOTAL_LABEL = "Totaal Oost-Nederland"


def burglary_group(report):
    section = next(s for s in report.teams if s.slug == "woninginbraken")
    return next(g for g in section.indicator_groups if g.title == "Diefstal/inbraak woning")


def test_the_group_is_one_table_with_a_column_set_per_indicator(demo):
    report = build_report(PEILDATUM)
    group = burglary_group(report)
    table = group.table
    assert [i.key for i in group.indicators] == ["woninginbraken-misdrijven",
                                                 "afgehandelde-verdachten", "opheldering"]
    assert [(g.label, g.span) for g in table.groups] == GROUPS
    assert [c.label for c in table.columns] == COLUMNS
    assert [r.label for r in table.rows][0] == "IJsselland"
    rows = {r.label: [c.text + c.mark for c in r.cells] for r in table.rows}
    assert rows["IJsselland"] == IJSSELLAND and rows[TOTAL_LABEL] == TOTAL
    assert table.rows[-1].is_total and sum(r.is_total for r in table.rows) == 1
    assert len(table.notes) == 4 and table.notes[3].startswith("Ophelderingspercentage")
    # The verdachtenratio is not in the source table: it stays a table of its own.
    section = next(s for s in report.teams if s.slug == "woninginbraken")
    assert any(g.indicators[0].key == "verdachtenratio" and g.table is None
               for g in section.indicator_groups)
    # Generic: a district only one indicator has gets dashes in the other's columns.
    ratio = next(i for i in section.indicators if i.key == "verdachtenratio")
    opheldering = group.indicators[2]
    only = opheldering.table.__class__(
        periods=opheldering.table.periods, rows=opheldering.table.rows[:1],
        total=None, change_between=None)
    mixed = combine_tables("T", "", [ratio, opheldering.__class__(
        **{**opheldering.__dict__, "table": only})])
    assert [g.span for g in mixed.groups] == [3, 2]
    twente = next(r for r in mixed.rows if r.label == "Twente")
    assert [c.text for c in twente.cells][3:] == ["–", "–"]


def test_html_is_one_accessible_table_with_a_two_row_header(demo, app):
    report = build_report(PEILDATUM)
    with app.test_request_context():
        html = lxml.html.fromstring(render_report_html(report))
    captions = [c for c in html.iter("caption")
                if c.text_content().startswith("Diefstal/inbraak woning")]
    assert len(captions) == 1
    assert captions[0].text_content() == (
        "Diefstal/inbraak woning: woninginbraken (misdrijven), afgehandelde verdachten en "
        "opheldering (januari tot en met december)")
    # No separate tables for the three indicators any more.
    ids = [c.get("id", "") for c in html.iter("caption")]
    assert not any(i.endswith(("-woninginbraken-misdrijven", "-afgehandelde-verdachten",
                               "-opheldering")) for i in ids)
    table = captions[0].getparent()
    wrapper = table.getparent()
    assert "vnon-table-scroll" in wrapper.get("class") and wrapper.get("tabindex") == "0"
    assert wrapper.get("role") == "region" and wrapper.get("aria-labelledby") == captions[0].get("id")
    first, second = table.find("thead").findall("tr")
    head = first.findall("th")
    assert head[0].text_content() == "Districten/Eenheid" and head[0].get("rowspan") == "2"
    assert [(th.text_content(), int(th.get("colspan")), th.get("scope")) for th in head[1:]] == [
        (label, span, "colgroup") for label, span in GROUPS]
    assert [th.text_content() for th in second.findall("th")] == COLUMNS
    assert all(th.get("scope") == "col" for th in second.findall("th"))
    assert [int(c.get("span")) for c in table.findall("colgroup")[1:]] == [5, 5, 2]
    rows = {tr.find("th").text_content(): tr for tr in table.find("tbody").findall("tr")}
    assert set(rows) >= {"IJsselland", TOTAL_LABEL}
    assert [td.text_content() for td in rows["IJsselland"].findall("td")] == IJSSELLAND
    assert [td.text_content() for td in rows[TOTAL_LABEL].findall("td")] == TOTAL
    assert rows[TOTAL_LABEL].find("th").get("scope") == "row"
    # Every data cell names its row, its indicator and its column header.
    ids = {el.get("id"): el.text_content() for el in table.iter("th")}
    cell = rows["IJsselland"].findall("td")[11]  # Opheldering 2017
    assert [ids[i] for i in cell.get("headers").split()] == ["IJsselland", "Opheldering", "2017"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_shows_the_table_whole_on_a4_portrait(demo, app):
    report = build_report(PEILDATUM)
    with app.test_request_context():
        pdf = render_report_pdf(report)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert re.search(r"Woninginbraken \(misdrijven\)\s+Afgehandelde verdachten\s+Opheldering",
                     text)
    lines = text.splitlines()
    ijsselland = next(line for line in lines if line.strip().startswith("IJsselland  "))
    assert ijsselland.split()[1:] == IJSSELLAND
    # The total's label wraps in its narrow column ("Totaal Oost-" / "Nederland").
    total = next(line for line in lines if line.strip().startswith("Totaal Oost-")
                 and "11.194" in line)
    assert total.split()[2:] == TOTAL
    # One table: the district rows appear once in it, not once per indicator.
    assert sum(1 for line in lines if line.strip().startswith("IJsselland  ")
               and "1.306" in line) == 1


def test_word_has_one_13_column_table_with_merged_group_headers(demo, app):
    report = build_report(PEILDATUM)
    with app.test_request_context():
        document = Document(io.BytesIO(render_report_docx(report)))
    figures = [t for t in document.tables if t.rows[0].cells[0].text == "Districten/Eenheid"]
    tables = [t for t in figures if "Opheldering" in {c.text for c in t.rows[0].cells}]
    assert len(tables) == 1
    # The burglary figures stand in that one table only (1.306: IJsselland 2016).
    assert sum(1 for t in figures for r in t.rows if "1.306" in {c.text for c in r.cells}) == 1
    table = tables[0]
    assert len(table.columns) == 13
    first, second = table.rows[0], table.rows[1]
    # The groups are merged cells over their columns; the first header cell spans both rows.
    spans = [tc.grid_span for tc in first._tr.tc_lst]
    assert spans == [1, 5, 5, 2]
    assert [tc.text for tc in (table.cell(0, 1), table.cell(0, 6), table.cell(0, 11))] == [
        label for label, _ in GROUPS]
    assert (first._tr.tc_lst[0].vMerge, second._tr.tc_lst[0].vMerge) == ("restart", "continue")
    assert [c.text for c in second.cells][1:] == COLUMNS
    assert all(r._tr.trPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None
        for r in (first, second))
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in table.rows[2:]}
    assert rows["IJsselland"] == IJSSELLAND and rows[TOTAL_LABEL] == TOTAL
    # The note marks are superscript runs, as in the HTML.
    mark = table.cell(2, 1).paragraphs[0].runs[-1]
    assert mark.text == "1" and mark.font.superscript
