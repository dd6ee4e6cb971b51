"""Login, logout, throttling, sessions and CSRF."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from tests.conftest import csrf_token_for, login_via_form
from tests.factories import PASSWORD, create_user
from tracker.audit.models import AuditEntry
from tracker.auth.models import ThrottleFailure
from tracker.db import utcnow
from tracker.enums import Role
from tracker.extensions import db


@pytest.fixture
def user():
    person = create_user(email="anne@example.org", name="Anne de Vries", role=Role.COORDINATOR)
    db.session.commit()
    return person


def test_login_and_logout_through_the_forms(client, user):
    response = login_via_form(client, "anne@example.org", PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/start"  # the Start page of the role
    home = client.get("/")
    assert home.status_code == 200
    assert "Anne de Vries" in home.get_data(as_text=True)
    token = csrf_token_for(client, "/")
    out = client.post("/uitloggen", data={"csrf_token": token})
    assert out.status_code == 303
    assert client.get("/").status_code == 302  # back to the login page
    assert db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "user.login")
    ) == 1


def test_email_is_case_insensitive(client, user):
    assert login_via_form(client, "  ANNE@Example.org ", PASSWORD).status_code == 303


@pytest.mark.parametrize(
    ("email", "password"),
    [("anne@example.org", "verkeerd-wachtwoord-123"), ("niemand@example.org", PASSWORD)],
)
def test_wrong_password_and_unknown_user_get_the_same_answer(client, user, email, password):
    response = login_via_form(client, email, password)
    assert response.status_code == 401
    assert "Onbekende combinatie van e-mailadres en wachtwoord." in response.get_data(as_text=True)


def test_inactive_account_and_account_without_password_cannot_log_in(client):
    create_user(email="weg@example.org", active=False)
    create_user(email="partner@example.org", role=Role.PARTNER, password=None)
    db.session.commit()
    for email in ("weg@example.org", "partner@example.org"):
        response = login_via_form(client, email, PASSWORD)
        assert response.status_code == 401
        assert "Onbekende combinatie" in response.get_data(as_text=True)


@pytest.mark.parametrize("email", ["anne@example.org", "onbekend@example.org"])
def test_login_throttled_after_five_failures_from_one_client(client, user, email):
    # Throttling is per (account, client): see tests/test_throttling.py for the rest.
    with time_machine.travel(utcnow(), tick=False):
        for _ in range(5):
            assert login_via_form(client, email, "fout-fout-fout-1").status_code == 401
        blocked = login_via_form(client, email, PASSWORD)
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == "60"
    assert "Te veel mislukte pogingen" in blocked.get_data(as_text=True)
    # Other accounts are unaffected.
    create_user(email="bert@example.org")
    db.session.commit()
    assert login_via_form(client, "bert@example.org", PASSWORD).status_code == 303


def test_throttle_delay_expires_and_success_clears_the_pair(client, user):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            login_via_form(client, "anne@example.org", "fout-fout-fout-1")
        assert login_via_form(client, "anne@example.org", PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert login_via_form(client, "anne@example.org", PASSWORD).status_code == 303
    assert db.session.scalar(select(func.count(ThrottleFailure.id))) == 0  # cleared on success


def test_login_without_csrf_token_is_refused(client, user):
    response = client.post("/inloggen", data={"email": "anne@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "formulier is verlopen" in response.get_data(as_text=True)


def test_logout_with_wrong_or_foreign_token_is_refused(app, client, user, login):
    login(user)
    assert client.post("/uitloggen", data={"csrf_token": "nep"}).status_code == 400
    other = app.test_client()
    foreign = csrf_token_for(other, "/inloggen")
    assert client.post("/uitloggen", data={"csrf_token": foreign}).status_code == 400
    assert client.get("/").status_code == 200  # still logged in


def test_htmx_token_header_is_accepted(client, user, login):
    login(user)
    token = csrf_token_for(client, "/")
    response = client.post("/uitloggen", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 303


@pytest.mark.parametrize(
    "hostile", ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_next_never_leaves_the_site(client, user, hostile):
    response = login_via_form(client, "anne@example.org", PASSWORD, next_url=hostile)
    assert response.headers["Location"] == "/start"


def test_login_next_keeps_a_local_page(client, user):
    response = login_via_form(client, "anne@example.org", PASSWORD, next_url="/beheer/gebruikers")
    assert response.headers["Location"] == "/beheer/gebruikers"


def test_new_session_at_login(client, user):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login_via_form(client, "anne@example.org", PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_ends_every_session_of_the_user(app, user):
    laptop, phone = app.test_client(), app.test_client()
    login_via_form(laptop, "anne@example.org", PASSWORD)
    login_via_form(phone, "anne@example.org", PASSWORD)
    assert phone.get("/").status_code == 200
    laptop.post("/uitloggen", data={"csrf_token": csrf_token_for(laptop, "/")})
    assert phone.get("/").status_code == 302


def test_idle_timeout_of_thirty_minutes(client, user):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login_via_form(client, "anne@example.org", PASSWORD)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=60), tick=False):
        assert client.get("/").status_code == 302  # 31 minutes idle since the last request


def test_absolute_timeout_of_twelve_hours(client, user):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login_via_form(client, "anne@example.org", PASSWORD)
    for minutes in range(20, 12 * 60, 20):  # active every 20 minutes
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/healthz").status_code == 200
            assert client.get("/inloggen").status_code == 302  # still logged in
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert client.get("/").status_code == 302
        assert client.get("/inloggen").status_code == 200


def test_expired_htmx_request_gets_hx_redirect_not_a_login_page(client):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/inloggen")
    assert b"<form" not in response.data


def test_session_cookie_flags(client, user):
    response = login_via_form(client, "anne@example.org", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_get_on_logout_changes_nothing(client, user, login):
    login(user)
    assert client.get("/uitloggen").status_code == 405
    assert client.get("/").status_code == 200
