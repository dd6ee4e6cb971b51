"""Throttling nobody can turn against a user: per (account, client) and per client."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from werkzeug.exceptions import TooManyRequests

from tests.conftest import csrf_token_for, login_via_form
from tests.factories import PASSWORD, create_user
from tracker import create_app
from tracker.audit.models import AuditEntry
from tracker.auth import throttle
from tracker.auth.models import ThrottleFailure
from tracker.db import utcnow
from tracker.enums import Role
from tracker.extensions import db
from tracker.notifications.models import OutboxMessage

WRONG = "fout-fout-fout-1"
CLIENT_A = "203.0.113.10"
CLIENT_B = "198.51.100.20"


@pytest.fixture
def user():
    person = create_user(email="burgemeester@example.org", name="Mieke Burg", role=Role.BESTUURDER)
    db.session.commit()
    return person


def client_at(app, address: str):
    """A test client whose requests come from ``address`` (REMOTE_ADDR)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def ask_link(client, email: str):
    token = csrf_token_for(client, "/wachtwoord-vergeten")
    return client.post("/wachtwoord-vergeten", data={"email": email, "csrf_token": token})


def test_lock_out_attack_does_not_lock_out_the_owner(app, user):
    attacker, owner = client_at(app, CLIENT_A), client_at(app, CLIENT_B)
    with time_machine.travel(utcnow(), tick=False):
        statuses = [login_via_form(attacker, user.email, WRONG).status_code for _ in range(10)]
        assert statuses == [401] * 5 + [429] * 5
        refused = login_via_form(attacker, user.email, PASSWORD)
        assert (refused.status_code, refused.headers["Retry-After"]) == (429, "60")
        assert login_via_form(owner, user.email, PASSWORD).status_code == 303


def test_spraying_from_one_address_gets_429_with_retry_after(app):
    accounts = [create_user(email=f"persoon-{n}@example.org") for n in range(25)]
    db.session.commit()
    sprayer, elsewhere = client_at(app, CLIENT_A), client_at(app, CLIENT_B)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        answers = [login_via_form(sprayer, a.email, WRONG) for a in accounts]
        assert [r.status_code for r in answers] == [401] * 20 + [429] * 5
        assert all(r.headers["Retry-After"] == "900" for r in answers[20:])
        assert "Retry-After" not in answers[0].headers
        # The sprayer's address is slowed down, even for a correct password; others are not.
        assert login_via_form(sprayer, accounts[-1].email, PASSWORD).status_code == 429
        assert login_via_form(elsewhere, accounts[-1].email, PASSWORD).status_code == 303
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert login_via_form(sprayer, accounts[-1].email, PASSWORD).status_code == 303


def test_delays_grow_and_the_correct_password_works_after_the_wait(app, user):
    attacker = client_at(app, CLIENT_A)
    moment = utcnow()
    failures_at = []
    waits = []
    with time_machine.travel(moment, tick=False):
        for _ in range(5):
            assert login_via_form(attacker, user.email, WRONG).status_code == 401
            failures_at.append(moment)
    for _ in range(5):
        with time_machine.travel(moment, tick=False):
            refused = login_via_form(attacker, user.email, PASSWORD)
            assert refused.status_code == 429
            wait = int(refused.headers["Retry-After"])
            waits.append(wait)
        with time_machine.travel(moment + timedelta(seconds=wait - 1), tick=False):
            assert login_via_form(attacker, user.email, PASSWORD).status_code == 429
        moment += timedelta(seconds=wait)
        with time_machine.travel(moment, tick=False):
            assert login_via_form(attacker, user.email, WRONG).status_code == 401
            failures_at.append(moment)
    assert waits == [60, 120, 240, 480, 900]  # doubling, capped at 15 minutes
    # QUALITY.md: at most 10 failures per 15 minutes per (account, client).
    for first in failures_at:
        assert sum(first <= t < first + timedelta(minutes=15) for t in failures_at) <= 10
    with time_machine.travel(moment, tick=False):
        capped = login_via_form(attacker, user.email, PASSWORD)
        assert capped.headers["Retry-After"] == "900"
    with time_machine.travel(moment + timedelta(minutes=15), tick=False):
        assert login_via_form(attacker, user.email, PASSWORD).status_code == 303
    assert db.session.scalar(select(func.count(ThrottleFailure.id))) == 0


def _answers(app, email: str, address: str) -> list[tuple[int, str | None, str]]:
    """Status, Retry-After and page content of seven wrong logins (token and address blanked)."""
    client = client_at(app, address)
    answers = []
    for _ in range(7):
        response = login_via_form(client, email, WRONG)
        body = response.get_data(as_text=True)
        main = body[body.index("<main"):body.index("</main>")]
        main = re.sub(r'name="csrf_token"[^>]*', "", main).replace(email, "ADRES")
        answers.append((response.status_code, response.headers.get("Retry-After"), main))
    return answers


def test_unknown_account_gets_the_same_answers(app, user):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        known = _answers(app, user.email, CLIENT_A)
        unknown = _answers(app, "niemand@example.org", CLIENT_B)
    assert [a[:2] for a in known] == [(401, None)] * 5 + [(429, "60")] * 2
    assert known == unknown


