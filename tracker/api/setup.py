"""Wiring the API into the app: flask-smorest (OpenAPI), CSRF exemption, rate limit."""

from __future__ import annotations

from flask import Flask, request
from flask_smorest import Api

from tracker.api.auth import bearer_token, is_api_request
from tracker.api.schemas import ProblemSchema


class TrackerApi(Api):
    """flask-smorest's Api without its app-wide JSON error handler (the pages keep their
    Dutch HTML errors; tracker.errors answers JSON problems under /api/v1 only), with our
    problem schema as the documented error body."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        return None


def _rate_limit_key() -> str:
    """Counted per token (its keyed hash: never the token itself); a request without a
    token per client address."""
    from tracker.api.tokens import HASH_PURPOSE
    from tracker.crypto import keyed_hashes

    text = bearer_token()
    if text:
        return "token:" + keyed_hashes(text, HASH_PURPOSE)[0]
    from tracker.audit.services import request_origin

    return "addr:" + (request_origin() or "onbekend")


def register_api(app: Flask) -> None:
    """Register the API blueprint, its spec, the docs and token pages, and the limiter."""
    from flask_limiter import Limiter

    from tracker.api.pages import bp as pages_bp
    from tracker.api.routes import bp as api_bp
    from tracker.extensions import csrf

    app.config.setdefault("API_TITLE", "VNON-tracker API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "De JSON-API van de actie- en pilottracker van het "
                                "Veiligheidsnetwerk Oost-Nederland. Zie /api/docs."},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
    })
    api = TrackerApi(app)
    api.spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer",
        "description": "Een persoonlijke API-sleutel (vnon_…), te maken onder Account → API-sleutels.",
    })
    api.register_blueprint(api_bp)
    # No cookie session is ever used on the API (tracker.api.auth): CSRF cannot apply.
    csrf.exempt(api_bp)
    app.register_blueprint(pages_bp)
    app.extensions["tracker-api"] = api

    limiter = Limiter(
        _rate_limit_key,
        app=app,
        storage_uri=app.config["TRACKER_RATELIMIT_STORAGE_URI"],
        application_limits=[lambda: app.config["TRACKER_API_RATE_LIMIT"]],
        application_limits_exempt_when=lambda: not is_api_request() or request.endpoint is None,
        headers_enabled=True,
        enabled=bool(app.config["TRACKER_API_RATELIMIT_ENABLED"]),
    )
    app.extensions["tracker-api-limiter"] = limiter


def openapi_document(app: Flask) -> dict:
    """The OpenAPI 3 document of the API, as a dict."""
    return app.extensions["tracker-api"].spec.to_dict()
