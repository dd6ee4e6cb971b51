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


def minutes_closed(event, now: datetime) -> str | None:
    """None when the minutes may be mailed to the attendees; else the Dutch reason why not
    (a meeting that has not begun has nobody "who was there")."""
    if event.starts_at is None or event.starts_at > now:
        return "Het verslag kan pas worden verstuurd als de bijeenkomst is begonnen."
    return None


def is_current(event, now: datetime) -> bool:
    """Whether ``event`` belongs in the current list: not yet ended (or no date yet).

    A meeting stays current until its end, so a two-day training on its second day or
    one that started an hour ago is not "Eerdere"; without an end its start counts.
    """
    if event.starts_at is None:
        return True
    return (event.ends_at or event.starts_at) > now


def current_clause(now: datetime):
    """:func:`is_current` as a SQL condition on ``Event`` (the meetings page selects with
    it; tests check both agree): no start yet, or ends (else starts) after ``now``."""
    from sqlalchemy import func, or_

    from tracker.events.models import Event

    return or_(Event.starts_at.is_(None), func.coalesce(Event.ends_at, Event.starts_at) > now)


def is_ongoing(event, now: datetime) -> bool:
    """Whether ``event`` has begun and not yet ended ("nu bezig")."""
    if event.starts_at is None or event.is_cancelled:
        return False
    return event.starts_at <= now < (event.ends_at or event.starts_at)


def is_remindable(event, invitation) -> bool:
    """Whether ``invitation`` may get a reminder: never the organiser of ``event``."""
    return invitation.user_id != event.organiser_id


def answer_sentence(invitation, waitlist_place: int | None = None) -> str:
    """The invitee's current answer in words, the one wording of pages and announcements.

    ``waitlist_place`` is the 1-based place on the waiting list of a "ja" that waits
    for a seat (None: not waiting). A waiting "ja" never reads as "u komt".
    """
    from tracker.enums import RsvpResponse

    if invitation.response is None:
        return "U heeft nog niet gereageerd."
    if invitation.response == RsvpResponse.JA and invitation.waitlisted_at is not None:
        place = f" (plaats {waitlist_place})" if waitlist_place else ""
        return f"U staat op de wachtlijst{place}. U hoort het als er een plaats vrijkomt."
    return {RsvpResponse.JA: "Ja, u komt.", RsvpResponse.NEE: "Nee, u komt niet.",
            RsvpResponse.MISSCHIEN: "Misschien: u komt misschien."}[invitation.response]
