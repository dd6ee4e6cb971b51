"""A coordinator of verwarde-personen works in the browser: done/undo, ticks, a pilot."""

import re

from playwright.sync_api import expect

from tests.conftest import DEMO_PASSWORD


def _login(page, live_server, email="coordinator@example.org"):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server}/start")


def test_mark_done_updates_row_and_counter_without_reload(demo, live_server, page, axe_check):
    _login(page, live_server)
    page.goto(f"{live_server}/teams/verwarde-personen")
    axe_check(page)
    page.evaluate("window.__noReload = 'still here'")
    counter = page.locator("#team-tellers [data-teller='gereed']")
    assert counter.inner_text() == "0"
    row = page.locator("#acties-lijst tbody tr").first
    title = row.locator(".vnon-action-card__title").inner_text()
    row.get_by_role("button", name="Gereed").click()
    expect(page.locator("#team-tellers [data-teller='gereed']")).to_have_text("1")
    assert page.evaluate("window.__noReload") == "still here"
    swapped = page.locator("#acties-lijst tbody tr").first
    assert swapped.locator("td").nth(4).inner_text() == "Gereed"  # after the bulk checkbox
    undo = swapped.get_by_role("button", name="Ongedaan maken")
    assert undo.is_visible()
    # Focus lands on the undo button, and the change is announced.
    assert page.evaluate("document.activeElement.textContent.trim()").startswith("Ongedaan maken")
    assert "is gereed gemeld" in page.locator("#actie-melding").inner_text()
    assert title.split("\n")[0] in page.locator("#actie-melding").inner_text()
    axe_check(page)
    undo.click()
    expect(page.locator("#team-tellers [data-teller='gereed']")).to_have_text("0")
    assert page.evaluate("window.__noReload") == "still here"
    assert page.console_errors == []


def test_active_search_pushes_the_filter_into_the_url(demo, live_server, page):
    _login(page, live_server)
    page.goto(f"{live_server}/teams/verwarde-personen")
    page.get_by_label("Zoek op titel").fill("wet")
    page.wait_for_url("**/teams/verwarde-personen?q=wet**")
    expect(page.locator("#acties-lijst tbody tr")).to_have_count(1)
    assert "Wet Verplichte GGZ" in page.locator("#acties-lijst tbody").inner_text()
    page.reload()  # the URL alone restores the view
    assert page.locator("#acties-lijst tbody tr").count() == 1


def test_tick_municipalities_and_register_a_pilot(demo, live_server, page, axe_check):
    _login(page, live_server)
    page.goto(f"{live_server}/teams/verwarde-personen/milestones")
    deadline = "Iedere gemeente in Oost-Nederland heeft een sluitende aanpak"
    page.get_by_role("link", name=deadline).first.click()
    assert "0 / 78" in page.locator("#voortgang").inner_text()
    row = page.locator("tr", has_text="Zwolle")
    row.get_by_label("Toelichting Zwolle").fill("Aanpak vastgesteld door college")
    row.get_by_role("button", name="Afvinken").click()
    expect(page.locator("#voortgang")).to_contain_text(re.compile(r"1\s*/\s*78"))
    assert "IJsselland: 1 / 11" in " ".join(page.locator("#voortgang").inner_text().split())
    assert "Aanpak vastgesteld door college" in page.locator("tr", has_text="Zwolle").inner_text()
    axe_check(page)

    page.goto(f"{live_server}/teams/verwarde-personen/pilots")
    page.get_by_role("link", name="Pilot registreren").click()
    page.get_by_label("Titel").fill("Pilot meldpunt Deventer")
    page.get_by_label("District").select_option(label="IJsselland")
    page.get_by_label("Bouwsteen").select_option(label="4. Meldkamer")
    page.get_by_label("Deventer", exact=True).check()  # grouped picker (issue 13)
    axe_check(page)
    page.get_by_role("button", name="Pilot registreren").click()
    page.wait_for_url("**/pilots/*")
    assert page.get_by_role("heading", level=1).inner_text() == "Pilot meldpunt Deventer"
    page.get_by_role("button", name="Naar “Lopend”").click()
    assert "Status van “Pilot meldpunt Deventer”: Lopend." in page.locator("#meldingen").inner_text()
    axe_check(page)
    assert page.console_errors == []
