"""The event form: the organiser chosen with a person search (without JavaScript by its own
button, with htmx as one types), the teams on offer those the user may edit, and the
submitted organiser and team checked one id at a time."""

from __future__ import annotations

import re

import pytest
import time_machine
from sqlalchemy import func, select

from tests.conftest import post_form
from tests.events.conftest import BEFORE
from tests.factories import add_member, create_team, create_user
from tracker.auth.permissions import can, editable_team_ids
from tracker.enums import Role, TeamRole
from tracker.events.models import Event
from tracker.extensions import db

GOOD = {"title": "Kennisdag", "starts_at": "2018-03-07T13:30", "ends_at": "2018-03-07T16:30",
        "location": "Zwolle", "online_url": "", "capacity": "", "rsvp_deadline": "",
        "description": ""}


@pytest.fixture(autouse=True)
def _on_20_february():
    with time_machine.travel(BEFORE, tick=False):
        yield


@pytest.fixture
def planner(meeting, login):
    event, coordinator, _ = meeting
    login(coordinator)
    return event, coordinator


def _radios(html: str) -> list[tuple[str, bool]]:
    """``(value, checked)`` of the organiser radios, in order."""
    return [(m.group(2), "checked" in m.group(0))
            for m in re.finditer(r'<input[^>]*name="organiser_id"[^>]*?(value="([^"]*)")[^>]*>',
                                 html)]


