"""The outbox viewer in Chromium: the mail's HTML shows in its sandboxed frame, no CSP
errors, axe finds nothing, at 1280 and 375 px."""

from __future__ import annotations

import re

import time_machine
from sqlalchemy import select

from tests.events.conftest import BEFORE, create_event
from tests.factories import PASSWORD, create_user
from tracker.enums import Role
from tracker.events.invitations import invite
from tracker.extensions import db
from tracker.notifications.models import OutboxMessage

TITLE = "Regionale bijeenkomst Zoë Ëlsinga-van IJsselmuiden 🎉"


def test_the_viewer_shows_the_mail_in_its_frame_with_axe(app, live_server, page, axe_check):
    admin = create_user(role=Role.BEHEERDER, email="beheer-viewer@example.org")
    invitee = create_user(name="Chloë Kuïpers", email="chloe@example.org", password=None)
    event = create_event(title=TITLE)
    db.session.commit()
    with time_machine.travel(BEFORE, tick=False):
        invite(event, actor=admin, now=BEFORE, user_ids=[invitee.id])
        db.session.commit()
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "event-invite"))

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(admin.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r".*/start$"))
    page.get_by_role("link", name="Uitgaande e-mail").first.click()
    page.get_by_role("link", name=f"Uitnodiging: {TITLE}").click()
    page.wait_for_url(f"{live_server}/beheer/outbox/{row.id}")
    nav = page.get_by_role("navigation", name="Kruimelpad")
    assert nav.get_by_role("link", name="Uitgaande e-mail").is_visible()

    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        frame = page.frame_locator("iframe[title='HTML-versie van het bericht']")
        assert TITLE in frame.locator("body").inner_text(timeout=5000)
        # The frame's policy lets the mail's stylesheet apply (by its hash).
        assert page.locator("iframe.vnon-mail-frame").bounding_box()["width"] <= width
        assert page.get_by_role("link", name="uitnodiging.ics").is_visible()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        # What is too wide, for the failure message.
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
            .map(e => `${e.tagName}.${e.className} ${e.scrollWidth}/${e.clientWidth}`)""")
        assert overflow <= 0, (width, wide)
        axe_check(page)

    inner = page.frames[1]
    banner = inner.locator(".m-banner").first
    assert banner.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(23, 64, 109)"
    assert "[verborgen]" in inner.content()
    assert page.console_errors == []