def test_password_link_requests_are_throttled_alike_for_known_and_unknown(app, user):
    # Two minutes into a quarter hour: the minute later stays in the same mail period.
    now = utcnow()
    start = now.replace(minute=now.minute // 15 * 15, second=0, microsecond=0) + timedelta(
        minutes=2)
    with time_machine.travel(start, tick=False):
        for email, address in ((user.email, CLIENT_A), ("niemand@example.org", CLIENT_B)):
            client = client_at(app, address)
            assert [ask_link(client, email).status_code for _ in range(3)] == [200] * 3
            refused = ask_link(client, email)
            assert refused.status_code == 429
            assert refused.headers["Retry-After"] == "60"
            assert "Te veel aanvragen" in refused.get_data(as_text=True)
        # Another client asks for the mayor's link without waiting.
        assert ask_link(client_at(app, "192.0.2.1"), user.email).status_code == 200
    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        assert ask_link(client_at(app, CLIENT_A), user.email).status_code == 200
    # One mail per user per quarter hour, however often asked.
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_password_link_spraying_from_one_address_gets_429(app):
    client = client_at(app, CLIENT_A)
    with time_machine.travel(utcnow(), tick=False):
        statuses = [ask_link(client, f"iemand-{n}@example.org").status_code for n in range(12)]
    assert statuses == [200] * 10 + [429] * 2


def test_the_throttle_api_for_the_totp_step(app, user):
    now = utcnow()
    key = str(user.id)
    assert throttle.check("totp", key, CLIENT_A, now) == (True, 0)
    for _ in range(5):
        throttle.record_failure("totp", key, CLIENT_A, now)
    allowed, retry_after = throttle.check("totp", key, CLIENT_A, now)
    assert (allowed, retry_after) == (False, 60)
    assert throttle.check("totp", key, CLIENT_B, now).allowed
    assert throttle.check("login", key, CLIENT_A, now).allowed  # kinds are separate
    throttle.clear("totp", key, CLIENT_A)
    assert throttle.check("totp", key, CLIENT_A, now).allowed
    with pytest.raises(KeyError):
        throttle.check("raden", key, CLIENT_A, now)


@pytest.fixture
def proxied_app(app):
    """The same database behind one reverse proxy (TRACKER_PROXY_COUNT=1)."""
    behind_proxy = create_app({
        "TRACKER_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "TRACKER_BASE_URL": "http://localhost",
        "TRACKER_PROXY_COUNT": 1,
    })
    behind_proxy.test_client_class = app.test_client_class
    yield behind_proxy
    with behind_proxy.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("proxies", [0, 1])
def test_proxy_count_decides_whether_x_forwarded_for_is_the_client(
        app, proxied_app, user, proxies):
    target = proxied_app if proxies else app
    client = client_at(target, "10.0.0.2")  # the proxy
    client.environ_base["HTTP_X_FORWARDED_FOR"] = CLIENT_A
    assert login_via_form(client, user.email, WRONG).status_code == 401
    assert login_via_form(client, user.email, PASSWORD).status_code == 303
    expected = CLIENT_A if proxies else "10.0.0.2"
    failure_clients = db.session.scalars(select(ThrottleFailure.client)).all()
    assert failure_clients == []  # cleared by the success, for the same client key
    origin = db.session.scalar(select(AuditEntry.origin).where(AuditEntry.action == "user.login"))
    assert origin == expected
    # The throttle counts the same address: five failures from the forwarded client
    # slow down that client only, not another one behind the same proxy.
    for _ in range(5):
        login_via_form(client, user.email, WRONG)
    assert set(db.session.scalars(select(ThrottleFailure.client))) == {expected}
    other = client_at(target, "10.0.0.2")
    other.environ_base["HTTP_X_FORWARDED_FOR"] = CLIENT_B
    expected_other = 303 if proxies else 429
    assert login_via_form(other, user.email, PASSWORD).status_code == expected_other


def test_every_429_carries_retry_after(app):
    """Also a 429 raised elsewhere (werkzeug's TooManyRequests) goes out with Retry-After."""
    fresh = create_app({"TRACKER_ENV": "testing",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @fresh.get("/te-veel/<int:seconds>")
    def too_many(seconds: int):
        raise TooManyRequests(retry_after=seconds)

    @fresh.get("/te-veel")
    def too_many_unsaid():
        raise TooManyRequests()

    client = fresh.test_client()
    said = client.get("/te-veel/30")
    assert (said.status_code, said.headers["Retry-After"]) == (429, "30")
    assert "Te veel pogingen" in said.get_data(as_text=True)
    assert client.get("/te-veel").headers["Retry-After"] == "60"
    with fresh.app_context():
        db.engine.dispose()


def test_counts_are_shared_between_workers(app, proxied_app, user):
    """Two app instances on one database (two gunicorn workers) see the same failures."""
    first_worker, second_worker = client_at(app, CLIENT_A), client_at(proxied_app, CLIENT_A)
    for _ in range(5):
        assert login_via_form(first_worker, user.email, WRONG).status_code == 401
    refused = login_via_form(second_worker, user.email, PASSWORD)  # no X-Forwarded-For
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
