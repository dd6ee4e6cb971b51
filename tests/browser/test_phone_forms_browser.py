"""At 320 px: the milestone grid with its bulk form (axe, ticking a district with htmx),
forms with checkboxes (axe), and required fields that are not red before anyone typed."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.conftest import DEMO_PASSWORD
from tracker.events.models import Event
from tracker.extensions import db
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.network.models import District

DEADLINE_TITLE = "Iedere gemeente in Oost-Nederland heeft een sluitende aanpak"


def _login(page, live_server, email):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r".*/start$"))


def test_milestone_grid_at_320_px_bulk_tick_with_htmx_and_axe(demo, live_server, page, axe_check):
    milestone = db.session.scalar(select(Milestone).where(Milestone.title == DEADLINE_TITLE))
    district = db.session.scalar(select(District).where(District.name == "Twente"))
    page.set_viewport_size({"width": 320, "height": 700})
    _login(page, live_server, "coordinator@example.org")
    page.goto(f"{live_server}/milestones/{milestone.id}")
    axe_check(page)
    # The district tables line up: the same column edges in every table.
    edges = page.evaluate("""() => [...document.querySelectorAll('.vnon-tick-table')].map(t =>
        [...t.querySelectorAll('thead th')].map(th => Math.round(th.getBoundingClientRect().width)))""")
    assert len(edges) >= 4 and all(e == edges[0] for e in edges), edges
    block = page.locator(f"#district-blok-{district.id}")
    block.get_by_role("checkbox", name="Hengelo").check()
    block.get_by_role("checkbox", name="Enschede").check()
    block.get_by_label("Datum van afvinken").fill("2018-01-20")
    block.get_by_role("button", name="Gekozen gemeenten afvinken").click()
    expect(block.get_by_text("2 gemeenten afgevinkt.")).to_be_visible()
    expect(page.locator("#voortgang")).to_contain_text("2 / 78")  # progress refreshed
    assert page.url.endswith(f"/milestones/{milestone.id}")  # swapped in place
    block.get_by_role("button", name="Hele district afvinken").click()
    expect(block.get_by_text("12 gemeenten afgevinkt.")).to_be_visible()  # 14, two already
    db.session.rollback()  # end the test's read snapshot
    ticked = db.session.scalar(select(func.count(MunicipalityTick.id)))
    assert ticked == len(district.municipalities)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(page)


def test_forms_with_checkboxes_at_320_px_pass_axe(demo, live_server, page, axe_check):
    event = next(e for e in db.session.scalars(select(Event).order_by(Event.id))
                 if not e.is_cancelled)
    page.set_viewport_size({"width": 320, "height": 700})
    _login(page, live_server, "beheerder@example.org")
    for path in (f"/events/{event.id}", "/instellingen/meldingen",
                 "/teams/verwarde-personen/milestones/new"):
        page.goto(f"{live_server}{path}")
        boxes = page.locator("input[type=checkbox]")
        assert boxes.count() >= 1, path
        width = boxes.first.evaluate(
            "i => i.labels[0].closest('.utrecht-form-field__label').getBoundingClientRect().width")
        assert width > 200, (path, width)
        axe_check(page)
    # The folded menu, opened, passes too.
    page.locator("nav summary").click()
    axe_check(page)


def test_required_fields_are_not_red_before_anyone_typed(demo, live_server, page):
    _login(page, live_server, "coordinator@example.org")
    page.goto(f"{live_server}/teams/verwarde-personen/status")
    field = page.locator("textarea[id^=nieuw-]").first
    colour = "e => getComputedStyle(e).borderTopColor"
    untouched = field.evaluate(colour)
    calm = field.evaluate("e => { const c = e.cloneNode(); c.required = false; e.after(c);"
                          " const v = getComputedStyle(c).borderTopColor; c.remove(); return v; }")
    assert untouched == calm
    field.fill("iets")
    field.fill("")
    field.blur()
    assert field.evaluate(colour) != calm  # once the user emptied it, it is marked
