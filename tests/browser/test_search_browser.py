"""Search in the browser at 375 px: as-you-type without a page load (page box and header
box), the plain form without JavaScript, axe on the results page, no sideways scroll."""

import re

from tests.conftest import DEMO_PASSWORD


def _log_in(page, live_server, email="coordinator@example.org"):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r".*/start$"))


def _overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_results_appear_while_typing_without_a_page_load(demo, live_server, page, axe_check):
    page.set_viewport_size({"width": 375, "height": 800})
    _log_in(page, live_server)
    page.goto(f"{live_server}/zoeken")
    # A page load would forget this marker; an htmx swap keeps it.
    page.evaluate("window.zoekMarker = 'zelfde pagina'")
    page.get_by_label(re.compile("^Zoek in acties")).press_sequentially("gemeenten", delay=30)
    # The answer to the whole word, not to a first letter that came back earlier (a
    # loaded machine answered "g" with highlighted results before "gemeenten").
    page.wait_for_url(re.compile(r".*q=gemeenten"))
    page.wait_for_selector("#zoekresultaten mark")
    assert page.evaluate("window.zoekMarker") == "zelfde pagina"
    results = page.locator("#zoekresultaten")
    assert "Resultaten voor „gemeenten”" in results.inner_text()
    # Stemming: "gemeenten" also marks the singular.
    marks = {m.lower() for m in page.locator("#zoekresultaten mark").all_inner_texts()}
    assert "gemeente" in marks
    assert _overflow(page) <= 0
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert _overflow(page) <= 0

    # The header box works from any page: the main region becomes the results.
    page.goto(f"{live_server}/pilots")
    page.evaluate("window.zoekMarker = 'kop'")
    page.get_by_label("Zoeken", exact=True).press_sequentially("bijeenkomst", delay=30)
    page.wait_for_selector("#zoekresultaten")
    page.wait_for_function("location.search.includes('q=bijeenkomst')")
    assert page.evaluate("window.zoekMarker") == "kop"
    assert page.get_by_role("heading", level=1).inner_text() == "Zoeken"
    assert page.console_errors == []


def test_the_search_form_works_without_javascript(demo, live_server, browser, axe_check):
    context = browser.new_context(locale="nl-NL", java_script_enabled=False,
                                  viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        _log_in(page, live_server, "partner@example.org")
        page.get_by_label("Zoeken", exact=True).fill("gemeenten")
        page.get_by_role("button", name="Zoek", exact=True).click()
        page.wait_for_url(re.compile(r".*/zoeken\?q=gemeenten"))
        assert page.get_by_role("heading", level=1).inner_text() == "Zoeken"
        page.get_by_label(re.compile("^Zoek in acties")).fill("zzqqxx")
        page.get_by_role("button", name="Zoeken", exact=True).click()
        page.wait_for_url(re.compile(r".*q=zzqqxx"))
        assert "Geen resultaten voor „zzqqxx”" in page.content()
        assert _overflow(page) <= 0
    finally:
        context.close()
