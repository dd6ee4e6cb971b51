"""Session handling: loading users, revocation, idle and absolute timeouts."""

from __future__ import annotations

import hmac
from datetime import datetime

from flask import Flask, flash, g, make_response, redirect, request, session, url_for
from flask_login import current_user, logout_user

from tracker.db import utcnow
from tracker.extensions import db
from tracker.htmx import is_htmx


def register_login_manager(app: Flask, login_manager) -> None:
    from sqlalchemy.orm import joinedload

    from tracker.auth.models import User

    with_memberships = joinedload(User.memberships)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # our nonce does revocation; IPs change on mobiles

    @login_manager.user_loader
    def _load_user(session_id: str):
        user_id, _, nonce = session_id.partition(":")
        if not user_id.isdigit() or not nonce:
            return None
        # With the memberships (one joined SELECT): every permission question asks them.
        user = db.session.get(User, int(user_id), options=[with_memberships])
        if user is None or not user.active:
            return None
        if not hmac.compare_digest(user.session_nonce, nonce):
            return None
        return user

    @login_manager.unauthorized_handler
    def _unauthorized():
        if request.method != "GET":
            return _refused_write()
        target = url_for("auth.login", next=_current_path())
        if is_htmx():
            # Never put a login page inside a fragment: let htmx navigate.
            response = make_response("", 401)
            response.headers["HX-Redirect"] = target
            return response
        flash("Log in om verder te gaan.", "info")
        return redirect(target)


def _refused_write():
    """A POST without a valid session: nothing is done; what was typed is kept for the
    account the ended session named (see :mod:`tracker.auth.drafts`), and the login
    returns to the page the form was on."""
    from tracker.auth.drafts import (
        SESSION_ENDED,
        SESSION_ENDED_NOTHING_KEPT,
        ended_session_account,
        keep_draft,
        origin_page,
    )

    if request.endpoint == "auth.logout":  # nothing to keep: the session has ended anyway
        _forget_ended_session()
        flash("U bent uitgelogd.", "ok")
        return redirect(url_for("auth.login"))
    page = origin_page()
    account = ended_session_account()
    kept = None
    if account is not None and page is not None:
        kept = keep_draft(account, page=page, now=utcnow())
        db.session.commit()
    _forget_ended_session()
    flash(SESSION_ENDED if kept is not None else SESSION_ENDED_NOTHING_KEPT, "warning")
    return to_login(page)


def to_login(page: str | None):
    """Send a refused request to the login, returning to ``page`` afterwards: a redirect,
    or for htmx a 401 with ``HX-Redirect`` (never a login page inside a fragment)."""
    target = url_for("auth.login", next=page or "/")
    if is_htmx():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def _forget_ended_session() -> None:
    """Drop what is left of an ended session (a revoked user id, its times); the CSRF
    token stays, so another tab's form is still answered by a login, not a 400."""
    logout_user()
    for key in ("login_at", "seen_at"):
        session.pop(key, None)


def _current_path() -> str:
    """Where to return after logging in: the page asked for, or home after a POST."""
    if request.method != "GET":
        return "/"
    return request.full_path.rstrip("?")


def start_session(user, now: datetime) -> None:
    """Begin a fresh session for ``user`` (never reuse the anonymous one)."""
    from flask_login import login_user

    session.clear()
    session.permanent = True
    login_user(user)
    session["login_at"] = now.timestamp()
    session["seen_at"] = now.timestamp()


#: Seconds: the last-seen time is written again (a new signed cookie) at most this often.
#: A request that changes nothing else in the session sends no ``Set-Cookie`` (no
#: serialising and signing on every page); the idle timeout then counts from a moment at
#: most this much before the last request: never longer than 30 minutes.
SEEN_AT_RESOLUTION = 60

#: Session key: the account of a session that timed out (see tracker.auth.drafts).
ENDED_ACCOUNT_KEY = "ended_account"


def register_session_limits(app: Flask) -> None:
    """End sessions idle for 30 minutes or older than 12 hours, server-side."""

    @app.context_processor
    def _restored_draft():
        return {"restored_draft": g.get("restored_draft")}

    @app.before_request
    def _enforce_session_limits():
        from tracker.api.auth import is_api_request

        # The API has no session: its user comes from a token (tracker.api.auth).
        if request.endpoint == "static" or is_api_request() or not current_user.is_authenticated:
            return None
        now = utcnow().timestamp()
        idle = app.config["TRACKER_SESSION_IDLE_LIFETIME"].total_seconds()
        absolute = app.config["TRACKER_SESSION_ABSOLUTE_LIFETIME"].total_seconds()
        login_at = session.get("login_at", 0)
        seen_at = session.get("seen_at", 0)
        if now - login_at > absolute or now - seen_at > idle:
            # Who it was, for keeping a refused form's values (tracker.auth.drafts).
            g.ended_session_user_id = current_user.id
            csrf_token = session.get("csrf_token")
            session.clear()
            logout_user()
            if csrf_token:  # another open tab's form is answered by a login, not a 400
                session["csrf_token"] = csrf_token
            # Remembered (signed cookie) so a form sent later from another tab can still
            # be kept for this account; the next login starts a clean session.
            session[ENDED_ACCOUNT_KEY] = g.ended_session_user_id
            return None
        if now - seen_at >= SEEN_AT_RESOLUTION:
            session["seen_at"] = now
        _restore_or_discard_drafts()
        return None


def _restore_or_discard_drafts() -> None:
    """After a login that found drafts: offer one on its page (once, never in a fragment);
    the next POST removes the drafts that were shown."""
    from tracker.auth import drafts

    if request.method == "POST" and session.get(drafts.SHOWN_KEY):
        # The restored values were submitted again (or abandoned): drop the copy.
        drafts.discard_drafts(current_user, session.pop(drafts.SHOWN_KEY))
        db.session.commit()
    elif request.method == "GET" and session.get(drafts.SESSION_KEY) and not is_htmx():
        g.restored_draft = drafts.restore_for_page(
            current_user, request.full_path.rstrip("?"), utcnow())
