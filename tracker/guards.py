"""Guards every request passes before a view runs: ids in the database's range, no
control characters in any submitted value, and a bounded body.

Each guard exists once here so that no route and no form has to remember it:

- ``<int:…>`` in every route is :class:`IdConverter`: a number outside 1..``MAX_ID``
  (PostgreSQL ``integer``) is no id, so the URL is a 404 before any query runs;
- a NUL or other control character in any form value or query argument (passwords
  included) is refused with a Dutch message (PostgreSQL cannot even store NUL); views
  under ``form_errors`` get it from ``Form.parse`` instead, next to the field, and the
  search arguments a view names with :func:`search_args` are left to its search
  (``tracker.validation.search_words``: no results and a Dutch status line, as any
  search; htmx would not show a 400 at all);
- the body size is bounded by ``MAX_CONTENT_LENGTH``, ``MAX_FORM_MEMORY_SIZE`` and
  ``MAX_FORM_PARTS`` (``config.py``): Werkzeug answers 413 from the ``Content-Length``
  header, before reading the body.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, ValidationError

from tracker.validation import MAX_ID, has_control_characters

CONTROL_MESSAGE = (
    "Het formulier bevat niet-toegestane stuurtekens (zoals een nul-teken). Verwijder ze en "
    "probeer het opnieuw; er is niets opgeslagen."
)


class IdConverter(IntegerConverter):
    """``<int:…>`` limited to the ids a table can hold: 1..``MAX_ID``; anything else 404s."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = None, signed: bool = False):  # noqa: A002 - Werkzeug's names
        super().__init__(url_map, fixed_digits=fixed_digits, min=1 if min is None else min,
                         max=MAX_ID if max is None else max, signed=signed)

    #: ASCII digits only: ``\d`` would also take other scripts' digits as an id.
    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        try:
            return super().to_python(value)
        except ValidationError:
            # Not "try the next rule": Werkzeug would then answer a POST with 405 because
            # a GET rule of the same shape exists. The address names no object at all.
            raise NotFound() from None


def search_args(*names: str):
    """Decorate a view whose query arguments ``names`` are search texts it checks itself
    (with :func:`tracker.validation.search_words`): the guard leaves those to it. Put it
    under ``@bp.get`` and ``@requires`` (their ``wraps`` keep the mark)."""

    def decorate(view):
        view.search_args = frozenset(names)
        return view

    return decorate


def _any_control(values, skip=frozenset()) -> bool:
    return any(has_control_characters(v) for name, many in values.lists() if name not in skip
               for v in many)


def _refuse_control_characters():
    from tracker.errors import render_error

    if has_control_characters(request.path):
        return render_error(404)
    view = current_app.view_functions.get(request.endpoint or "")
    if _any_control(request.args, getattr(view, "search_args", frozenset())):
        return render_error(400, CONTROL_MESSAGE)
    if getattr(view, "parses_form", False):
        return None  # Form.parse refuses them next to the field (tracker.forms)
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and _any_control(request.form):
        return render_error(422, CONTROL_MESSAGE)
    return None


def register_guards(app: Flask) -> None:
    """Install the guards; call before the blueprints are registered (the converter is
    looked up when a rule is added)."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_control_characters)
