"""Who wants which mail: stored preferences, or the defaults per role."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from tracker.enums import LabelledEnum, Role
from tracker.extensions import db
from tracker.notifications.models import DigestFrequency, NotificationPreference


class NoticeChoice(LabelledEnum):
    """How a person wants one kind of notice."""

    DIRECT = "direct", "Direct"
    BUNDLE = "bundel", "In de dagelijkse bundel"
    NEVER = "nooit", "Nooit"


#: Kind of notice -> what it is about, as the preferences page asks it.
NOTICE_KINDS = {
    "assigned": "Een actie wordt aan mij toegewezen",
    "comment": "Een reactie op een actie die ik heb of volg",
    "changed": "Iemand anders wijzigt mijn actie (titel, datum, status of eigenaar)",
    "event": "Een bijeenkomst waarvoor ik ben uitgenodigd wordt gewijzigd of geannuleerd",
}
#: Work notices go into the daily bundle unless the person asks for them at once: by
#: default nobody gets more than one mail a day about their own work. A meeting's change
#: is direct: it carries the calendar update.
NOTICE_DEFAULTS = {"assigned": NoticeChoice.BUNDLE, "comment": NoticeChoice.BUNDLE,
                   "changed": NoticeChoice.BUNDLE, "event": NoticeChoice.DIRECT}


def notice_choices(stored: dict | None) -> dict[str, NoticeChoice]:
    """Every kind's choice: the stored one where valid, else the default."""
    result = dict(NOTICE_DEFAULTS)
    for kind, value in (stored or {}).items():
        if kind in result and value in {c.value for c in NoticeChoice}:
            result[kind] = NoticeChoice(value)
    return result


@dataclass(frozen=True)
class Preferences:
    digest: DigestFrequency
    reminders: bool
    notices: dict[str, NoticeChoice] = field(default_factory=lambda: dict(NOTICE_DEFAULTS))

    def notice(self, kind: str) -> NoticeChoice:
        """The choice for one kind of notice (KeyError for an unknown kind)."""
        return self.notices[kind]


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
        result[user.id] = (Preferences(row.digest, row.reminders, notice_choices(row.notices))
                           if row is not None
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
