"""In Chromium: the person edit page passes axe (also with errors), and the pilot form's
grouped municipality picker works at 320 px (wide labels, no sideways scroll, the
"hele district" button with and without JavaScript)."""

import re

from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD
from tracker.auth.models import User
from tracker.enums import Role
from tracker.extensions import db


def _sign_in(page, live_server, email):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r".*/start$"))


def test_person_edit_page_passes_axe(demo, live_server, page, axe_check):
    person = db.session.scalars(select(User).where(User.role == Role.COORDINATOR)
                                .order_by(User.id)).first()
    _sign_in(page, live_server, "beheerder@example.org")
    page.goto(f"{live_server}/beheer/gebruikers/{person.id}")
    axe_check(page)
    page.get_by_label("Telefoonnummer").fill("bel mij maar")
    page.get_by_role("button", name="Gegevens opslaan").click()
    assert "Vul een telefoonnummer in" in page.content()
    assert page.get_by_label("Telefoonnummer").get_attribute("aria-invalid") == "true"
    axe_check(page)
    page.get_by_label("Telefoonnummer").fill("038-499 12 34")
    page.get_by_role("button", name="Gegevens opslaan").click()
    assert "Gegevens opslaan" in page.content() and "Gegevens opgeslagen." in page.content()
    page.set_viewport_size({"width": 320, "height": 700})
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _label_widths(page):
    return page.evaluate("""() => Array.from(document.querySelectorAll(
        '.vnon-municipality-group .utrecht-form-label--checkbox')).map(
        l => [l.textContent.trim(), l.getBoundingClientRect().width])""")


def test_pilot_form_picker_at_320_px(demo, live_server, page, axe_check, browser):
    page.set_viewport_size({"width": 320, "height": 800})
    _sign_in(page, live_server, "coordinator@example.org")
    page.goto(f"{live_server}/teams/verwarde-personen/pilots/new")
    widths = _label_widths(page)
    assert len(widths) == 78
    narrow = [(name, w) for name, w in widths if w < 80]
    assert not narrow, narrow
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(page)
    twente = page.locator("fieldset", has=page.locator("legend", has_text="Twente"))
    twente.get_by_role("button", name=re.compile("Selecteer hele district")).click()
    boxes = twente.locator('input[type="checkbox"]')
    assert boxes.count() == 14
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    assert page.url.endswith("/pilots/new")  # JavaScript: no round trip
    page.get_by_label("Hengelo").uncheck()
    assert twente.get_by_role("button", name=re.compile("Selecteer hele district")).count() == 1


def test_whole_district_without_javascript_keeps_the_title(demo, live_server, browser):
    context = browser.new_context(locale="nl-NL", java_script_enabled=False,
                                  viewport={"width": 320, "height": 800})
    page = context.new_page()
    try:
        _sign_in(page, live_server, "coordinator@example.org")
        page.goto(f"{live_server}/teams/verwarde-personen/pilots/new")
        page.get_by_label("Titel").fill("Pilot zonder script")
        ijssel = page.locator("fieldset", has=page.locator("legend", has_text="IJsselland"))
        ijssel.get_by_role("button", name=re.compile("Selecteer hele district")).click()
        page.wait_for_load_state()
        ijssel = page.locator("fieldset", has=page.locator("legend", has_text="IJsselland"))
        boxes = ijssel.locator('input[type="checkbox"]')
        assert boxes.count() == 11
        assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
        assert page.get_by_label("Titel").input_value() == "Pilot zonder script"
    finally:
        context.close()
