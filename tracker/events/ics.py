"""The calendar attachment of invitations, updates and cancellations (iTIP, RFC 5546).

``invitation_calendar`` is a pure function of plain values: one VEVENT with a
stable UID per event, the event's SEQUENCE, the organiser and the one attendee,
and a VTIMEZONE for Europe/Amsterdam so that Outlook shows local time.

``REQUEST`` asks for an answer (``RSVP=TRUE``: calendars show Accept / Decline /
Tentative, the reply goes to the ORGANIZER); ``PUBLISH`` only puts the meeting in
the calendar (no ATTENDEE, as RFC 5546 3.2.1 wants, so no reply buttons); which one
is sent is decided in ``tracker.events.itip.mailbox_configured``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from tracker.agenda.feed import PRODID, add_timezone

DEFAULT_DURATION = timedelta(hours=2)


def event_uid(event_id: int, domain: str) -> str:
    """The UID of a meeting: the same in every mail, the feed included."""
    return f"event-{event_id}@{domain}"


def _address(email: str, name: str | None, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = vText(value)
    return address


def invitation_calendar(*, event, attendee_email: str, attendee_name: str | None,
                        organiser_email: str, organiser_name: str | None, now: datetime,
                        domain: str, url: str, method: str = "REQUEST",
                        partstat: str = "NEEDS-ACTION", timezone: str = "Europe/Amsterdam"
                        ) -> bytes:
    """An iCalendar document (bytes) with ``METHOD`` REQUEST, PUBLISH or CANCEL for one invitee.

    Raises ``ValueError`` for another method.
    """
    if method not in ("REQUEST", "PUBLISH", "CANCEL"):
        raise ValueError(method)
    tz = ZoneInfo(timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    vevent = Event()
    vevent.add("uid", event_uid(event.id, domain))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", now)
    vevent.add("dtstart", event.starts_at.astimezone(tz))
    vevent.add("dtend", (event.ends_at or event.starts_at + DEFAULT_DURATION).astimezone(tz))
    vevent.add("summary", event.title)
    description = event.description or ""
    if event.online_url:
        description = f"{description}\n\nOnline: {event.online_url}".strip()
    vevent.add("description", f"{description}\n\nUw antwoord: {url}".strip())
    location = event.location or event.online_url
    if location:
        vevent.add("location", location)
    vevent.add("url", url)
    vevent.add("organizer", _address(organiser_email, organiser_name))
    if method != "PUBLISH":
        vevent.add("attendee", _address(attendee_email, attendee_name, role="REQ-PARTICIPANT",
                                        partstat=partstat, rsvp="TRUE" if method == "REQUEST"
                                        else "FALSE"))
    vevent.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    calendar.add_component(vevent)
    add_timezone(calendar, timezone)
    return calendar.to_ical()

