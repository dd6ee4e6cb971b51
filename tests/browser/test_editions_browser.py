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
