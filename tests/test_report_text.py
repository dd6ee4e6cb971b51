"""The report and the status pages show an action's title, never its Toelichting (working
notes), unless the team chose other wording as the action's "Tekst in de rapportage"."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_for
from tests.factories import add_member, create_action, create_team, create_user
from tests.test_status_and_report import docx_text, pdf_text
from tracker.actions.models import Action
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.clock import local_today
from tracker.enums import ActionStatus, Role, TeamRole
from tracker.extensions import db

TITLE = "Plan van aanpak opstellen"
NOTES = "Werknotitie: zie https://intern.example.org/concept en bel Jan"
REPORT_TEXT = "Het expertteam stelt in het voorjaar een plan van aanpak op"
FORM = {"title": TITLE, "description": NOTES, "status": "bezig", "version": 1,
        "due_date": "2018-06-30"}


@pytest.fixture
def world():
    team = create_team(slug="verwarde-personen", name="Expertteam Verwarde personen",
                       short_name="Verwarde personen")
    coordinator = create_user(role=Role.COORDINATOR, name="Co Ordinator")
    add_member(team, coordinator, TeamRole.COORDINATOR)
    reader = create_user(role=Role.BEHEERDER)
    action = create_action(team, title=TITLE, description=NOTES, status=ActionStatus.BEZIG)
    db.session.commit()
    return team, action, coordinator, reader


def _outputs(client, *, with_pdf: bool) -> dict[str, str]:
    peildatum = local_today().isoformat()
    outputs = {
        "status": client.get("/teams/verwarde-personen/status").get_data(as_text=True),
        "netwerk": client.get("/status").get_data(as_text=True),
        "rapport": client.get(f"/report?peildatum={peildatum}").get_data(as_text=True),
        "word": docx_text(client.get(f"/report.docx?peildatum={peildatum}").data)[1],
    }
    if with_pdf:
        outputs["pdf"] = pdf_text(client.get(f"/report.pdf?peildatum={peildatum}").data)
    return outputs


HAS_PDFTOTEXT = shutil.which("pdftotext") is not None


def test_the_toelichting_never_reaches_the_status_page_or_the_report(world, client, login):
    *_, reader = world
    login(reader)
    for name, text in _outputs(client, with_pdf=HAS_PDFTOTEXT).items():
        assert "Werknotitie" not in text and "intern.example.org" not in text, name
    for name in ("status", "rapport", "word"):
        assert TITLE in _outputs(client, with_pdf=False)[name], name


def test_the_report_text_is_shown_when_chosen(world, client, login):
    _, action, _, reader = world
    action.report_text = REPORT_TEXT
    db.session.commit()
    login(reader)
    outputs = _outputs(client, with_pdf=HAS_PDFTOTEXT)
    for name in ("status", "rapport", "word") + (("pdf",) if HAS_PDFTOTEXT else ()):
        assert REPORT_TEXT in outputs[name], name
    for name, text in outputs.items():
        assert "Werknotitie" not in text, name


def test_choosing_the_toelichting_as_report_text_is_the_only_way_it_appears(world, client, login):
    _, action, _, reader = world
    action.report_text = action.description
    db.session.commit()
    login(reader)
    assert "Werknotitie" in _outputs(client, with_pdf=False)["rapport"]


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token_for(client)})


def test_the_form_saves_validates_and_audits_the_report_text(world, client, login):
    _, action, coordinator, _ = world
    login(coordinator)
    form = client.get(f"/actions/{action.id}/edit").get_data(as_text=True)
    assert "Tekst in de rapportage" in form and 'name="report_text"' in form
    refused = _post(client, f"/actions/{action.id}", {
        **FORM,
        "report_text": "Over cliënt 111222333"})
    assert refused.status_code == 422 and "burgerservicenummer" in refused.get_data(as_text=True)
    saved = _post(client, f"/actions/{action.id}", {
        **FORM,
        "report_text": REPORT_TEXT})
    assert saved.status_code == 303
    db.session.expire_all()
    assert db.session.get(Action, action.id).report_text == REPORT_TEXT
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "action.update"))
    assert entry.before == {"report_text": ""} and entry.after == {"report_text": REPORT_TEXT}
    new = _post(client, "/teams/verwarde-personen/actions", {
        "title": "Nieuwe actie", "status": "open", "report_text": "Voor de burgemeesters"})
    assert new.status_code == 303
    created = db.session.scalar(select(Action).where(Action.title == "Nieuwe actie"))
    assert created.report_text == "Voor de burgemeesters"


def test_a_stale_edit_merges_the_report_text_three_ways(world, client, login):
    _, action, coordinator, _ = world
    login(coordinator)
    base = {"base_title": TITLE, "base_status": "bezig", "base_description": NOTES,
            "base_report_text": ""}
    first = _post(client, f"/actions/{action.id}", {
        **FORM,
        "report_text": "Tekst van de collega", **base})
    assert first.status_code == 303
    mine = _post(client, f"/actions/{action.id}", {
        **FORM,
        "report_text": "Mijn tekst", **base})
    html = mine.get_data(as_text=True)
    assert mine.status_code == 409
    assert "Tekst in de rapportage" in html and "Tekst van de collega" in html
    db.session.expire_all()
    assert db.session.get(Action, action.id).report_text == "Tekst van de collega"


def test_the_demo_report_keeps_the_published_wording(demo, client, login):
    """The February 2018 wording of the actions now lives in report_text, not description."""
    login(db.session.scalar(select(User).where(User.email == "lezer@example.org")))
    html = client.get("/report?peildatum=2018-02-01").get_data(as_text=True)
    assert ("Eerste helft 2018 wordt een eindrapportage opgesteld, die de BBG aan de DVO’s zal "
            "aanbieden") in html
    action = db.session.scalar(select(Action).where(
        Action.title == "Eindrapportage opstellen, door de BBG aan te bieden aan de DVO’s"))
    assert action.description == "" and action.report_text.startswith("Eerste helft 2018")
