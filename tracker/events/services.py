"""Meetings without HTTP: create, change and cancel an event, with the calendar mail
the invitees get. Flush only; the route commits.

The other jobs live beside it: ``forms`` (the event form), ``invitations`` (inviting
and reminding), ``rsvp`` (answers and the waiting list), ``queries`` (reading).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tracker.audit.services import record
from tracker.concurrency import check_version
from tracker.enums import EventStatus
from tracker.events.models import Event
from tracker.events.queries import seats_taken
from tracker.events.rsvp import promote_waitlist
from tracker.extensions import db
from tracker.notifications.outbox import enqueue_many
from tracker.validation import ValidationError

#: Changes invitees must hear about (a new SEQUENCE in their calendar).
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "location", "online_url")


def _snapshot(event: Event) -> dict[str, Any]:
    def plain(value):
        return value.isoformat() if isinstance(value, datetime | date) else value

    return {
        "title": event.title, "team_id": event.team_id, "description": event.description,
        "starts_at": plain(event.starts_at), "ends_at": plain(event.ends_at),
        "location": event.location, "online_url": event.online_url,
        "capacity": event.capacity, "rsvp_deadline": plain(event.rsvp_deadline),
        "organiser_id": event.organiser_id,
        "status": event.status.value if event.status else None,
    }


def create_event(data: dict[str, Any], *, actor, now: datetime) -> Event:
    """A planned meeting from validated ``data``."""
    event = Event(status=EventStatus.GEPLAND, created_at=now, **data)
    if event.organiser_id is None:
        event.organiser_id = actor.id
    db.session.add(event)
    db.session.flush()
    record("event.create", actor=actor, obj=event, summary=f"Bijeenkomst: {event.title}",
           after=_snapshot(event))
    return event


def update_event(event: Event, data: dict[str, Any], *, expected_version: int | None, actor,
                 now: datetime) -> list[str]:
    """Save the edit form; invitees get an updated calendar item when time or place changed."""
    check_version(event, expected_version)
    if event.is_cancelled:
        raise ValidationError("status", "Een geannuleerde bijeenkomst kan niet meer worden gewijzigd.")
    capacity = data.get("capacity", event.capacity)
    if capacity is not None and capacity != event.capacity:
        seated = seats_taken(event.id)
        if capacity < seated:
            raise ValidationError(
                "capacity", f"Er hebben al {seated} mensen een plaats; kies minstens {seated} "
                "plaatsen of vraag eerst iemand af te melden.")
    before = _snapshot(event)
    for key, value in data.items():
        setattr(event, key, value)
    after = _snapshot(event)
    changed = [k for k in after if after[k] != before[k]]
    if not changed:
        return []
    if event.status == EventStatus.CONCEPT and event.starts_at is not None:
        event.status = EventStatus.GEPLAND
    queued: list[str] = []
    if set(changed) & set(CALENDAR_FIELDS) and event.invitations:
        event.sequence += 1
        queued = _send_calendar(event, "update", now, actor=actor)
    if "capacity" in changed:
        promote_waitlist(event, now)
    db.session.flush()
    record("event.update", actor=actor, obj=event, summary=f"Bijeenkomst gewijzigd: {event.title}",
           before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return queued


def cancel_event(event: Event, *, expected_version: int | None, actor, now: datetime
                 ) -> list[str]:
    """Cancel the meeting; every invitee gets ``METHOD:CANCEL``."""
    check_version(event, expected_version)
    if event.is_cancelled:
        return []
    before = event.status.value
    event.status = EventStatus.GEANNULEERD
    event.sequence += 1
    queued = _send_calendar(event, "cancel", now, actor=actor) if event.starts_at else []
    db.session.flush()
    record("event.cancel", actor=actor, obj=event, summary=f"Bijeenkomst geannuleerd: {event.title}",
           before={"status": before}, after={"status": event.status.value})
    return queued


def _send_calendar(event: Event, kind: str, now: datetime, actor=None) -> list[str]:
    from tracker.events import mail
    from tracker.notifications.notices import wants_direct

    # The update or cancellation is the "event" notice: only to those who want it
    # direct, never to the person who made the change (the bundle has the others).
    direct = wants_direct([i.user for i in event.invitations], "event")
    items = []
    for invitation in event.invitations:
        if not invitation.user.active or not invitation.user.email:
            continue
        if invitation.user_id == getattr(actor, "id", None) or invitation.user_id not in direct:
            continue
        key = f"event-{kind}:{invitation.id}:{event.sequence}"
        items.append((key, f"event-{kind}", mail.invitation_email(invitation, kind, now),
                      invitation.user_id))
    return enqueue_many(items, now, skip_invalid=True)
