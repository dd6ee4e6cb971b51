"""Links that carry a secret are stored as placeholders and get their token at delivery.

A mail with a password, RSVP or unsubscribe link is rendered with a placeholder
in place of the token (``.../wachtwoord/__wachtwoord_verborgen__``); the outbox
row keeps only the claims needed to sign the token again (user id and password
fingerprint, invitation id, user id and topic). The delivery run signs the tokens
with the app's ``SECRET_KEY`` and puts them in the message it sends. The row, a
backup of it and the outbox viewer therefore hold no working link: whoever reads
the database without the secret key cannot make one.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

#: Kind of link -> the text that stands in for its token until delivery.
PLACEHOLDERS = {
    "password": "__wachtwoord_verborgen__",
    "rsvp": "__rsvp_verborgen__",
    "unsubscribe": "__afmelden_verborgen__",
    "done": "__gereed_verborgen__",
    # helper "people": confirming a new e-mail address (tracker.auth.email_change)
    "email": "__emailadres_verborgen__",
}


def _password(claims: dict) -> str:
    from tracker.auth.password_links import token_for

    return token_for(int(claims["u"]), str(claims["f"]))


def _rsvp(claims: dict) -> str:
    from tracker.events.tokens import rsvp_token

    return rsvp_token(int(claims["i"]))


def _unsubscribe(claims: dict) -> str:
    from tracker.notifications.messages import unsubscribe_token

    return unsubscribe_token(int(claims["u"]), str(claims["t"]))


def _done(claims: dict) -> str:
    from tracker.notifications.messages import done_token

    return done_token(int(claims["u"]), [int(a) for a in claims["a"]])


def _email(claims: dict) -> str:
    from tracker.auth.email_change import token_for

    return token_for(int(claims["u"]), str(claims["e"]), str(claims["f"]))


MINTERS: dict[str, Callable[[dict], str]] = {
    "password": _password, "rsvp": _rsvp, "unsubscribe": _unsubscribe, "done": _done,
    "email": _email,
}


def placeholder(kind: str) -> str:
    """The stand-in for the token of a ``kind`` link; KeyError for an unknown kind."""
    return PLACEHOLDERS[kind]


def merge(claims: dict[str, dict], kind: str, values: dict) -> None:
    """Add ``values`` as the claims of the ``kind`` link of one message.

    A message has at most one link of each kind; a second, different one is a
    programming error (``ValueError``), since both would share one placeholder.
    """
    if kind not in PLACEHOLDERS:
        raise KeyError(kind)
    if claims.get(kind, values) != values:
        raise ValueError(f"twee verschillende {kind}-links in één bericht")
    claims[kind] = dict(values)


def tokens(claims: dict[str, dict] | None) -> dict[str, str]:
    """Placeholder -> freshly signed token for every link in ``claims`` (needs an app context)."""
    return {PLACEHOLDERS[kind]: MINTERS[kind](values) for kind, values in (claims or {}).items()}


def _fill(text: str | None, replacements: dict[str, str]) -> str | None:
    if not text or not replacements:
        return text
    pattern = re.compile("|".join(re.escape(p) for p in replacements))
    return pattern.sub(lambda m: replacements[m.group(0)], text)


def _fold(line: str, limit: int = 75) -> str:
    """Fold one iCalendar content line at ``limit`` octets (RFC 5545 3.1), never inside a character."""
    parts, current, size = [], [], 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [" "], 1, 75
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n".join(parts)


def _fill_calendar(data: str, replacements: dict[str, str]) -> str:
    # iCalendar folds lines at 75 octets, which may split a placeholder: unfold,
    # replace, fold again.
    raw = base64.b64decode(data).decode("utf-8")
    lines = re.sub(r"\r\n[ \t]", "", raw).split("\r\n")
    filled = "\r\n".join(_fold(_fill(line, replacements)) if line else line for line in lines)
    return base64.b64encode(filled.encode("utf-8")).decode("ascii")


def fill_row(row: Any) -> dict[str, Any]:
    """Text, HTML, headers and attachments of an outbox row with real tokens in place.

    ``row`` is a row mapping (``body_text``, ``body_html``, ``headers``,
    ``attachments``, ``link_claims``); the result has those four keys. Called
    only by the delivery run, never for display.
    """
    replacements = tokens(row["link_claims"])
    attachments = []
    for item in row["attachments"] or []:
        if replacements and item["content_type"].startswith("text/calendar"):
            item = {**item, "data": _fill_calendar(item["data"], replacements)}
        attachments.append(item)
    return {
        "body_text": _fill(row["body_text"], replacements),
        "body_html": _fill(row["body_html"], replacements),
        "headers": {name: _fill(value, replacements)
                    for name, value in (row["headers"] or {}).items()},
        "attachments": attachments,
    }
