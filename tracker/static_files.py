"""Static files: fingerprinted URLs, cached for a year, compressed once, served before Flask.

The folder is read once at start (:class:`StaticFiles`). Every file gets a name with
its content hash, ``css/app.css`` → ``css/app.3f9a1c2b4d5e.css`` (12 hex digits of
SHA-256), and ``url_for('static', filename='css/app.css')`` returns that name (a URL
default, so templates keep calling ``url_for``). A changed file has a new URL, so a
browser may keep a fingerprinted file for a year without asking again.

The files are answered by a WSGI middleware in front of Flask: no request context, so
no session is opened or saved (no ``Set-Cookie``), no user is loaded and no SQL runs.
Answers:

- ``/static/<fingerprinted name>``: ``Cache-Control: public, max-age=31536000, immutable``.
- ``/static/<plain name>`` or a fingerprint of an older version: today's file with
  ``Cache-Control: no-cache`` (the browser revalidates with its ETag: ``304``).
- anything else under ``/static/``: ``404``; a method other than GET or HEAD: ``405``.

Text files (CSS, JS, SVG, JSON, ...) of at least ``COMPRESS_MIN_SIZE`` bytes are
compressed once per process, on first use, with gzip (level 9) and brotli (quality 9)
and sent in the encoding the request's ``Accept-Encoding`` prefers (brotli on a tie),
with ``Vary: Accept-Encoding``. Every answer carries the static security headers of
:func:`tracker.security.static_security_headers`.

With ``TRACKER_STATIC_AUTOREFRESH`` (development) the folder is looked at again at
most once a second, so an edited stylesheet gets its new fingerprint without a restart.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import brotli
from flask import Flask
from werkzeug.http import parse_accept_header, parse_etags
from werkzeug.utils import get_content_type

#: Kept for a year and never revalidated: the URL changes when the content does.
IMMUTABLE = "public, max-age=31536000, immutable"
#: A plain or outdated name: may be stored, but asked again (cheaply, ETag → 304) each use.
REVALIDATE = "no-cache"
#: Hex digits of the SHA-256 in a fingerprinted name.
HASH_LENGTH = 12
FINGERPRINTED = re.compile(
    rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[^./]+)?$")
#: Types worth compressing besides ``text/*``.
COMPRESSIBLE_TYPES = frozenset({"application/javascript", "application/json",
                                "application/xml", "image/svg+xml"})
#: In order of preference when the client accepts both equally.
ENCODINGS = ("br", "gzip")
GZIP_LEVEL = 9
#: Quality 9: within 15% of quality 11 on these files at a twentieth of the time (the
#: 400 KB component library: 26 KB in 0.1 s against 23 KB in 1 to 4 s, once per worker).
BROTLI_QUALITY = 9


@dataclass(eq=False)
class StaticFile:
    """One file's bytes and headers; compressed variants are made on first use and kept."""

    name: str
    fingerprinted: str
    digest: str
    content_type: str
    body: bytes
    compressible: bool
    _encoded: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def etag(self) -> str:
        # Weak: the same validator for every encoding of the same content.
        return f'W/"{self.digest}"'

    def encoded(self, encoding: str) -> bytes | None:
        """The body in ``encoding`` (``br`` or ``gzip``), or None when not compressible
        or when compressing would not make it smaller."""
        if not self.compressible:
            return None
        if encoding not in self._encoded:
            if encoding == "gzip":
                data = gzip.compress(self.body, GZIP_LEVEL, mtime=0)
            else:
                data = brotli.compress(self.body, quality=BROTLI_QUALITY)
            # Two threads may both compress on first use: the same bytes, either wins.
            self._encoded[encoding] = data
        data = self._encoded[encoding]
        return data if len(data) < len(self.body) else None


#: Files read in this process, by (path, mtime, size, name, min_size): apps made again
#: (tests, CLI) and the development refresh reuse them, compressed variants included.
_READ: dict[tuple[str, int, int, str, int], StaticFile] = {}
_READ_LOCK = threading.Lock()


def fingerprinted_name(name: str, digest: str) -> str:
    """``css/app.css`` with digest ``3f9a…`` → ``css/app.3f9a1c2b4d5e.css``."""
    path = PurePosixPath(name)
    short = digest[:HASH_LENGTH]
    if not path.suffix:
        return f"{name}.{short}"
    return f"{name[:-len(path.suffix)]}.{short}{path.suffix}"


def _read(path: Path, name: str, stat: os.stat_result, min_size: int) -> StaticFile:
    key = (str(path), stat.st_mtime_ns, stat.st_size, name, min_size)
    with _READ_LOCK:
        cached = _READ.get(key)
    if cached is not None:
        return cached
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    compressible = len(body) >= min_size and (
        mimetype.startswith("text/") or mimetype in COMPRESSIBLE_TYPES)
    static_file = StaticFile(
        name=name, fingerprinted=fingerprinted_name(name, digest), digest=digest[:32],
        content_type=get_content_type(mimetype, "utf-8"), body=body,
        compressible=compressible)
    with _READ_LOCK:
        _READ[key] = static_file
    return static_file


def _preferred_encoding(accept_encoding: str, static_file: StaticFile) -> str | None:
    """The encoding with the highest quality the client gives (``*`` counts), br on a tie."""
    if not static_file.compressible or not accept_encoding:
        return None
    accepted = parse_accept_header(accept_encoding)
    best, best_quality = None, 0.0
    for encoding in ENCODINGS:
        quality = accepted.quality(encoding)
        if quality > best_quality and static_file.encoded(encoding) is not None:
            best, best_quality = encoding, quality
    return best


