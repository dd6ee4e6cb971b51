"""Login with the work account in a real browser, against a real OpenID Connect provider
(oidc-provider-mock on its own port, tests/oidc_provider.py): the button on the login page,
the provider's own page, the way back; every refusal ends on the login page with a Dutch
message that passes axe at 320 px."""

from __future__ import annotations

import re

import pyotp
import pytest

from tests.factories import create_user
from tests.oidc_provider import OidcProvider, past, unused_port_url
from tracker.crypto import encrypt
from tracker.db import utcnow
from tracker.enums import Role
from tracker.extensions import db

BUTTON = "Inloggen met Werkaccount Oost"
EMAIL = "anne@example.org"


@pytest.fixture
def provider():
    instance = OidcProvider()
    yield instance
    instance.stop()


@pytest.fixture
def configure(app, monkeypatch):
    def _configure(issuer: str, **settings):
        monkeypatch.setitem(app.config, "TRACKER_OIDC_PROVIDERS", {
            "werk": {"issuer": issuer, "client_id": "tracker", "client_secret": "geheim-123",
                     "label": "Werkaccount Oost", "accept_mfa": [], "create_accounts": False,
                     **settings},
        })

    return _configure


@pytest.fixture
def anne():
    user = create_user(email=EMAIL, name="Anne de Vries", role=Role.COORDINATOR)
    db.session.commit()
    return user


def press_button(page, live_server) -> None:
    page.goto(f"{live_server}/inloggen")
    page.get_by_role("button", name=BUTTON).click()


def authorize_at_provider(page, provider, sub: str) -> None:
    """On the provider's own page: type the subject and authorize."""
    page.wait_for_url(re.compile(re.escape(provider.url) + r"/oauth2/authorize\?.*"))
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()


def log_in(page, live_server, provider, sub: str) -> None:
    press_button(page, live_server)
    authorize_at_provider(page, provider, sub)


def hold_the_way_back(page, provider) -> list[str]:
    """Let the provider answer the browser's "Authorize" but keep its redirect back to the
    tracker (a list that receives the callback URL) instead of following it."""
    held: list[str] = []

    def _handle(route):
        if route.request.method != "POST":
            route.continue_()
            return
        answer = route.fetch(max_redirects=0)
        held.append(answer.headers["location"])
        route.fulfill(status=204)

    page.route(re.compile(re.escape(provider.url) + r"/oauth2/authorize\?.*"), _handle)
    return held


def wait_for(held: list, page) -> str:
    for _ in range(100):
        if held:
            return held[0]
        page.wait_for_timeout(100)
    raise AssertionError("the provider did not answer")


def on_login_page_with(page, live_server, text: str, axe_check) -> None:
    page.wait_for_url(f"{live_server}/inloggen")
    assert text in page.locator("#meldingen").inner_text()
    axe_check(page)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    page.goto(f"{live_server}/start")
    page.wait_for_url(re.compile(r".*/inloggen\?next=.*"))  # not logged in


def test_success_lands_on_start_and_the_subject_is_used_next_time(
        live_server, page, provider, configure, anne, axe_check):
    configure(provider.url)
    provider.set_user("sub-anne", email=EMAIL, email_verified=True)
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(f"{live_server}/inloggen")
    axe_check(page)
    log_in(page, live_server, provider, "sub-anne")
    page.wait_for_url(f"{live_server}/start")
    # Logging out ends the session at the provider too: the button's POST is redirected
    # there (the page's CSP form-action allows it), and the provider sends her back.
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(re.compile(re.escape(provider.url) + r"/oauth2/end_session\?.*"))
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{live_server}/inloggen")
    assert "U bent uitgelogd." in page.locator("#meldingen").inner_text()
    page.goto(f"{live_server}/start")
    page.wait_for_url(re.compile(r".*/inloggen\?next=.*"))
    # Her address at the provider changes (and is not even verified any more): the stored
    # subject still finds her account.
    provider.set_user("sub-anne", email="a.devries@nieuw.example.org", email_verified=False)
    log_in(page, live_server, provider, "sub-anne")
    page.wait_for_url(f"{live_server}/start")


@pytest.mark.parametrize(("case", "message"), [
    ("unknown", "Er is geen account voor het e-mailadres"),
    ("unverified", "niet als gecontroleerd gemeld"),
    ("wrong_nonce", "kon niet worden gecontroleerd"),
    ("expired", "kon niet worden gecontroleerd"),
    ("token_endpoint_down", "de inlogdienst is niet bereikbaar"),
])
def test_refusals_after_the_provider(live_server, page, provider, configure, anne, axe_check,
                                     case, message):
    configure(provider.url)
    page.set_viewport_size({"width": 320, "height": 700})
    claims = {"email": EMAIL, "email_verified": True}
    if case == "unknown":
        claims["email"] = "onbekend@example.org"
    if case == "unverified":
        claims["email_verified"] = False
    if case == "wrong_nonce":
        provider.tamper = {"nonce": "een-andere-nonce"}
    if case == "expired":
        provider.tamper = {"exp": past(3600), "iat": past(7200)}
    provider.set_user("sub-anne", **claims)
    press_button(page, live_server)
    if case == "token_endpoint_down":
        held = hold_the_way_back(page, provider)
        authorize_at_provider(page, provider, "sub-anne")
        back = wait_for(held, page)
        provider.stop()
        page.goto(back)
    else:
        authorize_at_provider(page, provider, "sub-anne")
    on_login_page_with(page, live_server, message, axe_check)


def test_wrong_state_is_refused(live_server, page, provider, configure, anne, axe_check):
    configure(provider.url)
    provider.set_user("sub-anne", email=EMAIL, email_verified=True)
    held = hold_the_way_back(page, provider)
    log_in(page, live_server, provider, "sub-anne")
    page.goto(wait_for(held, page).replace("state=", "state=x"))
    on_login_page_with(page, live_server, "verlopen of niet meer geldig", axe_check)
    assert provider.tokens_issued == 0


def test_provider_down(live_server, page, configure, anne, axe_check):
    configure(unused_port_url())
    press_button(page, live_server)
    on_login_page_with(page, live_server, "de inlogdienst is niet bereikbaar", axe_check)


def test_provider_mfa_in_place_of_the_code_only_when_configured(
        live_server, page, provider, configure, anne, axe_check):
    secret = pyotp.random_base32()
    anne.totp_secret_encrypted = encrypt(secret)
    anne.totp_enabled_at = utcnow()
    db.session.commit()
    provider.set_user("sub-anne", email=EMAIL, email_verified=True, amr=["pwd", "mfa"])
    configure(provider.url, accept_mfa=["mfa"])
    log_in(page, live_server, provider, "sub-anne")
    page.wait_for_url(f"{live_server}/start")
    page.get_by_role("button", name="Uitloggen").click()  # here, then at the provider
    page.wait_for_url(re.compile(re.escape(provider.url) + r"/oauth2/end_session\?.*"))
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{live_server}/inloggen")
    configure(provider.url)  # the same claim, not accepted: the local code is asked
    log_in(page, live_server, provider, "sub-anne")
    page.wait_for_url(f"{live_server}/inloggen/code")
    axe_check(page)
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server}/start")
