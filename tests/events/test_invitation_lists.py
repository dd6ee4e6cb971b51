"""The organiser's page at scale (issue 15): invitations a page at a time with counts from
SQL, and people found with a search field instead of a list of every account."""

from __future__ import annotations

import re

import pytest
import time_machine
from sqlalchemy import func, select

from tests.conftest import csrf_token_for, post_form
from tests.events.conftest import BEFORE, invite_user
from tests.factories import create_user
from tracker.auth.models import User
from tracker.enums import OrganisationKind, Role, RsvpResponse
from tracker.events.invitations import remindable, remindable_condition, reminder_recipients
from tracker.events.models import Invitation
from tracker.events.queries import PEOPLE_FOUND, invitation_summary, summarise
from tracker.extensions import db
from tracker.network.models import Organisation
from tracker.pagination import PAGE_SIZE


@pytest.fixture(autouse=True)
def _before_the_meeting():
    with time_machine.travel(BEFORE, tick=False):
        yield


@pytest.fixture
def organiser(meeting, client, login):
    event, coordinator, invitations = meeting
    login(coordinator)
    return event, coordinator, invitations


def _statements(client, count_queries, path, **kwargs):
    client.get(path, **kwargs)
    with count_queries() as counter:
        response = client.get(path, **kwargs)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


def _invite_many(event, n):
    answers = [None, RsvpResponse.JA, RsvpResponse.NEE, RsvpResponse.MISSCHIEN]
    for i in range(n):
        invite_user(event, create_user(role=Role.PARTNER, password=None, name=f"Genodigde {i:03d}"),
                    response=answers[i % 4], remark=f"Opmerking {i:03d}")
    db.session.commit()


def test_invitations_page_with_counts_from_sql_and_fixed_statements(organiser, client,
                                                                    count_queries):
    event, _, _ = organiser
    path = f"/events/{event.id}"
    few, html = _statements(client, count_queries, path)
    assert 'id="telling-geen-antwoord">3' in html and "Paginering" not in html
    _invite_many(event, 2 * PAGE_SIZE)
    many, html = _statements(client, count_queries, path)
    assert "Genodigden (103)" in html
    assert 'id="telling-ja">25' in html and 'id="telling-geen-antwoord">28' in html
    assert "Genodigden 1–50 van 103" in html
    assert f'href="/events/{event.id}?pagina=2#genodigden"' in html
    second, html = _statements(client, count_queries, path + "?pagina=3")
    assert "Genodigden 101–103 van 103" in html and "Genodigde 099" not in html
    assert few == many == second
    assert few <= 17, few


def test_the_summary_in_sql_agrees_with_the_rule_over_invitations(organiser):
    event, _, invitations = organiser
    _invite_many(event, 9)
    invitations[0].response = RsvpResponse.JA
    invitations[0].waitlisted_at = BEFORE
    db.session.commit()
    everyone = db.session.scalars(select(Invitation).where(Invitation.event_id == event.id)).all()
    assert invitation_summary(event.id) == summarise(everyone)
    assert invitation_summary(event.id).wachtlijst == 1


def test_who_gets_a_reminder_is_the_same_in_sql_and_in_the_rule(organiser):
    event, coordinator, invitations = organiser
    invite_user(event, coordinator)  # the organiser: never reminded
    invite_user(event, create_user(role=Role.PARTNER, password=None, active=False))
    invitations[1].response = RsvpResponse.NEE
    db.session.commit()
    everyone = db.session.scalars(select(Invitation).where(Invitation.event_id == event.id)
                                  .join(Invitation.user).order_by(User.name, Invitation.id)).all()
    by_rule = [i.id for i in remindable(event, everyone)]
    assert [i.id for i in reminder_recipients(event)] == by_rule
    assert len(by_rule) == 2
    in_sql = db.session.scalars(select(Invitation.id).join(Invitation.user)
                                .where(remindable_condition(event))).all()
    assert sorted(in_sql) == sorted(by_rule)


# --- Finding people --------------------------------------------------------------------------

@pytest.fixture
def people():
    police = Organisation(slug="politie-on", name="Politie Oost-Nederland",
                          kind=OrganisationKind.POLITIE)
    db.session.add(police)
    db.session.flush()
    found = {
        "jan": create_user(name="Jan Jansen", email="jan@gemeente.example.org"),
        "agent": create_user(name="Piet Agent", email="p.agent@example.org",
                             organisation_id=police.id),
        "gone": create_user(name="Jan Weg", email="jan.weg@example.org", active=False),
    }
    for n in range(PEOPLE_FOUND + 5):
        create_user(name=f"Zoekbaar {n:02d}", email=f"zoekbaar{n}@example.org")
    db.session.commit()
    return found


def test_the_page_has_no_list_of_every_account(organiser, people, client):
    event, _, _ = organiser
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Zoekbaar 00" not in html and "jan@gemeente.example.org" not in html
    assert 'name="zoek"' in html and 'hx-get="/events/' in html


