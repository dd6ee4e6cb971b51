"""gunicorn's logger with every token in the access log hidden (see ``gunicorn.conf.py``).

Password, RSVP, unsubscribe and calendar-feed links carry their secret in the
path; a log that keeps them would hand working links to whoever reads it.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from tracker.redaction import HIDDEN, redact

#: Header atoms whose whole value is a secret, should a log format ever name them.
SECRET_HEADERS = {"{cookie}i", "{authorization}i", "{x-csrftoken}i", "{set-cookie}o"}


class RedactingLogger(Logger):
    """A gunicorn :class:`~gunicorn.glogging.Logger` whose access-log atoms are redacted.

    Every text atom (request line ``%(r)s``, path ``%(U)s``, query ``%(q)s``,
    referrer ``%(f)s``, headers) goes through :func:`tracker.redaction.redact`;
    cookie, authorization and CSRF headers are replaced as a whole.
    """

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if key in SECRET_HEADERS and value:
                atoms[key] = HIDDEN
            elif isinstance(value, str):
                atoms[key] = redact(value)
        return atoms
