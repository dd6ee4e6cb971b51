"""Configuration classes, read from the environment.

``TRACKER_ENV`` picks the class: ``development`` (default), ``production`` or
``testing``. Every setting can be overridden by an environment variable of the
same name.
"""

from __future__ import annotations

import os
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


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
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

    # Sessions: idle timeout 30 minutes (refreshed on every request), absolute 12 h, both
    # checked server-side. The cookie itself lives as long as the absolute limit, so a
    # form posted after the idle timeout still names its account and what was typed can
    # be kept for it (tracker/auth/drafts.py); the server refuses the session all the same.
    TRACKER_SESSION_IDLE_LIFETIME = timedelta(minutes=30)
    TRACKER_SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = TRACKER_SESSION_ABSOLUTE_LIFETIME
    SESSION_REFRESH_EACH_REQUEST = True
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

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = TRACKER_TIMEZONE

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

    # == JSON API (tracker/api, docs/api.md) ==
    #: Rate limit per API token (Flask-Limiter notation), and where the counts live:
    #: "memory://" counts per process; "redis://…" shares them between workers.
    TRACKER_API_RATE_LIMIT = os.environ.get("TRACKER_API_RATE_LIMIT", "120 per minute")
    TRACKER_RATELIMIT_STORAGE_URI = os.environ.get("TRACKER_RATELIMIT_STORAGE_URI", "memory://")
    TRACKER_API_RATELIMIT_ENABLED = _bool("TRACKER_API_RATELIMIT_ENABLED", True)
    #: Longest lifetime of a personal API token, in days.
    TRACKER_API_TOKEN_MAX_DAYS = int(os.environ.get("TRACKER_API_TOKEN_MAX_DAYS", "365"))


class DevelopmentConfig(Config):
    """Local development: generated secret, SQLite under instance/."""

    TRACKER_ENV = "development"


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
