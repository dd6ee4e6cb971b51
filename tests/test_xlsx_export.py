"""Every Excel export, downloaded through its real route and read back with openpyxl.

Real dates are Excel dates (``datetime`` cells), numbers numbers, percentages numbers with
a % format; a bold header row with the panes frozen under it, an autofilter and fitted
column widths; text that looks like a formula stays text. Each route checks the same
permission as its CSV or page, and reads in a fixed number of statements.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from tests.factories import create_action, create_user
from tracker.actions.models import Action
from tracker.auth.models import User
from tracker.enums import ActionStatus, Role, RsvpResponse
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.indicators import services
from tracker.indicators.models import Indicator, Measurement
from tracker.milestones.models import Milestone
from tracker.milestones.services import tick_municipality
from tracker.network.models import District, Municipality, Organisation, Team
from tracker.xlsx_export import MIMETYPE, Column, sheet_name, workbook_bytes, xlsx_bytes

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HOSTILE = '=HYPERLINK("http://evil.example/","klik")'
DEADLINE_TITLE = "Iedere gemeente in Oost-Nederland heeft een sluitende aanpak"
BURGLARY = "woninginbraken-misdrijven"  # a count, summed over the districts
CLEARANCE = "opheldering"  # a percentage
NOW = datetime(2018, 2, 5, 9, 0, tzinfo=UTC)


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def team(slug: str) -> Team:
    return db.session.scalar(select(Team).where(Team.slug == slug))


def deadline() -> Milestone:
    return db.session.scalar(select(Milestone).where(Milestone.title == DEADLINE_TITLE))


def indicator(key: str) -> Indicator:
    return db.session.scalar(select(Indicator).where(Indicator.key == key))


def an_event() -> Event:
    return db.session.scalar(select(Event).where(Event.starts_at.is_not(None)).order_by(Event.id))


def outsider() -> User:
    """A partner in no team: sees no team's work."""
    person = create_user(role=Role.PARTNER)
    db.session.commit()
    return person


def download(client, url: str) -> openpyxl.Workbook:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == MIMETYPE
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+\.xlsx"',
                        response.headers["Content-Disposition"])
    return openpyxl.load_workbook(io.BytesIO(response.data))


def column_width(ws, col: int) -> float | None:
    """The width set for column ``col`` (1-based); a ``<col>`` may span several columns."""
    for dimension in ws.column_dimensions.values():
        if dimension.min and dimension.min <= col <= dimension.max and dimension.customWidth:
            return dimension.width
    return None


def table(ws, first_header: str) -> tuple[list[str], list[tuple]]:
    """The header and the data rows of ``ws``, after checking the sheet's layout: bold
    header, panes frozen under it, autofilter over the table, widths fitted."""
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == first_header)
    header = []
    for col in range(1, ws.max_column + 1):
        cell = ws.cell(header_row, col)
        if cell.value is None:
            break
        assert cell.data_type == "s" and cell.font.b, f"header {cell.value!r} is not bold text"
        header.append(cell.value)
    assert ws.freeze_panes == f"A{header_row + 1}"
    rows = []
    r = header_row + 1
    while r <= ws.max_row and any(ws.cell(r, c).value is not None for c in range(1, len(header) + 1)):
        rows.append(tuple(ws.cell(r, c).value for c in range(1, len(header) + 1)))
        r += 1
    last = get_column_letter(len(header))
    start, end = f"A{header_row}", f"{last}{header_row + len(rows)}"
    assert ws.auto_filter.ref == (start if start == end else f"{start}:{end}")
    for col, name in enumerate(header, start=1):
        width = column_width(ws, col)
        longest = max([len(str(row[col - 1])) for row in rows if isinstance(row[col - 1], str)],
                      default=0)
        assert width is not None and width >= min(max(len(name), longest), 58), \
            f"column {name!r} too narrow ({width})"
    return header, rows


