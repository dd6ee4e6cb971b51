"""Status pages, block editing, the progress report in three formats, editions, CLI."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_for
from tests.factories import create_action, create_item, create_team
from tracker.actions.models import Action
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.enums import ActionStatus, ItemKind, PilotStatus
from tracker.extensions import db
from tracker.network.models import ReportItem, Team
from tracker.pilots.models import Pilot
from tracker.report.models import ReportEdition

PEILDATUM = "2018-02-01"
TEAM_NAMES = ["Woninginbraken", "Verwarde personen", "Ondermijning", "Hennep", "Jeugd", "OMG",
              "Informatievoorziening"]
BLOCK_TITLES = ["Uitgangspunten / doelen", "Resultaten", "Aandachtspunten", "(Lopende) acties"]


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def team(slug: str) -> Team:
    return db.session.scalar(select(Team).where(Team.slug == slug))


def first_item(slug: str, kind: ItemKind = ItemKind.DOEL) -> ReportItem:
    return db.session.scalar(
        select(ReportItem).join(Team).where(Team.slug == slug, ReportItem.kind == kind)
        .order_by(ReportItem.position))


def item_count() -> int:
    return db.session.scalar(select(func.count(ReportItem.id)))


def test_status_page_shows_people_blocks_status_and_indicator_table(demo, client, login):
    login(user("lezer@example.org"))
    html = client.get("/teams/woninginbraken/status").get_data(as_text=True)
    for text in ["burgemeester Beenakker", "Erik van Keken", "Taak volbracht", *BLOCK_TITLES,
                 "Beoordeling", "11.194", "9.537", "7.391", "-2.146", "-23%", "<svg",
                 "Staafdiagram", "Eindrapportage Expertteam Woninginbraken"]:
        assert text in html, text
    assert "Toevoegen" not in html  # a lezer sees no edit controls
    assert 'style="' not in html


def test_network_overview_lists_every_team_with_reasons(demo, client, login):
    login(user("bestuurder@example.org"))
    response = client.get("/status")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in TEAM_NAMES:
        assert name in html
    # Today (long after 2018) every open 2018 action is overdue: the reasons say so.
    assert "Risico" in html and "over de datum" in html
    assert 'href="/status"' in client.get("/").get_data(as_text=True)


def test_partner_sees_only_own_team_and_not_the_report(demo, client, login):
    login(user("partner@example.org"))
    html = client.get("/status").get_data(as_text=True)
    assert "Verwarde personen" in html and "Woninginbraken" not in html
    assert client.get(f"/report?peildatum={PEILDATUM}").status_code == 403


def _grow(n: int) -> None:
    """Add ``n`` teams, each with items, actions and a pilot."""
    for i in range(n):
        t = create_team(slug=f"extra-{i}-{n}")
        for kind in ItemKind:
            create_item(t, kind)
        create_action(t)
        create_action(t, status=ActionStatus.GEREED)
        db.session.add(Pilot(team=t, title=f"Pilot {i}", status=PilotStatus.LOPEND))
    db.session.commit()


@pytest.mark.parametrize("path", ["/teams/verwarde-personen/status", "/status",
                                  f"/report?peildatum={PEILDATUM}", "/report"])
def test_pages_issue_a_fixed_number_of_queries(demo, client, login, count_queries, path):
    from tracker import caching

    login(user("beheerder@example.org"))
    client.get(path)
    caching.clear_all()  # the page made anew, as after any change (tracker.caching)
    with count_queries() as small:
        assert client.get(path).status_code == 200
    _grow(4)
    for kind in ItemKind:
        create_item(team("verwarde-personen"), kind)
    create_action(team("verwarde-personen"))
    db.session.commit()
    caching.clear_all()
    with count_queries() as large:
        assert client.get(path).status_code == 200
    assert large.count == small.count


# --- editing the blocks --------------------------------------------------------------------

EDITORS = {
    "coordinator@example.org": 303,  # coordinator of Verwarde personen
    "paul.wesseloo@example.org": 303,  # its trekker
    "beheerder@example.org": 303,
    "erik.vankeken@example.org": 403,  # trekker of another team
    "bestuurder@example.org": 403,
    "welten@example.org": 403,  # the team's chair: a bestuurder, not an editor
    "lezer@example.org": 403,
}


@pytest.mark.parametrize(("email", "expected"), EDITORS.items())
def test_who_may_edit_the_blocks(demo, client, login, email, expected):
    login(user(email))
    item = first_item("verwarde-personen")
    before = (item_count(), item.text)
    base = "/teams/verwarde-personen/status"
    token = csrf_token_for(client, base)
    posts = [
        (f"{base}/punten", {"kind": "doel", "text": "Nieuw doel"}),
        (f"{base}/punten/{item.id}", {"text": "Gewijzigd", "version": item.version}),
        (f"{base}/punten/{item.id}/verplaatsen", {"richting": "down"}),
        (f"{base}/punten/{item.id}/verwijderen", {"version": item.version}),
    ]
    if expected == 403:
        for path, data in posts:
            assert client.post(path, data={**data, "csrf_token": token}).status_code == 403
        db.session.expire_all()
        assert (item_count(), first_item("verwarde-personen").text) == before
        assert db.session.scalar(select(func.count(AuditEntry.id))) == 0
    else:
        response = client.post(posts[0][0], data={**posts[0][1], "csrf_token": token})
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"{base}#blok-doel")
        assert item_count() == before[0] + 1


def test_anonymous_edit_goes_to_login_and_changes_nothing(demo, client):
    token = csrf_token_for(client, "/inloggen")
    response = client.post("/teams/verwarde-personen/status/punten",
                           data={"kind": "doel", "text": "x", "csrf_token": token})
    assert response.status_code in (302, 303)
    assert "/inloggen" in response.headers["Location"]
    assert client.get("/teams/verwarde-personen/status").status_code in (302, 303)


def test_edit_reorder_delete_with_htmx_and_audit(demo, client, login):
    login(user("coordinator@example.org"))
    base = "/teams/verwarde-personen/status"
    token = csrf_token_for(client, base)
    htmx = {"HX-Request": "true", "X-CSRFToken": token}
    item = first_item("verwarde-personen")
    original, item_id = item.text, item.id
    form = client.get(f"{base}/punten/{item.id}/bewerken", headers=htmx)
    assert form.status_code == 200 and "<textarea" in form.get_data(as_text=True)
    assert "<html" not in form.get_data(as_text=True)

    response = client.post(f"{base}/punten/{item.id}", headers=htmx,
                           data={"text": "Nieuwe <b>tekst</b>", "version": item.version})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<section class="vnon-block" id="blok-doel"')
    assert "Nieuwe &lt;b&gt;tekst&lt;/b&gt;" in fragment
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report_item.update"))
    assert entry.before["text"] == original and entry.object_id == item.id

    assert client.post(f"{base}/punten/{item.id}/verplaatsen", headers=htmx,
                       data={"richting": "down"}).status_code == 200
    db.session.expire_all()
    assert first_item("verwarde-personen").id != item.id

    fresh = db.session.get(ReportItem, item_id)
    assert client.post(f"{base}/punten/{item_id}/verwijderen", headers=htmx,
                       data={"version": fresh.version}).status_code == 200
    db.session.expire_all()
    assert db.session.get(ReportItem, item_id) is None
    deleted = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report_item.delete"))
    assert deleted.before["text"] == "Nieuwe <b>tekst</b>"


def test_a_stale_edit_answers_409_with_the_other_text_and_overwrites_nothing(demo, client, login):
    login(user("coordinator@example.org"))
    base = "/teams/verwarde-personen/status"
    token = csrf_token_for(client, base)
    item = first_item("verwarde-personen")
    stale_version = item.version
    first = client.post(f"{base}/punten/{item.id}",
                        data={"text": "Tekst van de ander", "version": stale_version,
                              "csrf_token": token})
    assert first.status_code == 303
    second = client.post(f"{base}/punten/{item.id}",
                         data={"text": "Mijn tekst", "version": stale_version,
                               "csrf_token": token}, headers={"HX-Request": "true"})
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Tekst van de ander" in html and "Mijn tekst" in html
    db.session.expire_all()
    assert db.session.get(ReportItem, item.id).text == "Tekst van de ander"


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001, "a\x00b", "\u202eevil"])
def test_bad_text_is_refused_in_dutch_and_nothing_saved(demo, client, login, text):
    login(user("coordinator@example.org"))
    base = "/teams/verwarde-personen/status"
    before = item_count()
    response = client.post(f"{base}/punten", data={"kind": "doel", "text": text,
                                                   "csrf_token": csrf_token_for(client, base)})
    assert response.status_code == 422
    assert "Fout:" in response.get_data(as_text=True)
    assert item_count() == before


def test_bad_kind_and_direction_are_400_not_500(demo, client, login):
    login(user("coordinator@example.org"))
    base = "/teams/verwarde-personen/status"
    token = csrf_token_for(client, base)
    item = first_item("verwarde-personen")
    assert client.post(f"{base}/punten", data={"kind": "x", "text": "t",
                                               "csrf_token": token}).status_code == 400
    assert client.post(f"{base}/punten/{item.id}/verplaatsen",
                       data={"richting": "zijwaarts", "csrf_token": token}).status_code == 400
    other = first_item("woninginbraken")
    assert client.post(f"{base}/punten/{other.id}", data={"text": "t", "version": 1,
                                                          "csrf_token": token}).status_code == 404


# --- the report ------------------------------------------------------------------------------


def test_as_of_an_action_done_after_the_peildatum_shows_as_it_stood(demo, client, login):
    """History is kept by construction: no audit entry is needed to see the past."""
    import time_machine

    from tracker.report.build import build_report

    verwarde = team("verwarde-personen")
    with time_machine.travel(datetime(2018, 1, 10, 9, tzinfo=UTC), tick=False):
        done_later = create_action(verwarde, title="Later gereed", description="",
                                   status=ActionStatus.BEZIG)
        db.session.commit()
    with time_machine.travel(datetime(2018, 3, 1, 9, tzinfo=UTC), tick=False):
        done_later = db.session.get(type(done_later), done_later.id)
        done_later.status = ActionStatus.GEREED
        done_later.completed_at = datetime(2018, 3, 1, 9, tzinfo=UTC)
        db.session.commit()
    with time_machine.travel(datetime(2018, 5, 1, 9, tzinfo=UTC), tick=False):
        create_action(verwarde, title="Na de peildatum bedacht", description="")
        db.session.commit()

    def actions(day):
        report = build_report(day)
        section = next(s for s in report.teams if s.slug == "verwarde-personen")
        return {a.title: a.status for a in section.actions}

    then = actions(date(2018, 2, 1))
    assert then["Later gereed"] == "bezig"
    assert "Na de peildatum bedacht" not in then
    assert actions(date(2018, 3, 1))["Later gereed"] == "gereed"
    now = actions(datetime.now(ZoneInfo("Europe/Amsterdam")).date())
    assert now["Later gereed"] == "gereed" and "Na de peildatum bedacht" in now

    login(user("lezer@example.org"))
    html = client.get(f"/report?peildatum={PEILDATUM}").get_data(as_text=True)
    assert "Later gereed" in html and "Na de peildatum bedacht" not in html


def test_report_html_is_the_february_2018_report(demo, client, login):
    login(user("lezer@example.org"))
    response = client.get(f"/report?peildatum={PEILDATUM}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ["versie februari 2018", "Leeswijzer", "Organisatiestructuur",
                 "burgemeesters Heidema en Van Hout", "Doelstelling VNONL voor 2018-2019",
                 "Stand van zaken Expertteams", *TEAM_NAMES, *BLOCK_TITLES, "11.194",
                 "-2.146", "-23%", "3,1%", "4,0%", "Bijlage: mijlpalen en pilots",
                 "Pilot groepsscan Kampen", "Iedere gemeente in Oost-Nederland heeft een "
                 "sluitende aanpak"]:
        assert text in html, text
    assert "<style" not in html and 'style="' not in html


@pytest.mark.parametrize(("value", "status", "message"), [
    ("gisteren", 400, "Ongeldige peildatum"),
    ("2018-02-30", 400, "Ongeldige peildatum"),
    ((date.today() + timedelta(days=2)).isoformat(), 400, "in de toekomst"),
    ("9999-12-31", 400, "in de toekomst"),
    ("1990-01-01", 200, "nog geen stand van zaken"),
])
def test_bad_peildatum_is_a_clear_dutch_answer_never_a_500(demo, client, login, value, status,
                                                          message):
    login(user("lezer@example.org"))
    for path in ("/report", "/report.docx"):
        response = client.get(f"{path}?peildatum={value}")
        assert response.status_code == status
        if path == "/report":
            assert message in response.get_data(as_text=True)


def test_empty_network_report_still_builds(client, login):
    from tests.factories import create_user
    from tracker.enums import Role

    login(create_user(role=Role.LEZER))
    db.session.commit()
    response = client.get(f"/report?peildatum={PEILDATUM}")
    assert response.status_code == 200
    assert "Er zijn geen teams vastgelegd" in response.get_data(as_text=True)


def pdf_text(data: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def docx_text(data: bytes) -> tuple[list[tuple[str, str]], str]:
    from docx import Document

    document = Document(io.BytesIO(data))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith(("Heading", "Title"))]
    cells = "\n".join(cell.text for table in document.tables for row in table.rows
                      for cell in row.cells)
    return headings, "\n".join(p.text for p in document.paragraphs) + "\n" + cells


def test_pdf_and_docx_contain_every_team_its_blocks_and_the_indicator_table(demo, client, login):
    login(user("lezer@example.org"))
    pdf = client.get(f"/report.pdf?peildatum={PEILDATUM}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "voortgangsrapportage-februari-2018.pdf" in pdf.headers["Content-Disposition"]
    text = pdf_text(pdf.data)
    for expected in ["versie februari 2018", *TEAM_NAMES, *BLOCK_TITLES, "Totaal Oost",
                     "11.194", "9.537", "7.391", "-2.146", "-23%", "Leeswijzer"]:
        assert expected in text, expected

    docx = client.get(f"/report.docx?peildatum={PEILDATUM}")
    assert docx.status_code == 200
    headings, body = docx_text(docx.data)
    assert ("Title", "Voortgangsrapportage") in headings
    heading_texts = [t for _, t in headings]
    for name in TEAM_NAMES:
        assert any(t.startswith(name) for t in heading_texts), name
    for expected in ["versie februari 2018", *BLOCK_TITLES, "Woninginbraken (misdrijven)",
                     "11.194", "-2.146", "-23%", "Max. 8% (door burgers ingeschatte)",
                     "Bijlage: mijlpalen en pilots", "burgemeester Welten"]:
        assert expected in body or expected in heading_texts, expected


def test_cli_exports_the_docx(demo, runner, tmp_path):
    out = tmp_path / "rapport.docx"
    result = runner.invoke(args=["report", "export", "--peildatum", PEILDATUM, "--format", "docx",
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    headings, body = docx_text(out.read_bytes())
    assert "versie februari 2018" in body and "Erik van Keken" in body
    bad = runner.invoke(args=["report", "export", "--peildatum", "morgen", "--format", "html",
                              "--output", str(tmp_path / "x.html")])
    assert bad.exit_code != 0 and "Ongeldige peildatum" in bad.output
    html_out = tmp_path / "r.html"
    assert runner.invoke(args=["report", "export", "--peildatum", PEILDATUM, "--format", "html",
                               "--output", str(html_out)]).exit_code == 0
    assert "<style>" in html_out.read_text()


# --- editions --------------------------------------------------------------------------------


def test_published_edition_never_changes_and_edits_show_in_the_next_report(demo, client, login):
    login(user("lezer@example.org"))
    token = csrf_token_for(client, "/report/edities")
    assert client.post("/report/edities", data={"peildatum": PEILDATUM,
                                                "csrf_token": token}).status_code == 403

    login(user("beheerder@example.org"))
    token = csrf_token_for(client, "/report/edities")
    response = client.post("/report/edities", data={
        "peildatum": PEILDATUM, "versie": "versie februari 2018", "bevestigd": "1",
        "csrf_token": token})
    assert response.status_code == 303
    edition = db.session.scalar(select(ReportEdition))
    assert edition.version_label == "versie februari 2018"
    stored = (edition.html, edition.pdf, edition.docx)
    listing = client.get("/report/edities").get_data(as_text=True)
    assert "versie februari 2018" in listing

    # A coordinator edits a block after publication.
    login(user("coordinator@example.org"))
    base = "/teams/verwarde-personen/status"
    item = first_item("verwarde-personen")
    original = item.text
    client.post(f"{base}/punten/{item.id}", data={
        "text": "Bijgewerkt doel na publicatie", "version": item.version,
        "csrf_token": csrf_token_for(client, base)})

    login(user("lezer@example.org"))
    assert "Bijgewerkt doel na publicatie" in client.get("/report").get_data(as_text=True)
    # The report for the old peildatum still shows the text as it was (audit undo).
    assert "Bijgewerkt doel na publicatie" not in client.get(
        f"/report?peildatum={PEILDATUM}").get_data(as_text=True)
    db.session.expire_all()
    edition = db.session.get(ReportEdition, edition.id)
    assert (edition.html, edition.pdf, edition.docx) == stored
    html = client.get(f"/report/edities/{edition.id}.html")
    assert html.status_code == 200 and "attachment" in html.headers["Content-Disposition"]
    assert html.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Bijgewerkt doel na publicatie" not in html.get_data(as_text=True)
    assert original in html.get_data(as_text=True)
    _, body = docx_text(client.get(f"/report/edities/{edition.id}.docx").data)
    assert "Bijgewerkt doel na publicatie" not in body
    assert client.get(f"/report/edities/{edition.id}.exe").status_code == 404

    # Publishing the same version again changes nothing; the next report lists the change.
    login(user("beheerder@example.org"))
    again = client.post("/report/edities", data={
        "peildatum": PEILDATUM, "versie": "versie februari 2018", "bevestigd": "1",
        "csrf_token": csrf_token_for(client, "/report/edities")})
    assert again.status_code == 303
    assert db.session.scalar(select(func.count(ReportEdition.id))) == 1
    html = client.get("/report").get_data(as_text=True)
    assert "Wijzigingen sinds versie februari 2018" in html
    assert "toegevoegd ‘Bijgewerkt doel na publicatie’" in html


def test_status_page_and_report_link_from_nav_and_team_page(demo, client, login):
    login(user("lezer@example.org"))
    page = client.get("/teams/jeugd").get_data(as_text=True)
    assert 'href="/teams/jeugd/status"' in page
    assert db.session.scalar(select(func.count(Action.id))) > 0
