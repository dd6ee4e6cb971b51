"""The retention job: external invitees are erased a configured number of months after
their last meeting (``TRACKER_INVITEE_RETENTION_MONTHS``, default 12)."""

from __future__ import annotations

import calendar
from datetime import datetime

from flask import current_app
from sqlalchemy import exists, func, select

from tracker.auth.models import User
from tracker.avg.erasure import erase_person, is_erased
from tracker.avg.tables import all_tables, is_history, refers_to_user
from tracker.enums import Role
from tracker.events.models import Event, Invitation
from tracker.extensions import db

DEFAULT_RETENTION_MONTHS = 12
#: Tables whose rows about a person are not "work": being invited, answering, mail
#: and the journal of it. A row anywhere else (membership, action, comment, pilot,
#: meeting organised, tick, edition) keeps the account out of the retention job.
NOT_WORK = frozenset({"users", "invitations", "audit_entries", "outbox_messages",
                      "notification_preferences", "throttle_failures", "recovery_codes",
                      "drafts"})


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole calendar months (31 March - 1 month = 28/29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def has_work(user: User) -> bool:
    """True when any row outside invitations, mail and the journal refers to ``user``."""
    for table in all_tables():
        if is_history(table) or table.name in NOT_WORK:
            continue
        for column in table.columns:
            if refers_to_user(column) and db.session.scalar(
                    select(exists().where(column == user.id))):
                return True
    return False


def invitees_due(now: datetime, months: int) -> list[User]:
    """External invitees (partners without a password, not yet erased) whose every meeting
    ended more than ``months`` months before ``now`` and who did no other work."""
    cutoff = months_before(now, months)
    last_meeting = (select(Invitation.user_id,
                           func.max(func.coalesce(Event.ends_at, Event.starts_at)).label("last"),
                           func.count().label("n"), func.count(Event.starts_at).label("dated"))
                    .join(Event, Event.id == Invitation.event_id)
                    .group_by(Invitation.user_id).subquery())
    candidates = db.session.scalars(
        select(User).join(last_meeting, last_meeting.c.user_id == User.id)
        .where(User.role == Role.PARTNER, User.password_hash.is_(None),
               # A meeting whose date is still open has not taken place yet.
               last_meeting.c.n == last_meeting.c.dated, last_meeting.c.last < cutoff)
        .order_by(User.id)).all()
    return [u for u in candidates if not is_erased(u) and not has_work(u)]


def invitee_retention(now: datetime):
    """Erase the external invitees that are due (see :func:`invitees_due`); a second run
    finds nobody, so it changes nothing."""
    from tracker.jobs.base import JobResult  # tracker.jobs imports this module

    months = int(current_app.config.get("TRACKER_INVITEE_RETENTION_MONTHS",
                                         DEFAULT_RETENTION_MONTHS))
    result = JobResult("invitee-retention")
    due = invitees_due(now, months)
    for user in due:
        report = erase_person(user, actor=None, now=now, reason="bewaartermijn")
        result.lines.append(f"  {report.pseudonym.name} (account {user.id})")
    result.lines.insert(0, f"invitee-retention: {len(due)} genodigde(n) gewist "
                           f"(bewaartermijn {months} maanden)")
    # Typed values kept when a session ended live at most a day (tracker.auth.drafts).
    from tracker.auth.drafts import purge_expired

    purged = purge_expired(now)
    if purged:
        result.lines.append(f"  {purged} verlopen niet-opgeslagen formulier(en) verwijderd")
    return result
