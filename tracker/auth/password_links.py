"""Links to set or reset a password: signed, purpose-bound, expiring, single use.

The token carries the user id and a fingerprint of the current password hash and
session nonce: setting a password (or any logout everywhere) changes the
fingerprint, so a link works once. It expires after ``TRACKER_PASSWORD_LINK_MAX_AGE``
seconds (24 hours by default) counted from the moment the mail is sent: the outbox
row holds a placeholder and the claims, and the delivery run signs the token
(``tracker.notifications.secret_links``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from tracker.audit.services import record
from tracker.auth import throttle
from tracker.auth.models import User
from tracker.auth.services import end_all_sessions, normalise_email, set_password
from tracker.extensions import db
from tracker.notifications.messages import external_url, secret_url
from tracker.notifications.outbox import Email, enqueue
from tracker.security_log import security_event, typed_address_ref

SALT = "tracker.auth.password-link"
DEFAULT_MAX_AGE = 24 * 60 * 60


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    material = f"{user.password_hash or '-'}|{user.session_nonce}".encode()
    return hashlib.sha256(material).hexdigest()[:16]


def make_token(user: User) -> str:
    """A working token for ``user`` as they are now (str)."""
    return token_for(user.id, _fingerprint(user))


def token_for(user_id: int, fingerprint: str) -> str:
    """A token for ``user_id`` that works while the user's fingerprint is ``fingerprint``.

    The delivery run calls this (``secret_links``): the outbox row holds only the
    id and the fingerprint, which are useless without the secret key.
    """
    return _serializer().dumps({"u": user_id, "f": fingerprint})


def read_token(token: str) -> User | None:
    """The user a valid, unexpired, unused token belongs to; None otherwise."""
    max_age = current_app.config.get("TRACKER_PASSWORD_LINK_MAX_AGE", DEFAULT_MAX_AGE)
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user


def queue_password_link(user: User, *, now: datetime, actor=None, reason: str = "reset") -> bool:
    """Queue the mail with a link; at most one per user per quarter hour (idempotency key)."""
    if not user.active:
        return False
    fingerprint = _fingerprint(user)
    quarter = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    new_account = user.password_hash is None
    subject = ("Uw account voor de tracker van het Veiligheidsnetwerk Oost-Nederland"
               if new_account else "Nieuw wachtwoord instellen")
    context = {
        "user": user, "subject": subject, "new_account": new_account,
        # A placeholder: the token is signed when the mail is sent, so the stored
        # row and the outbox viewer never hold a working link.
        "link": secret_url("auth.password_form", "password"),
        "hours": current_app.config.get("TRACKER_PASSWORD_LINK_MAX_AGE", DEFAULT_MAX_AGE) // 3600,
        "app_url": external_url("network.dashboard"),
        "preferences_url": None, "unsubscribe_url": None,
    }
    email = Email(
        to=[user.email], subject=subject,
        text=render_template("email/password_link.txt", **context),
        html=render_template("email/password_link.html", **context),
        headers={"Auto-Submitted": "auto-generated"},
        link_claims={"password": {"u": user.id, "f": fingerprint}},
    )
    queued = enqueue(f"password:{user.id}:{fingerprint}:{quarter.isoformat()}",
                     "password_link", email, user_id=user.id, now=now)
    if queued:
        record("user.password_link", actor=actor, obj=user,
               summary=f"Link om een wachtwoord in te stellen verstuurd ({reason})")
    return queued


def request_reset(email: str, *, client: str, now: datetime) -> throttle.Decision:
    """Queue a link for the account with ``email``; silently nothing when there is none.

    Throttled like a login (kind ``password_link``, every request counts), so
    nobody can flood a mailbox or probe addresses quickly; the decision is the
    same for addresses with and without an account. Returns the throttle's
    ``Decision``: when not allowed, nothing was queued.
    """
    address = normalise_email(email)[:254]
    user = db.session.scalar(select(User).where(User.email == address))
    target = user if user is not None else typed_address_ref(address)
    decision = throttle.check("password_link", address, client, now)
    if not decision.allowed:
        security_event("password.link_throttled", obj=target, result="throttled",
                       detail={"retry_after": decision.retry_after})
        return decision
    throttle.record_failure("password_link", address, client, now)
    queued = False
    if user is not None and user.active:
        queued = queue_password_link(user, now=now, reason="zelf aangevraagd")
    security_event("password.link_requested", obj=target,
                   result="queued" if queued else "not_sent")
    return decision


def set_password_with_token(user: User, password: str) -> None:
    """Set the password (policy checked), end every session, record it."""
    set_password(user, password)
    end_all_sessions(user)
    db.session.flush()
    record("user.password_set", actor=user, obj=user, summary="Wachtwoord ingesteld")
    security_event("password.set", user=user, obj=user, result="ok", detail="via link")
