"""The security log: who, what, object, result, origin, when; never a secret."""

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
import time_machine

from tests.conftest import csrf_token_for, login_via_form, post_form
from tests.factories import PASSWORD, create_user
from tracker.auth.password_links import make_token
from tracker.db import utcnow
from tracker.enums import Role
from tracker.extensions import db
from tracker.security_log import security_event

WRONG = "fout-fout-fout-1"
CLIENT = "203.0.113.44"
FIELDS = {"when", "what", "who", "object", "result", "origin"}


@pytest.fixture
def log(caplog):
    caplog.set_level("INFO", logger="tracker.security")
    return caplog


def events(caplog) -> list[dict]:
    """The security events logged so far, checking each line's shape on the way."""
    found = []
    for record in caplog.records:
        if record.name != "tracker.security":
            continue
        fields = json.loads(record.getMessage())
        assert fields == record.security
        assert fields.keys() >= FIELDS
        when = datetime.fromisoformat(fields["when"])
        assert when.utcoffset() == timedelta(0)
        found.append(fields)
    return found


def event(caplog, what: str) -> dict:
    matching = [e for e in events(caplog) if e["what"] == what]
    assert len(matching) == 1, (what, events(caplog))
    return matching[0]


@pytest.fixture
def user():
    person = create_user(email="anne@example.org", role=Role.COORDINATOR)
    db.session.commit()
    return person


def from_client(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = CLIENT
    return client


def test_login_ok_failed_throttled_and_logout_are_logged(app, user, log):
    client = from_client(app)
    with time_machine.travel(utcnow(), tick=False):
        for _ in range(5):
            login_via_form(client, user.email, WRONG)
        login_via_form(client, user.email, PASSWORD)  # throttled
    failed = [e for e in events(log) if e["what"] == "login.failed"]
    assert len(failed) == 5
    assert failed[0] | {"when": None} == {
        "when": None, "what": "login.failed", "who": "anoniem", "object": f"user:{user.id}",
        "result": "failed", "origin": CLIENT, "detail": "onjuist wachtwoord",
    }
    throttled = event(log, "login.throttled")
    assert (throttled["result"], throttled["detail"]) == ("throttled", {"retry_after": 60})

    log.clear()
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.1"
    assert login_via_form(other, user.email, PASSWORD).status_code == 303
    ok = event(log, "login.ok")
    assert (ok["who"], ok["object"], ok["result"], ok["origin"]) == (
        user.id, f"user:{user.id}", "ok", "198.51.100.1")
    session_id = other.get_cookie("session").value
    db.session.refresh(user)
    nonce = user.session_nonce  # the secret part of the session identifier
    post_form(other, "/uitloggen")
    assert event(log, "logout")["who"] == user.id
    assert session_id not in log.text and nonce not in log.text
    assert PASSWORD not in log.text and WRONG not in log.text


def test_a_typed_unknown_address_is_logged_as_a_keyed_hash(app, log):
    # People type their password into the address field; it must not reach the log.
    typed = "mijn-geheime-wachtwoord-2026"
    login_via_form(from_client(app), typed, WRONG)
    failed = event(log, "login.failed")
    assert failed["object"].startswith("adres:") and len(failed["object"]) == len("adres:") + 16
    assert failed["detail"] == "onbekend account"
    login_via_form(from_client(app), typed, WRONG)
    again = [e for e in events(log) if e["what"] == "login.failed"][1]
    assert again["object"] == failed["object"]  # the same value tried twice is visible
    assert typed not in log.text and WRONG not in log.text


def test_denials_are_logged_with_who_and_what(app, client, login, log):
    reader = create_user(role=Role.LEZER)
    target = create_user()
    db.session.commit()
    login(reader)
    response = post_form(client, f"/beheer/gebruikers/{target.id}/wachtwoordlink")
    assert response.status_code == 403
    denied = event(log, "access.denied")
    assert denied["who"] == reader.id
    assert denied["object"] == f"admin.send_password_link user_id={target.id}"
    assert (denied["result"], denied["detail"]) == ("denied", "POST")


def test_beheerder_actions_are_logged(app, client, login, log):
    admin = create_user(role=Role.BEHEERDER)
    target = create_user()
    db.session.commit()
    login(admin)
    response = post_form(client, f"/beheer/gebruikers/{target.id}/wachtwoordlink")
    assert response.status_code == 303
    action = event(log, "admin.send_password_link")
    assert (action["who"], action["object"], action["result"]) == (
        admin.id, f"admin.send_password_link user_id={target.id}", "ok")
    assert action["origin"] == "127.0.0.1"


def test_anonymous_requests_to_beheerder_routes_are_logged_as_refused(app, client, log):
    target = create_user()
    db.session.commit()
    response = post_form(client, f"/beheer/gebruikers/{target.id}/wachtwoordlink",
                         token_page="/inloggen")
    assert response.status_code == 302
    action = event(log, "admin.send_password_link")
    assert (action["who"], action["result"]) == ("anoniem", "refused")


def test_password_link_request_and_password_set_are_logged_without_secrets(app, user, log):
    client = from_client(app)
    token = csrf_token_for(client, "/wachtwoord-vergeten")
    client.post("/wachtwoord-vergeten", data={"email": user.email, "csrf_token": token})
    requested = event(log, "password.link_requested")
    assert (requested["who"], requested["object"], requested["result"]) == (
        "anoniem", f"user:{user.id}", "queued")

    link_token = make_token(user)
    new_password = "een-heel-nieuw-wachtwoord-42"
    page = f"/wachtwoord/{link_token}"
    response = post_form(client, page, {"password": new_password,
                                        "password_again": new_password}, token_page=page)
    assert response.status_code == 303
    changed = event(log, "password.set")
    assert (changed["who"], changed["object"], changed["result"]) == (
        user.id, f"user:{user.id}", "ok")
    assert link_token not in log.text and new_password not in log.text


def test_security_event_for_other_helpers(app, user, log):
    """The function the TOTP step calls for MFA changes; outside a request the origin is cli."""
    fields = security_event("mfa.enrolled", user=user, obj=user, result="ok",
                            detail="totp")
    assert fields == event(log, "mfa.enrolled")
    assert (fields["who"], fields["object"], fields["origin"], fields["detail"]) == (
        user.id, f"user:{user.id}", "cli", "totp")
    assert security_event("mfa.reset", obj="user:9")["who"] == "anoniem"


def test_outside_tests_the_lines_reach_stderr(tmp_path):
    """Production and development write the security log themselves (INFO, stderr)."""
    script = (
        "from tracker import create_app\n"
        "from tracker.security_log import security_event\n"
        "app = create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'k'})\n"
        "with app.app_context():\n"
        "    security_event('login.ok', obj='user:1')\n"
    )
    from cryptography.fernet import Fernet

    env = {**os.environ, "TRACKER_ENV": "production", "TRACKER_INSTANCE_PATH": str(tmp_path),
           "TRACKER_DATA_KEY": Fernet.generate_key().decode()}
    env.pop("TRACKER_SECURITY_LOG_TO_STDERR", None)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=60, check=True)
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert [(e["what"], e["object"], e["origin"]) for e in lines] == [("login.ok", "user:1", "cli")]
