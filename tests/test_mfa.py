"""The second factor: enrolment, the second login step, replay, recovery codes, the
beheerder's reset, the policy for data-changing accounts and the throttle."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pyotp
import pytest
import time_machine
from sqlalchemy import func, select, text
from sqlalchemy_continuum import version_class

from tests.conftest import IsolatedRequestClient, csrf_token_for, login_via_form
from tests.factories import PASSWORD, create_user
from tracker import create_app
from tracker.audit.models import AuditEntry
from tracker.auth.models import MFA_COLUMNS, RecoveryCode, ThrottleFailure, User
from tracker.crypto import decrypt
from tracker.db import utcnow
from tracker.enums import Role
from tracker.extensions import db

#: A moment just after the start of a 30-second step, so a test's steps are predictable.
START = datetime(2026, 3, 2, 8, 0, 1, tzinfo=UTC)
ENROL = "/account/tweestapsverificatie"
CODE = "/inloggen/code"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def anne():
    person = create_user(email="anne@example.org", name="Anne de Vries", role=Role.COORDINATOR)
    db.session.commit()
    return person


def _post(client, path, data=None, token_page=None):
    token = csrf_token_for(client, token_page)
    return client.post(path, data={**(data or {}), "csrf_token": token})


def _secret(user: User) -> str:
    db.session.expire_all()
    return decrypt(db.session.get(User, user.id).totp_secret_encrypted)


def _code(secret: str) -> str:
    return pyotp.TOTP(secret).at(utcnow())


def enrol(client, user: User) -> tuple[str, list[str]]:
    """Log in with the password, enrol through the pages; the secret and recovery codes."""
    assert login_via_form(client, user.email, PASSWORD).status_code == 303
    assert _post(client, ENROL + "/beginnen").status_code == 303
    secret = _secret(user)
    done = _post(client, ENROL, {"code": _code(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    return secret, codes


def logout(client) -> None:
    assert _post(client, "/uitloggen").status_code == 303


def password_step(client, user: User, next_url: str = ""):
    response = login_via_form(client, user.email, PASSWORD, next_url)
    assert response.status_code == 303
    assert response.headers["Location"] == CODE
    return response


def test_enrolment_shows_a_local_qr_code_and_key_and_needs_a_first_code(client, anne, clock):
    assert login_via_form(client, anne.email, PASSWORD).status_code == 303
    intro = client.get(ENROL)
    assert intro.status_code == 200
    assert "Tweestapsverificatie instellen" in intro.get_data(as_text=True)
    assert _post(client, ENROL + "/beginnen").status_code == 303

    page = client.get(ENROL)
    html = page.get_data(as_text=True)
    secret = _secret(anne)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    grouped = " ".join(secret[i:i + 4] for i in range(0, 32, 4))
    assert f'<code id="sleutel">{grouped}</code>' in html
    image = re.search(r'<img src="(data:image/svg\+xml[^"]+)"', html).group(1)
    svg = unquote(image.split(",", 1)[1])
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg
    assert " style=" not in html and "<script>" not in html
    assert "img-src 'self' data:" in page.headers["Content-Security-Policy"]
    field = re.search(r'<input[^>]+id="veld-code"[^>]*>', html).group(0)
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field
    assert db.session.get(User, anne.id).has_mfa is False  # not active before the first code

    wrong = _post(client, ENROL, {"code": "000000" if _code(secret) != "000000" else "111111"})
    assert wrong.status_code == 422
    wrong_html = wrong.get_data(as_text=True)
    assert "Deze code klopt niet" in wrong_html
    assert 'aria-describedby="veld-code-fout veld-code-uitleg"' in wrong_html
    assert db.session.get(User, anne.id).has_mfa is False

    done = _post(client, ENROL, {"code": _code(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert len(set(codes)) == 10
    user = db.session.get(User, anne.id)
    assert user.has_mfa and user.totp_enabled_at == START
    stored = set(db.session.scalars(select(RecoveryCode.code_hash)))
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes}
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "user.mfa_enrol", AuditEntry.actor_id == anne.id)) == 1
    # The codes are shown once: the page afterwards only counts them.
    after = client.get(ENROL).get_data(as_text=True)
    assert "10 ongebruikte herstelcodes" in after and codes[0] not in after


def test_the_secret_is_not_readable_at_rest_nor_kept_in_history(client, anne, clock, app):
    secret, _codes = enrol(client, anne)
    stored = db.session.execute(
        text("SELECT totp_secret_encrypted FROM users WHERE id = :id"), {"id": anne.id}
    ).scalar_one()
    assert stored != secret and secret not in stored and secret.lower() not in stored.lower()
    # Only the configured data key opens it.
    other = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                        "TRACKER_DATA_KEY": "b3RoZXItZGF0YS1rZXktb3RoZXItZGF0YS1rZXkxMjM="})
    with other.app_context(), pytest.raises(ValueError):
        decrypt(stored)
    history_columns = set(version_class(User).__table__.c.keys())
    assert not history_columns & set(MFA_COLUMNS)


def test_login_asks_for_the_code_and_starts_the_session_only_after_it(client, anne, clock):
    secret, _codes = enrol(client, anne)
    logout(client)
    clock.shift(timedelta(seconds=30))
    password_step(client, anne, next_url="/milestones")
    assert client.get("/").status_code == 302  # not logged in yet: back to the login page
    page = client.get(CODE)
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.get_data(as_text=True)

    wrong = _post(client, CODE, {"code": "123456" if _code(secret) != "123456" else "654321"})
    assert wrong.status_code == 401
    assert "Deze code klopt niet" in wrong.get_data(as_text=True)
    malformed = _post(client, CODE, {"code": "12ab"})
    assert malformed.status_code == 422
    assert 'aria-describedby="veld-code-fout veld-code-uitleg"' in malformed.get_data(
        as_text=True)

    ok = _post(client, CODE, {"code": _code(secret)[:3] + " " + _code(secret)[3:]})
    assert ok.status_code == 303 and ok.headers["Location"] == "/milestones"
    assert client.get("/").status_code == 200
    assert db.session.scalar(select(func.count(ThrottleFailure.id))) == 0  # cleared on success


def test_a_code_works_once(client, anne, clock):
    secret, _codes = enrol(client, anne)
    logout(client)
    # The enrolment used this step's code: the same code cannot log in.
    password_step(client, anne)
    assert _post(client, CODE, {"code": _code(secret)}).status_code == 401
    clock.shift(timedelta(seconds=30))
    used = _code(secret)
    assert _post(client, CODE, {"code": used}).status_code == 303
    logout(client)
    # Replayed within its validity (same step, or one step later): refused.
    password_step(client, anne)
    assert _post(client, CODE, {"code": used}).status_code == 401
    clock.shift(timedelta(seconds=30))
    assert _post(client, CODE, {"code": used}).status_code == 401
    assert _post(client, CODE, {"code": _code(secret)}).status_code == 303


def test_a_recovery_code_works_once(client, anne, clock):
    _secret_, codes = enrol(client, anne)
    logout(client)
    password_step(client, anne)
    first = _post(client, CODE, {"code": codes[0].upper().replace("-", " ")})
    assert first.status_code == 303
    assert "nog 9" in client.get(first.headers["Location"]).get_data(as_text=True)
    logout(client)
    password_step(client, anne)
    assert _post(client, CODE, {"code": codes[0]}).status_code == 401
    assert _post(client, CODE, {"code": codes[1]}).status_code == 303
    used = db.session.scalar(
        select(func.count(RecoveryCode.id)).where(RecoveryCode.used_at.is_not(None)))
    assert used == 2


def test_the_password_step_expires_after_a_few_minutes(client, anne, clock):
    secret, _codes = enrol(client, anne)
    logout(client)
    password_step(client, anne)
    clock.shift(timedelta(minutes=6))
    late = _post(client, CODE, {"code": _code(secret)})
    assert late.status_code == 303 and late.headers["Location"].startswith("/inloggen")
    assert client.get("/").status_code == 302


def test_second_step_throttled_like_the_password_step(client, anne, clock):
    """Five free wrong codes per (account, client), then growing waits with Retry-After."""
    secret, _codes = enrol(client, anne)
    logout(client)
    clock.shift(timedelta(seconds=30))
    password_step(client, anne)
    wrong = "000000" if _code(secret) != "000000" else "111111"
    for _ in range(5):
        assert _post(client, CODE, {"code": wrong}).status_code == 401
    blocked = _post(client, CODE, {"code": _code(secret)})
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 60
    assert "Te veel verkeerde codes" in blocked.get_data(as_text=True)
    # A correct password again does not clear the second step's count.
    password_step(client, anne)
    assert _post(client, CODE, {"code": _code(secret)}).status_code == 429
    clock.shift(timedelta(seconds=61))
    assert _post(client, CODE, {"code": wrong}).status_code == 401  # the sixth failure
    retry = _post(client, CODE, {"code": _code(secret)})
    assert retry.status_code == 429 and 60 < int(retry.headers["Retry-After"]) <= 120  # grows
    clock.shift(timedelta(minutes=2, seconds=1))
    password_step(client, anne)
    assert _post(client, CODE, {"code": _code(secret)}).status_code == 303
    assert db.session.scalar(select(func.count(ThrottleFailure.id)).where(
        ThrottleFailure.kind == "totp")) == 0  # cleared on success


def test_beheerder_resets_the_second_factor_audited_and_ends_sessions(app, anne, clock, login):
    person = app.test_client()
    enrol(person, anne)
    assert person.get("/").status_code == 200
    beheerder = create_user(role=Role.BEHEERDER, email="secretariaat@example.org")
    db.session.commit()
    admin = login(beheerder, app.test_client())
    path = f"/beheer/gebruikers/{anne.id}/tweestapsverificatie/herstellen"
    page = admin.get(f"/beheer/gebruikers/{anne.id}").get_data(as_text=True)
    assert "Tweestapsverificatie herstellen" in page and "ingesteld" in page

    unconfirmed = _post(admin, path)
    assert unconfirmed.status_code == 422
    assert "Vink aan" in unconfirmed.get_data(as_text=True)
    assert db.session.get(User, anne.id).has_mfa

    # Nobody else may do it (and the account's own session cannot either).
    assert _post(person, path, {"confirm": "1"}).status_code == 403

    done = _post(admin, path, {"confirm": "1"})
    assert done.status_code == 303
    db.session.expire_all()
    user = db.session.get(User, anne.id)
    assert not user.has_mfa and user.totp_secret_encrypted is None
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.mfa_reset"))
    assert entry.actor_id == beheerder.id and entry.object_id == anne.id
    assert person.get("/").status_code == 302  # the person's session has ended
    # Logging in again is password-only (no second factor any more).
    assert login_via_form(person, anne.email, PASSWORD).status_code == 303
    assert person.get("/").status_code == 200


def test_mfa_required_defaults_per_environment():
    from config import DevelopmentConfig, ProductionConfig, TestingConfig

    assert ProductionConfig.TRACKER_MFA_REQUIRED is True
    assert DevelopmentConfig.TRACKER_MFA_REQUIRED is False
    assert TestingConfig.TRACKER_MFA_REQUIRED is False


def test_production_refuses_to_start_without_a_valid_data_key():
    base = {"TRACKER_ENV": "production", "SECRET_KEY": "x" * 40,
            "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    with pytest.raises(RuntimeError, match="TRACKER_DATA_KEY ontbreekt"):
        create_app({**base, "TRACKER_DATA_KEY": None})
    with pytest.raises(RuntimeError, match="geen geldige sleutel"):
        create_app({**base, "TRACKER_DATA_KEY": "geheim"})


@pytest.fixture
def strict_app(app):
    """The application with the production policy: a second factor is required."""
    application = create_app({
        "TRACKER_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "TRACKER_BASE_URL": "http://localhost",
        "TRACKER_MFA_REQUIRED": True,
    })
    application.test_client_class = IsolatedRequestClient
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_required_policy_sends_an_unenrolled_editor_to_enrolment_only(strict_app, anne, clock):
    client = strict_app.test_client()
    assert login_via_form(client, anne.email, PASSWORD).status_code == 303
    for path in ("/", "/milestones", "/mijn-werk", "/status", "/beheer/gebruikers"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"] == ENROL
    fragment = client.get("/", headers={"HX-Request": "true"})
    assert fragment.status_code == 401 and fragment.headers["HX-Redirect"] == ENROL
    page = client.get(ENROL)
    assert page.status_code == 200
    assert "Stel eerst tweestapsverificatie in" in page.get_data(as_text=True)
    assert 'id="hoofdmenu-titel"' not in page.get_data(as_text=True)  # no menu of dead ends
    assert client.get("/healthz").status_code == 200  # public pages stay public

    # Nor is a change elsewhere carried out, even one the role allows.
    beheerder = create_user(role=Role.BEHEERDER, email="secretariaat@example.org")
    db.session.commit()
    other = strict_app.test_client()
    assert login_via_form(other, beheerder.email, PASSWORD).status_code == 303
    refused = _post(other, "/beheer/gebruikers",
                    {"name": "X", "email": "x@example.org", "role": "lezer"}, token_page=ENROL)
    assert refused.status_code == 303 and refused.headers["Location"] == ENROL
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None

    assert _post(client, ENROL + "/beginnen", token_page=ENROL).status_code == 303
    assert _post(client, ENROL, {"code": _code(_secret(anne))}, ENROL).status_code == 200
    home = client.get("/")
    assert home.status_code == 200 and 'id="hoofdmenu-titel"' in home.get_data(as_text=True)


def test_required_policy_leaves_read_only_accounts_free_to_choose(strict_app, clock):
    reader = create_user(email="lezer@example.org", role=Role.LEZER)
    db.session.commit()
    client = strict_app.test_client()
    assert login_via_form(client, reader.email, PASSWORD).status_code == 303
    assert client.get("/").status_code == 200
    page = client.get(ENROL).get_data(as_text=True)
    assert "Tweestapsverificatie instellen" in page
    assert "Stel eerst tweestapsverificatie in" not in page


def test_development_generates_a_data_key_into_the_instance_folder(tmp_path):
    from cryptography.fernet import Fernet

    from config import development_data_key

    first = development_data_key(tmp_path)
    Fernet(first)  # a valid key
    assert development_data_key(tmp_path) == first  # generated once, then reused
    assert (tmp_path / "data_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("kind", ["totp", "recovery"])
def test_the_same_code_used_twice_at_once_logs_in_once(app, anne, clock, kind):
    secret, codes = enrol(app.test_client(), anne)
    clock.shift(timedelta(seconds=30))
    code = _code(secret) if kind == "totp" else codes[0]
    clients = [app.test_client(), app.test_client()]
    tokens = []
    for client in clients:
        password_step(client, anne)
        tokens.append(csrf_token_for(client, CODE))
    start = threading.Barrier(2)
    statuses: list[int] = []

    def submit(client, token):
        start.wait()
        statuses.append(client.post(CODE, data={"code": code, "csrf_token": token}).status_code)

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses)[0] == 303 and sorted(statuses)[1] in (401, 409)
