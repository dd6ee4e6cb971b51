"""Login with the work account (OpenID Connect) against a real provider process.

The provider is ``oidc-provider-mock`` served over HTTP on 127.0.0.1 (tests/oidc_provider.py);
the tracker talks to it through Authlib exactly as it would to Entra ID: discovery, the
authorization redirect with state, nonce and PKCE, the code exchange, the id_token
checked against the provider's published keys.
"""

from __future__ import annotations

import html
import json
import logging
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import flask
import pyotp
import pytest
import requests
import time_machine
from sqlalchemy import func, select

from config import oidc_providers_from_env
from tests.conftest import csrf_token_for, login_via_form
from tests.factories import PASSWORD, create_user
from tests.oidc_provider import OidcProvider, callback_path, past, unused_port_url
from tracker.auth.models import OidcIdentity, ThrottleFailure, User
from tracker.crypto import encrypt
from tracker.db import utcnow
from tracker.enums import Role
from tracker.extensions import db

START = "/inloggen/werkaccount/werk"


@pytest.fixture
def provider():
    instance = OidcProvider()
    yield instance
    instance.stop()


@pytest.fixture
def configure(app, monkeypatch):
    """Point the app at a provider: ``configure(provider_url, accept_mfa=[...], ...)``."""

    def _configure(issuer: str, **settings):
        monkeypatch.setitem(app.config, "TRACKER_OIDC_PROVIDERS", {
            "werk": {"issuer": issuer, "client_id": "tracker", "client_secret": "geheim-123",
                     "label": "Werkaccount Oost", "accept_mfa": [], "create_accounts": False,
                     **settings},
        })

    return _configure


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="tracker.security")

    def _events(kind: str) -> list[dict]:
        return [r.security for r in caplog.records
                if getattr(r, "security", None) and r.security["what"] == kind]

    return _events


def start_login(client, next_url: str = ""):
    """Press "Inloggen met ..." on the login page: the redirect to the provider."""
    token = csrf_token_for(client, "/inloggen")
    return client.post(START, data={"csrf_token": token, "next": next_url})


def log_in(client, provider: OidcProvider, sub: str, next_url: str = ""):
    """The whole round trip; the tracker's answer to the callback."""
    started = start_login(client, next_url)
    assert started.status_code == 302, started.get_data(as_text=True)
    back = provider.authorize(started.headers["Location"], sub)
    return client.get(callback_path(back))


def refused_with(client, response, text: str) -> None:
    """The callback sent the browser back to the login page, which shows ``text``."""
    assert response.status_code == 303
    assert response.headers["Location"] == "/inloggen"
    page = client.get("/inloggen").get_data(as_text=True)
    assert text in page, page
    assert client.get("/start").status_code == 302  # not logged in


@pytest.fixture
def anne():
    user = create_user(email="Anne.de.Vries@Example.org".lower(), name="Anne de Vries",
                       role=Role.COORDINATOR)
    db.session.commit()
    return user


def with_totp(user: User) -> str:
    secret = pyotp.random_base32()
    user.totp_secret_encrypted = encrypt(secret)
    user.totp_enabled_at = utcnow()
    db.session.commit()
    return secret


# --- The login page -------------------------------------------------------------------------


def test_without_providers_the_login_page_is_as_before(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_OIDC_PROVIDERS", {})
    page = client.get("/inloggen").get_data(as_text=True)
    assert "Inloggen met" not in page and "werkaccount" not in page
    assert client.post(START, data={"csrf_token": csrf_token_for(client)}).status_code == 404


def test_the_login_page_shows_a_post_button_per_provider(client, provider, configure):
    configure(provider.url)
    page = client.get("/inloggen?next=/acties").get_data(as_text=True)
    assert f'action="{START}"' in page and 'method="post"' in page
    assert "Inloggen met Werkaccount Oost" in page
    assert 'name="next" value="/acties"' in page
    # The button's POST answers with a redirect to the provider: the CSP lets the form go
    # there (browsers check form-action on redirects), and nowhere else.
    policy = client.get("/inloggen").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.url};" in policy + ";"
    # Pressing it without the CSRF token starts nothing.
    assert client.post(START, data={"next": ""}).status_code == 400
    assert provider.last_authorize_query == {}


