"""Login with the work account: OpenID Connect through Authlib.

Per provider (``TRACKER_OIDC_PROVIDERS``, see ``config.oidc_providers_from_env`` and
docs/oidc.md) the login page shows a button "Inloggen met <label>". Its POST
(:func:`begin`) reads the provider's discovery document and redirects to its
authorization endpoint with ``state``, ``nonce`` and a PKCE ``code_challenge`` (S256);
Authlib keeps state, nonce and code verifier in the signed session. The provider sends
the browser back to the callback (:func:`finish`), which exchanges the code and has
Authlib check the id_token: signature against the provider's JWKS, ``iss``, ``aud``,
``exp`` (two minutes' leeway for clocks), ``iat`` and the nonce.

The account (:func:`match_account`): by the stored (issuer, subject) after the first
login; otherwise by the provider's e-mail address, case-insensitive, only when the
provider says it is verified; created (role lezer) only when the provider is configured
to create accounts. Deactivated accounts are refused.

Every refusal raises :class:`OidcRefusal` with a Dutch message for the login page and a
short reason for the security log. Refusals are throttled as failed password logins are
(:mod:`tracker.auth.throttle`, kind ``login``: the same policy, and the same count of
failures per client address across both ways of logging in), per (provider, client
address): :func:`login_allowed`, :func:`count_refusal`, :func:`clear_refusals`.

Nothing secret is logged: no code, token, state or nonce; the subject is an identifier,
not a secret, and is logged on refusal so that an officer can find the person at the
provider.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app, session, url_for
from joserfc.errors import JoseError
from sqlalchemy import func, select, update

from tracker.audit.services import record
from tracker.auth import throttle
from tracker.auth.models import OidcIdentity, User
from tracker.enums import Role
from tracker.extensions import db
from tracker.security_log import security_event, typed_address_ref

#: Session key: where to go after the login, and which provider was asked.
FLOW_KEY = "oidc_flow"
#: Session key: the provider this session logged in with (for the logout there).
LOGIN_PROVIDER_KEY = "oidc_login"
#: Seconds a request to the provider may take before it counts as unreachable.
HTTP_TIMEOUT = 10
#: Accounts created at a first login get this role (read only); a beheerder raises it.
CREATED_ROLE = Role.LEZER

UNREACHABLE = ("Inloggen met {label} lukt nu niet: de inlogdienst is niet bereikbaar. "
               "Probeer het later opnieuw of log in met uw wachtwoord.")
EXPIRED_FLOW = ("Uw inlogpoging met {label} is verlopen of niet meer geldig. "
                "Probeer het opnieuw.")
UNCHECKABLE_ANSWER = ("Het antwoord van {label} kon niet worden gecontroleerd. "
                 "Probeer het opnieuw; lukt het niet, neem dan contact op met het secretariaat.")
CANCELLED = "Inloggen met {label} is afgebroken. Probeer het opnieuw."
UNKNOWN_ACCOUNT = ("Er is geen account voor het e-mailadres van uw werkaccount. "
                   "Vraag het secretariaat om een account.")
UNVERIFIED_EMAIL = ("{label} heeft uw e-mailadres niet als gecontroleerd gemeld; daarom kunnen "
                    "wij uw account er niet mee vinden. Neem contact op met het secretariaat.")
OTHER_SUBJECT = ("Dit account is al gekoppeld aan een ander werkaccount bij {label}. "
                 "Neem contact op met het secretariaat.")
INACTIVE = "Dit account is niet actief. Neem contact op met het secretariaat."


@dataclass(frozen=True)
class Provider:
    """One configured OpenID Connect provider (see ``config.oidc_providers_from_env``)."""

    name: str
    issuer: str
    client_id: str
    client_secret: str | None
    label: str
    accept_mfa: tuple[str, ...]
    create_accounts: bool
    email_verified_claim: str = "email_verified"

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


class OidcRefusal(Exception):
    """A work-account login that is refused: ``message`` (Dutch, for the login page),
    ``reason`` (short, for the security log), ``obj`` (what it concerned, if known)."""

    def __init__(self, reason: str, message: str, obj: Any = None,
                 detail: dict | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.obj = obj
        self.detail = detail or {}


@dataclass(frozen=True)
class OidcLogin:
    """A checked work-account login: the account, where to go next, and whether the
    provider's ``amr``/``acr`` claim counts as the second factor."""

    user: User
    next_url: str
    provider_mfa: bool


# --- Configuration --------------------------------------------------------------------------