def cells_of(ws, first_header: str, column: str) -> list:
    """The cell objects of one column of the table (for their types and formats)."""
    header, rows = table(ws, first_header)
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == first_header)
    col = header.index(column) + 1
    return [ws.cell(header_row + 1 + i, col) for i in range(len(rows))]


# --- the writer itself -------------------------------------------------------------------------

def test_the_writer_writes_types_not_text(app):
    columns = [Column("Tekst"), Column("Aantal", "integer"), Column("Getal", "number", 1),
               Column("Procent", "percent", 1), Column("Datum", "date"),
               Column("Moment", "datetime")]
    data = xlsx_bytes(columns, [
        [HOSTILE, 11194, Decimal("3.25"), Decimal("3.1"), date(2018, 10, 1),
         datetime(2026, 7, 1, 13, 5, tzinfo=UTC)],
        ["+31 6 1234", None, None, None, None, datetime(2026, 11, 30, 23, 30, tzinfo=UTC)],
        ["@SUM(A1)", 0, Decimal("-1"), Decimal(0), None, None],
    ], sheet="Proef", title=HOSTILE, lines=["Peildatum: 1 december 2026"], notes=["=1+1"])
    ws = openpyxl.load_workbook(io.BytesIO(data))["Proef"]
    header, rows = table(ws, "Tekst")
    assert header == ["Tekst", "Aantal", "Getal", "Procent", "Datum", "Moment"]
    assert rows[0] == (HOSTILE, 11194, 3.25, pytest.approx(0.031), datetime(2018, 10, 1),
                       datetime(2026, 7, 1, 15, 5))  # local summer time
    assert rows[1][0] == "+31 6 1234" and rows[1][5] == datetime(2026, 12, 1, 0, 30)
    assert rows[2] == ("@SUM(A1)", 0, -1, 0, None, None)
    assert isinstance(rows[0][1], int) and isinstance(rows[0][2], float)
    # Strings everywhere text was given: the title, the table, the notes.
    assert ws["A1"].value == HOSTILE and ws["A1"].data_type == "s" and ws["A1"].font.b
    assert all(ws.cell(r, 1).data_type == "s" for r in range(1, ws.max_row + 1)
               if ws.cell(r, 1).value is not None)
    assert ws.cell(ws.max_row, 1).value == "=1+1"
    formats = {c.value: ws.cell(5, i).number_format for i, c in enumerate(ws[4], start=1)}
    assert formats["Procent"] == "0.0%" and formats["Getal"] == "#,##0.0"
    assert formats["Aantal"] == "#,##0" and formats["Datum"] == "dd-mm-yyyy"
    assert formats["Moment"] == "dd-mm-yyyy hh:mm"
    assert ws.cell(5, 5).is_date and ws.cell(5, 6).is_date


def test_the_writer_refuses_rows_that_do_not_fit(app):
    with pytest.raises(ValueError, match="2 values for 1 columns"):
        xlsx_bytes([Column("A")], [["x", "y"]])
    with pytest.raises(TypeError):
        xlsx_bytes([Column("Datum", "date")], [["30 november 2026"]])
    with pytest.raises(ValueError):
        workbook_bytes([])


def test_sheet_names_are_valid_and_unique():
    assert sheet_name("Woninginbraken (misdrijven)") == "Woninginbraken (misdrijven)"
    assert sheet_name("a/b: c?*[d]\\") == "a b  c   d"
    assert sheet_name("'quoted'") == "quoted" and sheet_name("") == "Blad"
    long = "Slachtofferkans veiligheidsmonitor in procenten"
    assert len(sheet_name(long)) == 31
    assert sheet_name(long, [sheet_name(long)]).endswith(" (2)")
    assert len(sheet_name(long, [sheet_name(long)])) == 31
    assert sheet_name("acties", ["Acties"]) == "acties (2)"


# --- actions -----------------------------------------------------------------------------------

