import re
from tests.conftest import DEMO_PASSWORD

def test_debug(demo, live_server, page):
    page.set_viewport_size({"width": 375, "height": 700})
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("beheerder@example.org")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r".*/$"))
    page.goto(f"{live_server}/milestones/1")
    page.locator("#district-blok-1").scroll_into_view_if_needed()
    out = page.evaluate("""() => [...document.querySelectorAll('#district-blok-1 table, #district-blok-1 col, #district-blok-1 tr:nth-child(1) th, #district-blok-1 tbody tr:nth-child(1) th *')].map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().width) + ' ' + getComputedStyle(e).display)""")
    print("\n".join(out))
    page.locator("#district-blok-1").screenshot(path="/tmp/layout-grid.png")
    assert False