def providers() -> list[Provider]:
    """The configured providers, in configuration order (empty: passwords only)."""
    configured = current_app.config.get("TRACKER_OIDC_PROVIDERS") or {}
    return [
        Provider(
            name=name,
            issuer=settings["issuer"],
            client_id=settings["client_id"],
            client_secret=settings.get("client_secret"),
            label=settings.get("label") or name,
            accept_mfa=tuple(settings.get("accept_mfa") or ()),
            create_accounts=bool(settings.get("create_accounts")),
            email_verified_claim=settings.get("email_verified_claim") or "email_verified",
        )
        for name, settings in configured.items()
    ]


def provider_named(name: str) -> Provider | None:
    return next((p for p in providers() if p.name == name), None)


def form_action_origins() -> list[str]:
    """The origins the login page's buttons may lead to (CSP ``form-action``): the POST
    answers with a redirect to the provider, and browsers check a form's redirects too.

    Each provider's issuer origin and, once its discovery document was read, the origins
    of its authorization and end-session endpoints (the same host for Entra ID, Google,
    Keycloak, ...). The logout button's answer leads to the latter
    (:func:`end_session_url`): pages of a work-account session allow these origins too
    (:func:`session_form_action_origins`).
    """
    origins: list[str] = []
    for provider in providers():
        urls = [provider.issuer]
        client = current_app.extensions.get("tracker_oidc_clients", {}).get(provider)
        if client is not None:
            urls += [str(client.server_metadata[key])
                     for key in ("authorization_endpoint", "end_session_endpoint")
                     if client.server_metadata.get(key)]
        for url in urls:
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}"
            if parts.scheme in ("http", "https") and parts.netloc and origin not in origins:
                origins.append(origin)
    return origins


def _client(provider: Provider) -> FlaskOAuth2App:
    """Authlib's client for ``provider``, one per app and configuration (it caches the
    discovery document and the keys)."""
    clients = current_app.extensions.setdefault("tracker_oidc_clients", {})
    client = clients.get(provider)
    if client is None:
        # Authlib writes the PKCE code verifier to its DEBUG log: never let that through.
        authlib_log = logging.getLogger("authlib")
        if authlib_log.getEffectiveLevel() < logging.INFO:
            authlib_log.setLevel(logging.INFO)
        client_kwargs = {
            "scope": "openid email profile",
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT,
        }
        if provider.client_secret is None:
            client_kwargs["token_endpoint_auth_method"] = "none"  # noqa: S105 (a method name)
        client = FlaskOAuth2App(
            FlaskIntegration(provider.name),
            name=provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.metadata_url,
            client_kwargs=client_kwargs,
        )
        clients[provider] = client
    return client


# --- The two steps --------------------------------------------------------------------------


def begin(provider: Provider, next_url: str):
    """The redirect to ``provider``'s authorization endpoint (state, nonce, PKCE S256).

    Raises :class:`OidcRefusal` (``unreachable``) when the discovery document cannot
    be read.
    """
    client = _client(provider)
    redirect_uri = url_for("oidc.callback", name=provider.name, _external=True)
    try:
        response = client.authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
        # The discovery document: unreachable, an error status, or not JSON.
        _forget_metadata(client)
        raise OidcRefusal("unreachable", UNREACHABLE.format(label=provider.label),
                          obj=f"oidc:{provider.name}",
                          detail={"error": type(error).__name__}) from error
    session[FLOW_KEY] = {"provider": provider.name, "next": next_url or ""}
    return response


def finish(provider: Provider, *, now: datetime) -> OidcLogin:
    """Check the provider's answer on the callback and find the account. Flushes.

    Raises :class:`OidcRefusal` for a cancelled login, a wrong or missing state, an
    unreachable token endpoint, an id_token that fails Authlib's checks (signature,
    ``iss``, ``aud``, ``exp``, nonce), and every refusal of :func:`match_account`.
    """
    client = _client(provider)
    flow = session.pop(FLOW_KEY, None)
    label = provider.label
    target = f"oidc:{provider.name}"
    if not isinstance(flow, dict) or flow.get("provider") != provider.name:
        _drop_authlib_state(provider)
        raise OidcRefusal("no_flow", EXPIRED_FLOW.format(label=label), obj=target)
    try:
        token = client.authorize_access_token()
    except requests.RequestException as error:
        _forget_metadata(client)
        raise OidcRefusal("unreachable", UNREACHABLE.format(label=label), obj=target,
                          detail={"error": type(error).__name__}) from error
    except (AuthlibBaseError, JoseError) as error:
        # The errors name the check that failed (expired_token, invalid_claim,
        # bad_signature, ...), never a token's content.
        kind = getattr(error, "error", None) or type(error).__name__
        if kind == "mismatching_state":
            raise OidcRefusal("state", EXPIRED_FLOW.format(label=label), obj=target) from error
        if kind == "access_denied":
            raise OidcRefusal("cancelled", CANCELLED.format(label=label), obj=target) from error
        raise OidcRefusal("invalid_token", UNCHECKABLE_ANSWER.format(label=label), obj=target,
                          detail={"error": str(kind)[:80]}) from error
    finally:
        _drop_authlib_state(provider)
    claims = token.get("userinfo")
    if not claims:  # no id_token in the answer: nothing to check the login with
        raise OidcRefusal("invalid_token", UNCHECKABLE_ANSWER.format(label=label), obj=target,
                          detail={"error": "no id_token"})
    user = match_account(provider, dict(claims), now=now)
    return OidcLogin(user=user, next_url=str(flow.get("next") or ""),
                     provider_mfa=mfa_claim_accepted(provider, dict(claims)))


