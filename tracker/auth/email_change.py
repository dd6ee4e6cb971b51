"""Changing a person's e-mail address: a link to the new address confirms it.

The beheerder asks for the change; the outbox sends the new address a link (placeholder
and claims, signed at delivery: ``tracker.notifications.secret_links``) and the old
address a short notice. The old address stays the login name until the link is used.
The token is purpose-bound (its own salt), expires after ``TRACKER_EMAIL_LINK_MAX_AGE``
seconds (48 hours by default, from delivery) and carries a fingerprint of the address it
replaces, so it works once and not after another change.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from tracker.audit.services import record
from tracker.auth.models import User
from tracker.auth.services import validate_new_email
from tracker.extensions import db
from tracker.notifications.messages import external_url, secret_url
from tracker.notifications.outbox import Email, enqueue
from tracker.security_log import security_event
from tracker.validation import ValidationError

SALT = "tracker.auth.email-change"
DEFAULT_MAX_AGE = 48 * 60 * 60


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def fingerprint(user: User) -> str:
    """16 hex characters that change whenever the person's address changes."""
    return hashlib.sha256(f"{user.id}|{user.email}".encode()).hexdigest()[:16]


def token_for(user_id: int, new_email: str, print_: str) -> str:
    """A token confirming ``new_email`` for ``user_id`` while the fingerprint is ``print_``
    (called by the delivery run through ``secret_links``)."""
    return _serializer().dumps({"u": user_id, "e": new_email, "f": print_})


def max_age() -> int:
    return int(current_app.config.get("TRACKER_EMAIL_LINK_MAX_AGE", DEFAULT_MAX_AGE))


def read_token(token: str) -> tuple[User, str] | None:
    """``(user, new address)`` for a valid, unexpired, unused token; None otherwise."""
    try:
        data = _serializer().loads(token, max_age=max_age())
    except (BadSignature, SignatureExpired):
        return None
    if (not isinstance(data, dict) or not isinstance(data.get("u"), int)
            or not isinstance(data.get("e"), str)):
        return None
    user = db.session.get(User, data["u"])
    if user is None or data.get("f") != fingerprint(user):
        return None
    return user, data["e"]


def request_email_change(user: User, new_email: str, *, actor, now: datetime) -> str:
    """Queue the confirmation link to ``new_email`` and a notice to the current address.

    Returns the cleaned new address. Raises ``ValidationError`` (field ``email``) for an
    invalid address, one another account uses (case-insensitive: addresses are stored in
    lower case) or the current one. Nothing about the account changes yet.
    """
    address = validate_new_email(new_email, existing_id=user.id)
    if address == user.email:
        raise ValidationError("email", "Dit is al het e-mailadres van deze persoon.")
    print_ = fingerprint(user)
    hours = max_age() // 3600
    context = {"user": user, "new_email": address, "hours": hours,
               "link": secret_url("auth.email_confirm_form", "email"),
               "app_url": external_url("network.dashboard"),
               "preferences_url": None, "unsubscribe_url": None}
    subject = "Bevestig uw nieuwe e-mailadres voor de tracker"
    enqueue(f"email-change:{user.id}:{print_}:{address}", "email_change", Email(
        to=[address], subject=subject,
        text=render_template("email/email_change.txt", subject=subject, **context),
        html=render_template("email/email_change.html", subject=subject, **context),
        headers={"Auto-Submitted": "auto-generated"},
        link_claims={"email": {"u": user.id, "e": address, "f": print_}},
    ), user_id=user.id, now=now)
    notice = "Uw e-mailadres voor de tracker wordt gewijzigd"
    enqueue(f"email-change-notice:{user.id}:{print_}:{address}", "email_change_notice", Email(
        to=[user.email], subject=notice,
        text=render_template("email/email_change_notice.txt", subject=notice, **context),
        html=render_template("email/email_change_notice.html", subject=notice, **context),
        headers={"Auto-Submitted": "auto-generated"},
    ), user_id=user.id, now=now)
    record("user.email_change_requested", actor=actor, obj=user,
           summary=f"Nieuw e-mailadres aangevraagd voor {user.name}; wacht op bevestiging",
           before={"email": user.email}, after={"pending_email": address})
    return address


def confirm_email_change(user: User, new_email: str) -> None:
    """Make ``new_email`` the person's address (the link was valid). Raises
    ``ValidationError`` (field ``email``) when another account took the address meanwhile."""
    address = validate_new_email(new_email, existing_id=user.id)
    before = user.email
    user.email = address
    db.session.flush()
    record("user.email_changed", actor=user, obj=user,
           summary=f"E-mailadres bevestigd en gewijzigd: {user.name}",
           before={"email": before}, after={"email": address})
    security_event("email.changed", user=user, obj=user, result="ok")


def pending_requests(user: User) -> list[str]:
    """The new addresses asked for this person whose link has not been used (newest first)."""
    from tracker.audit.models import AuditEntry

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "users",
                                 AuditEntry.object_id == user.id,
                                 AuditEntry.action == "user.email_change_requested")
        .order_by(AuditEntry.id.desc()).limit(3)).all()
    return [e.after["pending_email"] for e in entries
            if e.before and e.before.get("email") == user.email]