def test_actions_xlsx(demo, client, login):
    vp = team("verwarde-personen")
    done = db.session.scalars(select(Action).where(Action.team_id == vp.id,
                                                   Action.due_date.is_not(None))).first()
    done.status = ActionStatus.GEREED
    done.completed_at = datetime(2026, 11, 30, 13, 5, tzinfo=UTC)
    hostile = create_action(vp, title=HOSTILE, description="-2+3", due_date=date(2018, 3, 7))
    db.session.commit()
    login(user("lezer@example.org"))
    ws = download(client, "/teams/verwarde-personen/actions.xlsx").active
    assert ws.title == "Acties"
    assert ws["A1"].value == f"Acties {vp.name}" and ws["A1"].data_type == "s"
    assert ws["A2"].value.startswith("Peildatum: ")
    header, rows = table(ws, "Nummer")
    assert header == ["Nummer", "Titel", "Toelichting", "Eigenaar", "Datum", "Status", "District",
                      "Mijlpaal", "Gereed op"]
    csv_lines = client.get("/teams/verwarde-personen/actions.csv").data.decode().splitlines()
    assert len(rows) == len(csv_lines) - 1  # the same filtered list as the CSV
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert all(isinstance(n, int) for n in by_id)
    assert by_id[done.id]["Datum"] == datetime.combine(done.due_date, datetime.min.time())
    assert by_id[done.id]["Gereed op"] == datetime(2026, 11, 30, 14, 5)
    assert by_id[hostile.id]["Titel"] == HOSTILE and by_id[hostile.id]["Toelichting"] == "-2+3"
    assert all(isinstance(r[4], datetime) for r in rows if r[4] is not None)
    title_cells = cells_of(ws, "Nummer", "Titel")
    assert all(c.data_type == "s" for c in title_cells)


def test_actions_xlsx_keeps_the_filter(demo, client, login):
    login(user("lezer@example.org"))
    csv_lines = client.get("/teams/verwarde-personen/actions.csv?status=open").data.decode()
    _, rows = table(download(client, "/teams/verwarde-personen/actions.xlsx?status=open").active,
                    "Nummer")
    assert {str(r[0]) for r in rows} == {line.split(";")[0] for line in csv_lines.splitlines()[1:]}
    assert {r[5] for r in rows} == {"Open"}


# --- invitations -------------------------------------------------------------------------------

def test_invitations_xlsx(demo, client, login):
    event = an_event()
    login(user("beheerder@example.org"))
    ws = download(client, f"/events/{event.id}/invitations.xlsx").active
    assert ws.title == "Genodigden" and ws["A1"].value == event.title
    header, rows = table(ws, "Naam")
    assert header == ["Naam", "E-mailadres", "Organisatie", "Antwoord", "Wachtlijst", "Opmerking",
                      "Geantwoord op"]
    invitations = db.session.scalars(select(Invitation).where(Invitation.event_id == event.id)).all()
    assert len(rows) == len(invitations)
    answered = {i.user.email: i.responded_at.astimezone(AMSTERDAM).replace(tzinfo=None)
                for i in invitations if i.responded_at}
    assert answered
    for row in rows:
        expected = answered.get(row[1])
        if expected is None:
            assert row[6] is None
        else:  # the local moment, to the millisecond Excel keeps
            assert isinstance(row[6], datetime) and abs(row[6] - expected).total_seconds() < 0.01


# --- the milestone grid ------------------------------------------------------------------------

