"""Paged lists and the person search in the browser (issue 15): the pager swaps the team's
list with htmx and keeps its filters, axe finds nothing after the swaps, nothing scrolls
sideways at 320 px; the organiser finds people as they type, ticks them and invites."""

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD
from tests.factories import create_action
from tracker.auth.models import User
from tracker.enums import EventStatus
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.network.models import Team


def _login(page, live_server, email="coordinator@example.org"):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server}/start")


def _overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_the_pager_swaps_the_team_list_and_keeps_the_filter(demo, live_server, page,
                                                             axe_check):
    team = db.session.scalar(select(Team).where(Team.slug == "verwarde-personen"))
    for n in range(60):
        create_action(team, title=f"Bladeractie {n:02d}")
    db.session.commit()
    _login(page, live_server)
    page.goto(f"{live_server}/teams/verwarde-personen?q=bladeractie")
    page.evaluate("window.__noReload = 'still here'")
    pager = page.get_by_role("navigation", name="Paginering")
    expect(pager).to_contain_text("Acties 1–25 van 60")
    pager.get_by_role("link", name="Volgende pagina").click()
    expect(pager).to_contain_text("Acties 26–50 van 60")
    page.wait_for_url(re.compile(r".*q=bladeractie&pagina=2$"))
    assert page.evaluate("window.__noReload") == "still here"
    assert "Bladeractie 25" in page.locator("#acties-lijst tbody").inner_text()
    current = pager.locator("[aria-current=page]")
    assert current.inner_text().strip().endswith("2")
    axe_check(page)
    # "Alles op deze pagina selecteren" ticks this page's 25 rows.
    page.get_by_role("link", name="Alles op deze pagina selecteren").click()
    expect(page.locator("#acties-lijst input[name=acties]:checked")).to_have_count(25)
    # By keyboard to the last page: its "Volgende" is gone, focus stays in the pager.
    pager.get_by_role("link", name="Volgende pagina").focus()
    page.keyboard.press("Enter")
    expect(pager).to_contain_text("Acties 51–60 van 60")
    expect(pager.locator("[aria-current=page]")).to_be_focused()
    page.set_viewport_size({"width": 320, "height": 800})
    assert _overflow(page) <= 0
    assert page.console_errors == []


def test_the_organiser_finds_people_as_they_type_and_invites_them(demo, live_server, page,
                                                                   axe_check):
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
    team = db.session.scalar(select(Team).where(Team.slug == "verwarde-personen"))
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    event = Event(title="Kennisdag zoeken", status=EventStatus.GEPLAND, team=team,
                  organiser=coordinator, starts_at=starts, ends_at=starts + timedelta(hours=2),
                  location="Zwolle")
    db.session.add(event)
    db.session.commit()
    lezer = db.session.scalar(select(User).where(User.email == "lezer@example.org"))
    _login(page, live_server)
    page.goto(f"{live_server}/events/{event.id}")
    page.evaluate("window.__noReload = 'still here'")
    page.get_by_label("Persoon zoeken").press_sequentially("lezer@exam", delay=30)
    choice = page.get_by_label(re.compile(r"^Demo Lezer \(lezer@example.org\)"))
    expect(choice).to_be_visible()
    expect(page.locator("#personen-status")).to_contain_text("1 persoon gevonden")
    assert page.evaluate("window.__noReload") == "still here"
    choice.check()
    box = page.get_by_label("Persoon zoeken")
    box.fill("")
    box.press_sequentially("coordinator@", delay=30)
    expect(page.locator("#personen-status")).to_contain_text("aangevinkt")
    expect(choice).to_be_checked()  # ticked before this search: still there, still ticked
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert _overflow(page) <= 0
    page.get_by_role("button", name="Uitnodigingen versturen").click()
    expect(page.locator("body")).to_contain_text("1 uitgenodigd")
    db.session.rollback()  # end this test's read snapshot: see what the server wrote
    assert db.session.scalar(select(Invitation.id).where(
        Invitation.event_id == event.id, Invitation.user_id == lezer.id)) is not None
    assert page.console_errors == []


