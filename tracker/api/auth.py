"""Who an API request acts as: the owner of its ``Authorization: Bearer`` token, never a
cookie session.

:func:`register_api_auth` runs before every other request hook. For a request under
:data:`API_PREFIX` it ignores the session entirely (Flask-Login's user is set from the
token, or anonymous), so the API cannot be used with a browser's cookies and CSRF does
not apply: that is why its blueprints are CSRF-exempt. The pages' session hooks (idle
timeout, second-factor enrolment) leave API requests alone (:func:`is_api_request`).

Refusals, as JSON problems (tracker.api.problems):
- 401 without a token, with a malformed, unknown, revoked or expired one, or one of a
  deactivated account (``WWW-Authenticate: Bearer``);
- 401 when the owner must first enrol a second factor (``TRACKER_MFA_REQUIRED``);
- 403 for a read-scope token on a method other than GET/HEAD/OPTIONS.
"""

from __future__ import annotations

import json
from functools import wraps

from flask import Flask, abort, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import AnonymousUserMixin

from tracker.auth.permissions import AUTHENTICATED, PUBLIC, SAFE_METHODS

#: Every API URL starts with this.
API_PREFIX = "/api/v1"


def is_api_request() -> bool:
    """Whether the current request is one for the JSON API (token, not session)."""
    path = request.path
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def token_required(view):
    """Mark an API view as needing a valid token (checked by the hook before any view);
    the mark also satisfies the default deny of mutating routes. Per-object permission
    is then ``can(current_user, rule, obj)`` in the view, as on the pages."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if g.get("api_token") is None:  # the hook refuses first; this guards a reuse
            abort(401)
        return view(*args, **kwargs)

    guarded.required_permission = AUTHENTICATED
    return guarded


class NoSessionOnTheApi(SecureCookieSessionInterface):
    """The pages' signed-cookie session, except under the API: there a request gets
    Flask's null session (empty; writing to it is an error) and no cookie is read,
    refreshed or set."""

    def open_session(self, app, request):
        path = request.path
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


def register_api_auth(app: Flask) -> None:
    """Install the token check; call before the other request hooks are registered."""
    app.session_interface = NoSessionOnTheApi()
    from tracker.api.tokens import authenticate
    from tracker.auth.mfa import needs_enrolment
    from tracker.auth.permissions import declared_permission
    from tracker.clock import now
    from tracker.extensions import db

    @app.before_request
    def _authenticate_api_request():
        if not is_api_request():
            return None
        # Flask-Login reads g._login_user before looking at the session: the session
        # is never consulted on the API.
        g._login_user = AnonymousUserMixin()
        g.api_token = None
        view = app.view_functions.get(request.endpoint or "")
        if view is None or declared_permission(view) == PUBLIC:
            return None
        text = bearer_token()
        token = authenticate(text, now()) if text else None
        if token is None:
            db.session.rollback()
            abort(401)
        db.session.commit()  # last_used_at (the view starts a fresh transaction)
        user = token.user
        if needs_enrolment(user):
            abort(401, description="Stel eerst tweestapsverificatie in voor uw account.")
        g._login_user = user
        g.api_token = token
        if request.method not in SAFE_METHODS and token.scope.value != "write":
            abort(403, description="Deze sleutel mag alleen lezen (scope read).")
        if request.method not in SAFE_METHODS:
            refuse_unusable_json()
        return None


def refuse_unusable_json() -> None:
    """Refuse a JSON body that the parser or the database cannot take, before webargs.

    webargs turns only a ``JSONDecodeError`` into 400; a number of more than 4,300 digits
    (Python's int limit) raises a plain ``ValueError``, and ``"\\ud800"`` decodes to a lone
    surrogate that no database can store as UTF-8. Both are the client's fault: 400 / 422.

    Raises: werkzeug ``BadRequest`` (400) or ``UnprocessableEntity`` (422) via ``abort``.
    """
    if not request.is_json or not request.content_length and not request.get_data(cache=True):
        return
    try:
        body = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        abort(400, description="De JSON in het verzoek is ongeldig (of een getal is te lang).")
    if _has_lone_surrogate(body):
        abort(422, description="Een tekst bevat een ongeldig teken (een losse UTF-16-surrogaat).")


def _has_lone_surrogate(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False
