"""The personal calendar feed, parsed back with icalendar."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import csrf_token_for
from tracker import clock
from tracker.agenda.feed import FUTURE_DAYS, PAST_DAYS, feed_window, window_moments
from tracker.auth.models import User
from tracker.extensions import db

#: The demo's own day (its report of February 2018): the feed covers dates around today.
DEMO_NOW = datetime(2018, 2, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def demo_day(monkeypatch):
    """The pages' clock (``tracker.clock``) stands on the demo's day."""
    monkeypatch.setattr(clock, "utcnow", lambda: DEMO_NOW)


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _issue(client):
    html = client.post("/agenda/link", data={"csrf_token": csrf_token_for(client)}).get_data(
        as_text=True)
    return re.search(r'value="http://localhost(/agenda/[^"]+\.ics)"', html).group(1)


def test_feed_has_actions_milestones_events_and_a_vtimezone(demo, demo_day, app, client, login):
    login(_user("paul.wesseloo@example.org"))
    path = _issue(client)
    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.data)
    timezones = [c for c in calendar.walk("VTIMEZONE")]
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Amsterdam"]
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    summaries = {str(e["SUMMARY"]) for e in events.values()}
    assert any(s.startswith("Actie: Regionale bijeenkomst") for s in summaries)
    assert "Mijlpaal: Iedere gemeente in Oost-Nederland heeft een sluitende aanpak" in summaries
    assert "Mijlpaal: Aanvang Veiligheidsstrategie 2019-2022" in summaries  # network-wide
    assert "Mijlpaal: Eindrapportage Expertteam Jeugd" not in summaries  # not his team
    deadline = next(e for e in events.values() if "sluitende aanpak" in str(e["SUMMARY"]))
    assert deadline.decoded("DTSTART").isoformat() == "2018-10-01"


def test_meetings_carry_the_amsterdam_time_zone(demo, demo_day, app, client, login):
    from tracker.events.models import Event, Invitation

    paul = _user("paul.wesseloo@example.org")
    meeting = db.session.scalar(select(Event).where(Event.starts_at.is_not(None),
                                                    Event.title.like("Regionale bijeenkomst%")))
    db.session.add(Invitation(event=meeting, user=paul))
    db.session.commit()
    login(paul)
    calendar = Calendar.from_ical(app.test_client().get(_issue(client)).data)
    event = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("event-"))
    start = event["DTSTART"]
    assert start.params["TZID"] == "Europe/Amsterdam"
    assert start.dt.hour == 13 and start.dt.minute == 30 and start.dt.date().isoformat() == "2018-03-07"
    assert int(event["SEQUENCE"]) == 0


def test_new_link_replaces_the_old_and_revoke_ends_it(demo, app, client, login):
    login(_user("lezer@example.org"))
    first = _issue(client)
    second = _issue(client)
    anonymous = app.test_client()
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    client.post("/agenda/intrekken", data={"csrf_token": csrf_token_for(client)})
    assert anonymous.get(second).status_code == 404
    assert anonymous.get("/agenda/geraden.ics").status_code == 404


def test_token_is_stored_hashed(demo, client, login):
    login(_user("lezer@example.org"))
    path = _issue(client)
    token = path.removeprefix("/agenda/").removesuffix(".ics")
    stored = db.session.scalar(select(User.calendar_token_hash).where(
        User.email == "lezer@example.org"))
    assert stored and token not in stored and len(stored) == 64


def test_deactivated_user_feed_stops(demo, app, client, login):
    login(_user("lezer@example.org"))
    path = _issue(client)
    _user("lezer@example.org").active = False
    db.session.commit()
    assert app.test_client().get(path).status_code == 404


# --- The window: from PAST_DAYS ago to FUTURE_DAYS ahead, bounded in SQL ------------------

def test_the_window_runs_from_90_days_ago_to_a_year_ahead():
    assert (PAST_DAYS, FUTURE_DAYS) == (90, 365)
    first, last = feed_window(date(2026, 12, 1))
    assert (first, last) == (date(2026, 9, 2), date(2027, 12, 1))
    # Local midnights: 2 September is summer time (UTC+2), 2 December winter time (UTC+1).
    starts, ends = window_moments(first, last)
    assert starts == datetime(2026, 9, 1, 22, 0, tzinfo=UTC)
    assert ends == datetime(2027, 12, 1, 23, 0, tzinfo=UTC)


def _feed_world(n: int, today: date):
    """A coordinator owning ``n`` actions, milestones and meetings on each side of the window
    and just inside it."""
    from tests.factories import add_member, create_action, create_team, create_user
    from tracker.enums import EventStatus, MilestoneKind, Role, TeamRole
    from tracker.events.models import Event, Invitation
    from tracker.milestones.models import Milestone

    team = create_team(slug=f"agenda-{n}")
    user = create_user(role=Role.COORDINATOR, email=f"agenda{n}@example.org")
    add_member(team, user, TeamRole.COORDINATOR)
    first, last = feed_window(today)
    days = {"te-vroeg": first - timedelta(days=1), "eerste": first, "laatste": last,
            "te-laat": last + timedelta(days=1)}
    for i in range(n):
        for name, day in days.items():
            create_action(team, title=f"Actie {name} {i}", owner=user, due_date=day)
            db.session.add(Milestone(title=f"Mijlpaal {name} {i}", team=team, due_date=day,
                                     kind=MilestoneKind.MIJLPAAL))
            noon = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=11)
            meeting = Event(title=f"Bijeenkomst {name} {i}", status=EventStatus.GEPLAND,
                            starts_at=noon, ends_at=noon + timedelta(hours=2), location="Zwolle")
            db.session.add(meeting)
            db.session.add(Invitation(event=meeting, user=user, invited_at=DEMO_NOW))
    db.session.commit()
    return user


def test_the_feed_holds_only_the_window_with_a_fixed_number_of_statements(
        app, client, login, count_queries):
    today = clock.local_today()
    few, many = _feed_world(1, today), _feed_world(6, today)
    counts = []
    for user in (few, many):
        login(user)
        path = _issue(client)
        anonymous = app.test_client()
        anonymous.get(path)
        with count_queries() as counter:
            response = anonymous.get(path)
        counts.append(counter.count)
        summaries = {str(e["SUMMARY"]) for e in Calendar.from_ical(response.data).walk("VEVENT")}
        for kind in ("Actie", "Mijlpaal"):
            assert f"{kind}: {kind} eerste 0" in summaries
            assert f"{kind}: {kind} laatste 0" in summaries
            assert not any(s.startswith(f"{kind}: {kind} te-") for s in summaries), summaries
        assert "Bijeenkomst eerste 0" in summaries and "Bijeenkomst laatste 0" in summaries
        assert not any(s.startswith("Bijeenkomst te-") for s in summaries)
    assert counts[0] == counts[1], counts


def test_the_agenda_page_says_which_dates_the_feed_holds(demo, client, login):
    login(_user("lezer@example.org"))
    html = client.get("/agenda").get_data(as_text=True)
    assert "van 90 dagen geleden tot 365 dagen vooruit" in html