def test_organiser_search_without_javascript_keeps_the_form(planner, client):
    event, coordinator = planner
    wanted = create_user(role=Role.COORDINATOR, name="Wieke Zoekbaar")
    create_user(role=Role.PARTNER, name="Wieke Partner")
    create_user(role=Role.LEZER, name="Wieke Lezer")
    create_user(role=Role.COORDINATOR, name="Wieke Weg", active=False)
    db.session.commit()
    before = db.session.scalar(select(func.count(Event.id)))
    data = {**GOOD, "team_id": str(event.team_id), "organiser_id": str(coordinator.id),
            "organiser_zoek": "wieke", "organisator_zoeken": "1"}
    response = post_form(client, "/events", data, token_page="/events/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="Kennisdag"' in html and 'value="2018-03-07T13:30"' in html
    # "geen", the current organiser (kept chosen), then the one possible organiser found.
    assert _radios(html) == [("", False), (str(coordinator.id), True), (str(wanted.id), False)]
    assert "1 persoon gevonden voor „wieke”." in html
    assert "Wieke Partner" not in html and "Wieke Lezer" not in html and "Wieke Weg" not in html
    assert db.session.scalar(select(func.count(Event.id))) == before
    data.pop("organisator_zoeken")  # Now the save button: the one found is chosen.
    response = post_form(client, "/events", {**data, "organiser_id": str(wanted.id)},
                         token_page="/events/new")
    assert response.status_code == 303
    created = db.session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert created.organiser_id == wanted.id


@pytest.mark.parametrize("role", [Role.PARTNER, Role.LEZER])
def test_an_organiser_outside_the_choice_is_refused(planner, client, role):
    event, _ = planner
    outsider = create_user(role=role)
    db.session.commit()
    response = post_form(client, "/events", {**GOOD, "team_id": str(event.team_id),
                                             "organiser_id": str(outsider.id)},
                         token_page="/events/new")
    assert response.status_code == 422
    assert 'id="veld-organiser_id-fout"' in response.get_data(as_text=True)


def test_only_teams_the_user_edits_are_offered_and_accepted(planner, client):
    event, coordinator = planner
    member_only, other = create_team(name="Alleen lid"), create_team(name="Ander team")
    add_member(member_only, coordinator, TeamRole.LID)
    db.session.commit()
    html = client.get("/events/new").get_data(as_text=True)
    offered = re.findall(r'<option value="(\d+)"', html.split('id="veld-team_id"')[1]
                         .split("</select>")[0])
    assert offered == [str(event.team_id)]
    for team in (member_only, other):
        response = post_form(client, "/events", {**GOOD, "team_id": str(team.id)},
                             token_page="/events/new")
        assert response.status_code == 422
        assert 'id="veld-team_id-fout"' in response.get_data(as_text=True)


@pytest.mark.parametrize("role", list(Role))
def test_editable_team_ids_agree_with_team_edit(app, role):
    teams = [create_team() for _ in range(4)]
    user = create_user(role=role)
    add_member(teams[0], user, TeamRole.COORDINATOR)
    add_member(teams[1], user, TeamRole.TREKKER)
    add_member(teams[2], user, TeamRole.LID)
    db.session.commit()
    ids = editable_team_ids(user)
    for team in teams:
        assert can(user, "team.edit", team) == (ids is None or team.id in ids)


def test_htmx_organiser_search_returns_the_radios_and_keeps_the_choice(planner, client):
    _, coordinator = planner
    found = [create_user(role=Role.COORDINATOR, name=f"Treffer {n:02d}") for n in range(25)]
    db.session.commit()
    response = client.get(
        f"/events/organisatoren?organiser_zoek=treffer&organiser_id={coordinator.id}",
        headers={"HX-Request": "true", "HX-Target": "gevonden-organisatoren"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    radios = _radios(html)
    assert radios[:2] == [("", False), (str(coordinator.id), True)]
    assert [v for v, _ in radios[2:]] == [str(u.id) for u in found[:20]]
    assert "Er zijn er meer" in html and 'hx-swap-oob="true"' in html
    assert "<html" not in html
    plain = client.get("/events/organisatoren?organiser_zoek=treffer")
    assert plain.status_code == 303 and plain.headers["Location"].endswith("/events/new")


def test_edit_search_keeps_the_version_it_was_built_from(planner, client):
    event, coordinator = planner
    old_version = event.version
    event.title = "Intussen gewijzigd"
    db.session.commit()
    data = {**GOOD, "team_id": str(event.team_id), "organiser_id": str(coordinator.id),
            "version": str(old_version), "organiser_zoek": "x", "organisator_zoeken": "1"}
    response = post_form(client, f"/events/{event.id}", data, token_page=f"/events/{event.id}")
    assert response.status_code == 200
    assert f'name="version" value="{old_version}"' in response.get_data(as_text=True)


def test_event_form_statements_do_not_grow_with_people_and_teams(planner, client,
                                                                 count_queries):
    event, _ = planner
    client.get(f"/events/{event.id}/edit")
    with count_queries() as few:
        client.get(f"/events/{event.id}/edit")
    for _ in range(30):
        create_user(role=Role.COORDINATOR)
        create_team()
    db.session.commit()
    with count_queries() as many:
        html = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert few.count == many.count, many.statements
    assert len(_radios(html)) == 2


@pytest.fixture
def many_teams(meeting, login):
    """A beheerder (who may plan for every team) and more teams than a list offers."""
    from tracker.events.queries import TEAMS_AS_LIST

    beheerder = create_user(role=Role.BEHEERDER)
    teams = [create_team(name=f"Zoekteam {n:02d}", short_name=f"ZT{n:02d}")
             for n in range(TEAMS_AS_LIST + 1)]
    db.session.commit()
    login(beheerder)
    return meeting[0], teams


def _team_radios(html: str) -> list[tuple[str, bool]]:
    return [(m.group(1), "checked" in m.group(0))
            for m in re.finditer(r'<input[^>]*name="team_id"[^>]*?value="([^"]*)"[^>]*>', html)]


def test_many_teams_are_found_by_a_search_instead_of_a_list(many_teams, client):
    event, teams = many_teams
    html = client.get("/events/new").get_data(as_text=True)
    assert '<select class="utrecht-select utrecht-select--html-select" id="veld-team_id"' \
        not in html
    assert _team_radios(html) == [("", True)]  # the whole network, until a team is found
    data = {**GOOD, "team_id": "", "team_zoek": "zoekteam 0", "team_zoeken": "1"}
    response = post_form(client, "/events", data, token_page="/events/new")
    assert response.status_code == 200
    found = _team_radios(response.get_data(as_text=True))
    assert found == [("", True)] + [(str(t.id), False) for t in teams
                                    if "0" in t.name.split()[1]]
    data.pop("team_zoeken")
    response = post_form(client, "/events", {**data, "team_id": str(teams[3].id)},
                         token_page="/events/new")
    assert response.status_code == 303
    created = db.session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert created.team_id == teams[3].id
    edit = client.get(f"/events/{created.id}/edit").get_data(as_text=True)
    assert _team_radios(edit) == [("", False), (str(teams[3].id), True)]
    response = post_form(client, "/events", {**data, "team_id": "999999"},
                         token_page="/events/new")
    assert response.status_code == 422
    assert 'id="veld-team_id-fout"' in response.get_data(as_text=True)


def test_htmx_team_search_keeps_the_chosen_team(many_teams, client):
    event, teams = many_teams
    response = client.get(f"/events/teams?team_zoek=zoekteam&team_id={event.team_id}",
                          headers={"HX-Request": "true", "HX-Target": "gevonden-teams"})
    html = response.get_data(as_text=True)
    radios = _team_radios(html)
    assert radios[:2] == [("", False), (str(event.team_id), True)]
    assert [v for v, _ in radios[2:]] == [str(t.id) for t in teams[:20]]
    assert "Er zijn er meer" in html and "<html" not in html


def test_team_search_form_statements_do_not_grow_with_teams(many_teams, client, count_queries):
    event, _ = many_teams
    client.get(f"/events/{event.id}/edit")
    with count_queries() as few:
        client.get(f"/events/{event.id}/edit")
    for n in range(60):
        create_team(name=f"Extra {n}")
    db.session.commit()
    with count_queries() as many:
        html = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert few.count == many.count, many.statements
    assert len(_team_radios(html)) == 2


# --- Control characters in a search box ------------------------------------------------------

NUL_MESSAGE = "De zoektekst bevat niet-toegestane stuurtekens (zoals een nul-teken)"


@pytest.mark.parametrize("typed", ["wie\x00ke", "\x00", "wieke\x1b[31m", "wieke\u202e"])
def test_a_control_character_in_the_organiser_search_answers_as_a_search(planner, client, typed):
    """htmx swaps no 4xx answer: a NUL typed in the search box must come back as a search
    (nothing found, a Dutch status line), with htmx and through the form's own button."""
    _, coordinator = planner
    create_user(role=Role.COORDINATOR, name="Wieke Zoekbaar")
    db.session.commit()
    fragment = client.get("/events/organisatoren",
                          query_string={"organiser_zoek": typed, "organiser_id": coordinator.id},
                          headers={"HX-Request": "true", "HX-Target": "gevonden-organisatoren"})
    assert fragment.status_code == 200
    html = fragment.get_data(as_text=True)
    assert NUL_MESSAGE in html and "<html" not in html
    assert _radios(html) == [("", False), (str(coordinator.id), True)]  # the choice is kept
    assert "\x00" not in html and "\x1b" not in html
    # Without the HX-Request header: as any search, to the form (which searches itself).
    plain = client.get("/events/organisatoren", query_string={"organiser_zoek": typed})
    assert plain.status_code == 303 and plain.headers["Location"].endswith("/events/new")
    # The form's Zoeken button (no JavaScript): the form again, with the same sentence.
    data = {**GOOD, "team_id": "", "organiser_id": str(coordinator.id),
            "organiser_zoek": typed, "organisator_zoeken": "1"}
    page = post_form(client, "/events", data, token_page="/events/new")
    assert page.status_code == 200
    assert NUL_MESSAGE in page.get_data(as_text=True)
    assert 'value="Kennisdag"' in page.get_data(as_text=True)


def test_a_nul_in_the_team_search_answers_as_a_search(many_teams, client):
    event, _ = many_teams
    response = client.get("/events/teams", query_string={"team_zoek": "zoek\x00team",
                                                         "team_id": event.team_id},
                          headers={"HX-Request": "true", "HX-Target": "gevonden-teams"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert NUL_MESSAGE in html and "<html" not in html
    assert _team_radios(html) == [("", False), (str(event.team_id), True)]
    plain = client.get("/events/teams", query_string={"team_zoek": "zoek\x00team"})
    assert plain.status_code == 303


def test_a_nul_in_the_invitation_search_answers_as_a_search(planner, client):
    event, _ = planner
    path = f"/events/{event.id}/personen"
    fragment = client.get(path, query_string={"zoek": "a\x00b"},
                          headers={"HX-Request": "true", "HX-Target": "gevonden-personen"})
    assert fragment.status_code == 200
    html = fragment.get_data(as_text=True)
    assert NUL_MESSAGE in html and "<html" not in html and 'hx-swap-oob="true"' in html
    # Without htmx: the meeting page, its search showing the same sentence.
    plain = client.get(path, query_string={"zoek": "a\x00b"}, follow_redirects=True)
    assert plain.status_code == 200
    assert NUL_MESSAGE in plain.get_data(as_text=True)
    # Other arguments are still guarded: only the named search text is the view's own.
    assert client.get(f"/events/{event.id}", query_string={"pagina": "1\x00"}).status_code == 400