def test_milestone_grid_xlsx(demo, client, login):
    milestone = deadline()
    actor = user("coordinator@example.org")
    zwolle = db.session.scalar(select(Municipality).where(Municipality.name == "Zwolle"))
    for name, note in (("Zwolle", HOSTILE), ("Enschede", "convenant"), ("Nijmegen", "")):
        municipality = db.session.scalar(select(Municipality).where(Municipality.name == name))
        tick_municipality(milestone, municipality, completed_on=date(2018, 2, 1), note=note,
                          actor=actor, now=NOW, today=NOW.date())
    db.session.commit()
    login(user("lezer@example.org"))
    ws = download(client, f"/milestones/{milestone.id}/gemeenten.xlsx").active
    assert ws.title == "Gemeenten" and ws["A1"].value == milestone.title
    header, rows = table(ws, "Gemeente")
    assert header == ["Gemeente", "District", "Gereed", "Datum gereed", "Opmerking"]
    assert len(rows) == 78
    # The grid page's order: by district, then by name.
    order = [d.name for d in db.session.scalars(select(District).order_by(District.position))]
    assert [r[1] for r in rows] == sorted((r[1] for r in rows), key=order.index)
    done = {r[0]: r for r in rows if r[2] == "ja"}
    assert set(done) == {"Zwolle", "Enschede", "Nijmegen"}
    assert done["Zwolle"][3] == datetime(2018, 2, 1) and done["Zwolle"][4] == HOSTILE
    assert done["Nijmegen"][4] is None
    assert all(r[2] == "nee" and r[3] is None for r in rows if r[0] not in done)
    assert any("Gereed: 3 van 78" in (ws.cell(r, 1).value or "") for r in range(1, 6))
    note = cells_of(ws, "Gemeente", "Opmerking")[[r[0] for r in rows].index(zwolle.name)]
    assert note.data_type == "s"


def test_milestone_grid_xlsx_only_for_a_milestone_per_municipality(demo, client, login):
    other = db.session.scalar(select(Milestone).where(Milestone.per_municipality.is_(False)))
    login(user("beheerder@example.org"))
    assert client.get(f"/milestones/{other.id}/gemeenten.xlsx").status_code == 404
    assert client.get("/milestones/99999/gemeenten.xlsx").status_code == 404


# --- indicator tables --------------------------------------------------------------------------

def test_indicator_xlsx_counts_are_numbers(demo, client, login):
    login(user("lezer@example.org"))
    ws = download(client, f"/indicators/{BURGLARY}/metingen.xlsx").active
    section = services.page_data(indicator(BURGLARY)).section
    header, rows = table(ws, "Districten/Eenheid")
    assert header == ["Districten/Eenheid", *[label for _, label in section.table.periods],
                      *[f"Verschil {a}-{b} ({u})" for a, b in [section.table.change_between]
                        for u in ("#", "%")]]
    assert ws.title == sheet_name(section.name) and ws["A1"].value == section.name
    assert [r[0] for r in rows] == [row.label for row in section.table.all_rows]
    for row, source in zip(rows, section.table.all_rows, strict=True):
        assert list(row[1:1 + len(source.values)]) == [
            None if v is None else pytest.approx(float(v)) for v in source.values]
        assert row[-2] == (None if source.change is None else pytest.approx(float(source.change)))
        assert row[-1] == (None if source.change_pct is None
                           else pytest.approx(float(source.change_pct) / 100))
    total = rows[-1]
    assert total[0] == "Totaal Oost-Nederland" and isinstance(total[3], int)
    assert all(isinstance(v, int | float) for r in rows for v in r[1:] if v is not None)
    change_pct = cells_of(ws, "Districten/Eenheid", header[-1])
    assert all(c.number_format.endswith("%") for c in change_pct)


def test_indicator_xlsx_percentages_are_numbers_with_a_percent_format(demo, client, login):
    login(user("lezer@example.org"))
    ws = download(client, f"/indicators/{CLEARANCE}/metingen.xlsx").active
    section = services.page_data(indicator(CLEARANCE)).section
    assert section.is_percentage
    first = "Districten/Eenheid" if section.table.rows else "Eenheid"
    header, rows = table(ws, first)
    expected = [[None if v is None else float(v) / 100 for v in row.values]
                for row in section.table.all_rows]
    assert [list(r[1:]) for r in rows] == [[pytest.approx(v) if v is not None else None
                                            for v in row] for row in expected]
    assert any(v is not None for row in expected for v in row)
    for column in header[1:]:
        for cell in cells_of(ws, first, column):
            assert cell.number_format.endswith("%")
            assert cell.value is None or cell.data_type == "n"


