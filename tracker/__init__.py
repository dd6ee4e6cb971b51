"""The action and pilot tracker of the Veiligheidsnetwerk Oost-Nederland."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, g, request

from tracker.db import sqlite_write_intent
from tracker.extensions import csrf, db, login_manager, migrate
from tracker.guards import register_guards

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the application.

    ``config`` is a config class, or a dict of overrides on top of the class
    that ``TRACKER_ENV`` selects (``development`` when unset).
    """
    from config import CONFIGS, INSTANCE_DIR, development_data_key, development_secret_key

    overrides: dict[str, Any] = {}
    if isinstance(config, dict):
        overrides = config
        config = None
    env = overrides.get("TRACKER_ENV") or os.environ.get("TRACKER_ENV", "development")
    if config is None:
        if env not in CONFIGS:
            raise RuntimeError(f"TRACKER_ENV={env!r}: use one of {', '.join(CONFIGS)}")
        config = CONFIGS[env]

    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object(config)
    app.config.update(overrides)
    _ensure_secret_key(app, development_secret_key)
    register_proxy_fix(app)
    from tracker.security_log import register_security_log

    register_security_log(app)
    _ensure_data_key(app, development_data_key)
    from tracker.compression import register_compression
    from tracker.static_files import register_static_files

    # Static files are answered before Flask (no session, no user, no SQL); compression
    # is the first after_request hook, so it runs after all the others.
    register_static_files(app)
    register_compression(app)

    register_extensions(app)
    # The development server's request log and Flask's "Exception on <path>" name
    # URLs: token links are hidden there as in gunicorn's access log.
    from tracker.redaction import redact_logger

    redact_logger("werkzeug")
    redact_logger(app.logger.name)
    # helper "api": the token check runs before every other request hook (tracker.api.auth)
    from tracker.api.auth import register_api_auth

    register_api_auth(app)
    register_request_hooks(app)
    register_guards(app)
    register_blueprints(app)
    register_jinja(app)
    register_cli(app)
    return app


def _ensure_secret_key(app: Flask, development_secret_key) -> None:
    """Production refuses to start without SECRET_KEY; development generates one."""
    if app.config.get("SECRET_KEY"):
        return
    if app.config["TRACKER_ENV"] == "production":
        raise RuntimeError(
            "SECRET_KEY ontbreekt: zet de omgevingsvariabele SECRET_KEY voor productie."
        )
    app.config["SECRET_KEY"] = development_secret_key(Path(app.instance_path))


def register_proxy_fix(app: Flask) -> None:
    """Behind ``TRACKER_PROXY_COUNT`` proxies, take the client address and scheme from them.

    Without proxies (0) the forwarding headers are ignored: anyone could send them.
    """
    hops = int(app.config.get("TRACKER_PROXY_COUNT") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
def _ensure_data_key(app: Flask, development_data_key) -> None:
    """Production refuses to start without a valid TRACKER_DATA_KEY; development generates one."""
    from tracker.crypto import check_data_key

    if not app.config.get("TRACKER_DATA_KEY"):
        if app.config["TRACKER_ENV"] == "production":
            raise RuntimeError(
                "TRACKER_DATA_KEY ontbreekt: zet de omgevingsvariabele TRACKER_DATA_KEY "
                "(een Fernet-sleutel) voor productie."
            )
        app.config["TRACKER_DATA_KEY"] = development_data_key(Path(app.instance_path))
    check_data_key(app.config["TRACKER_DATA_KEY"])


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to ``app``."""
    import tracker.models  # noqa: F401  (register every model with the metadata)

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:///:memory:"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)

    from tracker.auth.sessions import register_login_manager

    register_login_manager(app, login_manager)


def register_request_hooks(app: Flask) -> None:
    """Write intent for SQLite, default-deny, sessions, security headers, errors."""
    from tracker.auth.mfa import register_mfa_policy
    from tracker.auth.permissions import SAFE_METHODS, enforce_declared_permission
    from tracker.auth.sessions import register_session_limits
    from tracker.errors import register_error_handlers
    from tracker.security import register_security_headers

    @app.before_request
    def _declare_write_intent():
        # Readers start DEFERRED transactions; writers IMMEDIATE (see tracker.db).
        g._write_intent_token = sqlite_write_intent.set(request.method not in SAFE_METHODS)

    @app.teardown_request
    def _reset_write_intent(_exc):
        token = g.pop("_write_intent_token", None)
        if token is not None:
            sqlite_write_intent.reset(token)

    enforce_declared_permission(app)
    register_session_limits(app)
    register_mfa_policy(app)
    register_security_headers(app)
    register_error_handlers(app)


def register_blueprints(app: Flask) -> None:
    from tracker.actions.routes import bp as actions_bp
    from tracker.admin.routes import bp as admin_bp
    from tracker.agenda.routes import bp as agenda_bp
    from tracker.attachments.routes import bp as attachments_bp
    from tracker.auth.oidc_routes import bp as oidc_bp
    from tracker.auth.routes import bp as auth_bp
    from tracker.events.routes import bp as events_bp
    from tracker.health import bp as health_bp
    from tracker.home.routes import bp as home_bp
    from tracker.indicators.routes import bp as indicators_bp
    from tracker.milestones.routes import bp as milestones_bp
    from tracker.network.routes import bp as network_bp
    from tracker.notifications.routes import bp as notifications_bp
    from tracker.notifications.routes import outbox_bp
    from tracker.pilots.routes import bp as pilots_bp
    from tracker.report.routes import bp as report_bp
    from tracker.search.routes import bp as search_bp
    from tracker.status.routes import bp as status_bp
    from tracker.webhooks.routes import bp as webhooks_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(oidc_bp)  # login with the work account (OpenID Connect)
    app.register_blueprint(network_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(milestones_bp)
    app.register_blueprint(pilots_bp)
    app.register_blueprint(agenda_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(status_bp)
    app.register_blueprint(report_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(indicators_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(attachments_bp)  # Bijlagen
    app.register_blueprint(webhooks_bp)  # Webhooks (beheer)
    from tracker.api.setup import register_api  # the JSON API under /api/v1 (issue 14)

    register_api(app)


def register_jinja(app: Flask) -> None:
    from flask_login import current_user

    from tracker.auth.permissions import can
    from tracker.formatting import register_filters

    register_filters(app)
    from tracker.urls import id_url

    app.jinja_env.globals["id_url"] = id_url
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _template_helpers():
        return {
            "can": lambda permission, obj=None: can(current_user, permission, obj),
            "tracker_env": app.config["TRACKER_ENV"],
        }


def register_cli(app: Flask) -> None:
    from tracker.auth.cli import users_cli
    from tracker.avg.cli import privacy_cli
    from tracker.backup.cli import backup_command, restore_command
    from tracker.demo.cli import demo_cli
    from tracker.jobs.cli import jobs_cli, scheduler_command
    from tracker.network.cli import network_cli  # helper "people": standing organisations
    from tracker.report.cli import report_cli
    from tracker.search.cli import search_cli

    for command in (users_cli, demo_cli, report_cli, jobs_cli, scheduler_command, privacy_cli,
                    network_cli, search_cli, backup_command, restore_command):
        app.cli.add_command(command)
