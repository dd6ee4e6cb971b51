"""An invitee follows the RSVP link from a received mail and answers, without logging in."""

import re
from datetime import datetime

import time_machine
from playwright.sync_api import expect
from sqlalchemy import select

from tests.events.conftest import mail_on, smtp, smtp_port, smtp_server  # noqa: F401
from tracker.events.models import Invitation
from tracker.extensions import db
from tracker.jobs import run_job

DONE_AT = datetime.fromisoformat("2018-03-01T09:00:00+01:00")


def test_follow_the_rsvp_link_from_the_mail_and_answer(demo, live_server, page, axe_check,
                                                      smtp):  # noqa: F811 (fixture)
    with time_machine.travel(DONE_AT):
        run_job("event-reminders", DONE_AT)
        db.session.commit()
        run_job("outbox", DONE_AT)
        db.session.commit()
        message = smtp.to("partner@example.org")[0]
        text = message.get_body(("plain",)).get_content()
        path = re.search(r"http://localhost(/rsvp/[A-Za-z0-9_.\-]+)", text).group(1)

        page.goto(f"{live_server}{path}")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Regionale bijeenkomst")
        expect(page.locator("#rsvp-antwoord")).to_contain_text("U heeft nog niet gereageerd")
        axe_check(page)
        page.evaluate("window.__noReload = 'still here'")
        page.get_by_label("Opmerking").fill("Ik kom met een collega van de GGZ.")
        page.get_by_role("button", name="Ja").click()
        expect(page.locator("#rsvp-antwoord")).to_contain_text("Ja, u komt.")
        expect(page.locator("#actie-melding")).to_contain_text("Uw antwoord is opgeslagen")
        assert page.evaluate("window.__noReload") == "still here"  # htmx swapped in place
        expect(page.get_by_role("button", name="Ja")).to_be_focused()
        axe_check(page)
        # Changing one's mind is allowed until the deadline.
        page.get_by_role("button", name="Misschien").click()
        expect(page.locator("#rsvp-antwoord")).to_contain_text("Misschien: u komt misschien.")
        axe_check(page)
        assert page.console_errors == []

    db.session.expire_all()
    invitation = db.session.scalar(select(Invitation).join(Invitation.user).where(
        Invitation.user.has(email="partner@example.org")))
    assert invitation.response.value == "misschien"
    assert invitation.remark == "Ik kom met een collega van de GGZ."


def test_rsvp_page_without_javascript_and_error_page_pass_axe(demo, live_server, browser,
                                                              axe_check, smtp):  # noqa: F811
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    with time_machine.travel(DONE_AT):
        run_job("event-reminders", DONE_AT)
        db.session.commit()
        run_job("outbox", DONE_AT)
        db.session.commit()
        text = smtp.messages[0].get_body(("plain",)).get_content()
        path = re.search(r"http://localhost(/rsvp/[A-Za-z0-9_.\-]+)", text).group(1)
        page.goto(f"{live_server}{path}")
        page.get_by_role("button", name="Nee").click()
        expect(page.locator("#meldingen")).to_contain_text("u komt niet")
        expect(page.locator("#rsvp-antwoord")).to_contain_text("Nee, u komt niet.")
        response = page.goto(f"{live_server}{path}x")
        assert response.status == 400
        expect(page.get_by_role("heading", level=1)).to_have_text("Deze link werkt niet")
    context.close()
    js_page = browser.new_context(locale="nl-NL").new_page()
    js_page.goto(f"{live_server}{path}x")
    axe_check(js_page)
    js_page.context.close()
