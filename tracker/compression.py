"""Compressed dynamic responses: pages, htmx fragments, JSON, ICS, CSV (flask-compress).

flask-compress (``COMPRESS_*`` in ``config.py``) compresses a response when its type is
in ``COMPRESS_MIMETYPES``, it is at least ``COMPRESS_MIN_SIZE`` bytes, its status is
2xx, it has no ``Content-Encoding`` yet and the request's ``Accept-Encoding`` allows
brotli or gzip; it adds ``Vary: Accept-Encoding``. Streamed responses are compressed
chunk by chunk. PDF, Word, Excel, zip and images are not in the list: they are compressed
already. Static files never get here (:mod:`tracker.static_files` compresses them once).

BREACH: a compressed page that holds a secret next to text an attacker chose can leak
the secret through its length. The attack needs the victim's browser to send many
requests that another site starts. Such requests say so (``Sec-Fetch-Site:
cross-site`` or ``same-site``) and are answered uncompressed; the session cookie is
``SameSite=Lax``, so of those only top-level navigations carry a session at all. The
CSRF token in every page is no such secret anyway: Flask-WTF signs it with a timestamp,
so it differs from second to second and the part that stays the same is useless
without ``SECRET_KEY``.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

#: ``Sec-Fetch-Site`` values of requests another site started.
STARTED_ELSEWHERE = frozenset({"cross-site", "same-site"})


def register_compression(app: Flask) -> Compress:
    """Compress ``app``'s responses (see the module docstring).

    Call before any other ``after_request`` hook is registered: Flask runs them in
    reverse, so compression comes last, after every hook that reads or changes the body.
    """
    compress = Compress()
    compress.init_app(app)  # COMPRESS_REGISTER is False: the hook below calls it
    app.extensions["compress"] = compress

    @app.after_request
    def _compress(response: Response) -> Response:
        if response.mimetype in compress.compress_mimetypes_set:
            response.vary.add("Sec-Fetch-Site")
        if request.headers.get("Sec-Fetch-Site") in STARTED_ELSEWHERE:
            response.vary.add("Accept-Encoding")
            return response
        return compress.after_request(response)

    return compress