# --- Success --------------------------------------------------------------------------------


def test_first_login_by_verified_email_lands_on_start_and_stores_the_subject(
        client, provider, configure, anne, security_log):
    configure(provider.url)
    provider.set_user("sub-anne", email="ANNE.de.vries@example.org", email_verified=True)
    started = start_login(client)
    query = parse_qs(urlsplit(started.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0] and query["client_id"] == ["tracker"]
    assert "openid" in query["scope"][0].split()
    back = provider.authorize(started.headers["Location"], "sub-anne")
    answer = client.get(callback_path(back))
    assert answer.status_code == 303 and answer.headers["Location"] == "/start"
    assert client.get("/start").status_code == 200
    identity = db.session.scalar(select(OidcIdentity))
    assert (identity.user_id, identity.issuer, identity.subject) == (anne.id, provider.url,
                                                                      "sub-anne")
    assert db.session.get(User, anne.id).last_login_at is not None
    assert [e["who"] for e in security_log("login.oidc_ok")] == [anne.id]
    # The callback's code and state work once: the same answer again is refused.
    again = client.get(callback_path(back))
    assert again.headers["Location"] == "/inloggen"


def test_next_is_kept_through_the_provider_and_checked(client, provider, configure, anne):
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    assert log_in(client, provider, "sub-anne", "/acties").headers["Location"] == "/acties"
    client.post("/uitloggen", data={"csrf_token": csrf_token_for(client)})
    assert log_in(client, provider, "sub-anne", "//evil.example").headers["Location"] == "/start"


def test_second_login_uses_the_stored_subject_after_an_email_change(
        client, provider, configure, anne):
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    assert log_in(client, provider, "sub-anne").headers["Location"] == "/start"
    client.post("/uitloggen", data={"csrf_token": csrf_token_for(client)})
    # At the provider she now has another address that no account here has.
    provider.set_user("sub-anne", email="a.devries@nieuw.example.org", email_verified=False)
    assert log_in(client, provider, "sub-anne").headers["Location"] == "/start"
    page = client.get("/start").get_data(as_text=True)
    assert "Anne de Vries" in page
    assert db.session.scalar(select(func.count()).select_from(OidcIdentity)) == 1


def test_an_account_linked_to_another_subject_is_not_taken_over(
        client, provider, configure, anne, security_log):
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    log_in(client, provider, "sub-anne")
    client.post("/uitloggen", data={"csrf_token": csrf_token_for(client)})
    provider.set_user("sub-ander", email=anne.email, email_verified=True)
    refused_with(client, log_in(client, provider, "sub-ander"), "al gekoppeld aan een ander")
    assert security_log("login.oidc_refused")[-1]["detail"]["reason"] == "other_subject"


# --- Refusals -------------------------------------------------------------------------------


def test_unknown_email_is_refused_and_no_account_is_created(
        client, provider, configure, security_log):
    configure(provider.url)
    provider.set_user("sub-x", email="onbekend@example.org", email_verified=True)
    refused_with(client, log_in(client, provider, "sub-x"), "Er is geen account voor het e-mailadres")
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    event = security_log("login.oidc_refused")[-1]
    assert event["result"] == "failed" and event["detail"]["reason"] == "unknown_account"
    assert "onbekend@example.org" not in str(event)  # an unknown address is logged hashed


def test_accounts_are_created_only_when_configured(client, provider, configure):
    configure(provider.url, create_accounts=True)
    provider.set_user("sub-n", email="Nieuw@Example.org", email_verified=True, name="Nina Nieuw")
    assert log_in(client, provider, "sub-n").headers["Location"] == "/start"
    user = db.session.scalar(select(User))
    assert (user.email, user.name, user.role, user.password_hash) == (
        "nieuw@example.org", "Nina Nieuw", Role.LEZER, None)


def test_unverified_email_is_refused(client, provider, configure, anne, security_log):
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=False)
    refused_with(client, log_in(client, provider, "sub-anne"), "niet als gecontroleerd gemeld")
    provider.set_user("sub-anne", email=anne.email)  # no claim at all: not verified either
    refused_with(client, log_in(client, provider, "sub-anne"), "niet als gecontroleerd gemeld")
    assert db.session.scalar(select(func.count()).select_from(OidcIdentity)) == 0
    assert [e["detail"]["reason"] for e in security_log("login.oidc_refused")] == [
        "unverified_email", "unverified_email"]


