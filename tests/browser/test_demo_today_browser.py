"""The demo loaded today, seen in Chromium: the network reads "op schema", not years late."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.conftest import DEMO_PASSWORD
from tracker import clock
from tracker.demo.loader import load_demo_network
from tracker.extensions import db

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def test_the_demo_loaded_today_shows_op_schema(app, live_server, page, axe_check, monkeypatch):
    load_demo_network(DEMO_PASSWORD, now=NOW)
    db.session.commit()
    # The served pages judge on NOW (the live server runs in this process).
    monkeypatch.setattr(clock, "utcnow", lambda: NOW.astimezone(UTC))
    page.goto(f"{live_server}/inloggen?next=/status")
    page.get_by_label("E-mailadres").fill("bestuurder@example.org")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server}/status")
    lead = page.locator(".utrecht-paragraph--lead").inner_text()
    assert "Stand op 1 december 2026" in lead and "7 teams op schema" in lead
    table = page.get_by_role("table")
    assert table.locator(".utrecht-status-badge", has_text="Op schema").count() == 7
    text = page.locator("main").inner_text()
    assert "over tijd" not in text and "Risico" not in text
    assert "31 juli 2027" in page.goto(f"{live_server}/teams/verwarde-personen/status").text()
    axe_check(page)
