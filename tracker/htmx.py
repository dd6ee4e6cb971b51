"""Small helpers for htmx: one place decides between a full page and a fragment."""

from __future__ import annotations

import json

from flask import Response, make_response, render_template, request


def is_htmx(req=None) -> bool:
    """True for a request made by htmx (``HX-Request: true``)."""
    req = req or request
    return req.headers.get("HX-Request") == "true"


def is_fragment(req=None) -> bool:
    """True when the response should be a fragment: htmx, but not a boosted page load."""
    req = req or request
    return is_htmx(req) and req.headers.get("HX-Boosted") != "true"


def render_page_or_fragment(
    page_template: str, fragment_template: str, status: int = 200, **context
) -> Response:
    """Render the fragment for htmx requests and the page (which includes it) otherwise."""
    template = fragment_template if is_fragment() else page_template
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def trigger(response: Response, event: str, detail: object | None = None) -> Response:
    """Add an ``HX-Trigger`` event so other regions of the page can refresh."""
    events = json.loads(response.headers.get("HX-Trigger", "{}") or "{}")
    events[event] = detail if detail is not None else True
    response.headers["HX-Trigger"] = json.dumps(events)
    return response


def redirect_client(response: Response, location: str) -> Response:
    """Tell htmx to navigate the whole page (used when a session has expired)."""
    response.headers["HX-Redirect"] = location
    return response