def test_team_indicators_xlsx_one_sheet_per_indicator(demo, client, login):
    burglary = indicator(BURGLARY)
    burglary.name = HOSTILE  # a hostile name: a text title, a valid sheet name
    db.session.commit()
    login(user("bestuurder@example.org"))
    workbook = download(client, "/teams/woninginbraken/indicatoren.xlsx")
    keys = [i.key for i in db.session.scalars(select(Indicator).where(
        Indicator.team_id == team("woninginbraken").id))]
    assert len(workbook.sheetnames) == len(keys) >= 4
    hostile = workbook[sheet_name(HOSTILE)]
    assert hostile["A1"].value == HOSTILE and hostile["A1"].data_type == "s"
    assert len(hostile.title) <= 31 and not set("[]:*?/\\") & set(hostile.title)
    for ws in workbook.worksheets:
        first = next(ws.cell(r, 1).value for r in range(1, ws.max_row + 1)
                     if ws.cell(r, 1).value in ("Districten/Eenheid", "Eenheid"))
        table(ws, first)


def test_team_without_indicators_has_no_workbook(demo, client, login):
    with_indicators = set(db.session.scalars(select(Indicator.team_id)))
    bare = db.session.scalars(select(Team).where(Team.id.not_in(with_indicators))).first()
    login(user("beheerder@example.org"))
    assert client.get(f"/teams/{bare.slug}/status").status_code == 200
    assert client.get(f"/teams/{bare.slug}/indicatoren.xlsx").status_code == 404


# --- links on the pages ------------------------------------------------------------------------

def test_pages_link_to_their_workbook(demo, client, login):
    login(user("beheerder@example.org"))
    event = an_event()
    pages = {
        "/teams/verwarde-personen": "/teams/verwarde-personen/actions.xlsx",
        f"/events/{event.id}": f"/events/{event.id}/invitations.xlsx",
        f"/milestones/{deadline().id}": f"/milestones/{deadline().id}/gemeenten.xlsx",
        f"/indicators/{BURGLARY}": f"/indicators/{BURGLARY}/metingen.xlsx",
        "/teams/woninginbraken/status": "/teams/woninginbraken/indicatoren.xlsx",
    }
    for page, target in pages.items():
        html = client.get(page).get_data(as_text=True)
        link = re.search(rf'<a [^>]*href="{re.escape(target)}[^"]*"[^>]*>(.*?)</a>', html)
        assert link, f"{page} has no link to {target}"
        assert link.group(1).startswith("Download Excel (.xlsx)<span class=\"visually-hidden\">: ")


# --- permissions: the same answer as the CSV or the page ---------------------------------------

def test_who_may_not_see_gets_what_the_csv_or_page_gives(demo, client, login):
    event = an_event()
    pairs = [
        ("/teams/woninginbraken/actions.csv", "/teams/woninginbraken/actions.xlsx"),
        (f"/events/{event.id}/invitations.csv", f"/events/{event.id}/invitations.xlsx"),
        (f"/milestones/{deadline().id}", f"/milestones/{deadline().id}/gemeenten.xlsx"),
        (f"/indicators/{BURGLARY}", f"/indicators/{BURGLARY}/metingen.xlsx"),
        ("/teams/woninginbraken/status", "/teams/woninginbraken/indicatoren.xlsx"),
    ]
    assert deadline().team_id is not None  # a team's milestone: hidden from outsiders
    login(outsider())
    for guarded, export in pairs:
        expected = client.get(guarded).status_code
        assert expected in (403, 404), guarded
        assert client.get(export).status_code == expected, export
    client.get("/uitloggen")
    with client.session_transaction() as session:
        session.clear()
    for guarded, export in pairs:
        refused = client.get(export)
        assert refused.status_code == client.get(guarded).status_code
        assert refused.status_code in (302, 303, 401) and refused.mimetype != MIMETYPE


