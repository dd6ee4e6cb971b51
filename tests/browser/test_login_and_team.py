"""A person logs in with the keyboard-friendly form and opens a team page."""

import re

from tests.conftest import DEMO_PASSWORD


def test_login_dashboard_and_team_page_with_axe(demo, live_server, page, axe_check):
    page.goto(f"{live_server}/teams/verwarde-personen")
    assert page.url.startswith(f"{live_server}/inloggen")
    assert page.title().startswith("Inloggen")
    axe_check(page)

    page.get_by_label("E-mailadres").fill("coordinator@example.org")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server}/teams/verwarde-personen")
    assert page.get_by_role("heading", level=1).inner_text() == "Expertteam Verwarde personen"
    for heading in ("Uitgangspunten / doelen", "Resultaten", "Aandachtspunten", "(Lopende) acties"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    axe_check(page)

    page.get_by_role("link", name="Overzicht").first.click()
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("link", name="Platform Ondermijning").is_visible()
    axe_check(page)
    assert page.console_errors == []


def test_wrong_password_message_and_error_page_pass_axe(demo, live_server, page, axe_check):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("lezer@example.org")
    page.get_by_label("Wachtwoord").fill("niet-het-goede-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("alert").inner_text().startswith("Fout: Onbekende combinatie")
    axe_check(page)
    page.goto(f"{live_server}/bestaat-niet")
    assert page.get_by_role("heading", level=1).inner_text() == "Niet gevonden"
    axe_check(page)


def test_skip_link_is_first_and_moves_focus_to_the_content(demo, live_server, page):
    page.goto(f"{live_server}/inloggen")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Direct naar de inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"


def test_pages_reflow_at_320_pixels(demo, live_server, page):
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("beheerder@example.org")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r".*/start$"))
    for path in ("/", "/teams/woninginbraken", "/beheer/gebruikers", "/mijn-werk", "/milestones",
                 "/milestones/1", "/pilots", "/teams/jeugd/pilots", "/agenda"):
        page.goto(f"{live_server}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        wide = page.evaluate(
            "() => [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        assert overflow <= 0, f"{path} scrolls horizontally by {overflow}px at 320px: {wide}"
