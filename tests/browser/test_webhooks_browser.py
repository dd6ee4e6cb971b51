"""The beheerder registers a webhook with the keyboard-usable form, sees the secret once,
sends a test event to a real local receiver and reads the delivery log; every page passes
axe, also with errors in the form."""

import re

from tests.conftest import DEMO_PASSWORD
from tests.test_webhooks import Receiver
from tracker.db import utcnow
from tracker.extensions import db
from tracker.jobs import run_job


def test_register_test_and_read_the_log_with_axe(demo, live_server, page, axe_check):
    receiver = Receiver()
    try:
        page.goto(f"{live_server}/inloggen")
        page.get_by_label("E-mailadres").fill("beheerder@example.org")
        page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url(re.compile(r".*/start$"))
        page.get_by_role("link", name="Webhooks").click()
        page.wait_for_url(f"{live_server}/beheer/webhooks")
        axe_check(page)
        page.get_by_role("link", name="Nieuwe webhook toevoegen").click()
        axe_check(page)
        # Refused first (http:// elsewhere, no event): the messages link to their fields.
        page.get_by_label("Naam").fill("Dashboard RIEC")
        page.get_by_label("Adres").fill("http://example.org/hook")
        page.get_by_role("button", name="Webhook toevoegen").click()
        assert "moet beginnen met https://" in page.content()
        assert "Kies ten minste één gebeurtenis" in page.content()
        axe_check(page)
        page.get_by_label("Adres").fill(receiver.url)
        page.get_by_label("Actie gereed gemeld").check()
        page.get_by_role("button", name="Webhook toevoegen").click()
        secret = page.locator("#webhook-geheim").inner_text()
        assert secret.startswith("whsec_") and len(secret) == 70
        axe_check(page)
        page.get_by_role("link", name="Naar de webhook").click()
        assert secret not in page.content()
        page.get_by_role("button", name="Testbericht versturen").click()
        run_job("webhooks", utcnow())
        db.session.commit()
        page.reload()
        assert receiver.events() == ["ping"]
        assert "Afgeleverd" in page.content() and "Testbericht" in page.content()
        axe_check(page)
        page.get_by_role("link", name="Webhook verwijderen").click()
        axe_check(page)
        page.set_viewport_size({"width": 320, "height": 700})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        page.get_by_role("button", name="Ja, verwijderen").click()
        page.wait_for_url(f"{live_server}/beheer/webhooks")
        assert "Nog geen webhooks." in page.content()
        # The one expected: the refused form's 422 (a page with the messages).
        assert [e for e in page.console_errors if "422" not in e] == []
    finally:
        receiver.stop()
