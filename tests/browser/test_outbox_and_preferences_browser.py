"""The beheerder reads a digest in the outbox; preferences, the week's digest and
unsubscribe pass axe."""

import re
from datetime import datetime

from tests.conftest import DEMO_PASSWORD
from tracker.extensions import db
from tracker.jobs import run_job
from tracker.notifications.messages import unsubscribe_token
from tracker.notifications.models import OutboxMessage


def test_outbox_preferences_and_unsubscribe_with_axe(demo, live_server, page, axe_check):
    run_job("digests", datetime.fromisoformat("2018-02-05T07:30:00+01:00"))
    db.session.commit()
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("beheerder@example.org")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r".*/start$"))
    page.get_by_role("link", name="Uitgaande e-mail").click()
    page.wait_for_url(f"{live_server}/beheer/outbox")
    axe_check(page)
    page.get_by_role("link", name="Bestuurlijk overzicht week 6").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bestuurlijk overzicht")
    assert "1 oktober 2018" in page.content()
    axe_check(page)
    # The viewer hides the token; the recipient's mail carries the working link.
    assert "http://localhost/afmelden/[verborgen]" in page.content()
    row = db.session.get(OutboxMessage, int(page.url.rsplit("/", 1)[1]))
    unsubscribe = f"/afmelden/{unsubscribe_token(row.user_id, 'digest')}"
    page.get_by_role("link", name="E-mail", exact=True).click()
    axe_check(page)
    page.get_by_role("link", name="Mijn overzicht van deze week").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mijn overzicht van deze week"
    axe_check(page)
    page.goto(f"{live_server}{unsubscribe}")
    axe_check(page)
    page.get_by_role("button", name="Afmelden").click()
    assert "U bent afgemeld" in page.get_by_role("status").first.inner_text() or \
        "U bent afgemeld" in page.content()
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 700})
    for path in ("/beheer/outbox", "/instellingen/meldingen", "/instellingen/overzicht"):
        page.goto(f"{live_server}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, path
    assert page.console_errors == []
