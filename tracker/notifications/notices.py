"""Notices of what concerns you: assigned, a comment, your action changed, a meeting changed.

One rule decides who hears of a change: :func:`notices_for` reads the audit entry
the change wrote. "Direct" notices are queued by :func:`notify` in the same
transaction as the change; "bundel" notices are read back from the audit trail by
the daily bundle (:func:`bundled_notices`), so nothing extra is stored. Nobody
hears of their own change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tracker.actions.models import Action, ActionComment
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.extensions import db
from tracker.notifications.outbox import QUIET, enqueue_many
from tracker.notifications.preferences import NoticeChoice, can_receive, preferences_for

log = logging.getLogger(__name__)

#: The fields of an action whose change its owner hears of, with their Dutch names.
ACTION_FIELDS = {"title": "titel", "due_date": "datum", "status": "status",
                 "owner_id": "eigenaar"}
STATUS_WORDS = {"action.complete": "gereed gemeld", "action.cancel": "laten vervallen",
                "action.reopen": "heropend"}
#: The audit actions that can lead to a notice.
NOTICE_ACTIONS = ("action.create", "action.update", "action.complete", "action.cancel",
                  "action.reopen", "action.comment", "event.update", "event.cancel")


@dataclass(frozen=True)
class Notice:
    """One line for one person: ``kind`` in ``NOTICE_KINDS``, ``line`` in Dutch, ``url``."""

    user_id: int
    kind: str
    entry_id: int
    line: str
    title: str
    endpoint: str
    object_id: int
    at: datetime | None = None


def _action_notices(entry: AuditEntry) -> list[Notice]:
    action = db.session.get(Action, entry.object_id)
    if action is None:
        return []
    actor, who = entry.actor_id, entry.actor_name
    before, after = entry.before or {}, entry.after or {}

    def notice(user_id, kind, line):
        return Notice(user_id, kind, entry.id, line, action.title, "actions.detail", action.id,
                      entry.at)

    out: list[Notice] = []
    assigned = None
    if entry.action in ("action.create", "action.update") and after.get("owner_id"):
        assigned = after["owner_id"]
        if assigned != actor:
            out.append(notice(assigned, "assigned",
                              f"{who} heeft de actie “{action.title}” aan u toegewezen."))
    if entry.action == "action.update":
        fields = [name for key, name in ACTION_FIELDS.items() if key in after]
        if fields:
            owners = {after.get("owner_id", action.owner_id), before.get("owner_id")}
            for user_id in sorted(o for o in owners if o and o not in (actor, assigned)):
                out.append(notice(user_id, "changed", f"{who} heeft uw actie “{action.title}” "
                                  f"gewijzigd ({', '.join(fields)})."))
    elif entry.action in STATUS_WORDS and action.owner_id not in (None, actor):
        out.append(notice(action.owner_id, "changed",
                          f"{who} heeft uw actie “{action.title}” {STATUS_WORDS[entry.action]}."))
    elif entry.action == "action.comment":
        comment_id = after.get("comment_id") or 0
        followers = set(db.session.scalars(
            select(ActionComment.author_id).where(ActionComment.action_id == action.id,
                                                  ActionComment.id <= comment_id)))
        followers.add(action.owner_id)
        for user_id in sorted(f for f in followers if f and f != actor):
            out.append(notice(user_id, "comment",
                              f"{who} heeft gereageerd op de actie “{action.title}”."))
    return out


def _event_notices(entry: AuditEntry) -> list[Notice]:
    from tracker.events.models import Event
    from tracker.events.services import CALENDAR_FIELDS

    event = db.session.get(Event, entry.object_id)
    if event is None:
        return []
    if entry.action == "event.update":
        if not set(entry.after or {}) & set(CALENDAR_FIELDS):
            return []
        line = f"De bijeenkomst “{event.title}” is gewijzigd."
    else:
        line = f"De bijeenkomst “{event.title}” is geannuleerd."
    return [Notice(i.user_id, "event", entry.id, line, event.title, "events.detail", event.id,
                   entry.at)
            for i in event.invitations if i.user_id != entry.actor_id]


def notices_for(entry: AuditEntry) -> list[Notice]:
    """Who hears of the change ``entry`` records, and what; never its actor. Needs its id."""
    if entry.action not in NOTICE_ACTIONS or entry.object_id is None:
        return []
    if entry.object_type == "actions":
        return _action_notices(entry)
    if entry.object_type == "events":
        return _event_notices(entry)
    return []


def _users(session, ids: set[int]) -> dict[int, User]:
    """``{id: user}``: those the transaction has loaded already (the action's owner) from
    the session, the others in one query."""
    found: dict[int, User] = {}
    for user_id in ids:
        user = session.identity_map.get(session.identity_key(User, user_id))
        if user is not None and "role" in user.__dict__:  # loaded, not expired
            found[user_id] = user
    missing = ids - found.keys()
    if missing:
        found.update((u.id, u) for u in session.scalars(select(User).where(User.id.in_(missing))))
    return found


def notify(entry: AuditEntry, now: datetime) -> list[str]:
    """Queue the "direct" notices of ``entry`` in the current transaction; return the keys.

    Meetings are left out: their direct notice is the calendar update the invitee
    gets from ``events.services`` (which asks :func:`wants_direct`). A session marked
    :data:`tracker.notifications.outbox.QUIET` queues nothing: nothing is looked up either.
    """
    if db.session.info.get(QUIET):
        return []
    db.session.flush()  # the entry's id makes the key
    notices = [n for n in notices_for(entry) if n.kind != "event"]
    if not notices:
        return []
    users = _users(db.session, {n.user_id for n in notices})
    prefs = preferences_for(users.values())
    from tracker.notifications import messages

    items = []
    for notice in notices:
        user = users.get(notice.user_id)
        if user is None or prefs[user.id].notice(notice.kind) != NoticeChoice.DIRECT:
            continue
        if not can_receive(user, log, f"melding {notice.kind}"):
            continue
        items.append((f"notice:{notice.kind}:{entry.id}:{user.id}", f"notice-{notice.kind}",
                      messages.notice_email(user, notice), user.id))
    return enqueue_many(items, now, skip_invalid=True)


def wants_direct(users, kind: str) -> set[int]:
    """Ids of ``users`` whose choice for ``kind`` is "direct"."""
    prefs = preferences_for(users)
    return {uid for uid, p in prefs.items() if p.notice(kind) == NoticeChoice.DIRECT}


def bundled_notices(last_bundle: dict[int, datetime], floor: datetime, now: datetime
                    ) -> dict[int, list[Notice]]:
    """Per person: the "bundel" notices of changes after their last bundle, up to ``now``.

    ``last_bundle`` maps a person to the moment of their last bundle; changes
    before ``floor`` (the catch-up limit) are never bundled. Oldest first.
    """
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action.in_(NOTICE_ACTIONS), AuditEntry.at > floor,
               AuditEntry.at <= now)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    found: dict[int, list[Notice]] = {}
    for entry in entries:
        for notice in notices_for(entry):
            start = max(last_bundle.get(notice.user_id, floor), floor)
            if entry.at > start:
                found.setdefault(notice.user_id, []).append(notice)
    if not found:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(found))).all()
    prefs = preferences_for(users)
    return {uid: kept for uid, items in found.items()
            if (kept := [n for n in items if prefs[uid].notice(n.kind) == NoticeChoice.BUNDLE])}
