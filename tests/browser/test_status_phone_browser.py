"""The network status page at 320 px (issue 15): the table's title is read in full
outside the region that scrolls sideways, and the page itself never scrolls sideways."""

from __future__ import annotations

from tests.browser.conftest import sign_in

# The title's box and the scroll region's box, and whether the title sits inside it.
BOXES = """() => {
  const title = document.getElementById('netwerk-tabel');
  const region = document.querySelector('[role=region][aria-labelledby=netwerk-tabel]');
  const t = title.getBoundingClientRect(), r = region.getBoundingClientRect();
  return {inside: region.contains(title), left: t.left, right: t.right,
          width: title.scrollWidth, clientWidth: title.clientWidth,
          viewport: document.documentElement.clientWidth,
          regionScrolls: region.scrollWidth > region.clientWidth,
          pageOver: document.documentElement.scrollWidth - document.documentElement.clientWidth};
}"""


def test_the_status_table_title_is_not_cut_at_320_px(demo, live_server, page, axe_check):
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, live_server, "beheerder@example.org")
    page.goto(f"{live_server}/status")
    boxes = page.evaluate(BOXES)
    # The table is wider than a phone: it scrolls inside its region, not the page.
    assert boxes["regionScrolls"] and boxes["pageOver"] <= 0, boxes
    # Its title is outside that region, wraps within the viewport and is never clipped.
    assert not boxes["inside"], boxes
    assert boxes["left"] >= 0 and boxes["right"] <= boxes["viewport"], boxes
    assert boxes["width"] <= boxes["clientWidth"], boxes
    region = page.get_by_role("region", name="Teams met berekende status")
    table = page.get_by_role("table", name="Teams met berekende status")
    assert region.count() == 1 and table.count() == 1
    axe_check(page)
    assert page.console_errors == []
