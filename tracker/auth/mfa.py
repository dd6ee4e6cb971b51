"""The second factor: TOTP (RFC 6238) with single-use recovery codes.

Enrolment: a secret is generated and stored encrypted (``tracker.crypto``), shown
as a QR code and a grouped key, and becomes active only when the first code from
the app is confirmed; ten recovery codes are then shown once and stored as keyed
hashes. Login: after the password, an account with a second factor is *pending*
(in the signed session, for a few minutes) until a code or recovery code is
given; only then does :func:`tracker.auth.sessions.start_session` run. A code
works once: the accepted time step is stored.

Services flush; the route commits.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from flask import (
    Flask,
    current_app,
    has_request_context,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import delete, func, select, update

from tracker.audit.services import record
from tracker.auth import throttle
from tracker.auth.models import RecoveryCode, User
from tracker.auth.permissions import PUBLIC, declared_permission, may_change_data
from tracker.crypto import decrypt, encrypt, keyed_hashes
from tracker.extensions import db
from tracker.htmx import is_htmx
from tracker.security_log import client_address, security_event
from tracker.validation import ValidationError

#: Seconds per TOTP time step (the authenticator apps' default).
STEP_SECONDS = 30
#: Codes of the previous and next step are accepted too (clock drift of a phone).
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
#: No 0/o, 1/l/i: a code copied from paper is read unambiguously. 31 symbols ** 10 ≈ 2**49.5.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10
RECOVERY_PURPOSE = "recovery-code"
PENDING_KEY = "mfa_pending"

WRONG_CODE = "Deze code klopt niet. Gebruik de code die uw app nu toont."


# --- Who needs it ---------------------------------------------------------------------------


#: Session key: this session's second factor was given at the work-account provider
#: (an accepted ``amr``/``acr`` value, tracker/auth/oidc.py), not by a local code.
PROVIDER_MFA_KEY = "mfa_by_provider"


def needs_enrolment(user) -> bool:
    """Whether ``user`` must enrol before using anything else: the policy is on
    (``TRACKER_MFA_REQUIRED``), the role can change data, no second factor is active,
    and the current session's login did not give one at the work-account provider."""
    return bool(
        current_app.config.get("TRACKER_MFA_REQUIRED")
        and may_change_data(user)
        and not user.has_mfa
        and not (has_request_context() and session.get(PROVIDER_MFA_KEY))
    )


def mfa_status_label(user: User) -> str:
    """Dutch status of the user's second factor, for the beheer page."""
    if user.has_mfa:
        return "ingesteld"
    if user.totp_secret_encrypted:
        return "wordt ingesteld (nog niet bevestigd)"
    return "niet ingesteld"


# --- Enrolment ------------------------------------------------------------------------------


def begin_enrolment(user: User) -> None:
    """Give ``user`` a new, not yet active secret (replacing an unconfirmed one).

    Raises ``ValidationError`` when a second factor is already active (reset first).
    """
    if user.has_mfa:
        raise ValidationError("code", "Tweestapsverificatie is al ingesteld.")
    user.totp_secret_encrypted = encrypt(pyotp.random_base32())
    user.totp_last_step = None
    db.session.flush()


def pending_secret(user: User) -> str | None:
    """The base32 secret being enrolled (not yet confirmed), or None."""
    if user.has_mfa or not user.totp_secret_encrypted:
        return None
    return decrypt(user.totp_secret_encrypted)


def grouped_key(secret: str) -> str:
    """The key for typing by hand: groups of four, e.g. ``ABCD EFGH …``."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` URI as an SVG QR code in a ``data:`` URI for an ``<img>``.

    Made here (segno), never by a third party; the SVG has no style or script, and
    the CSP allows ``img-src data:``.
    """
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["TRACKER_MFA_ISSUER"]
    )
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def confirm_enrolment(user: User, code: str, *, now: datetime) -> list[str]:
    """Activate the pending secret when ``code`` is right; return ten new recovery codes.

    The codes are returned in full only here (stored hashed). Raises
    ``ValidationError`` on field ``code`` when nothing is pending or the code is wrong.
    """
    secret = pending_secret(user)
    if secret is None:
        raise ValidationError("code", "Begin eerst opnieuw met instellen.")
    if not _accept_totp(user, secret, code, now):
        raise ValidationError("code", WRONG_CODE)
    user.totp_enabled_at = now
    codes = _new_recovery_codes(user)
    db.session.flush()
    record("user.mfa_enrol", actor=user, obj=user, summary="Tweestapsverificatie ingesteld")
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        db.session.add(RecoveryCode(user_id=user.id,
                                    code_hash=keyed_hashes(raw, RECOVERY_PURPOSE)[0]))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ) or 0


# --- Checking a code ------------------------------------------------------------------------


def normalise_code(raw: str | None) -> str:
    """The code as typed without spaces and dashes, lower case."""
    return "".join((raw or "").split()).replace("-", "").lower()


def _accept_totp(user: User, secret: str, code: str, now: datetime) -> bool:
    """Whether ``code`` is the code of a step near ``now`` later than the last one used;
    if so, that step is remembered so the same code never works twice."""
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    last = user.totp_last_step if user.totp_last_step is not None else -1
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if step > last and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            user.totp_last_step = step
            return True
    return False


