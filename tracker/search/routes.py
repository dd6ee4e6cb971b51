"""The search page ``/zoeken`` (GET only): full page, or the results region for htmx."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from tracker.auth.permissions import requires
from tracker.htmx import render_page_or_fragment
from tracker.pagination import page_links
from tracker.search.indexing import KINDS
from tracker.search.queries import search

bp = Blueprint("search", __name__)

#: The results region the page's own search box swaps (as-you-type).
RESULTS_ID = "zoekresultaten"


@bp.get("/zoeken")
@requires("network.view")
def page():
    """``?q=`` the query (any text), ``?soort=`` one kind (paged), ``?pagina=`` its page."""
    kind = request.args.get("soort") or None
    page_number = request.args.get("pagina", 1, type=int) or 1
    results = search(current_user, request.args.get("q"), kind=kind, page=page_number)
    if results.pages is not None:
        results.pages.link = page_links()
    return render_page_or_fragment("search/page.html", "search/_results.html",
                                   target=RESULTS_ID, results=results, kinds=KINDS,
                                   results_id=RESULTS_ID)
