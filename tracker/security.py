"""Security headers on every response, fragments and error pages included."""

from __future__ import annotations

from flask import Flask, Response, has_request_context
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


#: On every response: pages, fragments, errors, files.
COMMON_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def static_security_headers(config) -> list[tuple[str, str]]:
    """The headers of a static file (``tracker.static_files``): the common ones (the CSP
    matters for an SVG opened on its own, nosniff for every script and stylesheet),
    ``Cross-Origin-Resource-Policy: same-origin`` (no other site embeds our files) and
    HSTS in production. Not COOP or Permissions-Policy: they concern documents."""
    headers = [*COMMON_HEADERS, ("Cross-Origin-Resource-Policy", "same-origin")]
    if config.get("HSTS"):
        headers.append(HSTS)
    return headers


def policy_with_form_action(origins: list[str]) -> str:
    """The CSP with ``form-action`` also allowing ``origins`` (the login page's buttons
    to a work-account provider and a work-account session's logout button:
    tracker/auth/oidc.py)."""
    if not origins:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", "form-action 'self' " + " ".join(origins))


def register_security_headers(app: Flask) -> None:
    """Attach CSP, nosniff, referrer policy, no-store and (in production) HSTS.

    Static files never reach this hook: :mod:`tracker.static_files` answers them
    before Flask, with :func:`static_security_headers`."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        from tracker.auth.oidc import session_form_action_origins

        headers = response.headers
        # A work-account session's logout button is answered with a redirect to the
        # provider's logout, and browsers check a form's redirects against form-action.
        origins = session_form_action_origins() if has_request_context() else []
        if origins:
            headers.setdefault("Content-Security-Policy", policy_with_form_action(origins))
        for name, value in COMMON_HEADERS:
            headers.setdefault(name, value)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("HSTS"):
            headers.setdefault(*HSTS)
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
        authenticated = current_user.is_authenticated if current_user else False
        # Pages carry personal work data and CSRF tokens: never cache them. (A download
        # that already says "private, no-store" keeps it.)
        if ((authenticated or response.mimetype == "text/html")
                and "no-store" not in headers.get("Cache-Control", "")):
            headers["Cache-Control"] = "no-store"
        return response
