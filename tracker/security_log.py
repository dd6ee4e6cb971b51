"""The security log: who did what to which object, with what result, from where, when.

Every event is one line on the logger ``tracker.security`` at INFO: a JSON
object with the fields ``when`` (UTC, ISO 8601), ``what`` (the event kind, e.g.
``login.failed``), ``who`` (a user id or ``"anoniem"``), ``object``, ``result``,
``origin`` (the client address after ProxyFix) and optionally ``detail``. The
same dict is attached to the log record as ``record.security`` for handlers that
want fields rather than text.

Never passed in, so never logged: passwords, tokens, TOTP codes, session ids.
An address typed at login or for a password link that belongs to no account is
logged as a keyed hash (``adres:<16 hex>``): people type their password into the
address field, and an unknown "address" may be exactly that. The hash still lets
an officer see that one value was tried many times.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from flask import Blueprint, Flask, current_app, has_request_context, request

from tracker.audit.services import request_origin
from tracker.db import utcnow

log = logging.getLogger("tracker.security")

ANONYMOUS = "anoniem"


def register_security_log(app: Flask) -> None:
    """Make the security log reach the operator.

    The logger logs at INFO. With ``TRACKER_SECURITY_LOG_TO_STDERR`` (on by
    default, off in tests) it writes its JSON lines to stderr itself (gunicorn
    passes that on to its error log or the journal) and does not also propagate,
    so a root handler set up elsewhere does not print each line twice. With the
    setting off the lines propagate to whatever logging the host configures.
    """
    log.setLevel(logging.INFO)
    if not app.config.get("TRACKER_SECURITY_LOG_TO_STDERR"):
        return
    if not any(getattr(h, "tracker_security", False) for h in log.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))  # the line carries "when"
        handler.tracker_security = True
        log.addHandler(handler)
    log.propagate = False


def client_address() -> str:
    """The client's address as the app sees it (after ProxyFix); ``cli`` outside a request."""
    return request_origin() or "-"


def typed_address_ref(address: str) -> str:
    """A keyed hash of a typed value that matches no account: ``adres:<16 hex>``."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()
    return f"adres:{digest[:16]}"


def object_ref(obj: Any) -> str | None:
    """A short reference: ``user:12`` for a model instance, a string as is, None for none."""
    if obj is None or isinstance(obj, str):
        return obj
    table = getattr(obj, "__tablename__", None) or type(obj).__name__.lower()
    if table == "users":
        table = "user"
    return f"{table}:{getattr(obj, 'id', '?')}"


def _who(user: Any) -> str | int:
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    return user.id


def security_event(kind: str, *, user: Any = None, obj: Any = None, result: str = "ok",
                   detail: str | dict | None = None) -> dict:
    """Log one security event and return the fields logged.

    ``kind``: what happened, dotted (``login.ok``, ``mfa.enrolled``, ``admin.update``);
    ``user``: who did it (a User, an anonymous user or None for ``"anoniem"``);
    ``obj``: what it concerned (a model instance or a reference string);
    ``result``: ``ok``, ``failed``, ``denied``, ``throttled`` …;
    ``detail``: extra non-secret context. Never pass passwords, tokens, codes or
    session ids here.
    """
    fields: dict[str, Any] = {
        "when": utcnow().isoformat(timespec="seconds"),
        "what": kind,
        "who": _who(user),
        "object": object_ref(obj),
        "result": result,
        "origin": client_address(),
    }
    if detail:
        fields["detail"] = detail
    log.info(json.dumps(fields, ensure_ascii=False), extra={"security": fields})
    return fields


def request_object() -> str:
    """The object of the current request: endpoint and numeric URL arguments only.

    URL arguments that are not numbers may be secrets (tokens in links), so they
    are left out.
    """
    if not has_request_context():
        return "-"
    parts = [request.endpoint or request.method]
    args = request.view_args or {}
    parts += [f"{name}={value}" for name, value in sorted(args.items()) if isinstance(value, int)]
    return " ".join(parts)


def log_beheerder_actions(bp: Blueprint) -> None:
    """Log every state-changing request to ``bp`` (a beheerder's blueprint) as ``admin.<view>``."""

    @bp.after_request
    def _log_admin_action(response):
        from flask_login import current_user

        from tracker.auth.permissions import SAFE_METHODS

        if request.method not in SAFE_METHODS:
            view = (request.endpoint or "").rpartition(".")[2]
            security_event(
                f"admin.{view}", user=current_user, obj=request_object(),
                # An anonymous request is sent to the login page (302): refused, not ok.
                result="ok" if response.status_code < 400 and current_user.is_authenticated
                else "refused",
                detail=f"{request.method} {response.status_code}",
            )
        return response
