"""Editable fixed texts (Beheer), team introductions, placeholders from the edition, and
editions with care: preview, confirmation, correction, the changes since the last one."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_for
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.clock import local_today
from tracker.enums import ItemKind, TeamRole
from tracker.extensions import db
from tracker.formatting import long_date
from tracker.indicators.models import Indicator, Measurement
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.network.models import District, Municipality, ReportItem, Team, TeamMembership
from tracker.report.build import build_report
from tracker.report.editions import figure_text, version_label_for
from tracker.report.loading import load_world
from tracker.report.models import ReportEdition, ReportText
from tracker.report.services import CORRECTION_RULE, build_edition_report, plan_edition

FEBRUARY = "2018-02-01"
BSN = "111222333"  # passes the elfproef


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def audit_count(action: str | None = None) -> int:
    query = select(func.count(AuditEntry.id))
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalar(query)


def stored(key: str):
    db.session.expire_all()
    return db.session.scalar(select(ReportText.value).where(ReportText.key == key))


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token_for(client)})


# --- the fixed texts ------------------------------------------------------------------------


@pytest.mark.parametrize(("email", "page", "save"), [
    ("beheerder@example.org", 200, 303),
    ("coordinator@example.org", 403, 403),
    ("bestuurder@example.org", 403, 403),
    ("lezer@example.org", 403, 403),
    (None, 302, 302),
])
def test_who_may_edit_the_fixed_texts(demo, client, login, email, page, save):
    if email:
        login(user(email))
    assert client.get("/beheer/teksten").status_code == page
    before = stored("network_goals")
    response = post(client, "/beheer/teksten/doelen", {"tekst": "Eén doel\nTwee doelen"})
    assert response.status_code == save
    expected = ["Eén doel", "Twee doelen"] if save == 303 else before
    assert stored("network_goals") == expected


@pytest.mark.parametrize(("slug", "value", "message"), [
    ("titel", "", "Titel is verplicht."),
    ("titel", "   ", "Titel is verplicht."),
    ("titel", "x" * 3001, "hoogstens 3000 tekens"),
    ("leeswijzer", "Regel een\nregel twee", "mag geen regelovergang bevatten"),
    ("leeswijzer", "Nul\x00teken", "niet-toegestane stuurtekens"),
    ("leeswijzer", "Omgekeerd \u202e", "tekens voor tekstrichting"),
    ("leeswijzer", f"Zaak van {BSN}", "burgerservicenummer"),
    ("doelen", f"Doel\nBSN {BSN}", "burgerservicenummer"),
    ("leeswijzer", "peildatum {datum}", "onbekende plaatshouder ‘{datum}’"),
    ("leeswijzer", "{{7*7}} {0.__class__}", "onbekende plaatshouder"),
    ("leeswijzer", "Stand op {peildatum", "openingsaccolade ‘{’ zonder sluitaccolade in "
     "‘Stand op {peildatum’"),
    ("leeswijzer", "}{versie} {{peildatum}}", "sluitaccolade ‘}’ zonder openingsaccolade"),
    ("leeswijzer", "Stand op {{peildatum}", "openingsaccolade ‘{’ zonder sluitaccolade"),
    ("doelen", "Doel een\nStand {maand}}", "sluitaccolade ‘}’ zonder openingsaccolade"),
    ("doelen", "\n".join(f"Doel {n}" for n in range(41)), "hoogstens 40 regels"),
    ("doelen", "kort\n" + "y" * 3001, "Regel 2 van doelen van de bbg"),
    ("organisatie", "x" * 120_001, "hoogstens 120000 tekens"),
])
def test_bad_text_is_refused_with_422_in_dutch_and_nothing_saved(demo, client, login, slug,
                                                                   value, message):
    login(user("beheerder@example.org"))
    before = {key: stored(key) for key in ("title", "intro", "network_goals")}
    audits = audit_count()
    response = post(client, f"/beheer/teksten/{slug}", {"tekst": value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert {key: stored(key) for key in before} == before
    assert audit_count() == audits


def test_unknown_text_is_404(demo, client, login):
    login(user("beheerder@example.org"))
    assert post(client, "/beheer/teksten/bestaat-niet", {"tekst": "x"}).status_code == 404


def test_markup_is_stored_inert_and_shown_escaped(demo, client, login):
    login(user("beheerder@example.org"))
    evil = '<script>alert(1)</script> <a hx-get="/x">link</a>'
    assert post(client, "/beheer/teksten/ondertitel", {"tekst": evil}).status_code == 303
    for page in (client.get("/beheer/teksten"), client.get("/report")):
        html = page.get_data(as_text=True)
        assert "<script>alert(1)" not in html and 'hx-get="/x"' not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_saved_text_is_audited_and_kept_in_history(demo, client, login):
    login(user("beheerder@example.org"))
    organisation_before = stored("intro")[1:]
    page = client.get("/beheer/teksten").get_data(as_text=True)
    assert "peildatum {maand}" in page  # the editor shows the placeholder, not a date
    response = post(client, "/beheer/teksten/leeswijzer",
                    {"tekst": "Nieuwe leeswijzer voor de {versie}, peildatum {peildatum}."})
    assert response.status_code == 303
    assert stored("intro")[1:] == organisation_before  # the organisation text is kept
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report_text.update"))
    assert entry.summary == "Leeswijzer" and entry.actor_id == user("beheerder@example.org").id

    today = local_today()
    now = client.get("/report").get_data(as_text=True)
    assert (f"Nieuwe leeswijzer voor de {version_label_for(today)}, peildatum "
            f"{today.day} ") in now
    # The report as of February 2018 still shows the text as it was then, dated February.
    old = client.get(f"/report?peildatum={FEBRUARY}").get_data(as_text=True)
    assert "Nieuwe leeswijzer" not in old
    assert "expertteams en het platform, peildatum februari 2018." in old
    # Saving the same text again changes nothing and audits nothing.
    audits = audit_count()
    post(client, "/beheer/teksten/leeswijzer",
         {"tekst": "Nieuwe leeswijzer voor de {versie}, peildatum {peildatum}."})
    assert audit_count() == audits


def test_the_peildatum_words_come_from_the_edition_never_from_the_demo(demo):
    february = build_report(date(2018, 2, 1))
    november = build_report(date(2026, 11, 1))
    assert "peildatum februari 2018." in february.texts["intro"][0]
    assert "peildatum november 2026." in november.texts["intro"][0]
    assert "februari 2018" not in november.texts["intro"][0]
    assert "{maand}" in stored("intro")[0]


def test_double_braced_placeholders_print_the_edition_words_without_braces(demo, client, login):
    login(user("beheerder@example.org"))
    assert post(client, "/beheer/teksten/leeswijzer",
                {"tekst": "Stand van {{maand}}, peildatum {{ peildatum }}."}).status_code == 303
    today = local_today()
    month = version_label_for(today).removeprefix("versie ")
    html = client.get("/report").get_data(as_text=True)
    assert f"Stand van {month}, peildatum {long_date(today)}." in html
    assert "{" + month not in html and month + "}" not in html
    # Also for an edition of another peildatum: its words, never braces.
    report = build_report(date(2018, 2, 1), as_of=False)
    assert report.texts["intro"][0] == "Stand van februari 2018, peildatum 1 februari 2018."


# --- team introductions ---------------------------------------------------------------------


@pytest.mark.parametrize(("email", "status"), [
    ("coordinator@example.org", 303),  # coordinator of verwarde-personen
    ("beheerder@example.org", 303),
    ("bestuurder@example.org", 403),
    ("lezer@example.org", 403),
])
def test_a_team_edits_its_own_introduction(demo, client, login, email, status):
    login(user(email))
    team = db.session.scalar(select(Team).where(Team.slug == "verwarde-personen"))
    before = team.introduction
    response = post(client, "/teams/verwarde-personen/inleiding",
                    {"inleiding": "Eerste alinea.\n\nTweede alinea over {maand}."})
    assert response.status_code == status
    db.session.expire_all()
    expected = "Eerste alinea.\n\nTweede alinea over {maand}." if status == 303 else before
    assert db.session.get(Team, team.id).introduction == expected
    if status == 303:
        assert audit_count("team.introduction") == 1
        html = client.get("/report").get_data(as_text=True)
        assert "<p>Tweede alinea over " + version_label_for(local_today()).removeprefix(
            "versie ") + ".</p>" in html
        assert "Eerste alinea." not in client.get(
            f"/report?peildatum={FEBRUARY}").get_data(as_text=True)


def test_a_coordinator_may_not_edit_another_teams_introduction(demo, client, login):
    login(user("coordinator@example.org"))
    assert client.get("/teams/jeugd/inleiding").status_code == 403
    assert post(client, "/teams/jeugd/inleiding", {"inleiding": "Niet van mij"}).status_code == 403
    page = client.get("/teams/verwarde-personen").get_data(as_text=True)
    assert 'href="/teams/verwarde-personen/inleiding"' in page
    assert 'href="/teams/jeugd/inleiding"' not in client.get("/teams/jeugd").get_data(as_text=True)


def test_a_bad_introduction_is_refused_with_422(demo, client, login):
    login(user("coordinator@example.org"))
    for value, message in ((f"BSN {BSN}", "burgerservicenummer"),
                           ("x" * 5001, "hoogstens 5000 tekens"),
                           ("over {jaar}", "onbekende plaatshouder")):
        response = post(client, "/teams/verwarde-personen/inleiding", {"inleiding": value})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert audit_count("team.introduction") == 0


# --- editions: preview, confirmation, correction --------------------------------------------


def edition_count() -> int:
    return db.session.scalar(select(func.count(ReportEdition.id)))


def test_preview_confirm_publish_and_correct(demo, client, login):
    login(user("lezer@example.org"))
    assert client.get(f"/report/edities/voorbeeld?peildatum={FEBRUARY}").status_code == 403
    login(user("beheerder@example.org"))
    page = client.get(f"/report/edities/voorbeeld?peildatum={FEBRUARY}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="versie" value="versie februari 2018"' in html
    assert "Er is geen eerdere editie om mee te vergelijken." in html
    assert 'hx-indicator="#publiceren-bezig"' in html
    assert "Bezig met opmaken van de PDF en Word…" in html
    preview = client.get(f"/report/edities/voorbeeld.html?peildatum={FEBRUARY}")
    assert preview.status_code == 200 and "inline" in preview.headers["Content-Disposition"]
    assert re.search(r"style-src 'self' 'sha256-[A-Za-z0-9+/=]+'",
                     preview.headers["Content-Security-Policy"])
    assert edition_count() == 0  # looking publishes nothing

    # A POST without the confirmation, or with another label than shown, publishes nothing.
    audits = audit_count()
    for data in ({"peildatum": FEBRUARY},
                 {"peildatum": FEBRUARY, "versie": "versie februari 2018"},
                 {"peildatum": FEBRUARY, "bevestigd": "1"},
                 {"peildatum": FEBRUARY, "versie": "versie maart 2018", "bevestigd": "1"}):
        response = post(client, "/report/edities", data)
        assert response.status_code == 422
        assert "Bevestig de publicatie" in response.get_data(as_text=True)
    assert edition_count() == 0 and audit_count() == audits

    confirm = {"peildatum": FEBRUARY, "versie": "versie februari 2018", "bevestigd": "1"}
    response = client.post("/report/edities", data={**confirm, "csrf_token": csrf_token_for(
        client)}, headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/report/edities"
    wrong = db.session.scalar(select(ReportEdition))
    assert wrong.html == preview.get_data(as_text=True)  # the preview is what was published
    assert audit_count("report_edition.publish") == 1

    # A correction: the wrong text is fixed, the edition is corrected; both are kept.
    post(client, "/beheer/teksten/titel", {"tekst": "Voortgangsrapportage (gecorrigeerd)"})
    listing = client.get("/report/edities").get_data(as_text=True)
    assert f'href="/report/edities/voorbeeld?vervangt={wrong.id}"' in listing
    page = client.get(f"/report/edities/voorbeeld?vervangt={wrong.id}").get_data(as_text=True)
    assert 'name="versie" value="versie februari 2018, herzien"' in page
    assert CORRECTION_RULE in page  # the preview says what a corrected edition shows
    # The change list says what the correction corrects: compared with the wrong edition.
    assert "Er is geen eerdere editie om mee te vergelijken." not in page
    assert "Gecorrigeerd ten opzichte van versie februari 2018" in page
    assert "Tekst ‘Titel’ gewijzigd in ‘Voortgangsrapportage (gecorrigeerd)’" in page
    preview = client.get(f"/report/edities/voorbeeld.html?vervangt={wrong.id}").get_data(
        as_text=True)
    response = post(client, "/report/edities", {
        "peildatum": FEBRUARY, "vervangt": wrong.id, "versie": "versie februari 2018, herzien",
        "bevestigd": "1"})
    assert response.status_code == 303
    db.session.expire_all()
    wrong, fixed = db.session.scalars(select(ReportEdition).order_by(ReportEdition.id)).all()
    assert fixed.supersedes_id == wrong.id and fixed.peildatum == wrong.peildatum
    assert fixed.html == preview
    assert "Voortgangsrapportage (gecorrigeerd)" in fixed.html
    assert "Voortgangsrapportage (gecorrigeerd)" not in wrong.html
    # The stored edition lists the same corrections, under the same heading.
    assert "Gecorrigeerd ten opzichte van versie februari 2018</h2>" in fixed.html
    assert "Tekst ‘Titel’ gewijzigd in ‘Voortgangsrapportage (gecorrigeerd)’" in fixed.html
    listing = client.get("/report/edities").get_data(as_text=True)
    assert "Vervangen door versie februari 2018, herzien" in listing
    assert listing.count("<strong>Actueel</strong>") == 1
    assert listing.index("versie februari 2018, herzien") < listing.index(
        ">versie februari 2018<")
    for fmt in ("html", "pdf", "docx"):
        assert client.get(f"/report/edities/{wrong.id}.{fmt}").status_code == 200
    assert audit_count("report_edition.correct") == 1

    # The wrong edition cannot be corrected twice; the next report compares with the fix.
    response = post(client, "/report/edities", {
        "peildatum": FEBRUARY, "vervangt": wrong.id, "versie": "versie februari 2018, herzien",
        "bevestigd": "1"})
    assert response.status_code == 303 and edition_count() == 2
    assert "is al herzien" in client.get("/report/edities").get_data(as_text=True)
    assert "Wijzigingen sinds versie februari 2018, herzien" in client.get(
        "/report").get_data(as_text=True)
    assert post(client, "/report/edities", {"peildatum": FEBRUARY, "vervangt": "999999",
                                            "versie": "x", "bevestigd": "1"}).status_code == 400


def test_changes_since_the_last_edition_cover_figures_milestones_and_people(demo, client, login):
    february = build_report(date(2018, 2, 1))
    db.session.add(ReportEdition(version_label=february.version_label, peildatum=date(2018, 2, 1),
                                 snapshot=february.snapshot, html="", pdf=b"", docx=b""))
    # A figure corrected, a municipality ticked, a trekker who left.
    measurement = db.session.scalar(select(Measurement).order_by(Measurement.id))
    indicator = db.session.get(Indicator, measurement.indicator_id)
    district = db.session.get(District, measurement.district_id) if measurement.district_id else None
    old_value = measurement.value
    measurement.value = old_value + 7
    milestone = db.session.scalar(select(Milestone).where(Milestone.per_municipality.is_(True)))
    ticked = select(MunicipalityTick.municipality_id).where(
        MunicipalityTick.milestone_id == milestone.id)
    municipality = db.session.scalar(select(Municipality).where(Municipality.id.not_in(ticked))
                                     .order_by(Municipality.id))
    db.session.add(MunicipalityTick(milestone_id=milestone.id, municipality_id=municipality.id,
                                    completed_on=local_today()))
    trekker = db.session.scalar(select(TeamMembership).join(Team).where(
        Team.slug == "woninginbraken", TeamMembership.role == TeamRole.TREKKER))
    db.session.delete(trekker)
    db.session.commit()

    login(user("lezer@example.org"))
    html = client.get("/report").get_data(as_text=True)
    place = district.name if district else "Oost-Nederland"
    assert (f"Cijfers {indicator.name}, {place}, {measurement.period}: {figure_text(old_value)} "
            f"→ {figure_text(old_value + 7)}.") in html
    before = february.snapshot["milestones"][str(milestone.id)]
    assert (f"mijlpaal ‘{milestone.title}’: {before['done']} → {before['done'] + 1} van "
            f"{before['total']} gemeenten.") in html
    assert "Woninginbraken: trekker gewijzigd van Erik van Keken" in html


def test_a_correction_is_the_stand_on_the_peildatum_with_the_texts_and_figures_corrected_since(
        demo):
    """The rule of a corrected edition: the stand on its peildatum (history), with the fixed
    texts, team introductions and figures (over the periods it showed) as corrected since;
    progress made since stays out of it, so the next edition lists it as a change."""
    february = date(2018, 2, 1)
    wrong_report = build_report(february)
    wrong = ReportEdition(version_label=wrong_report.version_label, peildatum=february,
                          snapshot=wrong_report.snapshot, html="", pdf=b"", docx=b"")
    db.session.add(wrong)
    db.session.commit()

    # Since then: a text and a February figure corrected, a team introduction fixed; and
    # progress: a new status point, figures over a new period.
    db.session.scalar(select(ReportText).where(ReportText.key == "subtitle")).value = (
        "Veiligheidsnetwerk Oost-Nederland (juist)")
    indicator_id, values = next(iter(load_world(february, as_of=True).measurements.items()))
    (district_id, period), old_value = next(iter(values.items()))
    measurement = db.session.scalar(select(Measurement).where(
        Measurement.indicator_id == indicator_id, Measurement.district_id.is_(district_id)
        if district_id is None else Measurement.district_id == district_id,
        Measurement.period == period))
    measurement.value = old_value + 5
    db.session.add(Measurement(indicator_id=indicator_id, district_id=district_id,
                               period="2030", value=123))
    team = db.session.scalar(select(Team).where(Team.slug == "woninginbraken"))
    team.introduction = "De gecorrigeerde inleiding."
    db.session.add(ReportItem(team_id=team.id, kind=ItemKind.RESULTAAT,
                              text="Een resultaat van na de peildatum.", position=99))
    db.session.commit()

    plan = plan_edition(february, wrong.id)
    assert plan.corrected and plan.peildatum == february
    fixed = build_edition_report(plan, timezone="Europe/Amsterdam")
    assert fixed.texts["subtitle"] == "Veiligheidsnetwerk Oost-Nederland (juist)"
    indicator = db.session.get(Indicator, indicator_id)
    place = (db.session.get(District, district_id).name if district_id else "Oost-Nederland")
    figures = fixed.snapshot["figures"][indicator.name]
    assert figures[period][place] == figure_text(old_value + 5)
    assert "2030" not in figures  # a later period is progress, not a correction
    woninginbraken = fixed.snapshot["teams"]["woninginbraken"]
    assert woninginbraken["introduction"] == "De gecorrigeerde inleiding."
    assert "Een resultaat van na de peildatum." not in woninginbraken["blocks"]["resultaat"]
    # Everything else is the stand on the peildatum, exactly as the wrong edition had it.
    for slug, before in wrong_report.snapshot["teams"].items():
        after = fixed.snapshot["teams"][slug]
        assert {k: v for k, v in after.items() if k != "introduction"} == {
            k: v for k, v in before.items() if k != "introduction"}
    assert fixed.snapshot["milestones"] == wrong_report.snapshot["milestones"]
    # Its change list: what it corrects in the wrong edition, and nothing else.
    assert fixed.previous_label == wrong.version_label and fixed.corrects
    corrections = "\n".join(fixed.changes)
    assert "Tekst ‘Ondertitel’ gewijzigd" in corrections
    assert f"{figure_text(old_value)} → {figure_text(old_value + 5)}" in corrections
    assert "Woninginbraken: inleiding gewijzigd" in corrections
    assert "Een resultaat van na de peildatum." not in corrections

    # The next edition compares with the correction: the corrections are no change any
    # more, the progress made since the peildatum is.
    db.session.add(ReportEdition(version_label=fixed.version_label, peildatum=february,
                                 supersedes_id=wrong.id, as_of=False, snapshot=fixed.snapshot,
                                 html="", pdf=b"", docx=b""))
    db.session.commit()
    later = build_report(local_today())
    assert later.previous_label == "versie februari 2018, herzien"
    changes = "\n".join(later.changes)
    assert "toegevoegd ‘Een resultaat van na de peildatum.’" in changes
    assert f"{figure_text(old_value)} → {figure_text(old_value + 5)}" not in changes
    assert "Tekst ‘Ondertitel’" not in changes
    assert "Woninginbraken: inleiding gewijzigd" not in changes


def test_publishing_unconfirmed_shows_the_error_at_the_checkbox_with_and_without_htmx(
        demo, client, login):
    login(user("beheerder@example.org"))
    token = csrf_token_for(client)
    data = {"peildatum": FEBRUARY, "versie": "versie februari 2018", "csrf_token": token}

    def checkbox(html: str) -> str:
        return re.search(r'<input[^>]*id="veld-bevestigd"[^>]*>', html).group(0)

    # Without JavaScript: the whole preview again (422), the error above the checkbox.
    page = client.post("/report/edities", data=data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "<h1 class=\"utrecht-heading-1\">Voorbeeld: versie februari 2018</h1>" in html
    tick = checkbox(html)
    assert 'aria-invalid="true"' in tick and 'aria-describedby="veld-bevestigd-fout"' in tick
    assert "autofocus" in tick and html.count("autofocus") == 1
    error = re.search(r'<div[^>]*id="veld-bevestigd-fout"[^>]*>(.*?)</div>', html, re.S)
    assert error and "Bevestig de publicatie" in error.group(1)
    # The message sits at the checkbox, inside the form, above the button.
    assert html.index('id="publiceren"') < error.start() < html.index("publiceren</button>")

    # With htmx: only the form comes back, to replace itself, with the same error.
    fragment = client.post("/report/edities", data=data, headers={"HX-Request": "true"})
    assert fragment.status_code == 422
    part = fragment.get_data(as_text=True)
    assert "<html" not in part
    assert part.count('id="publiceren"') == 1 and 'hx-target="this"' in part
    assert 'hx-swap="outerHTML"' in part
    tick = checkbox(part)
    assert 'aria-invalid="true"' in tick and "autofocus" in tick
    assert 'id="veld-bevestigd-fout"' in part and "Bevestig de publicatie" in part

    # Another label than the one now due: the form offers the current one, error at the tick.
    other = client.post("/report/edities", data={**data, "versie": "versie maart 2018",
                                                 "bevestigd": "1"},
                        headers={"HX-Request": "true"})
    assert other.status_code == 422
    assert 'name="versie" value="versie februari 2018"' in other.get_data(as_text=True)
    assert 'id="veld-bevestigd-fout"' in other.get_data(as_text=True)
    assert edition_count() == 0

    # Before any refusal: no error, no autofocus, and the busy message in a live region
    # that only shows while publishing (the button disabled meanwhile).
    html = client.get(f"/report/edities/voorbeeld?peildatum={FEBRUARY}").get_data(as_text=True)
    assert "veld-bevestigd-fout" not in html and "autofocus" not in checkbox(html)
    assert 'hx-disabled-elt="find button"' in html
    assert re.search(r'<div role="status"[^>]*><p class="[^"]*vnon-busy[^"]*" '
                     r'id="publiceren-bezig">Bezig met opmaken van de PDF en Word…', html)
