"""Pure rules about meetings: when invitations may go out, when answers may change.

The services refuse with these reasons and the pages show or hide their buttons with
the same functions, so a button is never offered that the service would refuse.
"""

from __future__ import annotations

from datetime import datetime

from tracker.enums import EventStatus


def invitations_closed(event, now: datetime) -> str | None:
    """None when invitations may be sent; else the Dutch reason why not."""
    if event.status != EventStatus.GEPLAND or event.starts_at is None:
        return ("Alleen voor een geplande bijeenkomst met een datum kunnen uitnodigingen "
                "worden verstuurd.")
    if event.starts_at <= now:
        return "Deze bijeenkomst is al begonnen of voorbij."
    return None


def rsvp_closed(event, now: datetime) -> str | None:
    """None when answers may change; else why not (``cancelled`` or ``deadline``)."""
    if event.is_cancelled:
        return "cancelled"
    if event.rsvp_deadline is not None and now > event.rsvp_deadline:
        return "deadline"
    if event.starts_at is not None and now > event.starts_at:
        return "deadline"
    return None


def may_remind(event, now: datetime) -> bool:
    """Whether the organiser may remind those who have not answered: planned and still open."""
    return event.status == EventStatus.GEPLAND and rsvp_closed(event, now) is None
