"""The personal iCalendar feed: due dates, milestones and meetings for Outlook.

``build_feed`` is a pure function of the rows and ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from tracker.formatting import approximate_date
from tracker.milestones.rules import Assessment

PRODID = "-//Veiligheidsnetwerk Oost-Nederland//Tracker//NL"

#: The feed covers this many days back and forward from today (the agenda page says so):
#: a calendar needs what is coming and what just passed, not years of history.
PAST_DAYS = 90
FUTURE_DAYS = 365


def feed_window(today: date) -> tuple[date, date]:
    """The first and last day (inclusive, local) whose dates the feed holds."""
    return today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)


def window_moments(first: date, last: date, timezone: str = "Europe/Amsterdam"
                   ) -> tuple[datetime, datetime]:
    """The window's days as moments (UTC): local midnight starting ``first`` and local
    midnight ending ``last`` (a meeting belongs to the window when it starts in it)."""
    zone = ZoneInfo(timezone)
    return (datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC),
            datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC))


def _all_day(uid: str, day, summary: str, description: str, url: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def build_feed(*, actions: Iterable, milestones: Iterable, events: Iterable, now: datetime,
               base_url: str, timezone: str = "Europe/Amsterdam", domain: str = "vnon-tracker",
               milestone_states: Mapping[int, Assessment] | None = None) -> bytes:
    """An iCalendar document with a VTIMEZONE for the network's time zone.

    ``milestone_states``: each milestone's state as ``milestones.rules`` decided it, named
    in the entry's description with the same word as on every page.
    """
    milestone_states = milestone_states or {}
    tz = ZoneInfo(timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Veiligheidsnetwerk Oost-Nederland")
    calendar.add("x-wr-timezone", timezone)
    for action in actions:
        if action.due_date is None:
            continue
        calendar.add_component(_all_day(
            f"action-{action.id}@{domain}", action.due_date,
            f"Actie: {action.title}",
            f"{action.team.name}. Status: {action.status.label}. "
            f"Datum: {approximate_date(action.due_date, action.due_precision)}.",
            f"{base_url}/actions/{action.id}", now))
    for milestone in milestones:
        team = milestone.team.name if milestone.team else "Hele netwerk"
        state = milestone_states.get(milestone.id)
        calendar.add_component(_all_day(
            f"milestone-{milestone.id}@{domain}", milestone.due_date,
            f"Mijlpaal: {milestone.title}",
            f"{team}. {approximate_date(milestone.due_date, milestone.due_precision)}."
            + (f" Stand: {state.text}." if state is not None else ""),
            f"{base_url}/milestones/{milestone.id}", now))
    for meeting in events:
        if meeting.starts_at is None:
            continue
        event = Event()
        event.add("uid", f"event-{meeting.id}@{domain}")
        event.add("dtstamp", now)
        event.add("dtstart", meeting.starts_at.astimezone(tz))
        event.add("dtend", (meeting.ends_at or meeting.starts_at + timedelta(hours=2)).astimezone(tz))
        event.add("summary", meeting.title)
        event.add("description", meeting.description or "")
        if meeting.location:
            event.add("location", meeting.location)
        event.add("sequence", meeting.sequence)
        event.add("status", "CANCELLED" if meeting.status.value == "geannuleerd" else "CONFIRMED")
        event.add("url", f"{base_url}/events/{meeting.id}")
        calendar.add_component(event)
    # All-day entries need no zone, but Outlook reads the feed's zone from here.
    add_timezone(calendar, timezone)
    return calendar.to_ical()


def add_timezone(calendar: Calendar, timezone: str) -> None:
    """Add the VTIMEZONE of ``timezone`` (and any other zone used), covering every event
    in ``calendar`` plus a year.

    icalendar's default range ends on 1 January 2038: a meeting after that would have no
    summer-time rule and show an hour off in a calendar that trusts the VTIMEZONE.
    """
    moments = [component.decoded(name) for component in calendar.walk("VEVENT")
               for name in ("dtstart", "dtend") if name in component]
    days = [m.date() if isinstance(m, datetime) else m for m in moments]
    last = max([Timezone.DEFAULT_LAST_DATE, *(d + timedelta(days=366) for d in days)])
    calendar.add_missing_timezones(last_date=last)
    if not any(str(c.get("TZID")) == timezone for c in calendar.walk("VTIMEZONE")):
        calendar.add_component(Timezone.from_tzid(timezone, last_date=last))
