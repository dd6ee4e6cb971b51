"""Input that must never reach the database: ids beyond its integer range, control
characters, oversized bodies. Each is a clear 4xx in Dutch, never a 500, nothing stored."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_PASSWORD, csrf_token_for
from tests.live_http import served
from tests.test_form_boundary import _action, _event
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.events.models import Invitation
from tracker.extensions import db
from tracker.validation import MAX_ID

OUT_OF_RANGE = ["9999999999", str(2**31), str(2**63), str(2**64 + 1), "-1", "0",
                "0x10", "١٢"]  # the last: Arabic-Indic digits, which str.isdigit() accepts


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _int_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if any(type(c).__name__ == "IdConverter" for c in rule._converters.values())]


def test_every_int_in_a_route_is_a_bounded_id(app):
    rules = _int_rules(app)
    assert len(rules) > 30  # the walk below really walks something
    plain = [r.rule for r in app.url_map.iter_rules()
             if any(type(c).__name__ == "IntegerConverter" for c in r._converters.values())]
    assert plain == []


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_ids_out_of_range_in_any_url_are_404(demo, app, client, login, number):
    login(_user("beheerder@example.org"))
    token = csrf_token_for(client)
    for rule in _int_rules(app):
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", number).replace(f"<{name}>", "x")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={"csrf_token": token})
            assert response.status_code == 404, (method, path, response.status_code)
            assert "Niet gevonden" in response.get_data(as_text=True)


def test_the_largest_id_still_reaches_the_view(demo, client, login):
    login(_user("beheerder@example.org"))
    assert client.get(f"/actions/{MAX_ID}").status_code == 404  # no such action: a real lookup
    assert client.get(f"/actions/{MAX_ID + 1}").status_code == 404  # refused by the route


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_ids_out_of_range_in_form_fields_are_422(demo, client, login, number):
    login(_user("coordinator@example.org"))
    event = _event()  # organised by this coordinator
    before = db.session.scalar(select(func.count(Invitation.id)))
    for field in ("user_id", "team_id", "organisation_id", "district_id"):
        response = client.post(f"/events/{event.id}/invitations",
                               data={field: number, "csrf_token": csrf_token_for(client)})
        assert response.status_code == 422, (field, response.status_code)
        assert "Kies een geldige waarde." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Invitation.id))) == before


@pytest.mark.parametrize("query", ["owner=9999999999", f"district={2**63}", "owner=%C2%B2",
                                   "district=%D9%A1"])
def test_ids_out_of_range_in_filters_are_ignored(demo, client, login, query):
    login(_user("coordinator@example.org"))
    assert client.get(f"/teams/verwarde-personen?{query}").status_code == 200


# --- Control characters ------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["a\x00b", DEMO_PASSWORD + "\x00", "\x1b[31m", "a\x7fb"])
def test_control_characters_in_a_password_are_refused_in_dutch(demo, client, password):
    response = client.post("/inloggen", data={"email": "coordinator@example.org",
                                              "password": password,
                                              "csrf_token": csrf_token_for(client, "/inloggen")})
    assert response.status_code == 422
    assert "niet-toegestane stuurtekens" in response.get_data(as_text=True)


def test_control_characters_in_a_login_address_are_refused(demo, client):
    response = client.post("/inloggen", data={"email": "coordinator\x00@example.org",
                                              "password": DEMO_PASSWORD,
                                              "csrf_token": csrf_token_for(client, "/inloggen")})
    assert response.status_code == 422


def test_a_new_password_with_nul_is_refused_next_to_the_field(demo, client):
    from tracker.auth.password_links import make_token

    person = _user("lezer@example.org")
    hashed, path = person.password_hash, f"/wachtwoord/{make_token(person)}"
    token = csrf_token_for(client, path)
    response = client.post(path, data={"password": "een zin\x00om te onthouden",
                                       "password_again": "een zin\x00om te onthouden",
                                       "csrf_token": token})
    assert response.status_code == 422
    assert "Nieuw wachtwoord bevat niet-toegestane stuurtekens." in response.get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(User, person.id).password_hash == hashed


def test_a_control_character_in_a_hidden_field_of_a_form_is_refused(demo, client, login):
    """A value the view reads itself (here the merge base) goes through the forms layer too."""
    login(_user("coordinator@example.org"))
    action = _action()
    audits = db.session.scalar(select(func.count(AuditEntry.id)))
    response = client.post(f"/actions/{action.id}", data={
        "title": "Nieuw", "status": "open", "version": action.version,
        "base_title": "a\x00", "csrf_token": csrf_token_for(client)})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audits


@pytest.mark.parametrize(("path", "status"), [
    ("/teams/verwarde-personen?q=a%00b", 400), ("/teams/verwarde-personen?owner=%01", 400),
    ("/teams/verwarde%00personen", 404), ("/agenda?team=%00", 400)])
def test_control_characters_in_urls_are_4xx(demo, client, login, path, status):
    login(_user("coordinator@example.org"))
    response = client.get(path)
    assert response.status_code == status
    if status == 400:
        assert "stuurtekens" in response.get_data(as_text=True)


# --- Size limits -------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_with_a_dutch_page(demo, app, client):
    token = csrf_token_for(client, "/inloggen")
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/inloggen", data={"email": big, "password": "x", "csrf_token": token})
    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)


def test_too_many_form_fields_is_413(demo, app, client):
    token = csrf_token_for(client, "/inloggen")
    fields = {f"f{i}": "1" for i in range(app.config["MAX_FORM_PARTS"] + 1)}
    response = client.post("/inloggen", data={**fields, "csrf_token": token},
                           content_type="multipart/form-data")
    response.request.environ["wsgi.input"].close()  # the test client's spooled body
    assert response.status_code == 413


def test_one_huge_field_under_the_body_limit_is_413(demo, app, client):
    token = csrf_token_for(client, "/inloggen")
    field = "x" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1)
    assert len(field) < app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/inloggen", data={"email": field, "csrf_token": token},
                           content_type="multipart/form-data")
    response.request.environ["wsgi.input"].close()  # the test client's spooled body
    assert response.status_code == 413


def test_an_anonymous_100_mb_post_is_refused_without_reading_it(app):
    """Only the headers and a few bytes are sent: the answer must come anyway, at once."""
    with served(app) as base:
        host, port = base.removeprefix("http://").split(":")
        started = time.monotonic()
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(
                b"POST /inloggen HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 104857600\r\nConnection: close\r\n\r\nemail=")
            answer = sock.recv(65536).decode("latin-1")
        assert answer.startswith("HTTP/1.1 413"), answer[:200]
        assert time.monotonic() - started < 5
