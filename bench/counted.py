"""The tracker as ``wsgi:app``, plus a count of SQL statements per request.

Only ``bench/run.py``'s first pass uses this module (``gunicorn bench.counted:app``): it
requests each endpoint once and reads the ``X-Bench-SQL`` header. The timed runs use
``wsgi:app`` itself, so the counter costs them nothing. Counted: every statement sent
to the database while Flask handles the request, up to the moment the status line is
written (every hook included). gunicorn's sync workers handle one request at a time,
so one counter per process is exact.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

from wsgi import app

_statements = [0]


@event.listens_for(Engine, "before_cursor_execute")
def _count(conn, cursor, statement, parameters, context, executemany):
    _statements[0] += 1


class _Counting:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        _statements[0] = 0

        def counted(status, headers, exc_info=None):
            headers.append(("X-Bench-SQL", str(_statements[0])))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, counted)


app.wsgi_app = _Counting(app.wsgi_app)
