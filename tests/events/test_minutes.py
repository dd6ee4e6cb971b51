"""Issue 12, item 6: minutes and actions from a meeting. The organiser (or the team's
coordinators) records notes and decisions, creates actions that land in a team's list
linked back to the meeting, and sends the minutes to those who accepted, through the
outbox (read back from a real SMTP server)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select, text

from tests.conftest import csrf_token_for, post_form
from tests.events.conftest import ENDS, invite_user
from tests.factories import add_member, create_team, create_user
from tracker.actions.models import Action
from tracker.audit.models import AuditEntry
from tracker.enums import Role, RsvpResponse, TeamRole
from tracker.events.models import EventMinutes
from tracker.extensions import db
from tracker.jobs import run_job
from tracker.notifications.models import OutboxMessage

#: The day after the meeting, 10.00 Amsterdam time.
AFTER = ENDS + timedelta(hours=18, minutes=30)


@pytest.fixture(autouse=True)
def _after_the_meeting():
    with time_machine.travel(AFTER, tick=False):
        yield


@pytest.fixture
def held(meeting, client, login):
    """The meeting of the conftest, held: two said yes, one no; the organiser logged in."""
    event, coordinator, invitations = meeting
    invitations[0].response = RsvpResponse.JA
    invitations[1].response = RsvpResponse.JA
    invitations[2].response = RsvpResponse.NEE
    waiting = invite_user(event, response=RsvpResponse.JA, waitlisted_at=ENDS - timedelta(days=9))
    owner = create_user(role=Role.COORDINATOR, name="Eva Eigenaar")
    add_member(event.team, owner, TeamRole.LID)
    db.session.commit()
    login(coordinator)
    return event, coordinator, invitations, waiting, owner


def _counts():
    return (db.session.scalar(select(func.count(EventMinutes.id))),
            db.session.scalar(select(func.count(Action.id))),
            db.session.scalar(select(func.count(OutboxMessage.id))),
            db.session.scalar(select(func.count(AuditEntry.id))),
            tuple(db.session.execute(select(EventMinutes.notes, EventMinutes.version)).all()))


def _save(client, event, notes, decisions, version=None):
    data = {"notes": notes, "decisions": decisions}
    if version is not None:
        data["version"] = str(version)
    return post_form(client, f"/events/{event.id}/minutes", data,
                     token_page=f"/events/{event.id}/minutes")


def test_minutes_and_an_action_from_the_meeting_reach_the_team_list(held, client):
    event, coordinator, _, _, owner = held
    response = _save(client, event, "We bespraken de pilots.\nKampen loopt goed.",
                     "Pilot Kampen wordt verlengd\n\n  Zwolle start in april  ")
    assert response.status_code == 303
    minutes = db.session.scalar(select(EventMinutes).where(EventMinutes.event_id == event.id))
    assert minutes.decision_list == ["Pilot Kampen wordt verlengd", "Zwolle start in april"]
    assert minutes.updated_by_id == coordinator.id

    response = post_form(client, f"/events/{event.id}/actions",
                         {"title": "Verlenging Kampen regelen", "team_id": str(event.team_id),
                          "owner_id": str(owner.id), "due_date": "31-03-2018"},
                         token_page=f"/events/{event.id}/minutes")
    assert response.status_code == 303
    action = db.session.scalar(select(Action).where(Action.title == "Verlenging Kampen regelen"))
    assert (action.event_id, action.team_id, action.owner_id) == (event.id, event.team_id,
                                                                  owner.id)
    assert action.due_date.isoformat() == "2018-03-31"

    team_page = client.get(f"/teams/{event.team.slug}").get_data(as_text=True)
    row = team_page[team_page.index(f'id="actie-{action.id}"'):]
    row = row[:row.index("</tr>")]
    assert "Voortgekomen uit:" in row and f'href="/events/{event.id}"' in row
    detail = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Voortgekomen uit" in detail and f'href="/events/{event.id}">{event.title}</a>' in detail
    meeting_page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Pilot Kampen wordt verlengd" in meeting_page
    assert f'href="/actions/{action.id}">Verlenging Kampen regelen</a>' in meeting_page
    assert "Eva Eigenaar" in meeting_page

    # Audited, and in history: the actions' history keeps the link to the meeting.
    kinds = set(db.session.scalars(select(AuditEntry.action)))
    assert {"event.minutes", "action.create"} <= kinds
    assert db.session.execute(text(
        "SELECT event_id FROM actions_version WHERE id = :id"), {"id": action.id}).scalar() \
        == event.id
    assert db.session.execute(text(
        "SELECT count(*) FROM event_minutes_version WHERE event_id = :id"),
        {"id": event.id}).scalar() == 1


def test_minutes_refuse_a_bsn_and_a_stale_version(held, client):
    event, *_ = held
    before = _counts()
    response = _save(client, event, "Cliënt 111222333 besproken", "")
    assert response.status_code == 422
    assert "lijkt een burgerservicenummer" in response.get_data(as_text=True)
    assert _save(client, event, "", "").status_code == 422
    db.session.expire_all()
    assert _counts() == before

    assert _save(client, event, "Eerste versie", "").status_code == 303
    assert _save(client, event, "Tweede versie", "", version=1).status_code == 303
    stale = _save(client, event, "Derde versie, op een oude stand", "", version=1)
    assert stale.status_code == 409
    assert "Iemand anders heeft het verslag intussen gewijzigd" in stale.get_data(as_text=True)
    missing = _save(client, event, "Zonder versie", "")
    assert missing.status_code == 409
    db.session.expire_all()
    minutes = db.session.scalar(select(EventMinutes))
    assert (minutes.notes, minutes.version) == ("Tweede versie", 2)


def test_an_action_only_goes_to_a_team_the_organiser_may_choose(held, client):
    event, *_ = held
    foreign = create_team()
    db.session.commit()
    before = _counts()
    for data in ({"title": "Elders", "team_id": str(foreign.id)},
                 {"title": "", "team_id": str(event.team_id)},
                 {"title": "Zonder team"},
                 {"title": "BSN 111222333", "team_id": str(event.team_id)},
                 {"title": "Datum", "team_id": str(event.team_id), "due_date": "31-02-2018"}):
        response = post_form(client, f"/events/{event.id}/actions", data,
                             token_page=f"/events/{event.id}/minutes")
        assert response.status_code == 422, data
    db.session.expire_all()
    assert _counts() == before


def test_the_organiser_who_is_not_a_team_coordinator_keeps_the_minutes(meeting, client, login):
    event, _, _ = meeting
    organiser = create_user(role=Role.COORDINATOR)
    event.organiser = organiser
    db.session.commit()
    login(organiser)
    assert client.get(f"/events/{event.id}/minutes").status_code == 200
    assert _save(client, event, "Door de organisator", "").status_code == 303
    response = post_form(client, f"/events/{event.id}/actions",
                         {"title": "Voor het team van de bijeenkomst",
                          "team_id": str(event.team_id)},
                         token_page=f"/events/{event.id}/minutes")
    assert response.status_code == 303


@pytest.mark.parametrize("who", ["other_coordinator", "lezer", "partner_invited", "bestuurder"])
def test_others_may_not_keep_the_minutes(meeting, client, login, who):
    event, _, invitations = meeting
    other_team = create_team()
    people = {"other_coordinator": create_user(role=Role.COORDINATOR),
              "lezer": create_user(role=Role.LEZER),
              "partner_invited": invitations[0].user,
              "bestuurder": create_user(role=Role.BESTUURDER)}
    add_member(other_team, people["other_coordinator"], TeamRole.COORDINATOR)
    invitations[0].response = RsvpResponse.JA
    minutes = EventMinutes(event=event, notes="Bestaand verslag", decisions="")
    db.session.add(minutes)
    db.session.commit()
    login(people[who])
    before = _counts()
    for path in ("minutes", "minutes/send"):
        assert client.get(f"/events/{event.id}/{path}").status_code == 403
    token = csrf_token_for(client)
    for path, data in (("minutes", {"notes": "Overschreven", "version": "1"}),
                       ("actions", {"title": "Stiekem", "team_id": str(event.team_id)}),
                       ("minutes/send", {"version": "1"})):
        response = client.post(f"/events/{event.id}/{path}", data={**data, "csrf_token": token})
        assert response.status_code == 403, path
    db.session.expire_all()
    assert _counts() == before


#: The minutes mails (the action's owner also gets an "assigned" notice).
MINUTES_MAIL = OutboxMessage.kind == "event-minutes"


def test_the_minutes_go_to_those_who_accepted_once_per_version(held, client, smtp):
    event, coordinator, invitations, waiting, owner = held
    _save(client, event, "Verslag van de middag", "Besluit één")
    post_form(client, f"/events/{event.id}/actions",
              {"title": "Actie uit het verslag", "team_id": str(event.team_id),
               "owner_id": str(owner.id), "due_date": "2018-04-01"},
              token_page=f"/events/{event.id}/minutes")
    accepted = {invitations[0].user.email, invitations[1].user.email}

    # The confirmation lists exactly the recipients and sends nothing.
    page = client.get(f"/events/{event.id}/minutes/send").get_data(as_text=True)
    listed = page[page.index('id="ontvangers"'):page.index("</ul>", page.index('id="ontvangers"'))]
    assert all(address in listed for address in accepted)
    assert invitations[2].user.email not in listed and waiting.user.email not in listed
    assert coordinator.email not in listed
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(MINUTES_MAIL)) == 0

    send = f"/events/{event.id}/minutes/send"
    assert post_form(client, send, {"version": "1"}, token_page=send).status_code == 303
    assert post_form(client, send, {"version": "1"}, token_page=send).status_code == 303
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Deze versie van het verslag was al verstuurd" in page
    keys = set(db.session.scalars(select(OutboxMessage.idempotency_key).where(MINUTES_MAIL)))
    assert keys == {f"event-minutes:{event.id}:v1:{invitations[0].id}",
                    f"event-minutes:{event.id}:v1:{invitations[1].id}"}

    run_job("outbox", AFTER)
    db.session.commit()
    assert {m["To"].addresses[0].addr_spec for m in smtp.messages
            if m["Subject"].startswith("Verslag")} == accepted
    message = smtp.to(invitations[0].user.email)[0]
    assert message["Subject"] == f"Verslag: {event.title}"
    body = message.get_body(("plain",)).get_content()
    assert "Verslag van de middag" in body and "- Besluit één" in body
    assert "Actie uit het verslag" in body and "Eva Eigenaar" in body
    assert "7 maart 2018, 13.30–16.30 uur" in body
    assert "Besluit één" in message.get_body(("html",)).get_content()

    # A stale confirmation (the minutes changed since) sends nothing.
    assert _save(client, event, "Verslag van de middag, aangevuld", "Besluit één",
                 version=1).status_code == 303
    assert post_form(client, send, {"version": "1"}, token_page=send).status_code == 303
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(MINUTES_MAIL)) == 2
    # The new version goes out once more.
    assert post_form(client, send, {"version": "2"}, token_page=send).status_code == 303
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(MINUTES_MAIL)) == 4


def test_meeting_page_with_its_actions_in_a_bounded_number_of_queries(held, client,
                                                                      count_queries):
    event, _, _, _, owner = held
    _save(client, event, "Verslag", "Besluit")

    def add_actions(n):
        for i in range(n):
            post_form(client, f"/events/{event.id}/actions",
                      {"title": f"Actie {i}", "team_id": str(event.team_id),
                       "owner_id": str(owner.id)}, token_page=f"/events/{event.id}/minutes")

    def measure():
        client.get(f"/events/{event.id}")
        with count_queries() as counter:
            html = client.get(f"/events/{event.id}").get_data(as_text=True)
        return counter, html

    add_actions(1)
    one, _ = measure()
    add_actions(11)
    many, html = measure()
    assert html.count('href="/actions/') == 12
    assert many.count == one.count, many.statements
    assert many.count <= 20, many.statements


def test_an_invited_partner_reads_the_minutes_but_not_actions_of_teams_they_do_not_see(
        held, client, login):
    event, _, invitations, _, owner = held
    _save(client, event, "Verslag voor iedereen", "Besluit voor iedereen")
    post_form(client, f"/events/{event.id}/actions",
              {"title": "Actie van het team", "team_id": str(event.team_id)},
              token_page=f"/events/{event.id}/minutes")
    login(invitations[0].user)  # a partner, invited, not a member of the team
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Verslag voor iedereen" in page and "Besluit voor iedereen" in page
    assert "Actie van het team" not in page
    assert f'href="/events/{event.id}/minutes"' not in page
