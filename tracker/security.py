"""Security headers on every response, fragments and error pages included."""

from __future__ import annotations

from flask import Flask, Response
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


def policy_with_form_action(origins: list[str]) -> str:
    """The CSP with ``form-action`` also allowing ``origins`` (the login page's buttons
    to a work-account provider: tracker/auth/oidc.py)."""
    if not origins:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", "form-action 'self' " + " ".join(origins))


def register_security_headers(app: Flask) -> None:
    """Attach CSP, nosniff, referrer policy, no-store and (in production) HSTS."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
        authenticated = current_user.is_authenticated if current_user else False
        # Pages carry personal work data and CSRF tokens: never cache them. (A download
        # that already says "private, no-store" keeps it.)
        if ((authenticated or response.mimetype == "text/html")
                and "no-store" not in headers.get("Cache-Control", "")):
            headers["Cache-Control"] = "no-store"
        return response