def verify_second_step(user: User, raw: str, *, now: datetime) -> str | None:
    """Check a TOTP code or a recovery code for ``user`` (who has a second factor).

    Returns ``"totp"`` or ``"recovery"`` when accepted (the code is then spent), None
    when not. Flushes.
    """
    code = normalise_code(raw)
    if user.has_mfa and _accept_totp(user, decrypt(user.totp_secret_encrypted), code, now):
        # The stored step changes the user's row: a parallel use of the same code loses
        # on the row version (StaleDataError), so it is refused there too.
        db.session.flush()
        record("user.mfa_login", actor=user, obj=user,
               summary="Tweede stap geslaagd (code uit de app)")
        return "totp"
    if len(code) == RECOVERY_CODE_LENGTH:
        # Spent with a conditional UPDATE: of two parallel uses only one changes the row.
        spent = db.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash.in_(keyed_hashes(code, RECOVERY_PURPOSE)),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if spent.rowcount == 1:
            record("user.mfa_login", actor=user, obj=user,
                   summary="Tweede stap geslaagd met een herstelcode")
            db.session.flush()
            return "recovery"
    return None


# --- Throttling the second step -------------------------------------------------------------


@dataclass(frozen=True)
class StepVerdict:
    """Whether a second-step try may be made now; if not, seconds until it may."""

    allowed: bool
    retry_after: int = 0


def second_step_allowed(user: User, now: datetime) -> StepVerdict:
    """The one throttle of the second step: the login throttle's rules, kind ``totp``,
    per (account, client address) (see tracker.auth.throttle).

    A correct password does not clear these failures; a correct code does.
    """
    decision = throttle.check("totp", str(user.id), client_address(), now)
    return StepVerdict(decision.allowed, decision.retry_after)


def record_second_step_failure(user: User, now: datetime) -> None:
    throttle.record_failure("totp", str(user.id), client_address(), now)


def clear_second_step_failures(user: User) -> None:
    throttle.clear("totp", str(user.id), client_address())


# --- The pending login in the signed session ------------------------------------------------


def begin_pending_login(user: User, next_url: str, now: datetime, *,
                        via: str = "password", provider: str | None = None) -> None:
    """Remember, in a fresh signed session, that ``user`` gave the right password (or,
    ``via="oidc"``, logged in with the work account of ``provider``: tracker/auth/oidc.py).

    No secret goes into the cookie: the user id, the session nonce (a password change
    or a reset ends the pending login too), the expiry, where to go afterwards and the
    provider's name (its logout follows the local one: :func:`pending_provider`).
    """
    lifetime: timedelta = current_app.config["TRACKER_MFA_PENDING_LIFETIME"]
    session.clear()
    session[PENDING_KEY] = {
        "user": user.id,
        "nonce": user.session_nonce,
        "until": (now + lifetime).timestamp(),
        "next": next_url or "",
        "via": via,
        "provider": provider,
    }


def pending_login(now: datetime) -> tuple[User, str] | None:
    """The user waiting for the second step and where they wanted to go, or None when
    nothing is pending or it expired (the session key is then dropped)."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("user")) if isinstance(data.get("user"), int) else None
    # A work-account login needs no local password, only an active account.
    may_log_in = user is not None and (
        user.active if data.get("via") == "oidc" else user.can_log_in)
    if (
        user is None
        or not may_log_in
        or not user.has_mfa
        or now.timestamp() > float(data.get("until", 0))
        or not hmac.compare_digest(user.session_nonce, str(data.get("nonce", "")))
    ):
        session.pop(PENDING_KEY, None)
        return None
    return user, str(data.get("next", ""))


def pending_provider() -> str | None:
    """The work-account provider of the pending login (``via="oidc"``), else None."""
    data = session.get(PENDING_KEY)
    return data.get("provider") if isinstance(data, dict) else None


# --- Reset by the beheerder -----------------------------------------------------------------


def reset_mfa(user: User, *, actor: User) -> None:
    """Remove ``user``'s second factor and recovery codes and end every session (audited).

    The person enrols again at the next login (when required) or when they choose.
    """
    from tracker.auth.services import end_all_sessions

    had = mfa_status_label(user)
    user.totp_secret_encrypted = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_all_sessions(user)
    db.session.flush()
    record("user.mfa_reset", actor=actor, obj=user,
           summary=f"Tweestapsverificatie hersteld voor {user.name}",
           before={"mfa": had}, after={"mfa": "niet ingesteld"})
    security_event("mfa.reset", user=actor, obj=user, result="ok")


# --- The policy -----------------------------------------------------------------------------

#: What an account that must enrol can still reach.
ENROLMENT_ENDPOINTS = frozenset({"auth.mfa_enrol", "auth.mfa_begin", "auth.mfa_confirm",
                                 "auth.logout", "static"})


def register_mfa_policy(app: Flask) -> None:
    """Send a logged-in account that must enrol (:func:`needs_enrolment`) to the
    enrolment page from everywhere but that page, logout and public pages.

    Templates get ``enrolment_required``: the menu is hidden while it is true (every link
    would only lead back to the enrolment page).
    """

    @app.context_processor
    def _enrolment_state():
        # Mail is rendered by jobs too, outside any request and without a user.
        if not has_request_context() or not current_user:
            return {"enrolment_required": False}
        return {"enrolment_required": current_user.is_authenticated
                and needs_enrolment(current_user)}

    @app.before_request
    def _require_enrolment():
        from tracker.api.auth import is_api_request

        endpoint = request.endpoint
        # The API refuses such an account's token itself, with a JSON 401 (tracker.api.auth).
        if endpoint is None or endpoint in ENROLMENT_ENDPOINTS or is_api_request():
            return None
        if declared_permission(app.view_functions.get(endpoint)) == PUBLIC:
            return None
        if not current_user.is_authenticated or not needs_enrolment(current_user):
            return None
        target = url_for("auth.mfa_enrol")
        if is_htmx():
            response = make_response("", 401)
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target, code=303)