def test_another_verified_claim_can_be_named_for_entra(client, provider, configure, anne):
    configure(provider.url, email_verified_claim="xms_edov")
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    refused_with(client, log_in(client, provider, "sub-anne"), "niet als gecontroleerd gemeld")
    provider.set_user("sub-anne", email=anne.email, xms_edov=True)
    assert log_in(client, provider, "sub-anne").headers["Location"] == "/start"


def test_deactivated_account_is_refused(client, provider, configure, anne, security_log):
    configure(provider.url)
    anne.active = False
    db.session.commit()
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    refused_with(client, log_in(client, provider, "sub-anne"), "niet actief")
    assert security_log("login.oidc_refused")[-1]["object"] == f"user:{anne.id}"


def test_wrong_state_is_refused(client, provider, configure, anne, security_log):
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    started = start_login(client)
    back = provider.authorize(started.headers["Location"], "sub-anne")
    forged = back.replace("state=", "state=x")
    refused_with(client, client.get(callback_path(forged)), "verlopen of niet meer geldig")
    assert security_log("login.oidc_refused")[-1]["detail"]["reason"] == "state"
    assert provider.tokens_issued == 0  # the code was never exchanged


def test_a_callback_without_a_started_login_is_refused(client, provider, configure):
    configure(provider.url)
    refused_with(client, client.get(START + "/terug?code=abc&state=def"),
                 "verlopen of niet meer geldig")


def test_cancelled_at_the_provider(client, provider, configure):
    configure(provider.url)
    started = start_login(client)
    state = parse_qs(urlsplit(started.headers["Location"]).query)["state"][0]
    refused_with(client, client.get(f"{START}/terug?error=access_denied&state={state}"),
                 "afgebroken")


def test_wrong_nonce_is_refused(client, provider, configure, anne, security_log):
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    provider.tamper = {"nonce": "een-andere-nonce"}
    refused_with(client, log_in(client, provider, "sub-anne"), "kon niet worden gecontroleerd")
    assert provider.tokens_issued == 1
    assert security_log("login.oidc_refused")[-1]["detail"]["reason"] == "invalid_token"


def test_expired_id_token_is_refused(client, provider, configure, anne, security_log):
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    provider.tamper = {"exp": past(3600), "iat": past(7200)}
    refused_with(client, log_in(client, provider, "sub-anne"), "kon niet worden gecontroleerd")
    event = security_log("login.oidc_refused")[-1]
    assert event["detail"]["error"] == "expired_token"


def test_id_token_for_another_audience_or_issuer_is_refused(client, provider, configure, anne):
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    provider.tamper = {"aud": "een-andere-toepassing"}
    refused_with(client, log_in(client, provider, "sub-anne"), "kon niet worden gecontroleerd")
    provider.tamper = {"iss": "https://login.example.com"}
    refused_with(client, log_in(client, provider, "sub-anne"), "kon niet worden gecontroleerd")
    assert db.session.scalar(select(func.count()).select_from(OidcIdentity)) == 0


def test_provider_down_at_discovery(client, configure, security_log):
    configure(unused_port_url())
    answer = start_login(client)
    assert answer.status_code == 303 and answer.headers["Location"] == "/inloggen"
    assert "de inlogdienst is niet bereikbaar" in client.get("/inloggen").get_data(as_text=True)
    assert security_log("login.oidc_refused")[-1]["detail"]["reason"] == "unreachable"


def test_provider_down_at_the_token_endpoint(client, provider, configure, anne, security_log):
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    started = start_login(client)
    back = provider.authorize(started.headers["Location"], "sub-anne")
    provider.stop()
    refused_with(client, client.get(callback_path(back)), "de inlogdienst is niet bereikbaar")
    assert security_log("login.oidc_refused")[-1]["detail"]["reason"] == "unreachable"


# --- Throttling ----------------------------------------------------------------------------


