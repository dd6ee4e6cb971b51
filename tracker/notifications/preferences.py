"""Who wants which mail: stored preferences, or the defaults per role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tracker.enums import Role
from tracker.extensions import db
from tracker.notifications.models import DigestFrequency, NotificationPreference


@dataclass(frozen=True)
class Preferences:
    digest: DigestFrequency
    reminders: bool


def default_preferences(user) -> Preferences:
    """Bestuurders get the weekly digest unless they say otherwise; others do not."""
    digest = DigestFrequency.WEEKLY if user.role == Role.BESTUURDER else DigestFrequency.OFF
    return Preferences(digest=digest, reminders=True)


def preferences_for(users) -> dict[int, Preferences]:
    """Preferences of ``users`` in one query."""
    users = list(users)
    stored = {
        p.user_id: p for p in db.session.scalars(
            select(NotificationPreference).where(
                NotificationPreference.user_id.in_([u.id for u in users]))
        )
    } if users else {}
    result = {}
    for user in users:
        row = stored.get(user.id)
        result[user.id] = (Preferences(row.digest, row.reminders) if row is not None
                           else default_preferences(user))
    return result


def can_receive(user, log, why: str) -> bool:
    """False (and logged) for a deactivated person or one without an e-mail address."""
    if not user.active:
        log.info("%s: %s overgeslagen (gedeactiveerd)", why, user.id)
        return False
    if not (user.email or "").strip():
        log.info("%s: %s overgeslagen (geen e-mailadres)", why, user.id)
        return False
    return True
