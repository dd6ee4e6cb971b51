"""Dutch error pages (and fragments for htmx) for every HTTP error."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.concurrency import CONFLICTS, is_unique_violation
from tracker.htmx import is_fragment

log = logging.getLogger(__name__)

#: The 409 of a write that lost a race and has no merge view of its own.
CONFLICT_MESSAGE = (
    "Iemand anders heeft dit tegelijk met u gewijzigd. Uw wijziging is niet opgeslagen: "
    "laad de pagina opnieuw, bekijk de nieuwe stand en probeer het nog eens."
)

#: Seconds in ``Retry-After`` of a 429 that did not say (the throttle always says).
DEFAULT_RETRY_AFTER = 60

MESSAGES = {
    400: ("Ongeldig verzoek", "Het verzoek kon niet worden verwerkt."),
    401: ("Niet ingelogd", "Log in om verder te gaan."),
    403: ("Geen toegang", "U hebt geen toestemming voor deze handeling."),
    404: ("Niet gevonden", "De pagina die u zoekt bestaat niet (meer)."),
    405: ("Niet toegestaan", "Deze handeling is op deze pagina niet mogelijk."),
    409: ("Conflict", "Iemand anders heeft dit intussen gewijzigd."),
    410: ("Verlopen", "Deze link is niet meer geldig."),
    413: ("Te groot", "Het verzonden bestand of formulier is te groot."),
    429: (
        "Te veel pogingen",
        "Er zijn te veel pogingen gedaan. Wacht even en probeer het daarna opnieuw.",
    ),
    500: ("Er ging iets mis", "Er ging aan onze kant iets mis. Probeer het later opnieuw."),
    503: ("Tijdelijk niet beschikbaar", "De dienst is tijdelijk niet beschikbaar."),
}


def render_error(status: int, message: str | None = None):
    if _on_api():  # the request guards and every handler: JSON under /api/v1, never a page
        from tracker.api.problems import problem

        return problem(status, message)
    title, default_message = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    context = {"status": status, "title": title, "message": message or default_message}
    template = "errors/_error.html" if is_fragment() else "errors/error.html"
    return render_template(template, **context), status


def _log_denial() -> None:
    """Every 403 (a permission rule or the default deny) goes on the security log."""
    from flask_login import current_user

    from tracker.security_log import request_object, security_event

    security_event("access.denied", user=current_user, obj=request_object(), result="denied",
                   detail=request.method)


def _session_gone() -> bool:
    """A POST to a signed-in page from a browser that holds no session any more."""
    from flask import current_app, session
    from flask_login import current_user

    from tracker.auth.permissions import PUBLIC, declared_permission

    view = current_app.view_functions.get(request.endpoint or "")
    return (not current_user.is_authenticated and "csrf_token" not in session
            and view is not None and declared_permission(view) not in (PUBLIC, None))


def _on_api() -> bool:
    """Under /api/v1 every error is a JSON problem (tracker.api.problems), never a page."""
    from tracker.api.auth import is_api_request

    return is_api_request()


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        if _on_api():
            from tracker.api.problems import problem

            return problem(400)
        if _session_gone():
            # No session at all (cookies cleared, logged out in another tab) on a page that
            # needs a login: the answer is the login, saying honestly that nothing was kept.
            from flask import flash

            from tracker.auth.drafts import SESSION_ENDED_NOTHING_KEPT, origin_page
            from tracker.auth.sessions import to_login

            flash(SESSION_ENDED_NOTHING_KEPT, "warning")
            return to_login(origin_page())
        return render_error(
            400, "Het formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer het nog eens."
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        if status == 403:
            _log_denial()
        if _on_api():
            from tracker.api.problems import from_http_exception

            if status >= 500:
                from tracker.extensions import db

                db.session.rollback()
            return from_http_exception(error)
        response = render_error(status)
        if status == 405 and getattr(error, "valid_methods", None):
            return (*response, {"Allow": ", ".join(error.valid_methods)})
        if status == 429:
            # Every 429 says when to come back: werkzeug's TooManyRequests(retry_after=...)
            # when given, else a minute.
            retry = dict(error.get_headers()).get("Retry-After", str(DEFAULT_RETRY_AFTER))
            return (*response, {"Retry-After": retry})
        return response

    def _conflict(error: Exception):
        # The safety net under every write: views with a merge view (``form_errors``,
        # the action buttons) answer before this; any other lost race is a 409 too.
        from tracker.extensions import db

        db.session.rollback()
        log.info("conflict %s on %s %s", type(error).__name__, request.method, request.path)
        if _on_api():
            from tracker.api.problems import problem

            return problem(409)
        return render_error(409, CONFLICT_MESSAGE)

    for conflict in CONFLICTS:
        app.register_error_handler(conflict, _conflict)

    @app.errorhandler(IntegrityError)
    def _integrity_error(error: IntegrityError):
        if not is_unique_violation(error):
            raise error  # another integrity problem is a bug: a logged 500
        return _conflict(error)

    @app.errorhandler(InternalServerError)
    def _internal_error(error: InternalServerError):
        from tracker.extensions import db

        db.session.rollback()
        if _on_api():
            from tracker.api.problems import problem

            return problem(500)
        return render_error(500)