def test_refused_work_account_logins_are_throttled_as_failed_passwords(
        app, client, provider, configure, anne, security_log):
    configure(provider.url)
    provider.set_user("sub-x", email="onbekend@example.org", email_verified=True)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    moment = utcnow()
    with time_machine.travel(moment, tick=False):
        # Anne's browser has a correct login under way when another browser at the same
        # address is refused five times (no account for its address).
        held = provider.authorize(start_login(client).headers["Location"], "sub-anne")
        same_address = app.test_client()
        for _ in range(5):
            refused_with(same_address, log_in(same_address, provider, "sub-x"),
                         "Er is geen account voor het e-mailadres")
        asked, exchanged = provider.last_authorize_query, provider.tokens_issued
        # The sixth try at this address: the password login's 429, the provider not asked.
        throttled = start_login(same_address)
        assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "60")
        assert "Te veel mislukte pogingen. Probeer het over 1 minuut opnieuw." in \
            throttled.get_data(as_text=True)
        assert provider.last_authorize_query == asked
        # A callback from this address is not checked either, not even a correct one.
        assert client.get(callback_path(held)).status_code == 429
        assert provider.tokens_issued == exchanged
        assert client.get("/start").status_code == 302
        event = security_log("login.oidc_throttled")[-1]
        assert event["result"] == "throttled" and event["detail"]["retry_after"] == 60
        # Another address is not slowed down.
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.20"
        assert start_login(elsewhere).status_code == 302
    with time_machine.travel(moment + timedelta(seconds=60), tick=False):
        assert log_in(client, provider, "sub-anne").headers["Location"] == "/start"
    # The checked login forgot this address's refusals.
    assert db.session.scalar(select(func.count()).select_from(ThrottleFailure)) == 0


def test_an_unreachable_provider_costs_no_attempts(client, configure):
    configure(unused_port_url())
    for _ in range(8):
        refused_with(client, start_login(client), "de inlogdienst is niet bereikbaar")
    assert db.session.scalar(select(func.count()).select_from(ThrottleFailure)) == 0


# --- The second factor ----------------------------------------------------------------------


def test_provider_mfa_accepted_in_place_of_totp_when_configured(
        client, provider, configure, anne, security_log):
    with_totp(anne)
    configure(provider.url, accept_mfa=["mfa"])
    provider.set_user("sub-anne", email=anne.email, email_verified=True, amr=["pwd", "mfa"])
    assert log_in(client, provider, "sub-anne").headers["Location"] == "/start"
    assert security_log("login.oidc_ok")[-1]["detail"]["second_factor"] == "provider"


