"""Playwright against Debian's Chromium and a live server on a free loopback port."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


# When the browser navigates away while a static file is still being sent, the
# development server (werkzeug) drops the connection and leaves that file for the garbage
# collector; pytest reports it as an unraisable ResourceWarning. It is the test server's
# behaviour on an aborted download, not ours (production serves through gunicorn).
# (A filter's fields are split at ":", so the pattern holds none.)
DROPPED_STATIC_FILE = (
    "ignore:Exception ignored in.*/static/:pytest.PytestUnraisableExceptionWarning"
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.filterwarnings(DROPPED_STATIC_FILE))


@pytest.fixture(scope="session")
def chromium_path():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("TRACKER_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def live_server(app):
    """The app served by a threaded Werkzeug server on 127.0.0.1, any free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def axe_check():
    """Run axe-core with the WCAG 2.1 A/AA rules; fail with a readable report."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def _check(page):
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        assert results.violations_count == 0, results.generate_report()

    return _check


def sign_in(page, live_server: str, email: str, password: str | None = None) -> None:
    """Log in through the login form as ``email`` (the demo password by default) and wait
    for the start page."""
    from tests.conftest import DEMO_PASSWORD

    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server}/start")
