"""Action lists on a phone (issue 13): stacked cards below 600 px, the title whole, the
main button inside the viewport, bulk selection; one-click done and undo at 375 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD
from tracker.actions.models import Action
from tracker.auth.models import User
from tracker.extensions import db

COORDINATOR = "coordinator@example.org"
TEAM = "verwarde-personen"

#: In the page: every word of every title on one line (a word split over two lines has
#: client rects on two lines; a compound may break at its hyphen), every main button
#: inside the viewport, and the widths that decide horizontal scrolling.
MEASURE = """() => {
  const broken = [];
  for (const title of document.querySelectorAll('.vnon-action-card__title > a')) {
    const text = title.firstChild;
    const re = /[^\\s\\-]+/g;  // a break after a hyphen (Oost-|Nederland) is no split word
    let match;
    while ((match = re.exec(text.data)) !== null) {
      const range = document.createRange();
      range.setStart(text, match.index);
      range.setEnd(text, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  const outside = [];
  for (const button of document.querySelectorAll('.vnon-action-card__action .utrecht-button')) {
    const r = button.getBoundingClientRect();
    if (r.left < 0 || r.right > window.innerWidth || r.width === 0) {
      outside.push(button.textContent.trim());
    }
  }
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map(e => `${e.tagName}#${e.id}.${e.className}`).slice(0, 8);
  return {
    wide,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    titles: document.querySelectorAll('.vnon-action-card__title > a').length,
    buttons: document.querySelectorAll('.vnon-action-card__action .utrecht-button').length,
    broken, outside,
  };
}"""


@pytest.fixture
def phone(browser):
    def _open(width: int):
        context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam",
                                      viewport={"width": width, "height": 800})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.console_errors = errors
        opened.append(context)
        return page

    opened = []
    yield _open
    for context in opened:
        context.close()


def _login(page, live_server, email=COORDINATOR):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server}/start")


def _give_work_to_coordinator():
    """Mijn werk lists what the coordinator owns: give them the team's actions, one with a
    long title of long Dutch words."""
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
    actions = db.session.scalars(select(Action).join(Action.team)
                                 .where(Action.team.has(slug=TEAM))).all()
    for action in actions:
        action.owner_id = coordinator.id
    actions[0].title = "Werkbezoek aan de zorgcoördinatoren en ketenpartners in IJsselland"
    db.session.commit()


def _assert_cards(page, where: str):
    found = page.evaluate(MEASURE)
    assert found["titles"] > 0 and found["buttons"] > 0, (where, found)
    assert found["scrollWidth"] <= found["innerWidth"], (where, found)
    assert found["outside"] == [], (where, found)
    assert found["broken"] == [], (where, found)


@pytest.mark.parametrize("width", [375, 320])
def test_team_page_and_my_work_are_cards_on_a_phone(demo, live_server, phone, axe_check, width):
    _give_work_to_coordinator()
    page = phone(width)
    _login(page, live_server)
    page.goto(f"{live_server}/teams/{TEAM}")
    _assert_cards(page, f"team page at {width}")
    # The card shows its labels as text; the header row of the table is not shown.
    first = page.locator("#acties-lijst tbody tr").first
    assert "Eigenaar:" in first.inner_text() and "Status:" in first.inner_text()
    assert not page.locator("#acties-lijst thead").is_visible()
    page.goto(f"{live_server}/mijn-werk")
    _assert_cards(page, f"Mijn werk at {width}")
    if width == 375:
        axe_check(page)
    assert page.console_errors == []


def test_wide_screens_keep_the_table(demo, live_server, phone):
    page = phone(1280)
    _login(page, live_server)
    page.goto(f"{live_server}/teams/{TEAM}")
    title = page.locator("#acties-lijst .vnon-action-card__title a").first.inner_text()
    expect(page.get_by_label(f"Selecteren: {title}", exact=True)).to_have_count(1)
    assert page.locator("#acties-lijst thead").is_visible()
    assert not page.locator("#acties-lijst .vnon-action-card__label").first.is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.vnon-action-card')).display") \
        == "table-row"


def test_done_and_undo_at_375_px(demo, live_server, phone, axe_check):
    page = phone(375)
    _login(page, live_server)
    page.goto(f"{live_server}/teams/{TEAM}")
    axe_check(page)
    page.evaluate("window.__noReload = 'still here'")
    counter = page.locator("#team-tellers [data-teller='gereed']")
    assert counter.inner_text() == "0"
    row = page.locator("#acties-lijst tbody tr").first
    row_id = row.get_attribute("id")
    row.get_by_role("button", name="Gereed").click()
    expect(counter).to_have_text("1")
    swapped = page.locator(f"#{row_id}")
    undo = swapped.get_by_role("button", name="Ongedaan maken")
    expect(undo).to_be_visible()
    assert page.evaluate("document.activeElement.textContent.trim()").startswith("Ongedaan maken")
    _assert_cards(page, "after done")
    axe_check(page)
    undo.click()
    expect(counter).to_have_text("0")
    expect(page.locator(f"#{row_id}").get_by_role("button", name="Gereed")).to_be_visible()
    assert page.evaluate("window.__noReload") == "still here"
    assert page.console_errors == []


def test_bulk_done_on_a_phone_without_javascript_help(demo, live_server, phone):
    """Tick two cards (label with the title), "alles selecteren" by link, apply "gereed"."""
    page = phone(375)
    _login(page, live_server)
    page.goto(f"{live_server}/teams/{TEAM}")
    rows = page.locator("#acties-lijst tbody tr")
    titles = [rows.nth(i).locator(".vnon-action-card__title a").inner_text() for i in range(2)]
    for title in titles:
        page.get_by_label(f"Selecteren: {title}", exact=True).check()
    page.get_by_label("Wijziging").select_option(label="Gereed melden")
    page.get_by_role("button", name="Toepassen op geselecteerde acties").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server}/teams/{TEAM}", (page.url, page.locator("body").inner_text()[:3000])
    expect(page.locator("#team-tellers [data-teller='gereed']")).to_have_text("2")
    assert "2 acties gereed gemeld" in page.content()
    page.get_by_role("link", name="Alles op deze pagina selecteren").click()
    # The link loads the page anew (or swaps the list): count once it has arrived.
    page.wait_for_url("**selectie=alle**")
    boxes = page.locator("#acties-lijst input[name=acties]")
    expect(boxes.first).to_be_checked()
    assert boxes.count() > 2
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