def test_provider_mfa_not_accepted_when_not_configured_asks_the_local_code(
        client, provider, configure, anne):
    secret = with_totp(anne)
    configure(provider.url)  # accept_mfa empty
    provider.set_user("sub-anne", email=anne.email, email_verified=True, amr=["pwd", "mfa"])
    answer = log_in(client, provider, "sub-anne", "/acties")
    assert answer.headers["Location"] == "/inloggen/code"
    assert client.get("/start").status_code == 302
    # The local step works for the work-account login too (this account has a password,
    # and the next test's has none).
    done = client.post("/inloggen/code", data={
        "csrf_token": csrf_token_for(client, "/inloggen/code"),
        "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 303 and done.headers["Location"] == "/acties"


def test_local_code_step_after_a_work_account_login_without_password(
        client, provider, configure):
    user = create_user(email="zonder@example.org", role=Role.COORDINATOR, password=None)
    secret = with_totp(user)
    configure(provider.url, accept_mfa=["mfa"])
    provider.set_user("sub-z", email="zonder@example.org", email_verified=True, amr=["pwd"])
    assert log_in(client, provider, "sub-z").headers["Location"] == "/inloggen/code"
    done = client.post("/inloggen/code", data={
        "csrf_token": csrf_token_for(client, "/inloggen/code"),
        "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 303 and done.headers["Location"] == "/start"


def test_mfa_required_provider_claim_counts_instead_of_enrolment(
        client, provider, configure, anne, app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_MFA_REQUIRED", True)
    configure(provider.url, accept_mfa=["mfa", "http://schemas.example/acr/mfa"])
    provider.set_user("sub-anne", email=anne.email, email_verified=True,
                      acr="http://schemas.example/acr/mfa")
    assert log_in(client, provider, "sub-anne").headers["Location"] == "/start"
    assert client.get("/start").status_code == 200  # not sent to the enrolment page
    client.post("/uitloggen", data={"csrf_token": csrf_token_for(client)})
    # Without the claim: the local second factor, as after a password.
    provider.set_user("sub-anne", email=anne.email, email_verified=True, amr=["pwd"])
    assert log_in(client, provider, "sub-anne").headers["Location"] == "/start"
    enrol = client.get("/start")
    assert enrol.status_code == 303 and enrol.headers["Location"] == "/account/tweestapsverificatie"


# --- Logout and logs ------------------------------------------------------------------------


def test_logout_ends_the_local_session(client, provider, configure, anne):
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    log_in(client, provider, "sub-anne")
    assert client.get("/start").status_code == 200
    assert client.post("/uitloggen").status_code == 400  # the CSRF token is required
    assert client.get("/start").status_code == 200
    assert client.post("/uitloggen", data={"csrf_token": csrf_token_for(client)}).status_code == 303
    assert client.get("/start").status_code == 302


LOGIN_PAGE = "http://localhost/inloggen"


def end_session_at_provider(provider: OidcProvider, location: str) -> str:
    """Follow the tracker's logout redirect at the provider as a browser would (its page,
    then its button); return where the provider sends the browser back to."""
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == provider.url + "/oauth2/end_session"
    page = requests.get(location, timeout=5)
    assert page.status_code == 200
    back_to = re.search(r'name="redirect_uri" value="([^"]*)"', page.text).group(1)
    answer = requests.post(provider.url + "/oauth2/end_session/confirm",
                           data={"redirect_uri": html.unescape(back_to)},
                           allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    return answer.headers["Location"]


def test_logout_also_ends_the_session_at_the_provider(client, provider, configure, anne):
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    log_in(client, provider, "sub-anne")
    # The logout button's POST is answered with a redirect to the provider: the pages of
    # this session let forms go there (browsers check a form's redirects).
    policy = client.get("/start").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.url};" in policy + ";"
    answer = client.post("/uitloggen", data={"csrf_token": csrf_token_for(client)})
    assert answer.status_code == 303
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query == {"client_id": ["tracker"], "post_logout_redirect_uri": [LOGIN_PAGE]}
    assert client.get("/start").status_code == 302  # the local session ended first
    back = end_session_at_provider(provider, answer.headers["Location"])
    assert back == LOGIN_PAGE
    assert "U bent uitgelogd." in client.get(urlsplit(back).path).get_data(as_text=True)
    # A password session of the same browser logs out here only.
    login_via_form(client, anne.email, PASSWORD)
    assert client.get("/start").headers["Content-Security-Policy"].endswith("form-action 'self'")
    answer = client.post("/uitloggen", data={"csrf_token": csrf_token_for(client)})
    assert answer.headers["Location"] == "/inloggen"


def test_logout_after_the_local_code_step_goes_to_the_provider_too(
        client, provider, configure, anne):
    secret = with_totp(anne)
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    assert log_in(client, provider, "sub-anne").headers["Location"] == "/inloggen/code"
    client.post("/inloggen/code", data={"csrf_token": csrf_token_for(client, "/inloggen/code"),
                                        "code": pyotp.TOTP(secret).now()})
    answer = client.post("/uitloggen", data={"csrf_token": csrf_token_for(client)})
    assert answer.headers["Location"].startswith(provider.url + "/oauth2/end_session?")


def test_without_an_end_session_endpoint_logout_stays_local(client, provider, configure, anne):
    def without_end_session(response):
        if flask.request.path == "/.well-known/openid-configuration":
            document = json.loads(response.get_data(as_text=True))
            del document["end_session_endpoint"]
            response.set_data(json.dumps(document))
        return response

    provider.app.after_request(without_end_session)  # before its first request
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    log_in(client, provider, "sub-anne")
    answer = client.post("/uitloggen", data={"csrf_token": csrf_token_for(client)})
    assert (answer.status_code, answer.headers["Location"]) == (303, "/inloggen")
    assert client.get("/start").status_code == 302


def test_no_code_state_or_token_in_any_log(client, provider, configure, anne, caplog):
    caplog.set_level(logging.DEBUG)
    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    started = start_login(client)
    query = parse_qs(urlsplit(started.headers["Location"]).query)
    with client.session_transaction() as session:
        verifier = session[f"_state_werk_{query['state'][0]}"]["data"]["code_verifier"]
    back = provider.authorize(started.headers["Location"], "sub-anne")
    code = parse_qs(urlsplit(back).query)["code"][0]
    client.get(callback_path(back))
    # Left out: the provider's own log, and the requests this test makes as the browser
    # would (to the authorization endpoint); everything the tracker logs stays in.
    text = "\n".join(f"{r.getMessage()} {getattr(r, 'security', '')}" for r in caplog.records
                     if not r.name.startswith(("oidc_provider_mock", "werkzeug"))
                     and "/oauth2/authorize?" not in r.getMessage())
    assert "/oauth2/token" in text  # the tracker's own HTTP requests are in what is searched
    for secret in (code, query["state"][0], query["nonce"][0], query["code_challenge"][0],
                   verifier, "geheim-123"):
        assert secret not in text, [line for line in text.splitlines() if secret in line]


# --- Configuration --------------------------------------------------------------------------


def test_providers_are_read_from_the_environment():
    env = {
        "TRACKER_OIDC_PROVIDERS": "entra, Google ",
        "TRACKER_OIDC_ENTRA_ISSUER": "https://login.microsoftonline.com/t/v2.0",
        "TRACKER_OIDC_ENTRA_CLIENT_ID": "id-1",
        "TRACKER_OIDC_ENTRA_CLIENT_SECRET": "s",
        "TRACKER_OIDC_ENTRA_LABEL": "Microsoft",
        "TRACKER_OIDC_ENTRA_ACCEPT_MFA": "mfa, rsa",
        "TRACKER_OIDC_ENTRA_EMAIL_VERIFIED_CLAIM": "xms_edov",
        "TRACKER_OIDC_GOOGLE_ISSUER": "https://accounts.google.com",
        "TRACKER_OIDC_GOOGLE_CLIENT_ID": "id-2",
        "TRACKER_OIDC_GOOGLE_CREATE_ACCOUNTS": "1",
    }
    result = oidc_providers_from_env(env)
    assert list(result) == ["entra", "google"]
    assert result["entra"]["accept_mfa"] == ["mfa", "rsa"]
    assert result["entra"]["create_accounts"] is False
    assert result["entra"]["email_verified_claim"] == "xms_edov"
    assert result["google"] == {
        "issuer": "https://accounts.google.com", "client_id": "id-2", "client_secret": None,
        "label": "google", "accept_mfa": [], "create_accounts": True,
        "email_verified_claim": "email_verified"}
    assert oidc_providers_from_env({}) == {}
    with pytest.raises(RuntimeError, match="CLIENT_ID ontbreekt"):
        oidc_providers_from_env({"TRACKER_OIDC_PROVIDERS": "x", "TRACKER_OIDC_X_ISSUER": "h"})
    with pytest.raises(RuntimeError, match="ongeldige naam"):
        oidc_providers_from_env({"TRACKER_OIDC_PROVIDERS": "a/b"})


def test_the_link_is_in_the_personal_data_export_and_erasing_removes_it(
        client, provider, configure, anne):
    from tracker.avg.erasure import erase_person
    from tracker.avg.export import collect

    configure(provider.url)
    provider.set_user("sub-anne", email=anne.email, email_verified=True)
    assert log_in(client, provider, "sub-anne").headers["Location"] == "/start"
    client.post("/uitloggen", data={"csrf_token": csrf_token_for(client)})
    exported = collect(db.session.get(User, anne.id))
    assert "sub-anne" in str(exported.__dict__) and "werkaccounts" in str(exported.__dict__)
    erase_person(db.session.get(User, anne.id), actor=None, now=utcnow())
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OidcIdentity)) == 0
    # The provider still knows her, and her address no longer matches the erased account.
    refused_with(client, log_in(client, provider, "sub-anne"), "Er is geen account")
