"""Routes of the work-account login (OpenID Connect): the button's POST and the callback.

The logic is in :mod:`tracker.auth.oidc`; after a checked login these routes start the
session exactly as the password login does (:func:`tracker.auth.sessions.start_session`,
the second step of :mod:`tracker.auth.mfa`, ``next`` through
:func:`tracker.auth.redirects.safe_next_url`).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, session, url_for

from tracker.auth.forms import LoginForm
from tracker.auth.mfa import PROVIDER_MFA_KEY, begin_pending_login
from tracker.auth.oidc import (
    OidcRefusal,
    begin,
    clear_refusals,
    count_refusal,
    finish,
    forget_flow,
    log_refusal,
    login_allowed,
    provider_named,
    remember_login,
)
from tracker.auth.permissions import public
from tracker.auth.redirects import safe_next_url
from tracker.auth.routes import _after_login, throttled_login_page
from tracker.auth.sessions import start_session
from tracker.db import utcnow
from tracker.extensions import db
from tracker.security_log import client_address, security_event

bp = Blueprint("oidc", __name__)


def _refused(provider, refusal: OidcRefusal):
    """Back to the login page with the Dutch message; one security-log line; the refusal
    counts for the throttle as a failed password would."""
    db.session.rollback()
    log_refusal(provider, refusal)
    count_refusal(provider, refusal, client_address(), utcnow())
    db.session.commit()
    flash(refusal.message, "error")
    return redirect(url_for("auth.login"), code=303)


def _throttled(provider, retry_after: int):
    """Too many refused logins from this client: the password login's 429, nothing asked
    of the provider."""
    forget_flow(provider)
    security_event("login.oidc_throttled", obj=f"oidc:{provider.name}", result="throttled",
                   detail={"provider": provider.name, "retry_after": retry_after})
    return throttled_login_page(LoginForm(), retry_after)


@bp.post("/inloggen/werkaccount/<name>")
@public
def start(name: str):
    """Start the login at provider ``name``: a redirect to its authorization endpoint."""
    provider = provider_named(name)
    if provider is None:
        abort(404)
    decision = login_allowed(provider, client_address(), utcnow())
    if not decision.allowed:
        return _throttled(provider, decision.retry_after)
    next_url = safe_next_url(request.form.get("next"), "")
    try:
        return begin(provider, next_url)
    except OidcRefusal as refusal:
        return _refused(provider, refusal)


@bp.get("/inloggen/werkaccount/<name>/terug")
@public
def callback(name: str):
    """The provider's answer (a GET by the protocol; the state ties it to the POST that
    started it). Checks it, finds the account and starts the session or the second step."""
    provider = provider_named(name)
    if provider is None:
        abort(404)
    now = utcnow()
    decision = login_allowed(provider, client_address(), now)
    if not decision.allowed:
        return _throttled(provider, decision.retry_after)
    try:
        login = finish(provider, now=now)
    except OidcRefusal as refusal:
        return _refused(provider, refusal)
    clear_refusals(provider, client_address())
    user = login.user
    home = url_for("home.start")
    if user.has_mfa and not login.provider_mfa:
        db.session.commit()
        security_event("login.second_step_asked", user=user, obj=user, result="pending",
                       detail={"provider": provider.name})
        begin_pending_login(user, login.next_url, now, via="oidc", provider=provider.name)
        return redirect(url_for("auth.login_code"), code=303)
    db.session.commit()
    start_session(user, now)
    remember_login(provider.name)
    if login.provider_mfa:
        session[PROVIDER_MFA_KEY] = True
    security_event("login.oidc_ok", user=user, obj=user, result="ok",
                   detail={"provider": provider.name,
                           "second_factor": "provider" if login.provider_mfa else "none"})
    return _after_login(user, safe_next_url(login.next_url, home))
