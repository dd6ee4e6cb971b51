"""Every CSV the tracker offers writes its dates in one form Excel sorts: ISO 8601.

A day as ``2026-11-30``, a moment as ``2026-11-30 14:05`` in Europe/Amsterdam; decided
once, in ``tracker.csv_export.csv_cell``. Each export is downloaded through its real
route and parsed back.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_for
from tracker.actions.models import Action
from tracker.auth.models import User
from tracker.csv_export import csv_bytes, csv_cell
from tracker.enums import ActionStatus
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.network.models import Team

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_LOCAL_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
#: Any way of writing a date the tracker ever used (a whole cell): each must be ISO.
MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
          "november|december")
DATE_LIKE = re.compile(
    rf"\d{{1,2}}-\d{{1,2}}-\d{{4}}( \d{{1,2}}[:.]\d{{2}})?"
    rf"|\d{{1,2}} ({MONTHS}) \d{{4}}( \d{{1,2}}[:.]\d{{2}})?"
    r"|\d{4}-\d{2}-\d{2}([ T][\d:.]+([+-]\d{2}:\d{2}|Z)?)?"
)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def parse(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def is_date_column(name: str) -> bool:
    lowered = name.lower()
    return (lowered.endswith(("_at", "_on", "date", "_until", "deadline", " op"))
            or lowered in {"datum", "gereed op", "geantwoord op"})


def assert_dates_in_one_form(rows: list[dict[str, str]], *, required: set[str]) -> None:
    """Every date column (by name) and every cell that is a date holds an ISO form;
    the ``required`` columns have at least one value."""
    assert rows
    for column in required:
        assert any(row[column] for row in rows), f"{column} is empty in every row"
    for row in rows:
        for column, value in row.items():
            if not value:
                continue
            iso = ISO_DATE.fullmatch(value) or ISO_LOCAL_MOMENT.fullmatch(value)
            if is_date_column(column) or DATE_LIKE.fullmatch(value):
                assert iso, f"{column}: {value!r} is not ISO 8601 (2026-11-30 or 2026-11-30 14:05)"


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_the_one_form_of_a_date_and_a_moment(app):
    assert csv_cell(date(2026, 11, 30)) == "2026-11-30"
    # A moment in local time: 13:05 UTC is 14:05 in Amsterdam in winter, 15:05 in summer.
    assert csv_cell(datetime(2026, 11, 30, 13, 5, tzinfo=UTC)) == "2026-11-30 14:05"
    assert csv_cell(datetime(2026, 7, 1, 13, 5, tzinfo=UTC)) == "2026-07-01 15:05"
    assert csv_cell(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == "2026-12-01 00:30"
    assert csv_cell(None) == "" and csv_cell(11194) == "11194"
    rows = parse(csv_bytes(["d", "m"], [[date(2018, 10, 1), datetime(2018, 3, 7, 12, 30,
                                                                       tzinfo=UTC)]]))
    assert rows == [{"d": "2018-10-01", "m": "2018-03-07 13:30"}]


def test_actions_csv_dates_are_iso(demo, client, login):
    team = db.session.scalar(select(Team).where(Team.slug == "verwarde-personen"))
    done = db.session.scalars(select(Action).where(Action.team_id == team.id,
                                                   Action.due_date.is_not(None))).first()
    done.status = ActionStatus.GEREED
    done.completed_at = datetime(2026, 11, 30, 13, 5, tzinfo=UTC)
    db.session.commit()
    login(user("lezer@example.org"))
    response = client.get("/teams/verwarde-personen/actions.csv")
    assert response.status_code == 200
    rows = parse(response.data)
    assert_dates_in_one_form(rows, required={"Datum", "Gereed op"})
    finished = next(r for r in rows if r["Nummer"] == str(done.id))
    assert finished["Datum"] == done.due_date.isoformat()
    assert finished["Gereed op"] == "2026-11-30 14:05"
    assert "november" not in response.data.decode() and "-2018;" not in response.data.decode()


def test_invitations_csv_dates_are_iso(demo, client, login):
    event = db.session.scalar(select(Event).where(Event.starts_at.is_not(None)))
    login(user("beheerder@example.org"))
    response = client.get(f"/events/{event.id}/invitations.csv")
    assert response.status_code == 200
    rows = parse(response.data)
    assert_dates_in_one_form(rows, required={"Geantwoord op"})
    answered = db.session.scalars(select(Invitation).where(
        Invitation.event_id == event.id, Invitation.responded_at.is_not(None))).first()
    local = answered.responded_at.astimezone(AMSTERDAM)
    assert local.strftime("%Y-%m-%d %H:%M") in {r["Geantwoord op"] for r in rows}


def test_personal_data_export_csvs_dates_are_iso(demo, client, login):
    person = user("tom.liedenbaum@example.org")
    login(user("beheerder@example.org"))
    response = client.post(f"/beheer/gebruikers/{person.id}/export",
                           data={"csrf_token": csrf_token_for(client)})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = [n for n in archive.namelist() if n.endswith(".csv")]
    assert "uitnodigingen_en_antwoorden.csv" in names
    for name in names:
        rows = parse(archive.read(name))
        required = {c for c in rows[0] if c in ("created_at", "responded_at", "invited_at")}
        assert_dates_in_one_form(rows, required=required)
    answers = parse(archive.read("uitnodigingen_en_antwoorden.csv"))
    assert ISO_LOCAL_MOMENT.fullmatch(answers[0]["responded_at"])
    # The JSON keeps the full moment with its offset (machine-readable, to the second).
    data = archive.read("gegevens.json").decode()
    assert re.search(r'"responded_at": "\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00"', data)


@pytest.mark.parametrize("value", ["30 november 2026", "31-12-2018", "2026-11-30T14:05:00+00:00",
                                   "7 maart 2018 13:30"])
def test_the_check_itself_refuses_every_other_form(value):
    with pytest.raises(AssertionError):
        assert_dates_in_one_form([{"Datum": value}], required=set())


#: The CSV routes this file downloads and parses; the AVG export zip holds CSVs as well.
CHECKED_CSV_ROUTES = {"/teams/<slug>/actions.csv", "/events/<int:event_id>/invitations.csv"}


def test_every_csv_route_of_the_app_is_checked_here(app):
    """A new CSV export must be added to this file (and pass its dates as dates)."""
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.endswith(".csv")}
    assert routes == CHECKED_CSV_ROUTES
