"""The Start page of each demo role: the landing after login, accessible and narrow-proof."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_PASSWORD


@pytest.mark.parametrize(("email", "heading"), [
    ("coordinator@example.org", "Werk van mijn teams"),
    ("bestuurder@example.org", "Het netwerk"),
    ("partner@example.org", "Uitnodigingen om te beantwoorden"),
    ("beheerder@example.org", "Wat vraagt aandacht"),
])
def test_each_role_lands_on_its_start_page_at_320_px(demo, live_server, page, axe_check, email,
                                                     heading):
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server}/start")
    assert page.get_by_role("heading", level=2, name=heading).first.is_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"/start scrolls sideways by {overflow}px at 320 px"
    axe_check(page)
    assert page.console_errors == []
