"""The logs of the whole test run hold no password, token, session cookie or feed link."""

from __future__ import annotations

import logging

from tests.conftest import DEMO_PASSWORD, csrf_token_for, login_via_form
from tests.factories import PASSWORD, create_user
from tests.log_secrets import captured_logs, find_secrets, passwords_in_tests, search_this_capture
from tracker.auth.password_links import make_token
from tracker.events.tokens import rsvp_token
from tracker.extensions import db
from tracker.notifications.messages import done_token, unsubscribe_token


def test_the_passwords_of_the_tests_are_all_known():
    passwords = passwords_in_tests()
    assert {DEMO_PASSWORD, PASSWORD, "een zin om te onthouden"} <= passwords
    assert "wachtwoord" not in passwords  # too short to tell from ordinary text


def test_the_search_finds_each_kind_of_secret(app, client):
    """Planted in a text (never logged): each kind is found, the redacted forms are not."""
    user = create_user()
    db.session.commit()
    assert login_via_form(client, user.email, PASSWORD).status_code == 303
    cookie = client.get_cookie("session").value
    csrf = csrf_token_for(client)
    planted = {
        "wachtwoord": f"login met {DEMO_PASSWORD}",
        "wachtwoordtoken": f"GET /wachtwoord/{make_token(user)} 200",
        "afmeldtoken": f"/afmelden/{unsubscribe_token(user.id, 'digest')}/direct",
        "RSVP-token": f"rsvp={rsvp_token(7)}",
        "gereedtoken": f"/gereed/{done_token(user.id, [3, 4])}/3",
        "sessiecookie": f"Cookie: session={cookie}",
        "CSRF-token": f"X-CSRFToken: {csrf}",
        "agendalink": "/agenda/" + "a" * 43 + ".ics",
    }
    for kind, text in planted.items():
        [found] = find_secrets(text, app, {DEMO_PASSWORD})
        assert found.startswith(kind), (kind, found)
    clean = ("GET /wachtwoord/[verborgen] 200 /gereed/[verborgen]/3 /agenda/[verborgen].ics "
             "/rsvp/[verborgen] persoon1@example.org tracker.notifications.delivery v1.2.3 abcdefgh.ijkl")
    assert find_secrets(clean, app, {DEMO_PASSWORD}) == []


def test_the_capture_holds_the_records_of_the_run():
    logging.getLogger("tracker.tests").debug("vastgelegd: regel van de test")
    assert "vastgelegd: regel van de test" in captured_logs()


def test_the_logs_of_this_run_hold_no_secret(app):
    """Runs last (tests/conftest.py): the whole run's log, searched for every secret.
    (Under xdist: this worker's log; every worker's is searched again at its end.)"""
    assert search_this_capture(app) == []
