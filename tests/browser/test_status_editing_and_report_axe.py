"""A coordinator edits a block in place (htmx) on the status page; axe on status and report."""

from playwright.sync_api import expect

from tests.conftest import DEMO_PASSWORD


def login(page, live_server, email, next_path):
    page.goto(f"{live_server}{next_path}")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server}{next_path}")


def test_edit_a_block_in_place_and_axe_on_status_pages_and_report(demo, live_server, page,
                                                                  axe_check):
    login(page, live_server, "coordinator@example.org", "/teams/verwarde-personen/status")
    axe_check(page)

    edit = "Bewerken (uitgangspunten / doelen, punt 1)"
    page.get_by_role("link", name=edit).click()
    textbox = page.get_by_label("Tekst van dit punt")
    expect(textbox).to_be_focused()  # focus follows the swap
    page.get_by_role("link", name="Annuleren").click()
    expect(page.get_by_label("Tekst van dit punt")).to_have_count(0)  # cancel closes the form
    page.get_by_role("link", name=edit).click()
    textbox = page.get_by_label("Tekst van dit punt")
    textbox.fill("Terugdringen van overlast door ernstig verwarde personen (bijgewerkt)")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("(bijgewerkt)").wait_for()
    expect(page.get_by_role("link", name=edit)).to_be_focused()
    assert page.url.endswith("/teams/verwarde-personen/status")  # swapped in place
    axe_check(page)

    page.get_by_label("Nieuw punt bij resultaten").fill("Nieuw resultaat via htmx")
    page.get_by_role("button", name="Toevoegen").nth(1).click()
    page.get_by_text("Nieuw resultaat via htmx").wait_for()
    axe_check(page)

    page.goto(f"{live_server}/status")
    page.get_by_text("redenen voor Expertteam Verwarde personen").first.click()
    axe_check(page)

    page.goto(f"{live_server}/report?peildatum=2018-02-01")
    assert page.get_by_role("heading", level=1).inner_text() == "Voortgangsrapportage"
    axe_check(page)
    assert page.console_errors == []
    # On a phone only the wide figure tables scroll, never the page (WCAG 1.4.10).
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The combined burglary table (13 columns) scrolls inside its own region, reachable by
    # keyboard, and its caption names that region.
    region = page.get_by_role("region", name="Diefstal/inbraak woning: woninginbraken")
    expect(region).to_have_count(1)
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert region.evaluate("el => el.getBoundingClientRect().right") <= 375
    assert region.get_attribute("tabindex") == "0"