# --- a fixed number of statements per export ---------------------------------------------------

def _more_actions(n: int) -> None:
    vp = team("verwarde-personen")
    owner = user("coordinator@example.org")
    district = db.session.scalar(select(District))
    milestone = deadline()
    for i in range(n):
        action = create_action(vp, title=f"Extra {i}", owner=owner, district=district,
                               milestone=milestone, due_date=date(2018, 5, 1 + i % 28))
        if i % 2:
            action.status = ActionStatus.GEREED
            action.completed_at = NOW
    db.session.commit()


def _more_invitations(event: Event, n: int) -> None:
    organisation = db.session.scalar(select(Organisation))
    for _ in range(n):
        person = create_user(organisation_id=organisation.id)
        db.session.add(Invitation(event_id=event.id, user_id=person.id, response=RsvpResponse.JA,
                                  responded_at=NOW, remark="graag"))
    db.session.commit()


def _more_ticks(n: int) -> None:
    milestone = deadline()
    actor = user("coordinator@example.org")
    ticked = {t.municipality_id for t in milestone.ticks}
    for municipality in db.session.scalars(select(Municipality).where(
            Municipality.id.not_in(ticked or {0})).order_by(Municipality.id).limit(n)):
        tick_municipality(milestone, municipality, completed_on=date(2018, 2, 1), note="x",
                          actor=actor, now=NOW, today=NOW.date())
    db.session.commit()


def _more_measurements(n: int) -> None:
    """``n`` // 10 + 1 more periods with a value for every district."""
    for key in (BURGLARY, CLEARANCE):
        ind = indicator(key)
        start = 2018 + len(ind.periods)
        new = [str(year) for year in range(start, start + n // 10 + 1)]
        ind.periods = [*ind.periods, *({"key": p, "label": p} for p in new)]
        for d in db.session.scalars(select(District)):
            for period in new:
                db.session.add(Measurement(indicator_id=ind.id, district_id=d.id, period=period,
                                           value=Decimal(100)))
    db.session.commit()


@pytest.mark.parametrize("export", ["actions", "invitations", "grid", "indicator", "team"])
def test_each_export_reads_in_a_fixed_number_of_statements(demo, client, login, count_queries,
                                                           export):
    event = an_event()
    url, grow = {
        "actions": ("/teams/verwarde-personen/actions.xlsx", _more_actions),
        "invitations": (f"/events/{event.id}/invitations.xlsx",
                        lambda n: _more_invitations(event, n)),
        "grid": (f"/milestones/{deadline().id}/gemeenten.xlsx", _more_ticks),
        "indicator": (f"/indicators/{BURGLARY}/metingen.xlsx", _more_measurements),
        "team": ("/teams/woninginbraken/indicatoren.xlsx", _more_measurements),
    }[export]
    login(user("beheerder@example.org"))
    grow(2)  # every kind of row present (an owner, a district, a milestone …)
    client.get(url)
    db.session.commit()
    with count_queries() as small:
        assert client.get(url).status_code == 200
    grow(40)
    with count_queries() as large:
        response = client.get(url)
    assert response.status_code == 200
    assert large.count == small.count, "\n".join(large.statements)


# --- the list of routes ------------------------------------------------------------------------

#: The .xlsx routes this file downloads and reads back.
CHECKED_XLSX_ROUTES = {
    "/teams/<slug>/actions.xlsx",
    "/events/<int:event_id>/invitations.xlsx",
    "/milestones/<int:milestone_id>/gemeenten.xlsx",
    "/indicators/<key>/metingen.xlsx",
    "/teams/<slug>/indicatoren.xlsx",
}


def test_every_xlsx_route_of_the_app_is_checked_here(app):
    """A new Excel export must be added to this file (and read back here)."""
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.endswith(".xlsx")}
    assert routes == CHECKED_XLSX_ROUTES
