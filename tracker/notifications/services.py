"""State changes of the notification feature (flush only; the route commits)."""

from __future__ import annotations

from datetime import datetime

from tracker.audit.services import record
from tracker.concurrency import insert_if_missing
from tracker.extensions import db
from tracker.notifications.delivery import retry
from tracker.notifications.models import (
    DigestFrequency,
    NotificationPreference,
    OutboxMessage,
    TeamNotificationSettings,
)
from tracker.notifications.preferences import NOTICE_KINDS, NoticeChoice, default_preferences
from tracker.validation import ValidationError


def _preference_row(user) -> NotificationPreference:
    """The stored row of ``user``, created with the defaults when there is none yet
    (upserted: two first saves at once make one row, never a duplicate-key error)."""
    row = db.session.get(NotificationPreference, user.id)
    if row is None:
        defaults = default_preferences(user)
        insert_if_missing(NotificationPreference, {
            "user_id": user.id, "digest": defaults.digest, "reminders": defaults.reminders})
        row = db.session.get(NotificationPreference, user.id, populate_existing=True)
    return row


def set_preferences(user, *, digest: DigestFrequency | str, reminders: bool, actor,
                    notices: dict[str, str] | None = None) -> NotificationPreference:
    """Store ``user``'s choice of digest frequency and reminders, and per kind of notice
    (``notices``: kind -> ``direct``/``bundel``/``nooit``; kinds left out keep theirs)."""
    try:
        frequency = DigestFrequency(digest)
    except ValueError as error:
        raise ValidationError("digest", "Kies hoe vaak u het overzicht wilt ontvangen.") from error
    row = _preference_row(user)
    before = {"digest": row.digest.value if row.digest else None, "reminders": row.reminders}
    row.digest = frequency
    row.reminders = reminders
    after = {"digest": frequency.value, "reminders": reminders}
    if notices:
        before["notices"] = dict(row.notices or {})
        row.notices = {**(row.notices or {}), **{k: str(v) for k, v in notices.items()}}
        after["notices"] = dict(row.notices)
    db.session.flush()
    record("notifications.preferences", actor=actor, obj=user, summary="Meldingen ingesteld",
           before=before, after=after)
    return row


def unsubscribe(user, topic: str) -> None:
    """Switch off one kind of mail through a signed link (no login).

    ``reminders`` covers reminders and every kind of notice (they share the link).
    """
    row = _preference_row(user)
    if topic == "digest":
        row.digest = DigestFrequency.OFF
    else:
        row.reminders = False
        row.notices = {kind: NoticeChoice.NEVER.value for kind in NOTICE_KINDS}
    db.session.flush()
    record("notifications.unsubscribe", actor=user, obj=user,
           summary=f"Afgemeld via link: {topic}", after={"topic": topic})


def retry_message(message: OutboxMessage, *, actor, now: datetime) -> None:
    """Queue a failed message again (the beheerder's "opnieuw proberen")."""
    retry(message, now)
    db.session.flush()
    record("outbox.retry", actor=actor, obj=message, summary=message.subject[:200])


def set_team_rules(team, *, reminder_days: tuple[int, ...], overdue_reminder: bool,
                   escalation_days: int, actor) -> TeamNotificationSettings:
    """Store when a team's action owners are reminded and when overdue work escalates
    (``reminder_days`` and ``escalation_days`` as parsed by ``TeamRulesForm``)."""
    days = ",".join(str(d) for d in sorted(set(reminder_days), reverse=True))
    row = db.session.get(TeamNotificationSettings, team.id)
    if row is None:  # upserted, like the preferences: racing first saves make one row
        insert_if_missing(TeamNotificationSettings, {"team_id": team.id})
        row = db.session.get(TeamNotificationSettings, team.id, populate_existing=True)
    before = {"reminder_days": row.reminder_days, "overdue_reminder": row.overdue_reminder,
              "escalation_days": row.escalation_days}
    row.reminder_days = days
    row.overdue_reminder = overdue_reminder
    row.escalation_days = escalation_days
    db.session.flush()
    record("team.notification_settings", actor=actor, obj=team,
           summary=f"Herinneringen ingesteld voor {team.short_name}", before=before,
           after={"reminder_days": days, "overdue_reminder": overdue_reminder,
                  "escalation_days": escalation_days})
    return row