def _drop_authlib_state(provider: Provider) -> None:
    """Remove every pending state of ``provider`` from the session: a state works once."""
    prefix = f"_state_{provider.name}_"
    for key in [k for k in session if k.startswith(prefix)]:
        session.pop(key, None)


def _forget_metadata(client: FlaskOAuth2App) -> None:
    """Read the discovery document again next time (the provider may have moved keys)."""
    client.server_metadata.pop("_loaded_at", None)
    client.server_metadata.pop("jwks", None)


def mfa_claim_accepted(provider: Provider, claims: dict) -> bool:
    """Whether the id_token's ``amr`` (a list) or ``acr`` (a string) holds a value
    ``provider`` is configured to accept in place of the local second factor."""
    if not provider.accept_mfa:
        return False
    amr = claims.get("amr")
    values = {str(v) for v in amr} if isinstance(amr, list) else set()
    if isinstance(claims.get("acr"), str):
        values.add(claims["acr"])
    return bool(values & set(provider.accept_mfa))


# --- Finding the account --------------------------------------------------------------------


def match_account(provider: Provider, claims: dict, *, now: datetime) -> User:
    """The account for the checked id_token ``claims``. Flushes.

    1. The stored (``iss``, ``sub``) pair: the account linked at an earlier login,
       whatever the address at the provider is now.
    2. Otherwise the ``email`` claim, case-insensitive, only when the claim named by
       ``provider.email_verified_claim`` is ``true``; the pair is then stored.
    3. No account: created (role lezer) when ``provider.create_accounts``, else refused.

    Raises :class:`OidcRefusal`: ``unverified_email``, ``unknown_account``,
    ``other_subject`` (the account is linked to another subject of this issuer),
    ``inactive``.
    """
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    identity = db.session.scalar(select(OidcIdentity).where(
        OidcIdentity.issuer == issuer, OidcIdentity.subject == subject))
    if identity is not None:
        user = identity.user
        _refuse_inactive(user)
        _note_login(user, identity, now)
        return user

    address = str(claims.get("email") or "").strip().lower()
    if not address:
        raise OidcRefusal("unknown_account", UNKNOWN_ACCOUNT, obj=f"oidc-sub:{subject[:64]}",
                          detail={"reason": "geen e-mailadres"})
    if claims.get(provider.email_verified_claim) is not True:
        raise OidcRefusal("unverified_email", UNVERIFIED_EMAIL.format(label=provider.label),
                          obj=_address_ref(address), detail={"sub": subject[:64]})
    user = db.session.scalar(select(User).where(func.lower(User.email) == address))
    if user is None:
        if not provider.create_accounts:
            raise OidcRefusal("unknown_account", UNKNOWN_ACCOUNT, obj=typed_address_ref(address),
                              detail={"sub": subject[:64]})
        user = _create_account(provider, claims, address)
    _refuse_inactive(user)
    linked = db.session.scalar(select(OidcIdentity).where(
        OidcIdentity.user_id == user.id, OidcIdentity.issuer == issuer))
    if linked is not None:
        raise OidcRefusal("other_subject", OTHER_SUBJECT.format(label=provider.label), obj=user,
                          detail={"sub": subject[:64]})
    identity = OidcIdentity(user_id=user.id, issuer=issuer, subject=subject)
    db.session.add(identity)
    db.session.flush()
    record("user.oidc_link", actor=user, obj=user,
           summary=f"Werkaccount van {provider.label} gekoppeld",
           after={"issuer": issuer})
    security_event("oidc.linked", user=user, obj=user, result="ok",
                   detail={"provider": provider.name})
    _note_login(user, identity, now)
    return user


