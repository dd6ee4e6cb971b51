"""The report of 1 February 2018 carries the verdachtenratio and marks its source figures."""

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.indicators.models import Indicator, Measurement


def woninginbraken(report):
    section = next(s for s in report.teams if s.slug == "woninginbraken")
    return {ind.key: ind for ind in section.indicators}


def test_the_woninginbraken_section_carries_the_suspects_ratio_and_the_notes(demo):
    from tracker.report.build import build_report

    report = build_report(date(2018, 2, 1))
    indicators = woninginbraken(report)

    ratio = indicators["verdachtenratio"]
    total = ratio.table.total
    assert [ratio.fmt(v) for v in total.values] == ["10,0%", "9,7%", "10,7%"]
    assert [p for _, p in ratio.table.periods] == ["2013-2016 gemiddeld", "2016", "2017"]
    assert len(ratio.table.rows) == 5

    suspects = indicators["afgehandelde-verdachten"]
    assert suspects.fmt(suspects.table.total.values[0]) == "1.119"
    assert suspects.marker(suspects.table.total, 0) != ""
    assert any("1.120" in note for note in suspects.source_notes)
    assert suspects.marker(suspects.table.rows[0], 1) == ""  # 2016: a raw value

    for key in ("opheldering", "slachtofferkans-aangifte"):
        assert indicators[key].source_figures == "alle cijfers"
        assert indicators[key].source_notes

    assert "verdachtenratio" in report.figures_claim
    assert "alle cijfers van Opheldering en Slachtofferkans" in report.figures_claim


def test_source_figures_are_kept_in_history_and_the_report_as_of_a_day_reads_them(demo):
    """Marking a figure as a source figure later leaves the earlier report as it was."""
    from tracker.report.build import build_report

    indicator = db.session.scalar(
        select(Indicator).where(Indicator.key == "woninginbraken-misdrijven"))
    measurement = db.session.scalar(select(Measurement).where(
        Measurement.indicator_id == indicator.id, Measurement.period == "2016",
        Measurement.district_id.is_not(None)).order_by(Measurement.id).limit(1))
    assert not measurement.is_source_figure
    with time_machine.travel(datetime(2018, 3, 1, 9, tzinfo=UTC), tick=False):
        measurement.is_source_figure = True
        measurement.source_note = "Later als bronwaarde gemarkeerd."
        db.session.commit()

    def notes(day):
        return woninginbraken(build_report(day))["woninginbraken-misdrijven"].source_notes

    assert "Later als bronwaarde gemarkeerd." not in notes(date(2018, 2, 1))
    assert "Later als bronwaarde gemarkeerd." in notes(date(2018, 3, 2))


# --- the indicator pages ----------------------------------------------------------------------

def test_the_ratio_page_shows_the_computed_ratio_and_refuses_typed_values(demo, client, login):
    from tests.conftest import csrf_token_for
    from tracker.auth.models import User

    login(db.session.scalar(select(User).where(User.email == "erik.vankeken@example.org")))
    page = "/indicators/verdachtenratio"
    html = client.get(page).get_data(as_text=True)
    assert "9,7%" in html and "10,7%" in html
    assert "Afgehandelde verdachten / Woninginbraken (misdrijven)" in html
    assert 'id="meting-opslaan"' not in html
    count = db.session.scalar(select(func.count(Measurement.id)))
    response = client.post(f"{page}/metingen", data={
        "district": "twente", "period": "2017", "value": "12",
        "csrf_token": csrf_token_for(client, page)})
    assert response.status_code == 422
    assert "een ratio typ je niet in" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Measurement.id))) == count


def test_a_district_value_next_to_the_sources_own_total_is_accepted(demo, client, login):
    """The source's 1.119 is no unit-only figure: district values may still be corrected."""
    from tests.conftest import csrf_token_for
    from tracker.auth.models import User

    login(db.session.scalar(select(User).where(User.email == "erik.vankeken@example.org")))
    page = "/indicators/afgehandelde-verdachten"
    response = client.post(f"{page}/metingen", data={
        "district": "twente", "period": "2017", "value": "146",
        "csrf_token": csrf_token_for(client, page)})
    assert response.status_code == 303
    # The unit-wide total of a count stays refused.
    response = client.post(f"{page}/metingen", data={
        "district": "eenheid", "period": "2017", "value": "790",
        "csrf_token": csrf_token_for(client, page)})
    assert response.status_code == 422


def test_the_ratio_computed_from_source_figures_carries_its_note_mark_in_every_format(demo, app):
    """The note "De ratio over 2013-2016 gemiddeld is … berekend uit cijfers die uit de bron
    zijn overgenomen" is marked in the cells it explains (HTML, PDF and Word), like the notes
    of the source figures; the cells computed from raw figures carry no mark."""
    import io
    import re
    import subprocess

    import lxml.html
    from docx import Document

    from tracker.report.build import build_report
    from tracker.report.export_docx import render_report_docx
    from tracker.report.export_html import render_report_html
    from tracker.report.export_pdf import render_report_pdf

    report = build_report(date(2018, 2, 1))
    ratio = woninginbraken(report)["verdachtenratio"]
    note = next(n for n in ratio.source_notes if n.startswith("De ratio over 2013-2016"))
    mark = str(ratio.source_notes.index(note) + 1)
    total = ratio.table.total
    assert ratio.marker(total, 0) == mark  # 2013-2016 gemiddeld: from the source's figures
    assert ratio.marker(total, 1) == ratio.marker(total, 2) == ""  # 2016, 2017: raw figures
    assert all(ratio.marker(row, 0) == mark for row in ratio.table.rows
               if row.values[0] is not None)
    assert ratio.source_figures == ""  # still a computed figure, not one taken from a source

    with app.test_request_context():
        html = lxml.html.fromstring(render_report_html(report))
    table = next(c.getparent() for c in html.iter("caption")
                 if c.get("id", "").endswith("-verdachtenratio"))
    total_row = next(r for r in table.iter("tr") if r.text_content().strip().startswith(total.label))
    cells = [c.text_content() for c in total_row.findall("td")]
    assert cells[:3] == ["10,0%" + mark, "9,7%", "10,7%"]
    assert total_row.findall("td")[0].find("sup").text == mark

    pdf = subprocess.run(["pdftotext", "-layout", "-", "-"], input=render_report_pdf(report),
                         capture_output=True, check=True).stdout.decode()
    assert re.search(rf"{re.escape(total.label)}\s+10,0%\s*{mark}\s+9,7%\s+10,7%", pdf)

    document = Document(io.BytesIO(render_report_docx(report)))
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert [total.label, f"10,0% ({mark})", "9,7%", "10,7%"] in rows
