"""The fixed texts editor, the edition preview and its confirmation (htmx), and a team's
introduction, in a browser: axe on every page, publishing ends on the list."""

from playwright.sync_api import expect

from tests.browser.test_status_editing_and_report_axe import login


def test_texts_preview_and_publish_with_confirmation(demo, live_server, page, axe_check):
    login(page, live_server, "beheerder@example.org", "/beheer/teksten")
    axe_check(page)
    title = page.get_by_role("textbox", name="Titel", exact=True)
    title.fill("{jaar}")
    page.get_by_role("button", name="Opslaan (Titel)").click()
    expect(page.get_by_text("onbekende plaatshouder")).to_be_visible()
    axe_check(page)

    page.goto(f"{live_server}/report/edities")
    page.get_by_label("Peildatum").fill("2018-02-01")
    page.get_by_role("button", name="Voorbeeld bekijken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorbeeld: versie februari 2018")
    axe_check(page)
    page.get_by_label("Ik heb het voorbeeld bekeken en publiceer ‘versie februari 2018’").check()
    page.get_by_role("button", name="Versie februari 2018 publiceren").click()
    page.wait_for_url(f"{live_server}/report/edities", timeout=60_000)
    expect(page.get_by_text("Editie ‘versie februari 2018’ gepubliceerd.")).to_be_visible()
    expect(page.get_by_text("Actueel")).to_be_visible()
    axe_check(page)
    # The refused title answered 422 on purpose; nothing else went wrong.
    assert [e for e in page.console_errors if "422" not in e] == []


def test_a_coordinator_edits_the_team_introduction(demo, live_server, page, axe_check):
    login(page, live_server, "coordinator@example.org", "/teams/verwarde-personen")
    page.get_by_role("link", name="Inleiding bewerken").click()
    axe_check(page)
    page.get_by_role("textbox", name="Inleiding").fill("Het expertteam werkt aan een sluitende aanpak.")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(f"{live_server}/teams/verwarde-personen")
    expect(page.get_by_text("Het expertteam werkt aan een sluitende aanpak.")).to_be_visible()
    axe_check(page)
    assert page.console_errors == []


def test_publishing_by_keyboard_error_at_the_checkbox_and_busy_feedback(demo, live_server, page,
                                                                        axe_check):
    """Keyboard only: publish unticked → the error at the checkbox, which has focus; tick
    it with Space, publish with Enter → the button disabled and the busy message shown
    until the list of editions comes."""
    login(page, live_server, "beheerder@example.org",
          "/report/edities/voorbeeld?peildatum=2018-02-01")
    button = page.get_by_role("button", name="Versie februari 2018 publiceren")
    button.focus()
    page.keyboard.press("Enter")
    tick = page.get_by_label("Ik heb het voorbeeld bekeken en publiceer ‘versie februari 2018’")
    expect(tick).to_be_focused()
    expect(tick).to_have_attribute("aria-invalid", "true")
    expect(tick).to_have_accessible_description(
        "Fout: Bevestig de publicatie op de voorbeeldpagina: er is niets gepubliceerd.")
    expect(page.locator("#publiceren-bezig")).to_be_hidden()
    axe_check(page)

    page.keyboard.press("Space")
    expect(tick).to_be_checked()
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    busy = page.get_by_role("status").filter(has_text="Bezig met opmaken")
    expect(busy.get_by_text("Bezig met opmaken van de PDF en Word…")).to_be_visible()
    expect(button).to_be_disabled()
    page.wait_for_url(f"{live_server}/report/edities", timeout=60_000)
    expect(page.get_by_text("Editie ‘versie februari 2018’ gepubliceerd.")).to_be_visible()
    assert [e for e in page.console_errors if "422" not in e] == []
