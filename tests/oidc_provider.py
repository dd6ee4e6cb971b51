"""A real OpenID Connect provider for the tests: ``oidc-provider-mock`` served over HTTP.

The provider is the package's Flask app (discovery, authorization, token, JWKS
endpoints; RS256-signed id_tokens) served by a threaded Werkzeug server on 127.0.0.1
on a free port. Users are set through its ``PUT /users/<sub>`` endpoint; a login is
made by POSTing its authorization form with a subject, as a person clicking
"Authorize" would.

Two answers the package never gives are made by a variant of the same provider:
with ``tamper`` set, its token endpoint's id_token is re-signed with the provider's own
key (the one its JWKS publishes) after changing claims, e.g. a wrong ``nonce`` or an
``exp`` in the past. Nothing in the tracker or in Authlib is replaced.
"""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import urlsplit

import flask
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server


class OidcProvider:
    """One provider process on ``self.url`` (also its issuer); ``stop()`` at teardown."""

    def __init__(self) -> None:
        import oidc_provider_mock

        self.app = oidc_provider_mock.app(require_nonce=True)
        #: Claims to change in the next id_tokens, or None: ``{"nonce": "x"}``,
        #: ``{"exp": <past>}``; a callable gets the claims and returns the changes.
        self.tamper: dict | None = None
        self.tokens_issued = 0
        self.last_authorize_query: dict = {}
        self.app.after_request(self._after_request)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        self.running = True

    def _after_request(self, response):
        request = flask.request
        if request.path == "/oauth2/authorize" and request.method == "GET":
            self.last_authorize_query = request.args.to_dict()
        if request.path != "/oauth2/token" or response.status_code != 200:
            return response
        self.tokens_issued += 1
        if not self.tamper:
            return response
        body = json.loads(response.get_data(as_text=True))
        key = RSAKey.import_key(flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True))
        original = jwt.decode(body["id_token"], key)
        claims = {**original.claims, **self.tamper}
        body["id_token"] = jwt.encode(original.header, claims, key)
        response.set_data(json.dumps(body))
        return response

    def set_user(self, sub: str, **claims) -> None:
        """Create or replace the provider's user ``sub`` with ``claims`` (email, amr, ...)."""
        answer = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        assert answer.status_code == 204, answer.text

    def authorize(self, authorization_url: str, sub: str) -> str:
        """Log in as ``sub`` at the authorization URL the tracker redirected to; return
        the URL the provider sends the browser back to (the tracker's callback)."""
        assert authorization_url.startswith(self.url + "/oauth2/authorize?"), authorization_url
        requests.get(authorization_url, timeout=5)  # the form, as a browser would show it
        answer = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False,
                               timeout=5)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]

    def stop(self) -> None:
        """Stop serving; the port refuses connections afterwards."""
        if self.running:
            self.server.shutdown()
            self.server.server_close()
            self._thread.join(timeout=5)
            self.running = False


def callback_path(url: str) -> str:
    """The path and query of a callback URL, for the Flask test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def unused_port_url() -> str:
    """A loopback URL where nothing listens (a provider that is down)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def past(seconds: int = 3600) -> int:
    return int(time.time()) - seconds


__all__ = ["OidcProvider", "callback_path", "past", "unused_port_url"]