class StaticFiles:
    """The files of one static folder, by plain and by fingerprinted name; a WSGI
    middleware (:meth:`wrap`) that serves them under ``url_path``."""

    def __init__(self, folder: str | Path, url_path: str = "/static", *,
                 headers: Iterable[tuple[str, str]] = (), min_size: int = 1024,
                 autorefresh: bool = False):
        self.folder = Path(folder)
        self.prefix = url_path.rstrip("/") + "/"
        self.headers = list(headers)
        self.min_size = min_size
        self.autorefresh = autorefresh
        self._by_name: dict[str, StaticFile] = {}
        self._by_fingerprint: dict[str, StaticFile] = {}
        self._scanned_at = 0.0
        self._scan_lock = threading.Lock()
        self.scan()

    # --- The manifest -------------------------------------------------------------------

    def scan(self) -> None:
        """Read the folder (hidden files left out) and replace both name tables at once."""
        by_name: dict[str, StaticFile] = {}
        if self.folder.is_dir():
            for root, dirs, files in os.walk(self.folder):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for file_name in sorted(files):
                    if file_name.startswith("."):
                        continue
                    path = Path(root, file_name)
                    name = path.relative_to(self.folder).as_posix()
                    by_name[name] = _read(path, name, path.stat(), self.min_size)
        self._by_name = by_name
        self._by_fingerprint = {f.fingerprinted: f for f in by_name.values()}
        self._scanned_at = time.monotonic()

    def _refresh(self) -> None:
        if not self.autorefresh or time.monotonic() - self._scanned_at < 1.0:
            return
        with self._scan_lock:
            if time.monotonic() - self._scanned_at >= 1.0:
                self.scan()

    @property
    def manifest(self) -> dict[str, str]:
        """Plain name → fingerprinted name, for every file."""
        self._refresh()
        return {name: f.fingerprinted for name, f in self._by_name.items()}

    def url_name(self, name: str) -> str:
        """The fingerprinted name of ``name``; ``name`` itself when there is no such file."""
        self._refresh()
        static_file = self._by_name.get(name)
        return static_file.fingerprinted if static_file is not None else name

    def lookup(self, name: str) -> tuple[StaticFile, str] | None:
        """The file a request for ``name`` gets and its Cache-Control, or None (404)."""
        self._refresh()
        static_file = self._by_fingerprint.get(name)
        if static_file is not None:
            return static_file, IMMUTABLE
        static_file = self._by_name.get(name)
        if static_file is None:
            # A fingerprint of an earlier version (a page from before a deployment).
            match = FINGERPRINTED.match(name)
            if match:
                static_file = self._by_name.get(match["stem"] + (match["suffix"] or ""))
        if static_file is None:
            return None
        return static_file, REVALIDATE

    # --- Serving ------------------------------------------------------------------------

    def wrap(self, wsgi_app: Callable) -> Callable:
        """``wsgi_app`` with every request under ``url_path`` answered here."""

        def static_or_app(environ, start_response):
            path = environ.get("PATH_INFO") or ""
            if not path.startswith(self.prefix):
                return wsgi_app(environ, start_response)
            return self.serve(environ, start_response, path[len(self.prefix):])

        static_or_app.static_files = self
        return static_or_app

    def serve(self, environ, start_response, name: str):
        """Answer one request for the static file ``name`` (WSGI)."""
        method = environ.get("REQUEST_METHOD", "GET")
        headers = list(self.headers)
        found = self.lookup(name)
        if found is None:
            return _answer(start_response, "404 Not Found", headers, b"Niet gevonden.\n",
                           method, "text/plain; charset=utf-8")
        if method not in ("GET", "HEAD"):
            headers.append(("Allow", "GET, HEAD"))
            return _answer(start_response, "405 Method Not Allowed", headers,
                           b"Alleen GET en HEAD.\n", method, "text/plain; charset=utf-8")
        static_file, cache_control = found
        headers += [("Cache-Control", cache_control), ("ETag", static_file.etag)]
        if static_file.compressible:
            headers.append(("Vary", "Accept-Encoding"))
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(static_file.digest):
            start_response("304 Not Modified", headers)
            return [b""]
        encoding = _preferred_encoding(environ.get("HTTP_ACCEPT_ENCODING", ""), static_file)
        body = static_file.body
        if encoding is not None:
            body = static_file.encoded(encoding)
            headers.append(("Content-Encoding", encoding))
        return _answer(start_response, "200 OK", headers, body, method,
                       static_file.content_type)


def _answer(start_response, status: str, headers: list[tuple[str, str]], body: bytes,
            method: str, content_type: str):
    headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [b"" if method == "HEAD" else body]


def register_static_files(app: Flask) -> StaticFiles:
    """Serve ``app``'s static folder through :class:`StaticFiles` and make
    ``url_for('static', filename=...)`` return fingerprinted names."""
    from tracker.security import static_security_headers

    static_files = StaticFiles(
        app.static_folder, app.static_url_path,
        headers=static_security_headers(app.config),
        min_size=int(app.config.get("COMPRESS_MIN_SIZE", 1024)),
        autorefresh=bool(app.config.get("TRACKER_STATIC_AUTOREFRESH")),
    )
    app.extensions["static_files"] = static_files
    app.wsgi_app = static_files.wrap(app.wsgi_app)

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = static_files.url_name(values["filename"])

    return static_files
