"""Bytes a browser really transfers: a first visit under 100 KB, a later navigation under 20 KB.

Counted with the Chrome DevTools Protocol (``Network.loadingFinished.encodedDataLength``:
what came over the wire, headers included, compressed when the server compressed). A
file served from the browser's cache counts 0, as it transfers nothing.
"""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_PASSWORD

FIRST_VISIT_LIMIT = 100 * 1024
LATER_NAVIGATION_LIMIT = 20 * 1024


class WireBytes:
    """Sums the bytes each finished request transferred, per URL, since the last ``reset``."""

    def __init__(self, cdp):
        self.cdp = cdp
        self.urls: dict[str, str] = {}
        self.sizes: dict[str, float] = {}
        self.from_cache: set[str] = set()
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", self._cached)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def _sent(self, event):
        self.urls[event["requestId"]] = event["request"]["url"]

    def _cached(self, event):
        self.from_cache.add(self.urls.get(event["requestId"], event["requestId"]))

    def _received(self, event):
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromMemoryCache"):
            self.from_cache.add(response["url"])

    def _finished(self, event):
        url = self.urls.get(event["requestId"], event["requestId"])
        self.sizes[url] = self.sizes.get(url, 0) + event["encodedDataLength"]

    def reset(self) -> None:
        self.sizes = {}
        self.from_cache = set()

    @property
    def total(self) -> int:
        return int(sum(self.sizes.values()))

    def report(self) -> str:
        rows = sorted(self.sizes.items(), key=lambda item: -item[1])
        return "\n".join(f"{int(size):>8} {url}{' (cache)' if url in self.from_cache else ''}"
                         for url, size in rows)

    def static_over_the_wire(self) -> list[str]:
        """Static files that were requested from the server, not taken from the cache."""
        return [url for url in self.sizes if "/static/" in url and url not in self.from_cache]


def _log_in(page, live_server) -> None:
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("coordinator@example.org")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server}/start")
    page.wait_for_load_state("load")


def _settle(page) -> None:
    page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def wire(page):
    return WireBytes(page.context.new_cdp_session(page))


def test_first_visit_and_a_later_navigation_stay_small(demo, live_server, page, wire):
    # Cold cache: the login page, the login itself and the Start page with every file.
    _log_in(page, live_server)
    _settle(page)
    first_visit = wire.total
    print(f"\nfirst visit (login + Start, cold cache): {first_visit} bytes\n{wire.report()}")
    assert first_visit < FIRST_VISIT_LIMIT, wire.report()

    # Logged in, cache emptied: the Start page alone, as a first visit of it.
    wire.cdp.send("Network.clearBrowserCache")
    wire.reset()
    page.goto(f"{live_server}/start")
    _settle(page)
    start_cold = wire.total
    print(f"Start page, logged in, cold cache: {start_cold} bytes\n{wire.report()}")
    assert start_cold < FIRST_VISIT_LIMIT, wire.report()

    # A later navigation through the menu: the files come from the cache.
    wire.reset()
    page.get_by_role("link", name="Mijn werk").first.click()
    page.wait_for_url(f"{live_server}/mijn-werk**")
    _settle(page)
    later = wire.total
    print(f"later navigation (Mijn werk): {later} bytes\n{wire.report()}")
    assert later < LATER_NAVIGATION_LIMIT, wire.report()
    # Every file was taken from the cache without asking the server (immutable).
    assert [url for url in wire.sizes if "/static/" in url], wire.report()
    assert wire.static_over_the_wire() == [], wire.report()

    wire.reset()
    page.get_by_role("link", name="Mijlpalen").first.click()
    page.wait_for_url(f"{live_server}/milestones**")
    _settle(page)
    print(f"later navigation (Mijlpalen): {wire.total} bytes\n{wire.report()}")
    assert wire.total < LATER_NAVIGATION_LIMIT, wire.report()
    assert wire.static_over_the_wire() == [], wire.report()
    assert page.console_errors == []
