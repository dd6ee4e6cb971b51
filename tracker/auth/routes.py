"""Login and logout."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from tracker.auth.drafts import after_login
from tracker.auth.forms import (
    EnrolmentForm,
    ForgotPasswordForm,
    LoginForm,
    SecondStepForm,
    SetPasswordForm,
)
from tracker.auth.mfa import (
    begin_enrolment,
    begin_pending_login,
    clear_second_step_failures,
    confirm_enrolment,
    grouped_key,
    needs_enrolment,
    pending_login,
    pending_provider,
    pending_secret,
    qr_code_data_uri,
    record_second_step_failure,
    second_step_allowed,
    unused_recovery_codes,
    verify_second_step,
)
from tracker.auth.oidc import end_session_url, form_action_origins
from tracker.auth.oidc import providers as oidc_providers
from tracker.auth.oidc import remember_login as remember_oidc_login
from tracker.auth.password_links import read_token, request_reset, set_password_with_token
from tracker.auth.permissions import authenticated, public
from tracker.auth.redirects import safe_next_url
from tracker.auth.services import authenticate, end_all_sessions
from tracker.auth.sessions import start_session
from tracker.auth.throttle import wait_text
from tracker.concurrency import CONFLICTS
from tracker.db import utcnow
from tracker.extensions import db
from tracker.forms import Refusal, form_errors
from tracker.security import policy_with_form_action
from tracker.security_log import client_address, security_event

bp = Blueprint("auth", __name__)

INVALID_LOGIN = "Onbekende combinatie van e-mailadres en wachtwoord."
#: Throttled (password or work account): ``{wait}`` is :func:`wait_text`'s.
TOO_MANY_FAILURES = "Te veel mislukte pogingen. Probeer het over {wait} opnieuw."


@bp.route("/inloggen", methods=["GET", "POST"])
@public
def login():
    """Show the login form; on POST check the credentials and start a session."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    home = url_for("home.start")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next_url(form.next.data, home))
    status, headers = 200, {}
    if form.validate_on_submit():
        result = authenticate(form.email.data, form.password.data,
                              client=client_address(), now=utcnow())
        db.session.commit()
        if result.user is not None and result.user.has_mfa:
            security_event("login.second_step_asked", user=result.user, obj=result.user,
                           result="pending")
            begin_pending_login(result.user, form.next.data, utcnow())
            return redirect(url_for("auth.login_code"), code=303)
        if result.user is not None:
            start_session(result.user, utcnow())
            return _after_login(result.user, safe_next_url(form.next.data, home))
        if result.reason == "throttled":
            return throttled_login_page(form, result.retry_after)
        status = 401
        form.form_errors.append(INVALID_LOGIN)
    elif request.method == "POST":
        status = 422
    return login_page(form, status, headers)


def login_page(form: LoginForm, status: int = 200, headers: dict | None = None):
    """The login page (``form``'s values and messages) as ``(body, status, headers)``; with
    work-account providers its CSP lets the buttons' forms go to them."""
    headers = dict(headers or {})
    providers = oidc_providers()
    if providers:
        headers["Content-Security-Policy"] = policy_with_form_action(form_action_origins())
    return (render_template("auth/login.html", form=form, oidc_providers=providers),
            status, headers)


def throttled_login_page(form: LoginForm, retry_after: int):
    """429 with ``Retry-After`` (seconds) and the Dutch message: the one answer to a
    throttled login, by password or by work account."""
    form.form_errors.append(TOO_MANY_FAILURES.format(wait=wait_text(retry_after)))
    return login_page(form, 429, {"Retry-After": str(retry_after)})


EXPIRED = "Uw inlogpoging is verlopen of niet meer geldig. Log opnieuw in."


