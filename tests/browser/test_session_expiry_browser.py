"""The session ends while a coordinator types: after logging in again the text is back.

The session is revoked server-side (as "log out everywhere" or a password change does),
between opening the page and submitting; nothing may be saved and nothing may be lost.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.conftest import DEMO_PASSWORD
from tracker.actions.models import Action, ActionComment
from tracker.auth.models import User
from tracker.auth.services import end_all_sessions
from tracker.enums import ActionStatus
from tracker.extensions import db

EMAIL = "coordinator@example.org"
TYPED = "Gesprek met de wijkagent gepland op dinsdag; verslag volgt."
NOT_SAVED = "Uw wijziging is nog niet opgeslagen. Controleer de gegevens en verstuur opnieuw."


def _login(page, live_server, url=None):
    if url is None:
        page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(EMAIL)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def _revoke_the_session():
    db.session.commit()  # end the test's read snapshot: see what the server wrote
    end_all_sessions(db.session.scalar(select(User).where(User.email == EMAIL)))
    db.session.commit()


def _an_open_action_of_the_team() -> Action:
    db.session.commit()
    return db.session.scalars(select(Action).join(Action.team)
                              .where(Action.status == ActionStatus.OPEN)
                              .where(Action.team.has(slug="verwarde-personen"))
                              .order_by(Action.id)).first()


def _comment_journey(page, live_server):
    _login(page, live_server)
    page.wait_for_url(f"{live_server}/start")
    action = _an_open_action_of_the_team()
    page.goto(f"{live_server}/actions/{action.id}")
    page.get_by_label("Uw reactie").fill(TYPED)
    _revoke_the_session()
    page.get_by_role("button", name="Reactie plaatsen").click()

    page.wait_for_url(re.compile(r"/inloggen\?next="))
    expect(page.locator("#meldingen")).to_contain_text("nog niet opgeslagen")
    _login(page, live_server, url=page.url)
    page.wait_for_url(f"{live_server}/actions/{action.id}")
    expect(page.locator("#meldingen")).to_contain_text(NOT_SAVED)
    expect(page.get_by_label("Uw reactie")).to_have_value(TYPED)
    db.session.commit()
    assert db.session.scalar(select(func.count(ActionComment.id))
                             .where(ActionComment.action_id == action.id)) == 0

    # The user checks and sends it again: now it is saved, once.
    page.get_by_role("button", name="Reactie plaatsen").click()
    expect(page.locator("#reacties article")).to_contain_text(TYPED)
    db.session.commit()
    assert db.session.scalar(select(func.count(ActionComment.id))
                             .where(ActionComment.action_id == action.id)) == 1


def test_a_comment_typed_when_the_session_ends_is_back_after_login(demo, live_server, page,
                                                                    axe_check):
    """With JavaScript: the comment form posts with htmx, which gets HX-Redirect."""
    _comment_journey(page, live_server)
    axe_check(page)
    # The refused request itself shows as a 401 in the console; nothing else may.
    assert [e for e in page.console_errors if "401" not in e] == []


def test_the_same_without_javascript(demo, live_server, browser):
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam",
                                  java_script_enabled=False)
    try:
        _comment_journey(context.new_page(), live_server)
    finally:
        context.close()


def test_a_refused_one_click_done_says_so_after_login(demo, live_server, page):
    _login(page, live_server)
    page.wait_for_url(f"{live_server}/start")
    page.goto(f"{live_server}/teams/verwarde-personen")
    row = page.locator("#acties-lijst tbody tr").first
    title = row.locator(".vnon-action-card__title a").first.inner_text()
    _revoke_the_session()
    row.get_by_role("button", name="Gereed").click()

    page.wait_for_url(re.compile(r"/inloggen\?next="))
    expect(page.locator("#meldingen")).to_contain_text("nog niet opgeslagen")
    _login(page, live_server, url=page.url)
    page.wait_for_url(f"{live_server}/teams/verwarde-personen")
    expect(page.locator("#meldingen")).to_contain_text(NOT_SAVED)
    expect(page.locator("#meldingen")).to_contain_text("Niet uitgevoerd: “Gereed melden”")
    db.session.commit()
    action = db.session.scalar(select(Action).where(Action.title == title))
    assert action.status == ActionStatus.OPEN  # never replayed
    # The refused request itself shows as a 401 in the console; nothing else may.
    assert [e for e in page.console_errors if "401" not in e] == []
