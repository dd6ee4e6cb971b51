"""Hiding the secrets that travel in URLs: password, RSVP, unsubscribe, "gereed" and
calendar-feed links.

One rule for every place that shows or logs a URL: the beheerder's outbox viewer,
the gunicorn access log (``gunicorn.conf.py``) and the development server's log.
The secret part of such a path, and any ``token`` query parameter, becomes
``[verborgen]``, e.g. ``/rsvp/eyJp...`` -> ``/rsvp/[verborgen]``.
"""

from __future__ import annotations

import logging
import re

HIDDEN = "[verborgen]"

#: Paths whose segment after the prefix is a secret (the routes in auth, events,
#: notifications and agenda). The feed keeps its ``.ics`` so the log stays readable.
_PATHS = re.compile(
    r"(?P<prefix>/(?:wachtwoord|rsvp|afmelden|gereed)/)(?P<secret>[^\s/?#\"'<>&]+)"
    r"|(?P<feed>/agenda/)(?P<feed_secret>(?!link\b|intrekken\b)[^\s/?#\"'<>&]+?)(?P<ics>\.ics)"
)
#: ``token=...`` (or ``csrf_token``, ``key``) in a query string.
_QUERY = re.compile(r"(?P<name>[?&](?:[A-Za-z_]*token|key|code)=)(?P<secret>[^\s&#\"'<>]+)",
                    re.IGNORECASE)


def _hide_path(match: re.Match) -> str:
    if match.group("prefix"):
        return f"{match.group('prefix')}{HIDDEN}"
    return f"{match.group('feed')}{HIDDEN}{match.group('ics')}"


def redact(text: str | None) -> str | None:
    """``text`` with the secret of every token link and token query parameter hidden.

    None stays None. Only the secret goes; scheme, host and the rest of the
    path remain, so a reader still sees which kind of link it was.
    """
    if not text:
        return text
    text = _PATHS.sub(_hide_path, text)
    return _QUERY.sub(lambda m: f"{m.group('name')}{HIDDEN}", text)


class RedactingFilter(logging.Filter):
    """A logging filter that applies :func:`redact` to the finished message.

    The record's message is rendered once and its arguments dropped, so handlers
    and formatters further on see only the redacted text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def redact_logger(name: str) -> None:
    """Add one :class:`RedactingFilter` to the logger ``name`` (idempotent)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