def test_the_person_search_works_without_javascript(demo, live_server, browser):
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
    team = db.session.scalar(select(Team).where(Team.slug == "verwarde-personen"))
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    event = Event(title="Kennisdag zonder script", status=EventStatus.GEPLAND, team=team,
                  organiser=coordinator, starts_at=starts, ends_at=starts + timedelta(hours=2),
                  location="Zwolle")
    db.session.add(event)
    db.session.commit()
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    try:
        _login(page, live_server)
        page.goto(f"{live_server}/events/{event.id}")
        page.get_by_label("Persoon zoeken").fill("lezer@example")
        page.get_by_role("button", name="Zoeken", exact=True).click()
        page.wait_for_url(re.compile(r".*/invitations#uitnodigen$"))
        page.get_by_label(re.compile(r"^Demo Lezer \(lezer@example.org\)")).check()
        # A second search keeps the first tick and what was typed elsewhere in the form.
        page.get_by_label("E-mailadressen").fill("nieuw.zonder.script@example.org")
        page.get_by_label("Persoon zoeken").fill("partner@example")
        page.get_by_label("Persoon zoeken").press("Enter")  # Enter searches, invites nobody
        expect(page.get_by_label(re.compile(r"\(partner@example.org\)"))).to_be_visible()
        expect(page.get_by_label(re.compile(r"^Demo Lezer \(lezer@example.org\)"))).to_be_checked()
        expect(page.get_by_label("E-mailadressen")).to_have_value("nieuw.zonder.script@example.org")
        page.get_by_label(re.compile(r"\(partner@example.org\)")).check()
        page.get_by_role("button", name="Uitnodigingen versturen").click()
        expect(page.locator("body")).to_contain_text("3 uitgenodigd")
    finally:
        context.close()


def test_the_event_form_finds_its_organiser_as_one_types(demo, live_server, page, axe_check):
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
    _login(page, live_server)
    page.goto(f"{live_server}/events/new")
    current = page.get_by_label(re.compile(r"^Demo Coördinator \(coordinator@example.org\)"))
    expect(current).to_be_checked()  # the one planning it, chosen beforehand
    page.evaluate("window.__noReload = 'still here'")
    page.get_by_label("Organisator zoeken").press_sequentially("beheerder@exam", delay=30)
    found = page.get_by_label(re.compile(r"\(beheerder@example.org\)"))
    expect(found).to_be_visible()
    expect(page.locator("#organisatoren-status")).to_contain_text("1 persoon gevonden")
    expect(current).to_be_checked()  # still there, still chosen
    assert page.evaluate("window.__noReload") == "still here"
    found.check()
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert _overflow(page) <= 0
    page.get_by_label("Titel").fill("Kennisdag met organisator")
    page.get_by_label("Begin").fill("2030-03-07T13:30")
    page.get_by_label("Einde").fill("2030-03-07T16:30")
    page.get_by_label("Locatie").fill("Zwolle")
    # Enter in a field saves (the form's first submit button), not one of the searches.
    page.get_by_label("Locatie").press("Enter")
    expect(page.locator("body")).to_contain_text("is aangemaakt")
    db.session.rollback()
    event = db.session.scalar(select(Event).where(Event.title == "Kennisdag met organisator"))
    beheerder = db.session.scalar(select(User).where(User.email == "beheerder@example.org"))
    assert event.organiser_id == beheerder.id != coordinator.id
    assert page.console_errors == []


def test_the_beheerder_finds_a_team_as_one_types(demo, live_server, page, axe_check):
    from tests.factories import create_team
    from tracker.events.queries import TEAMS_AS_LIST

    for n in range(TEAMS_AS_LIST + 1):
        create_team(name=f"Zoekteam {n:02d}", short_name=f"ZT{n:02d}")
    db.session.commit()
    _login(page, live_server, "beheerder@example.org")
    page.goto(f"{live_server}/events/new")
    expect(page.get_by_label("— hele netwerk —")).to_be_checked()
    page.get_by_label("Team zoeken").press_sequentially("zoekteam 07", delay=30)
    found = page.get_by_label("Zoekteam 07", exact=True)
    expect(found).to_be_visible()
    expect(page.locator("#teams-status")).to_contain_text("1 team gevonden")
    found.check()
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert _overflow(page) <= 0
    page.get_by_label("Titel").fill("Kennisdag van een team")
    page.get_by_label("Begin").fill("2030-03-07T13:30")
    page.get_by_label("Einde").fill("2030-03-07T16:30")
    page.get_by_label("Locatie").fill("Zwolle")
    # Enter in a field saves (the form's first submit button), not one of the searches.
    page.get_by_label("Locatie").press("Enter")
    expect(page.locator("body")).to_contain_text("is aangemaakt")
    db.session.rollback()
    event = db.session.scalar(select(Event).where(Event.title == "Kennisdag van een team"))
    assert event.team.name == "Zoekteam 07"
    assert page.console_errors == []
