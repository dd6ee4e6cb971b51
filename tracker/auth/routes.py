"""Login and logout."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from tracker.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from tracker.auth.password_links import read_token, request_reset, set_password_with_token
from tracker.auth.permissions import authenticated, public
from tracker.auth.redirects import safe_next_url
from tracker.auth.services import authenticate, end_all_sessions
from tracker.auth.sessions import start_session
from tracker.concurrency import CONFLICTS
from tracker.db import utcnow
from tracker.extensions import db
from tracker.forms import Refusal, form_errors

bp = Blueprint("auth", __name__)
log = logging.getLogger("tracker.auth")

INVALID_LOGIN = "Onbekende combinatie van e-mailadres en wachtwoord."


@bp.route("/inloggen", methods=["GET", "POST"])
@public
def login():
    """Show the login form; on POST check the credentials and start a session."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    home = url_for("network.dashboard")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next_url(form.next.data, home))
    status = 200
    if form.validate_on_submit():
        result = authenticate(
            form.email.data,
            form.password.data,
            now=utcnow(),
            max_failures=current_app.config["TRACKER_LOGIN_MAX_FAILURES"],
            window=current_app.config["TRACKER_LOGIN_WINDOW"],
        )
        db.session.commit()
        origin = request.remote_addr
        if result.user is not None:
            log.info("login ok user=%s origin=%s", result.user.id, origin)
            start_session(result.user, utcnow())
            return redirect(safe_next_url(form.next.data, home), code=303)
        log.info("login %s origin=%s", result.reason, origin)
        if result.reason == "throttled":
            status = 429
            form.form_errors.append(
                "Te veel mislukte pogingen. Wacht een kwartier en probeer het opnieuw."
            )
        else:
            status = 401
            form.form_errors.append(INVALID_LOGIN)
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/uitloggen")
@authenticated
def logout():
    """End this and every other session of the user."""
    end_all_sessions(current_user)
    try:
        db.session.commit()
    except CONFLICTS:
        # Another tab logged out at the same moment: its new nonce already ended every
        # session, this one included. Nothing to tell the user but "logged out".
        db.session.rollback()
    log.info("logout user=%s origin=%s", current_user.id, request.remote_addr)
    logout_user()
    flash("U bent uitgelogd.", "ok")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@public
def forgot_password():
    """Ask for a link to set a new password; the answer never tells whether an account exists."""
    if request.method == "POST":
        address = ForgotPasswordForm().parse().email.data
        if address:
            request_reset(address, now=utcnow())
            db.session.commit()
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