def _address_ref(address: str):
    """A known account, or a keyed hash for an address that matches none."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == address))
    return user if user is not None else typed_address_ref(address)


def _refuse_inactive(user: User) -> None:
    if not user.active:
        raise OidcRefusal("inactive", INACTIVE, obj=user)


def _create_account(provider: Provider, claims: dict, address: str) -> User:
    from tracker.auth.services import create_user

    name = str(claims.get("name") or "").strip()[:120] or address.split("@")[0]
    user = create_user(name=name, email=address, role=CREATED_ROLE)
    security_event("oidc.account_created", user=user, obj=user, result="ok",
                   detail={"provider": provider.name})
    return user


def _note_login(user: User, identity: OidcIdentity, now: datetime) -> None:
    # As for passwords (tracker.auth.services.authenticate): bookkeeping outside the
    # account's optimistic lock, so that it bumps no version.
    db.session.execute(update(User).where(User.id == user.id).values(last_login_at=now))
    identity.last_login_at = now
    record("user.login", actor=user, obj=user, summary="Ingelogd met werkaccount")
    db.session.flush()


# --- Logging out at the provider (RP-initiated logout) --------------------------------------


def remember_login(provider_name: str) -> None:
    """Note in the (fresh) session that it was started with ``provider_name``'s login."""
    session[LOGIN_PROVIDER_KEY] = provider_name


def session_form_action_origins() -> list[str]:
    """:func:`form_action_origins` for a session started with a work account (its logout
    button's POST is answered with a redirect to the provider), else ``[]``."""
    return form_action_origins() if session.get(LOGIN_PROVIDER_KEY) else []


def end_session_url(post_logout_redirect_uri: str) -> str | None:
    """Where the browser goes after the local logout of a work-account session: the
    provider's ``end_session_endpoint`` (OpenID Connect RP-Initiated Logout 1.0) with
    ``client_id`` and ``post_logout_redirect_uri``; None (log out locally only) when the
    session was not started with a work account, the provider is no longer configured,
    its discovery document names no such endpoint, or it cannot be read.

    Pops the session's note of the provider. No ``id_token_hint``: that would keep the
    id_token (personal claims, a few kilobytes) in the session cookie; ``client_id``
    is what the specification asks for instead.
    """
    provider = provider_named(str(session.pop(LOGIN_PROVIDER_KEY, "") or ""))
    if provider is None:
        return None
    client = _client(provider)
    try:
        endpoint = client.load_server_metadata().get("end_session_endpoint")
    except (requests.RequestException, ValueError, KeyError, RuntimeError):
        _forget_metadata(client)
        return None
    if not isinstance(endpoint, str) or urlsplit(endpoint).scheme not in ("http", "https"):
        return None
    parts = urlsplit(endpoint)
    query = [*parse_qsl(parts.query, keep_blank_values=True),
             ("client_id", provider.client_id),
             ("post_logout_redirect_uri", post_logout_redirect_uri)]
    return urlunsplit(parts._replace(query=urlencode(query)))


# --- Throttling refused logins --------------------------------------------------------------

#: The throttle kind: a refused work-account login is a failed login.
THROTTLE_KIND = "login"
#: Refusals that are not the person's doing (the provider is down): they cost nothing.
UNCOUNTED_REFUSALS = frozenset({"unreachable"})


def _throttle_account(provider: Provider) -> str:
    """The throttle's account key: the provider (no address is typed; before the
    provider's answer is checked nobody is known). Never an e-mail address: no ``@``."""
    return f"oidc:{provider.name}"


def login_allowed(provider: Provider, client: str | None,
                  now: datetime) -> throttle.Decision:
    """May ``client`` start or finish a login at ``provider`` now? The password login's
    rules (:func:`tracker.auth.throttle.check`): ``(allowed, retry_after)`` in seconds."""
    return throttle.check(THROTTLE_KIND, _throttle_account(provider), client, now)


def count_refusal(provider: Provider, refusal: OidcRefusal, client: str | None,
                  now: datetime) -> None:
    """Count ``refusal`` as a failed login of ``client`` (not :data:`UNCOUNTED_REFUSALS`).
    Flushes; the caller commits."""
    if refusal.reason not in UNCOUNTED_REFUSALS:
        throttle.record_failure(THROTTLE_KIND, _throttle_account(provider), client, now)


def clear_refusals(provider: Provider, client: str | None) -> None:
    """After a checked login: forget this client's refusals at ``provider``. Flushes."""
    throttle.clear(THROTTLE_KIND, _throttle_account(provider), client)


def forget_flow(provider: Provider) -> None:
    """Drop a login under way at ``provider`` from the session (its flow and state)."""
    session.pop(FLOW_KEY, None)
    _drop_authlib_state(provider)


def log_refusal(provider: Provider | None, refusal: OidcRefusal) -> None:
    """One security-log line for a refused work-account login (nothing secret in it)."""
    detail = {"reason": refusal.reason, **refusal.detail}
    if provider is not None:
        detail["provider"] = provider.name
    security_event("login.oidc_refused", obj=refusal.obj, result="failed", detail=detail)
