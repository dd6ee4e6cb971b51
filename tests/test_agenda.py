"""The personal calendar feed, parsed back with icalendar."""

import re

from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import csrf_token_for
from tracker.auth.models import User
from tracker.extensions import db


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _issue(client):
    html = client.post("/agenda/link", data={"csrf_token": csrf_token_for(client)}).get_data(
        as_text=True)
    return re.search(r'value="http://localhost(/agenda/[^"]+\.ics)"', html).group(1)


def test_feed_has_actions_milestones_events_and_a_vtimezone(demo, app, client, login):
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


def test_meetings_carry_the_amsterdam_time_zone(demo, app, client, login):
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
