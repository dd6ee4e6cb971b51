"""Tweestapsverificatie in a real browser: the QR code loads under the CSP, every step
passes axe and reflows at 320 px, and the second login step takes a recovery code."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD
from tracker.auth.models import User
from tracker.crypto import decrypt
from tracker.extensions import db

EMAIL = "coordinator@example.org"


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 320px"


def _log_in_with_password(page, live_server) -> None:
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(EMAIL)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_enrol_and_log_in_with_a_recovery_code(demo, live_server, page, axe_check):
    page.set_viewport_size({"width": 320, "height": 700})
    _log_in_with_password(page, live_server)
    page.wait_for_url(re.compile(r".*/start$"))
    page.locator("nav summary").click()  # on a phone the link sits in the folded menu
    page.get_by_role("link", name="Tweestapsverificatie").click()
    axe_check(page)
    page.get_by_role("button", name="Tweestapsverificatie instellen").click()
    page.wait_for_url(f"{live_server}/account/tweestapsverificatie")
    qr = page.get_by_role("img", name=re.compile("QR-code"))
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    axe_check(page)
    _no_sideways_scroll(page)

    db.session.commit()  # end the test's snapshot: see what the server wrote
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    secret = decrypt(user.totp_secret_encrypted)
    assert page.locator("#sleutel").inner_text().replace(" ", "") == secret
    page.get_by_label("Code uit de app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bevestigen").click()
    page.get_by_role("heading", name="Tweestapsverificatie is ingesteld").wait_for()
    codes = page.locator("ol code").all_inner_texts()
    assert len(codes) == 10
    axe_check(page)
    _no_sideways_scroll(page)

    page.get_by_role("button", name="Uitloggen").click()
    _log_in_with_password(page, live_server)
    page.wait_for_url(f"{live_server}/inloggen/code")
    axe_check(page)
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("alert").inner_text().startswith("Fout: Deze code klopt niet")
    axe_check(page)
    _no_sideways_scroll(page)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r".*/start$"))
    assert "nog 9" in page.content()
    # The only console error is the browser noting the wrong code's 401; no CSP violation.
    assert [e for e in page.console_errors if "status of 401" not in e] == []
