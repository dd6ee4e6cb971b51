"""The meetings page: current and past meetings selected and paged in SQL, the SQL form of
the "current" rule agreeing with the Python one, and a fixed number of statements."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.events.conftest import BEFORE, create_event
from tracker.enums import EventStatus
from tracker.events.models import Event
from tracker.events.queries import EVENTS_PAGE
from tracker.events.rules import current_clause, is_current
from tracker.extensions import db

NOW = BEFORE


@pytest.fixture(autouse=True)
def _on_20_february():
    """Every test here runs on 20 February 2018 (autouse: before the login fixtures)."""
    with time_machine.travel(NOW, tick=False):
        yield


def test_sql_and_python_current_rule_agree_on_the_edge_cases(app):
    second = timedelta(seconds=1)
    cases = {
        "geen datum": {"starts_at": None, "ends_at": None},
        "geen datum, wel een notitie": {"starts_at": None, "ends_at": None,
                                        "date_note": "voorjaar 2018"},
        "alleen een einde": {"starts_at": None, "ends_at": NOW - timedelta(days=1)},
        "geen einde, begint straks": {"starts_at": NOW + second, "ends_at": None},
        "geen einde, begint nu": {"starts_at": NOW, "ends_at": None},
        "geen einde, begon net": {"starts_at": NOW - second, "ends_at": None},
        "eindigt nu": {"starts_at": NOW - timedelta(hours=2), "ends_at": NOW},
        "eindigt zo": {"starts_at": NOW - timedelta(hours=2), "ends_at": NOW + second},
        "begonnen, loopt nog": {"starts_at": NOW - timedelta(days=1),
                                "ends_at": NOW + timedelta(hours=3)},
        "voorbij": {"starts_at": NOW - timedelta(days=2), "ends_at": NOW - timedelta(days=1)},
        "komend, geannuleerd": {"starts_at": NOW + timedelta(days=1),
                                "ends_at": NOW + timedelta(days=1, hours=2),
                                "status": EventStatus.GEANNULEERD},
        "komend, met notitie": {"starts_at": NOW + timedelta(days=3),
                                "ends_at": NOW + timedelta(days=3, hours=1),
                                "date_note": "onder voorbehoud"},
    }
    for title, values in cases.items():
        create_event(title=title, rsvp_deadline=None, **values)
    db.session.commit()
    events = db.session.scalars(select(Event)).all()
    in_python = {e.title for e in events if is_current(e, NOW)}
    in_sql = set(db.session.scalars(select(Event.title).where(current_clause(NOW))))
    not_in_sql = set(db.session.scalars(select(Event.title).where(~current_clause(NOW))))
    assert in_sql == in_python
    assert not_in_sql == set(cases) - in_python
    assert in_python == {"geen datum", "geen datum, wel een notitie", "alleen een einde",
                         "geen einde, begint straks", "eindigt zo", "begonnen, loopt nog",
                         "komend, geannuleerd", "komend, met notitie"}


def _meetings(team, current: int, past: int, start: int = 0) -> None:
    for n in range(start, current):
        create_event(title=f"Komend {n:03d}", team=team, rsvp_deadline=None,
                     starts_at=NOW + timedelta(days=n + 1),
                     ends_at=NOW + timedelta(days=n + 1, hours=2))
    for n in range(start, past):
        create_event(title=f"Oud {n:03d}", team=team, rsvp_deadline=None,
                     starts_at=NOW - timedelta(days=n + 1),
                     ends_at=NOW - timedelta(days=n + 1) + timedelta(hours=2))
    db.session.commit()


def _titles(html: str, caption_id: str) -> list[str]:
    table = html.split(f'id="{caption_id}"')[1].split("</table>")[0]
    return re.findall(r'href="/events/\d+">([^<]+)</a>', table)


def test_meetings_page_is_paged_with_a_fixed_number_of_statements(
        meeting, client, login, count_queries):
    event, coordinator, _ = meeting
    login(coordinator)
    _meetings(event.team, 1, 1)
    client.get("/events")
    with count_queries() as few:
        html = client.get("/events").get_data(as_text=True)
    assert "paginering" not in html
    assert _titles(html, "komend-tabel") == ["Komend 000", event.title]
    assert _titles(html, "eerder-tabel") == ["Oud 000"]
    _meetings(event.team, EVENTS_PAGE + 5, 2 * EVENTS_PAGE + 3, start=1)
    with count_queries() as many:
        html = client.get("/events").get_data(as_text=True)
    with count_queries() as second:
        page_two = client.get("/events?pagina=2&komend=2").get_data(as_text=True)
    assert few.count == many.count == second.count, (few.statements, many.statements)
    # The meeting of the fixture (7 March, 13:30) sorts among them by its start.
    expected = [f"Komend {n:03d}" for n in range(EVENTS_PAGE - 1)]
    assert _titles(html, "komend-tabel") == expected[:15] + [event.title] + expected[15:]
    assert _titles(html, "eerder-tabel") == [f"Oud {n:03d}" for n in range(EVENTS_PAGE)]
    assert "Bijeenkomsten 1–25 van 31" in html and "Bijeenkomsten 1–25 van 53" in html
    assert 'href="/events?komend=2#komend"' in html and 'href="/events?pagina=2#eerder"' in html
    assert _titles(page_two, "komend-tabel") == [f"Komend {n:03d}"
                                                 for n in range(EVENTS_PAGE - 1, EVENTS_PAGE + 5)]
    assert _titles(page_two, "eerder-tabel") == [f"Oud {n:03d}"
                                                 for n in range(EVENTS_PAGE, 2 * EVENTS_PAGE)]
    assert "Bijeenkomsten 26–50 van 53" in page_two


def test_meetings_without_a_date_come_last_in_the_current_list(meeting, client, login):
    event, coordinator, _ = meeting
    create_event(title="Datum volgt", team=event.team, starts_at=None, ends_at=None,
                 rsvp_deadline=None, date_note="najaar 2018")
    db.session.commit()
    login(coordinator)
    html = client.get("/events").get_data(as_text=True)
    assert _titles(html, "komend-tabel") == [event.title, "Datum volgt"]
    assert "najaar 2018" in html
