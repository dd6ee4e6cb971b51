"""A real HTTP server and client for race tests: the app on 127.0.0.1 in a thread.

Each :class:`HttpClient` has its own cookie jar (its own session) and never follows
redirects, so a test sees the 303 or the 409 itself.
"""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from werkzeug.serving import make_server

from tests.conftest import csrf_token_from


@contextmanager
def served(app) -> Iterator[str]:
    """Serve ``app`` with a threaded Werkzeug server on a free loopback port; stop afterwards."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Reply:
    status: int
    body: str
    headers: dict[str, str]


class HttpClient:
    """One browser: a cookie jar, the CSRF token of its session, no redirect following."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.token = ""

    def request(self, method: str, path: str, data: dict | None = None,
                headers: dict | None = None) -> Reply:
        body = urllib.parse.urlencode(data or {}, doseq=True).encode() if method == "POST" else None
        req = urllib.request.Request(self.base + path, data=body, method=method,  # noqa: S310 - our own http server
                                     headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as response:
                return Reply(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode(), dict(error.headers))

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, data: dict | None = None, headers: dict | None = None) -> Reply:
        payload = {"csrf_token": self.token, **(data or {})}
        return self.request("POST", path, payload, headers)

    def login(self, email: str, password: str) -> HttpClient:
        page = self.get("/inloggen")
        self.token = csrf_token_from(page.body)
        reply = self.post("/inloggen", {"email": email, "password": password, "next": ""})
        assert reply.status == 303, (reply.status, reply.body[:500])
        self.token = csrf_token_from(self.get("/mijn-werk").body)
        return self


def race(calls, timeout: float = 120) -> list:
    """Run the callables at the same moment (one thread each); their results in order.

    An exception in a call is returned in its place, so that a test can report it.
    """
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            start.wait()
            results[i] = call()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
