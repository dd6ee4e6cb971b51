"""Configuration classes, read from the environment.

``TRACKER_ENV`` picks the class: ``development`` (default), ``production`` or
``testing``. Every setting can be overridden by an environment variable of the
same name.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("TRACKER_INSTANCE_PATH", BASE_DIR / "instance"))


def normalise_database_url(url: str) -> str:
    """Make a ``postgres://`` or ``postgresql://`` URL use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _bool(name: str, default: bool, environ=os.environ) -> bool:
    value = environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def development_secret_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """Return the development secret, generating it into ``instance/`` once."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def development_data_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """Return the development data-encryption key (a Fernet key), generated into ``instance/``."""
    from cryptography.fernet import Fernet

    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / "data_key"
    if not path.exists():
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return path.read_text().strip()


_OIDC_NAME = re.compile(r"^[a-z][a-z0-9]{0,19}$")


def oidc_providers_from_env(environ=os.environ) -> dict[str, dict]:
    """The OpenID Connect providers named in ``TRACKER_OIDC_PROVIDERS`` (comma-separated).

    Per provider NAME (lower-case letters and digits; upper-cased in the variables):
    ``TRACKER_OIDC_<NAME>_ISSUER`` and ``_CLIENT_ID`` (required), ``_CLIENT_SECRET``
    (empty: a public client, PKCE only), ``_LABEL`` (the button reads "Inloggen met
    <label>"), ``_ACCEPT_MFA`` (comma-separated ``amr``/``acr`` values accepted in
    place of the local second factor; empty: none), ``_CREATE_ACCOUNTS`` (off by
    default) and ``_EMAIL_VERIFIED_CLAIM`` (the claim that must be true before an
    address is trusted; ``email_verified`` by default). Returns ``{name: settings}``;
    raises ``RuntimeError`` on a bad name or a missing required variable.
    """
    result: dict[str, dict] = {}
    for raw in (environ.get("TRACKER_OIDC_PROVIDERS") or "").split(","):
        name = raw.strip().lower()
        if not name:
            continue
        if not _OIDC_NAME.match(name):
            raise RuntimeError(f"TRACKER_OIDC_PROVIDERS: ongeldige naam {raw.strip()!r} "
                               "(kleine letters en cijfers, beginnend met een letter)")
        prefix = f"TRACKER_OIDC_{name.upper()}_"
        missing = [key for key in ("ISSUER", "CLIENT_ID") if not environ.get(prefix + key)]
        if missing:
            raise RuntimeError(f"{prefix}{missing[0]} ontbreekt voor aanbieder {name!r}")
        result[name] = {
            "issuer": environ[prefix + "ISSUER"].strip(),
            "client_id": environ[prefix + "CLIENT_ID"].strip(),
            "client_secret": environ.get(prefix + "CLIENT_SECRET") or None,
            "label": (environ.get(prefix + "LABEL") or name).strip(),
            "accept_mfa": [v.strip() for v in (environ.get(prefix + "ACCEPT_MFA") or "").split(",")
                           if v.strip()],
            "create_accounts": _bool(prefix + "CREATE_ACCOUNTS", False, environ),
            "email_verified_claim": (environ.get(prefix + "EMAIL_VERIFIED_CLAIM")
                                     or "email_verified").strip(),
        }
    return result


class Config:
    """Settings shared by every environment."""

    TRACKER_ENV = "development"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'tracker.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY")
    #: Key(s) that encrypt secrets at rest (the TOTP secrets): Fernet keys, comma-separated,
    #: the first encrypts, all decrypt (rotation). Production refuses to start without it.
    TRACKER_DATA_KEY = os.environ.get("TRACKER_DATA_KEY")

    TRACKER_BASE_URL = os.environ.get("TRACKER_BASE_URL", "http://127.0.0.1:5000")
    TRACKER_TIMEZONE = os.environ.get("TRACKER_TIMEZONE", "Europe/Amsterdam")
    TRACKER_DEMO_PASSWORD = os.environ.get("TRACKER_DEMO_PASSWORD", "oost-nederland-2018")
    #: Above this many actions the report's PDF and Word files are made in the background
    #: (the scheduler's ``report-renders`` job) instead of in the request: about 2.5 ms of
    #: PDF layout per action, so 3,000 stays near 10 s, well inside the worker timeout.
    TRACKER_REPORT_INLINE_ACTIONS = int(os.environ.get("TRACKER_REPORT_INLINE_ACTIONS", "3000"))

    # Sessions: idle timeout 30 minutes (the last-seen time is written at most once a
    # minute: tracker.auth.sessions.SEEN_AT_RESOLUTION), absolute 12 h, both checked
    # server-side. The cookie is sent again only when the session changed (not refreshed
    # on every response: a signature per request for nothing). It lives as long as the
    # absolute limit from its last write, so a form posted after the idle timeout still
    # names its account and what was typed can be kept for it (tracker/auth/drafts.py);
    # the server refuses the session all the same.
    TRACKER_SESSION_IDLE_LIFETIME = timedelta(minutes=30)
    TRACKER_SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = TRACKER_SESSION_ABSOLUTE_LIFETIME
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    # Throttling of logins, password links and TOTP codes: see tracker/auth/throttle.py
    # (TRACKER_THROTTLE_POLICIES may override its POLICIES per kind).
    # Reverse proxies in front of the app: ProxyFix trusts this many X-Forwarded-For
    # and X-Forwarded-Proto hops; 0 (no proxy) ignores those headers.
    TRACKER_PROXY_COUNT = int(os.environ.get("TRACKER_PROXY_COUNT", "0"))
    # The security log (logger "tracker.security", JSON lines) on stderr; off: left to
    # the host's logging configuration.
    TRACKER_SECURITY_LOG_TO_STDERR = _bool("TRACKER_SECURITY_LOG_TO_STDERR", True)

    # Second factor (TOTP): required after login for every account that can change data.
    TRACKER_MFA_REQUIRED = _bool("TRACKER_MFA_REQUIRED", False)
    #: How long the password step stays valid while the code is asked for.
    TRACKER_MFA_PENDING_LIFETIME = timedelta(minutes=5)
    #: Name of the service in authenticator apps.
    TRACKER_MFA_ISSUER = os.environ.get("TRACKER_MFA_ISSUER", "Veiligheidsnetwerk Oost-Nederland")

    # Login with the work account (OpenID Connect, tracker/auth/oidc.py; docs/oidc.md):
    # {name: settings}, see oidc_providers_from_env. None configured: passwords only.
    TRACKER_OIDC_PROVIDERS = oidc_providers_from_env()

    # AVG: external invitees are erased this many months after their last meeting.
    TRACKER_INVITEE_RETENTION_MONTHS = int(os.environ.get("TRACKER_INVITEE_RETENTION_MONTHS", "12"))

    #: Request bodies: Werkzeug answers 413 from Content-Length before reading the body.
    #: 2 MB holds the largest upload (the indicator CSV import, at most 1 MB).
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    #: Multipart forms (Werkzeug applies these to multipart only; a urlencoded form is
    #: bounded by MAX_CONTENT_LENGTH): one text part, and the number of parts.
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    MAX_FORM_PARTS = 1000
    # == Bijlagen ==: files outside the web root (created on demand), and the largest file.
    TRACKER_ATTACHMENT_DIR = os.environ.get("TRACKER_ATTACHMENT_DIR",
                                            str(INSTANCE_DIR / "attachments"))
    TRACKER_ATTACHMENT_MAX_BYTES = int(os.environ.get("TRACKER_ATTACHMENT_MAX_BYTES",
                                                      str(10 * 1024 * 1024)))
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token
    WTF_CSRF_HEADERS = ["X-CSRFToken"]

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "8025"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Veiligheidsnetwerk Oost-Nederland <tracker@example.org>"
    )
    MAIL_SUPPRESS_SEND = _bool("MAIL_SUPPRESS_SEND", False)
    #: Seconds an SMTP connect, greeting or reply may take before delivery gives up.
    TRACKER_SMTP_TIMEOUT = float(os.environ.get("TRACKER_SMTP_TIMEOUT", "30"))
    #: Only a loopback mail server (127.0.0.1, ::1, localhost); on by default in development.
    TRACKER_MAIL_LOCAL_ONLY = _bool("TRACKER_MAIL_LOCAL_ONLY", False)
    #: No digest for a recipient without news.
    TRACKER_DIGEST_SKIP_EMPTY = _bool("TRACKER_DIGEST_SKIP_EMPTY", True)
    #: PostgreSQL: delivery's "sent" commits do not wait for the WAL flush (faster; a
    #: database crash may resend the last few messages, with the same Message-ID).
    TRACKER_OUTBOX_ASYNC_COMMIT = _bool("TRACKER_OUTBOX_ASYNC_COMMIT", False)

    # Answers from the calendar buttons (tracker/events/itip.py): the mailbox that
    # TRACKER_REPLY_ADDRESS delivers to, read over IMAP by the job "calendar-replies".
    # Without host, user and reply address, invitations carry no reply buttons
    # (METHOD:PUBLISH) and invitees answer through their link only.
    TRACKER_REPLY_ADDRESS = os.environ.get("TRACKER_REPLY_ADDRESS")
    TRACKER_IMAP_HOST = os.environ.get("TRACKER_IMAP_HOST")
    TRACKER_IMAP_PORT = int(os.environ.get("TRACKER_IMAP_PORT", "993"))
    TRACKER_IMAP_USER = os.environ.get("TRACKER_IMAP_USER")
    TRACKER_IMAP_PASSWORD = os.environ.get("TRACKER_IMAP_PASSWORD")
    TRACKER_IMAP_FOLDER = os.environ.get("TRACKER_IMAP_FOLDER", "INBOX")
    TRACKER_IMAP_SSL = _bool("TRACKER_IMAP_SSL", True)

    HSTS = False

    # Static files and compression (tracker/static_files.py, tracker/compression.py).
    # Static files: fingerprinted names, read once at start; with autorefresh the folder
    # is looked at again (at most once a second) so edits get a new fingerprint.
    TRACKER_STATIC_AUTOREFRESH = _bool("TRACKER_STATIC_AUTOREFRESH", False)
    # Dynamic responses: flask-compress, registered by tracker.compression behind its
    # cross-site check (BREACH), not by flask-compress itself.
    COMPRESS_REGISTER = False
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript",
                          "image/svg+xml", "application/json", "text/calendar", "text/csv",
                          "text/plain"]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]
    COMPRESS_LEVEL = 6  # gzip
    COMPRESS_BR_LEVEL = 4  # brotli: about gzip 6's size at gzip's speed
    #: Below about a kilobyte compression saves no packet; also the static files' bound.
    COMPRESS_MIN_SIZE = 1024
    # == JSON API (tracker/api, docs/api.md) ==
    #: Rate limit per API token (Flask-Limiter notation), and where the counts live:
    #: "memory://" counts per process; "redis://…" shares them between workers.
    TRACKER_API_RATE_LIMIT = os.environ.get("TRACKER_API_RATE_LIMIT", "120 per minute")
    TRACKER_RATELIMIT_STORAGE_URI = os.environ.get("TRACKER_RATELIMIT_STORAGE_URI", "memory://")
    TRACKER_API_RATELIMIT_ENABLED = _bool("TRACKER_API_RATELIMIT_ENABLED", True)
    #: Longest lifetime of a personal API token, in days.
    TRACKER_API_TOKEN_MAX_DAYS = int(os.environ.get("TRACKER_API_TOKEN_MAX_DAYS", "365"))

    # == Webhooks (tracker/webhooks, docs/webhooks.md) ==
    #: Seconds one POST may take; tries before a delivery is failed (0: one per back-off
    #: step of the outbox plus the first, 7).
    TRACKER_WEBHOOK_TIMEOUT = float(os.environ.get("TRACKER_WEBHOOK_TIMEOUT", "10"))
    TRACKER_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("TRACKER_WEBHOOK_MAX_ATTEMPTS", "0"))
    #: http:// to this machine (127.0.0.1, ::1, localhost); tests and debug allow it anyway.
    TRACKER_WEBHOOK_ALLOW_LOCAL_HTTP = _bool("TRACKER_WEBHOOK_ALLOW_LOCAL_HTTP", False)


class DevelopmentConfig(Config):
    """Local development: generated secret, SQLite under instance/."""

    TRACKER_ENV = "development"
    TRACKER_STATIC_AUTOREFRESH = _bool("TRACKER_STATIC_AUTOREFRESH", True)
    TRACKER_MAIL_LOCAL_ONLY = _bool("TRACKER_MAIL_LOCAL_ONLY", True)
    # `make run` serves a local receiver-friendly development app: http://127.0.0.1 allowed.
    TRACKER_WEBHOOK_ALLOW_LOCAL_HTTP = _bool("TRACKER_WEBHOOK_ALLOW_LOCAL_HTTP", True)


class ProductionConfig(Config):
    """Production: secret required, secure cookies, HSTS."""

    TRACKER_ENV = "production"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    HSTS = True
    TRACKER_MFA_REQUIRED = _bool("TRACKER_MFA_REQUIRED", True)


class TestingConfig(Config):
    """The test suite: CSRF stays on; the database comes from the test fixture."""

    TRACKER_ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    TRACKER_DATA_KEY = "dGVzdC1kYXRhLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24="  # noqa: S105 (32 bytes)
    TRACKER_MFA_REQUIRED = False
    MAIL_SUPPRESS_SEND = True
    TRACKER_SECURITY_LOG_TO_STDERR = False  # the tests read it through propagation (caplog)
    # Fast hashing keeps the suite quick; production uses scrypt.
    TRACKER_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105
    # The API's rate limit is switched on by the test that checks it (its own app).
    TRACKER_API_RATELIMIT_ENABLED = False


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}
