"""The VTIMEZONE of an invitation covers the meeting, also after 2038 (summer time)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from icalendar import Calendar

from tracker.events.ics import invitation_calendar


def _meeting(start: datetime) -> SimpleNamespace:
    return SimpleNamespace(id=9, starts_at=start, ends_at=start.replace(hour=start.hour + 2),
                           title="Regionale bijeenkomst", description="", online_url=None,
                           location="Zwolle", sequence=0, status=None)


def _summer_rules_cover(year: int, start: datetime) -> bool:
    ics = invitation_calendar(event=_meeting(start), attendee_email="a@example.org",
                              attendee_name=None, organiser_email="o@example.org",
                              organiser_name=None, now=datetime(2026, 12, 1, tzinfo=UTC),
                              domain="vnon-tracker", url="http://localhost/rsvp/x",
                              method="PUBLISH")
    calendar = Calendar.from_ical(ics)
    [zone] = calendar.walk("VTIMEZONE")
    years = set()
    for daylight in zone.walk("DAYLIGHT"):
        years.add(daylight.decoded("DTSTART").year)
        rdates = daylight.get("RDATE")
        for rdate in rdates if isinstance(rdates, list) else [rdates] if rdates else []:
            years.update(d.dt.year for d in rdate.dts)
    return year in years


def test_a_meeting_in_2040_has_its_summer_time_in_the_vtimezone():
    # 1 July 2040, 10:00 in Amsterdam is 08:00 UTC (summer time).
    assert _summer_rules_cover(2040, datetime(2040, 7, 1, 8, 0, tzinfo=UTC))


def test_a_meeting_in_2026_still_has_its_vtimezone():
    assert _summer_rules_cover(2026, datetime(2026, 12, 16, 12, 30, tzinfo=UTC))
