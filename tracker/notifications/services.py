"""State changes of the notification feature (flush only; the route commits)."""

from __future__ import annotations

from datetime import datetime

from tracker.audit.services import record
from tracker.extensions import db
from tracker.notifications.delivery import retry
from tracker.notifications.models import (
    DigestFrequency,
    NotificationPreference,
    OutboxMessage,
    TeamNotificationSettings,
)
from tracker.notifications.preferences import default_preferences
from tracker.validation import ValidationError


def _preference_row(user) -> NotificationPreference:
    row = db.session.get(NotificationPreference, user.id)
    if row is None:
        defaults = default_preferences(user)
        row = NotificationPreference(user_id=user.id, digest=defaults.digest,
                                     reminders=defaults.reminders)
        db.session.add(row)
    return row


def set_preferences(user, *, digest: str, reminders: bool, actor) -> NotificationPreference:
    """Store ``user``'s choice of digest frequency and reminders."""
    try:
        frequency = DigestFrequency(digest)
    except ValueError as error:
        raise ValidationError("digest", "Kies hoe vaak u het overzicht wilt ontvangen.") from error
    row = _preference_row(user)
    before = {"digest": row.digest.value if row.digest else None, "reminders": row.reminders}
    row.digest = frequency
    row.reminders = reminders
    db.session.flush()
    record("notifications.preferences", actor=actor, obj=user, summary="Meldingen ingesteld",
           before=before, after={"digest": frequency.value, "reminders": reminders})
    return row


def unsubscribe(user, topic: str) -> None:
    """Switch off one kind of mail through a signed link (no login)."""
    row = _preference_row(user)
    if topic == "digest":
        row.digest = DigestFrequency.OFF
    else:
        row.reminders = False
    db.session.flush()
    record("notifications.unsubscribe", actor=user, obj=user,
           summary=f"Afgemeld via link: {topic}", after={"topic": topic})


def retry_message(message: OutboxMessage, *, actor, now: datetime) -> None:
    """Queue a failed message again (the beheerder's "opnieuw proberen")."""
    retry(message, now)
    db.session.flush()
    record("outbox.retry", actor=actor, obj=message, summary=message.subject[:200])


def set_team_rules(team, *, reminder_days: str, overdue_reminder: bool, escalation_days: str,
                   actor) -> TeamNotificationSettings:
    """Store when a team's action owners are reminded and when overdue work escalates."""
    parts = [p.strip() for p in reminder_days.replace(";", ",").split(",") if p.strip()]
    if not parts or len(parts) > 5 or not all(p.isdigit() and int(p) <= 365 for p in parts):
        raise ValidationError(
            "reminder_days", "Geef tot vijf aantallen dagen (0 tot en met 365), gescheiden door "
            "komma's, bijvoorbeeld 7,1.")
    days = ",".join(str(d) for d in sorted({int(p) for p in parts}, reverse=True))
    text = escalation_days.strip()
    if not text.isdigit() or not 1 <= int(text) <= 365:
        raise ValidationError("escalation_days", "Geef een aantal dagen van 1 tot en met 365.")
    row = db.session.get(TeamNotificationSettings, team.id)
    if row is None:
        row = TeamNotificationSettings(team_id=team.id)
        db.session.add(row)
    before = {"reminder_days": row.reminder_days, "overdue_reminder": row.overdue_reminder,
              "escalation_days": row.escalation_days}
    row.reminder_days = days
    row.overdue_reminder = overdue_reminder
    row.escalation_days = int(text)
    db.session.flush()
    record("team.notification_settings", actor=actor, obj=team,
           summary=f"Herinneringen ingesteld voor {team.short_name}", before=before,
           after={"reminder_days": days, "overdue_reminder": overdue_reminder,
                  "escalation_days": int(text)})
    return row
