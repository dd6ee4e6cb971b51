"""A trekker adds a period and enters a value in place (htmx), then previews a CSV; axe."""

from tests.browser.test_status_editing_and_report_axe import login


def test_enter_measurements_in_place_and_import_preview_with_axe(demo, live_server, page,
                                                                 axe_check, tmp_path):
    path = "/indicators/woninginbraken-misdrijven"
    login(page, live_server, "erik.vankeken@example.org", path)
    axe_check(page)

    page.get_by_label("Periode", exact=True).nth(1).fill("2018")
    page.get_by_role("button", name="Periode toevoegen").click()
    page.get_by_role("columnheader", name="Verschil 2017-2018 (#)").wait_for()
    assert page.url.endswith(path)  # swapped in place
    axe_check(page)

    page.locator("#veld-district").select_option("twente")
    page.locator("#veld-period").select_option("2018")
    page.get_by_label("Waarde").fill("1.300")
    page.get_by_role("button", name="Meting opslaan").click()
    page.get_by_role("cell", name="1.300", exact=True).wait_for()
    axe_check(page)

    page.get_by_label("Waarde").fill("veel")
    page.get_by_role("button", name="Meting opslaan").click()
    page.locator("#veld-value-fout").wait_for()
    axe_check(page)

    csv = tmp_path / "metingen.csv"
    csv.write_text("district;periode;waarde\nIJsselland;2018;800\nEenheid;2018;5\n",
                   encoding="utf-8-sig")
    page.goto(f"{live_server}{path}/import")
    axe_check(page)
    page.get_by_label("CSV-bestand").set_input_files(str(csv))
    page.get_by_role("button", name="Bestand controleren").click()
    page.get_by_text("typ je niet in").wait_for()
    axe_check(page)
    # The browser logs every 422 it received (the two refused inputs above); nothing else.
    assert [e for e in page.console_errors if "status of 422" not in e] == []