def _code_page(error: str | None, status: int, retry_after: int | None = None):
    response = make_response(render_template("auth/login_code.html", error=error), status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _refused_code(refusal: Refusal):
    if refusal.is_conflict:  # the same code used at the same moment elsewhere: spent there
        return _code_page("Deze code is net al gebruikt. Wacht op de volgende code.", 409)
    return _code_page(refusal.message, 422)


@bp.route("/inloggen/code", methods=["GET", "POST"])
@public
@form_errors(_refused_code)
def login_code():
    """The second login step: a code from the app or a recovery code, after the password."""
    now = utcnow()
    pending = pending_login(now)
    if pending is None:
        flash(EXPIRED, "warning")
        return redirect(url_for("auth.login"), code=303)
    user, next_url = pending
    if request.method == "GET":
        return _code_page(None, 200)
    verdict = second_step_allowed(user, now)
    if not verdict.allowed:
        security_event("login.second_step_throttled", user=user, obj=user, result="throttled",
                       detail={"retry_after": verdict.retry_after})
        return _code_page("Te veel verkeerde codes. Probeer het over "
                          f"{wait_text(verdict.retry_after)} opnieuw.", 429, verdict.retry_after)
    form = SecondStepForm().parse()
    used = verify_second_step(user, form.code.data, now=now)
    if used is None:
        record_second_step_failure(user, now)
        db.session.commit()
        security_event("login.second_step_failed", user=user, obj=user, result="failed")
        return _code_page("Deze code klopt niet. Probeer het opnieuw.", 401)
    clear_second_step_failures(user)
    db.session.commit()
    security_event("login.second_step_ok", user=user, obj=user, result="ok", detail=used)
    provider = pending_provider()
    start_session(user, now)
    if provider:
        remember_oidc_login(provider)
    if used == "recovery":
        flash(f"U heeft een herstelcode gebruikt; er zijn er nog {unused_recovery_codes(user)} "
              "over. Stel bij verlies van uw telefoon tweestapsverificatie opnieuw in via de "
              "beheerder.", "warning")
    return _after_login(user, safe_next_url(next_url, url_for("home.start")))


def _after_login(user, next_url: str):
    """303 to ``next_url``, or to the page of a form whose values were kept when the
    previous session ended (with the notice that they were not saved)."""
    target, notice = after_login(user, next_url, utcnow())
    if notice:
        flash(notice, "warning")
    return redirect(target, code=303)


def _enrol_page(error: str | None = None, status: int = 200):
    user = current_user._get_current_object()
    secret = pending_secret(user)
    return render_template(
        "auth/mfa_enrol.html",
        active=user.has_mfa,
        required=needs_enrolment(user),
        secret_groups=grouped_key(secret) if secret else None,
        qr_code=qr_code_data_uri(user, secret) if secret else None,
        recovery_left=unused_recovery_codes(user) if user.has_mfa else None,
        error=error,
    ), status


@bp.get("/account/tweestapsverificatie")
@authenticated
def mfa_enrol():
    """Tweestapsverificatie: its state, or the QR code and key of the enrolment under way."""
    return _enrol_page()


@bp.post("/account/tweestapsverificatie/beginnen")
@authenticated
@form_errors(lambda refusal: _enrol_page(refusal.message, 422))
def mfa_begin():
    """Start (or restart) enrolment: a new secret that is not active until confirmed."""
    begin_enrolment(current_user)
    db.session.commit()
    return redirect(url_for("auth.mfa_enrol"), code=303)


@bp.post("/account/tweestapsverificatie")
@authenticated
@form_errors(lambda refusal: _enrol_page(refusal.message, 422))
def mfa_confirm():
    """Confirm with the first code; the recovery codes are shown this once."""
    form = EnrolmentForm().parse()
    codes = confirm_enrolment(current_user, form.code.data, now=utcnow())
    db.session.commit()
    security_event("mfa.enrolled", user=current_user, obj=current_user, result="ok")
    return render_template("auth/mfa_recovery_codes.html", codes=codes)


@bp.post("/uitloggen")
@authenticated
def logout():
    """End this and every other session of the user; a session started with a work
    account then goes on to the provider's logout, which sends the browser back to the
    login page (tracker.auth.oidc.end_session_url)."""
    end_all_sessions(current_user)
    try:
        db.session.commit()
    except CONFLICTS:
        # Another tab logged out at the same moment: its new nonce already ended every
        # session, this one included. Nothing to tell the user but "logged out".
        db.session.rollback()
    security_event("logout", user=current_user, obj=current_user, result="ok")
    logout_user()
    flash("U bent uitgelogd.", "ok")
    # After the local logout is committed: reading the provider's discovery document
    # may take a moment (or fail, and then the logout stays local).
    at_provider = end_session_url(url_for("auth.login", _external=True))
    return redirect(at_provider or url_for("auth.login"), code=303)


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@public
def forgot_password():
    """Ask for a link to set a new password; the answer never tells whether an account exists."""
    if request.method == "POST":
        address = ForgotPasswordForm().parse().email.data
        if address:
            decision = request_reset(address, client=client_address(), now=utcnow())
            db.session.commit()
            if not decision.allowed:
                wait = f"Te veel aanvragen. Probeer het over {wait_text(decision.retry_after)} opnieuw."
                return (render_template("auth/forgot.html", sent=False, email=address, error=wait),
                        429, {"Retry-After": str(decision.retry_after)})
        return render_template("auth/forgot.html", sent=True, email=address)
    return render_template("auth/forgot.html", sent=False, email="")


@bp.get("/wachtwoord/<token>")
@public
def password_form(token: str):
    """The page behind a password link: shows the form, changes nothing."""
    user = read_token(token)
    if user is None:
        return render_template("auth/password_link_invalid.html"), 410
    return render_template("auth/set_password.html", user=user, token=token, error=None)


def _refused_password(refusal: Refusal, token: str):
    return render_template("auth/set_password.html", user=read_token(token), token=token,
                           error=refusal.message), 422


@bp.post("/wachtwoord/<token>")
@public
@form_errors(_refused_password)
def password_set(token: str):
    """Set the password; the link stops working and every session of the user ends."""
    user = read_token(token)
    if user is None:
        return render_template("auth/password_link_invalid.html"), 410
    form = SetPasswordForm().parse()
    set_password_with_token(user, form.password.data)
    db.session.commit()
    flash("Uw wachtwoord is ingesteld. U kunt nu inloggen.", "ok")
    return redirect(url_for("auth.login"), code=303)


# Helper "people" (issue 13): confirming a new e-mail address, routes on this blueprint.
from tracker.auth import email_routes as _email_routes  # noqa: E402, F401