def test_search_by_name_e_mail_or_organisation_without_javascript(organiser, people, client):
    event, _, _ = organiser
    html = client.get(f"/events/{event.id}?zoek=jan").get_data(as_text=True)
    assert "Jan Jansen (jan@gemeente.example.org)" in html
    assert "Jan Weg" not in html  # deactivated: not invitable
    assert f'value="{people["jan"].id}"' in html and 'name="user_id"' in html
    html = client.get(f"/events/{event.id}?zoek=politie oost").get_data(as_text=True)
    assert "Piet Agent (p.agent@example.org) · Politie Oost-Nederland" in html
    html = client.get(f"/events/{event.id}?zoek=gemeente.example").get_data(as_text=True)
    assert "1 persoon gevonden" in html
    html = client.get(f"/events/{event.id}?zoek=zoekbaar").get_data(as_text=True)
    assert html.count('name="user_id"') == PEOPLE_FOUND and "Er zijn er meer" in html
    html = client.get(f"/events/{event.id}?zoek=100%25_").get_data(as_text=True)
    assert "Niemand gevonden" in html  # LIKE wildcards are plain text


def test_ticked_people_are_invited_in_one_go(organiser, people, client):
    event, _, _ = organiser
    ticked = [people["jan"].id, people["agent"].id]
    response = post_form(client, f"/events/{event.id}/invitations",
                         {"user_id": [str(i) for i in ticked]}, token_page=f"/events/{event.id}")
    assert response.status_code == 303
    invited = set(db.session.scalars(select(Invitation.user_id).where(
        Invitation.event_id == event.id)))
    assert set(ticked) <= invited
    again = post_form(client, f"/events/{event.id}/invitations", {"user_id": str(ticked[0])},
                      token_page=f"/events/{event.id}", follow_redirects=True)
    assert "1 al eerder uitgenodigd" in again.get_data(as_text=True)


def test_a_refused_invitation_keeps_the_ticks(organiser, people, client):
    event, _, _ = organiser
    before = db.session.scalar(select(func.count(Invitation.id)))
    response = client.post(f"/events/{event.id}/invitations", data={
        "csrf_token": csrf_token_for(client, f"/events/{event.id}"),
        "user_id": [str(people["jan"].id), "abc"]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Kies een geldige waarde." in html and 'href="#veld-user_id"' in html
    assert re.search(rf'value="{people["jan"].id}"\s+checked', html)
    assert db.session.scalar(select(func.count(Invitation.id))) == before


def test_as_you_type_returns_the_results_region_only(organiser, people, client, count_queries):
    event, _, _ = organiser
    path = f"/events/{event.id}/personen?zoek=zoekbaar&user_id={people['jan'].id}"
    headers = {"HX-Request": "true", "HX-Target": "gevonden-personen"}
    count, body = _statements(client, count_queries, path, headers=headers)
    assert "<html" not in body and 'hx-swap-oob="true"' in body
    # The person ticked before stays ticked, first; then at most 20 matches.
    assert body.index("Jan Jansen") < body.index("Zoekbaar 00")
    assert re.search(rf'value="{people["jan"].id}"\s+checked', body)
    assert body.count('name="user_id"') == PEOPLE_FOUND + 1
    one, _ = _statements(client, count_queries, f"/events/{event.id}/personen?zoek=jansen",
                         headers=headers)
    none, _ = _statements(client, count_queries, f"/events/{event.id}/personen?zoek=niemand",
                          headers=headers)
    # Session, user, the event and its team's memberships, the ticked people, the matches.
    assert count == one + 1 == none + 1 <= 7, (count, one, none)
    # Without JavaScript the same address leads to the meeting page with the results.
    plain = client.get(f"/events/{event.id}/personen?zoek=jan")
    assert plain.status_code == 303
    assert plain.headers["Location"].endswith(f"/events/{event.id}?zoek=jan#uitnodigen")


@pytest.mark.parametrize("who", ["invitee", "outsider"])
def test_only_organisers_may_search_people(meeting, people, client, login, who):
    event, _, invitations = meeting
    user = invitations[0].user if who == "invitee" else create_user(role=Role.LEZER)
    db.session.commit()
    login(user)
    response = client.get(f"/events/{event.id}/personen?zoek=jan",
                          headers={"HX-Request": "true", "HX-Target": "gevonden-personen"})
    assert response.status_code in (403, 404)
    assert "Jan Jansen" not in response.get_data(as_text=True)


def test_an_unknown_team_organisation_or_district_is_refused_at_its_field(organiser, people,
                                                                           client):
    event, _, _ = organiser
    before = db.session.scalar(select(func.count(Invitation.id)))
    for field in ("team_id", "organisation_id", "district_id"):
        response = client.post(f"/events/{event.id}/invitations", data={
            "csrf_token": csrf_token_for(client, f"/events/{event.id}"),
            "user_id": str(people["jan"].id), field: "99999"})
        assert response.status_code == 422, field
        html = response.get_data(as_text=True)
        assert "Kies een geldige waarde." in html and f'href="#veld-{field}"' in html, field
    assert db.session.scalar(select(func.count(Invitation.id))) == before
