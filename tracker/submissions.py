"""One-time form submissions, for the forms whose answer shows a secret once.

Creating an API token or a webhook answers the POST with its secret (never stored
readable, so never shown again). Reloading that answer sends the form again; without a
guard it made a second token or webhook. So each such form carries a random id in the
hidden field ``submission`` (:func:`new_submission_id`, fresh each time the form is
shown); the row it creates keeps that id in its unique ``submission_id`` column, and
:func:`create_once` creates nothing for an id that already made a row: the route then
answers that it was made already and that its secret is shown only once. The id is no
secret (it was in the page before anything existed) and grants nothing.

Two sends of one form at the same moment (a double click) race on the unique column:
the second insert fails as a unique violation, which :func:`create_once` turns into
the same answer.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.concurrency import is_unique_violation
from tracker.extensions import db
from tracker.validation import ValidationError

#: The hidden field's name in the forms.
FIELD = "submission"
#: Length of an id: 24 random bytes, URL-safe base64.
LENGTH = 32
_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{{LENGTH}}}")
#: A form without a (well-formed) id: an old page, or not sent by our form.
MISSING = ("Het formulier is onvolledig of verouderd. Laad de pagina opnieuw en probeer het "
           "nog eens; er is niets aangemaakt.")

T = TypeVar("T")


class AlreadySubmitted(Exception):
    """This form was sent before and made ``obj`` then (None when a racing send made it
    and it is not visible yet, or when it was removed since)."""

    def __init__(self, obj: Any = None) -> None:
        super().__init__("form already submitted")
        self.obj = obj


def new_submission_id() -> str:
    """A fresh id for one showing of a form (32 characters, 192 random bits)."""
    return secrets.token_urlsafe(24)


def parse_submission_id(raw: str | None, *, field: str = FIELD) -> str:
    """The submitted id; :class:`ValidationError` (:data:`MISSING`) when absent or malformed."""
    text = (raw or "").strip()
    if not _PATTERN.fullmatch(text):
        raise ValidationError(field, MISSING)
    return text


def create_once(model: type, submission: str, create: Callable[[], T]) -> T:
    """``create()`` (which adds a ``model`` row with ``submission_id=submission`` and
    flushes), unless ``submission`` made a row already.

    Raises :class:`AlreadySubmitted` with that row, or when the insert loses a race on
    the unique column (the caller rolls back). One SELECT on the unique index before.
    """
    existing = db.session.scalar(select(model).where(model.submission_id == submission))
    if existing is not None:
        raise AlreadySubmitted(existing)
    try:
        return create()
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise AlreadySubmitted() from error
