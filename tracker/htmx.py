"""Small helpers for htmx: one place decides between a full page and a fragment."""

from __future__ import annotations

import json

from flask import Response, make_response, render_template, request


def is_htmx(req=None) -> bool:
    """True for a request made by htmx (``HX-Request: true``)."""
    req = req or request
    return req.headers.get("HX-Request") == "true"


def is_fragment(req=None, target: str | None = None) -> bool:
    """True when the response should be a fragment.

    Not for boosted page loads nor for history restores (the Back button after a
    swap asks for the whole page). With ``target``, only when htmx swaps into the
    element with that id: other htmx requests to the same URL get the page.
    """
    req = req or request
    if not is_htmx(req) or req.headers.get("HX-Boosted") == "true":
        return False
    if req.headers.get("HX-History-Restore-Request") == "true":
        return False
    return target is None or req.headers.get("HX-Target") == target


def render_page_or_fragment(
    page_template: str, fragment_template: str, status: int = 200, *,
    target: str | None = None, **context
) -> Response:
    """Render the fragment for htmx requests into ``target`` and the page (which includes it) otherwise."""
    template = fragment_template if is_fragment(target=target) else page_template
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
