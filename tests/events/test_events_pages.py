"""Meeting pages: create/edit with bad input, invitations in bulk, the organiser's view,
CSV, the daily reminder button, permissions per role, query counts."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import func, select

from tests.conftest import csrf_token_for, post_form
from tests.events.conftest import BEFORE, create_event, invite_user
from tests.factories import (
    add_member,
    create_district,
    create_municipality,
    create_team,
    create_user,
)
from tracker.actions.models import Action
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.enums import OrganisationKind, Role, RsvpResponse, TeamRole
from tracker.events.models import Event, EventMinutes, Invitation
from tracker.extensions import db
from tracker.network.models import Organisation
from tracker.notifications.models import OutboxMessage

GOOD = {"title": "Kennisdag", "starts_at": "2018-03-07T13:30", "ends_at": "2018-03-07T16:30",
        "location": "Zwolle", "online_url": "", "capacity": "40",
        "rsvp_deadline": "2018-03-05T12:00", "description": ""}


def _counts():
    return (db.session.scalar(select(func.count(Event.id))),
            db.session.scalar(select(func.count(Invitation.id))),
            db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(OutboxMessage.id))),
            db.session.scalar(select(func.count(AuditEntry.id))),
            db.session.scalar(select(func.count(Action.id))),
            db.session.scalar(select(func.count(EventMinutes.id))),
            tuple(db.session.execute(select(Event.title, Event.version, Event.status,
                                            Event.reminded_on).order_by(Event.id)).all()),
            tuple(db.session.execute(select(Invitation.response).order_by(Invitation.id)).all()))


@pytest.fixture(autouse=True)
def _before_the_meeting():
    """Every test here runs on 20 February 2018 (autouse: before the login fixtures)."""
    with time_machine.travel(BEFORE, tick=False):
        yield


@pytest.fixture
def organiser(meeting, client, login):
    event, coordinator, invitations = meeting
    login(coordinator)
    return event, coordinator, invitations


# --- Create and edit -----------------------------------------------------------------------

def test_coordinator_creates_a_meeting_in_local_time(organiser, client):
    event, coordinator, _ = organiser
    response = post_form(client, "/events", {**GOOD, "team_id": str(event.team_id),
                                             "organiser_id": str(coordinator.id)},
                         token_page="/events/new")
    assert response.status_code == 303
    created = db.session.scalar(select(Event).where(Event.title == "Kennisdag"))
    assert created.starts_at.isoformat() == "2018-03-07T12:30:00+00:00"
    assert created.capacity == 40 and created.organiser_id == coordinator.id
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.create"))


BAD_INPUT = [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "x" * 2010}, "title"),
    ({"title": "Kennis\r\ndag"}, "title"),
    ({"title": "Kennis\x00dag"}, "title"),
    ({"title": "Kennis\u202edag"}, "title"),
    ({"starts_at": "2018-02-30T13:30"}, "starts_at"),
    ({"starts_at": "2018-03-25T02:30", "ends_at": "2018-03-25T05:00"}, "starts_at"),  # DST gap
    ({"starts_at": "morgen"}, "starts_at"),
    ({"starts_at": ""}, "starts_at"),
    ({"ends_at": "2018-03-07T12:00"}, "ends_at"),  # end before start
    ({"ends_at": "2018-03-07T13:30"}, "ends_at"),
    ({"capacity": "-5"}, "capacity"),
    ({"capacity": "0"}, "capacity"),
    ({"capacity": "veel"}, "capacity"),
    ({"capacity": "1e3"}, "capacity"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"online_url": "JaVaScRiPt:alert(1)"}, "online_url"),
    ({"online_url": "data:text/html,x"}, "online_url"),
    ({"online_url": "https://"}, "online_url"),
    ({"location": "", "online_url": ""}, "location"),
    ({"rsvp_deadline": "2018-03-08T12:00"}, "rsvp_deadline"),
    ({"team_id": "999999"}, "team_id"),
    ({"team_id": "abc"}, "team_id"),
    ({"organiser_id": "999999"}, "organiser_id"),
    ({"description": "BSN 111222333"}, "description"),
]


@pytest.mark.parametrize(("change", "field"), BAD_INPUT)
def test_bad_input_is_refused_in_dutch_and_nothing_is_saved(organiser, client, change, field):
    event, coordinator, _ = organiser
    before = _counts()
    data = {**GOOD, "team_id": str(event.team_id), **change}
    response = post_form(client, "/events", data, token_page="/events/new")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="veld-{field}-fout"' in html and "Fout:" in html
    assert "<script>" not in html
    db.session.expire_all()
    assert _counts() == before


def test_edit_with_a_stale_version_is_a_conflict(organiser, client):
    event, coordinator, _ = organiser
    data = {**GOOD, "team_id": str(event.team_id), "version": str(event.version - 1 or 99)}
    before = _counts()
    response = post_form(client, f"/events/{event.id}", data, token_page=f"/events/{event.id}")
    assert response.status_code == 409
    db.session.expire_all()
    assert _counts() == before


# --- Invitations ---------------------------------------------------------------------------

def test_pasted_addresses_report_invalid_ones_and_skip_duplicates(organiser, client):
    event, _, invitations = organiser
    known = invitations[0].user.email
    pasted = "\n".join([
        "nieuw@example.org", "NIEUW@example.org", "Jan Jansen <jan@example.org>",
        "geen-adres", "a@b", "x@example.org\r\nBcc: kwaad@example.org", known,
        "<script>@example.org", "javascript:alert(1)@x.nl",
    ])
    response = post_form(client, f"/events/{event.id}/invitations", {"addresses": pasted},
                         token_page=f"/events/{event.id}")
    # The valid ones are invited; the invalid ones come back in the box, at the field.
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "3 uitgenodigd" in page and "1 al eerder uitgenodigd" in page
    box = page[page.index('name="addresses"'):page.index("</textarea>", page.index('name="addresses"'))]
    assert "geen-adres" in box and "a@b" in box and "&lt;script&gt;" in box
    assert "nieuw@example.org" not in box and "niet uitgenodigd: geen geldig e-mailadres" in page
    # The valid ones were invited: the error must not say that nothing was saved.
    assert "Fout: niet iedereen is uitgenodigd." in page
    assert "het formulier is niet opgeslagen" not in page
    assert "Bcc: kwaad@example.org" in page and "javascript:alert(1)@x.nl" in page
    emails = set(db.session.scalars(
        select(User.email).join(Invitation, Invitation.user_id == User.id)
        .where(Invitation.event_id == event.id)))
    assert {"nieuw@example.org", "jan@example.org", "x@example.org"} <= emails
    assert "kwaad@example.org" not in emails
    jan = db.session.scalar(select(User).where(User.email == "jan@example.org"))
    assert jan.name == "Jan Jansen" and jan.role == Role.PARTNER and jan.password_hash is None
    keys = set(db.session.scalars(select(OutboxMessage.idempotency_key)))
    assert {f"invite:{i.id}:0" for i in db.session.scalars(
        select(Invitation).where(Invitation.user_id == jan.id))} <= keys


def test_bulk_invite_by_team_organisation_and_district(organiser, client):
    event, coordinator, _ = organiser
    other_team = create_team()
    members = [create_user(role=Role.PARTNER, password=None) for _ in range(2)]
    for member in members:
        add_member(other_team, member, TeamRole.LID)
    district = create_district()
    municipality = create_municipality(district)
    gemeente = Organisation(slug="gemeente-x", name="Gemeente X", kind=OrganisationKind.GEMEENTE,
                            municipality_id=municipality.id)
    police = Organisation(slug="politie-x", name="Politie X", kind=OrganisationKind.POLITIE)
    db.session.add_all([gemeente, police])
    db.session.flush()
    in_district = create_user(role=Role.PARTNER, password=None, organisation_id=gemeente.id)
    at_police = create_user(role=Role.PARTNER, password=None, organisation_id=police.id)
    inactive = create_user(role=Role.PARTNER, password=None, organisation_id=police.id,
                           active=False)
    db.session.commit()
    for data in ({"team_id": str(other_team.id)}, {"organisation_id": str(police.id)},
                 {"district_id": str(district.id)}, {"district_id": str(district.id)}):
        assert post_form(client, f"/events/{event.id}/invitations", data,
                         token_page=f"/events/{event.id}").status_code == 303
    invited = set(db.session.scalars(select(Invitation.user_id).where(
        Invitation.event_id == event.id)))
    assert {m.id for m in members} | {in_district.id, at_police.id} <= invited
    assert inactive.id not in invited
    assert db.session.scalar(select(func.count(Invitation.id)).where(
        Invitation.user_id == in_district.id)) == 1


def test_cancelled_or_concept_meetings_take_no_invitations(organiser, client):
    event, _, _ = organiser
    from tracker.enums import EventStatus

    event.status = EventStatus.GEANNULEERD
    db.session.commit()
    before = _counts()
    response = post_form(client, f"/events/{event.id}/invitations",
                         {"addresses": "nieuw@example.org"}, token_page=f"/events/{event.id}")
    assert response.status_code == 422
    db.session.expire_all()
    assert _counts() == before


# --- Organiser view ------------------------------------------------------------------------

def test_organiser_sees_counts_remarks_and_a_bounded_number_of_queries(
        organiser, client, count_queries):
    event, _, invitations = organiser
    invitations[0].response, invitations[0].remark = RsvpResponse.JA, "Graag vegetarisch"
    invitations[1].response = RsvpResponse.NEE
    for _ in range(20):
        invite_user(event, response=RsvpResponse.MISSCHIEN)
    db.session.commit()
    client.get(f"/events/{event.id}")
    with count_queries() as counter:
        html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'id="telling-ja">1' in html and 'id="telling-nee">1' in html
    assert 'id="telling-misschien">20' in html and 'id="telling-geen-antwoord">1' in html
    assert "Graag vegetarisch" in html
    assert counter.count <= 17, counter.statements  # 17: the Bijlagen block (one query)


def test_events_list_upcoming_and_past_with_bounded_queries(organiser, client, count_queries):
    from datetime import timedelta

    event, _, _ = organiser
    for n in range(15):
        create_event(title=f"Oud {n}", starts_at=BEFORE - timedelta(days=n + 1),
                     ends_at=BEFORE - timedelta(days=n + 1) + timedelta(hours=2),
                     team=event.team)
    db.session.commit()
    client.get("/events")
    with count_queries() as counter:
        html = client.get("/events").get_data(as_text=True)
    assert html.index("Huidige en komende bijeenkomsten") < html.index(event.title) < html.index("Oud 0")
    assert counter.count <= 8, counter.statements


def test_csv_export_neutralises_formulas(organiser, client):
    event, _, invitations = organiser
    invitations[0].response, invitations[0].remark = RsvpResponse.JA, "=HYPERLINK(\"x\")"
    db.session.commit()
    response = client.get(f"/events/{event.id}/invitations.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "'=HYPERLINK" in text and "geen antwoord" in text


def test_remind_non_responders_at_most_once_a_day(organiser, client):
    event, _, invitations = organiser
    invitations[0].response = RsvpResponse.JA
    db.session.commit()
    path = f"/events/{event.id}/remind"
    assert post_form(client, path, token_page=f"/events/{event.id}").status_code == 303
    assert post_form(client, path, token_page=f"/events/{event.id}").status_code == 303
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Vandaag is al een herinnering verstuurd" in page
    rows = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "event-rsvp-reminder")).all()
    assert sorted(r.user_id for r in rows) == sorted(i.user_id for i in invitations[1:])


# --- Permissions ---------------------------------------------------------------------------

MUTATING_ROUTES = [
    ("/events", lambda e: {**GOOD, "team_id": str(e.team_id)}),
    ("/events/{id}", lambda e: {**GOOD, "team_id": str(e.team_id), "version": str(e.version)}),
    ("/events/{id}/cancel", lambda e: {"version": str(e.version), "bevestig": "1"}),
    ("/events/{id}/invitations", lambda e: {"addresses": "nieuw@example.org"}),
    ("/events/{id}/remind", lambda e: {}),
    ("/events/{id}/minutes", lambda e: {"notes": "Besproken", "decisions": "Besluit"}),
    ("/events/{id}/actions", lambda e: {"title": "Uit de bijeenkomst", "team_id": str(e.team_id)}),
    ("/events/{id}/minutes/send", lambda e: {"version": "1"}),
]


def test_every_new_mutating_route_is_covered():
    from flask import current_app

    covered = {path.replace("{id}", "<int:event_id>") for path, _ in MUTATING_ROUTES}
    covered.add("/rsvp/<token>")
    ours = {r.rule for r in current_app.url_map.iter_rules()
            if r.endpoint.startswith("events.") and r.methods & {"POST", "PUT", "PATCH", "DELETE"}}
    assert ours == covered


@pytest.fixture
def roles(meeting):
    event, coordinator, _ = meeting
    other_team = create_team()
    people = {
        "lezer": create_user(role=Role.LEZER),
        "partner_invited": db.session.get(User, meeting[2][0].user_id),
        "bestuurder": create_user(role=Role.BESTUURDER),
        "coordinator_b": create_user(role=Role.COORDINATOR),
    }
    add_member(other_team, people["coordinator_b"], TeamRole.COORDINATOR)
    db.session.commit()
    return event, people


@pytest.mark.parametrize("who", ["anonymous", "lezer", "partner_invited", "bestuurder",
                                 "coordinator_b"])
@pytest.mark.parametrize(("path", "data"), MUTATING_ROUTES)
def test_denied_roles_change_nothing(roles, client, login, who, path, data):
    event, people = roles
    if who != "anonymous":
        login(people[who])
    before = _counts()
    payload = data(event)
    payload["csrf_token"] = csrf_token_for(client)
    response = client.post(path.format(id=event.id), data=payload)
    if who == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/inloggen")
    elif path == "/events" and who == "coordinator_b":
        # May create meetings, but only for a team they keep.
        assert response.status_code == 422
    else:
        assert response.status_code == 403
    db.session.expire_all()
    assert _counts() == before


@pytest.mark.parametrize("who", ["coordinator", "beheerder"])
def test_team_coordinator_and_beheerder_may_manage(meeting, client, login, who):
    event, coordinator, _ = meeting
    user = coordinator if who == "coordinator" else create_user(role=Role.BEHEERDER)
    db.session.commit()
    login(user)
    assert client.get(f"/events/{event.id}/edit").status_code == 200
    response = post_form(client, f"/events/{event.id}/remind", token_page=f"/events/{event.id}")
    assert response.status_code == 303


def test_partner_sees_only_meetings_they_are_invited_to(meeting, client, login):
    event, _, invitations = meeting
    other = create_event(title="Geheime bijeenkomst")
    db.session.commit()
    login(invitations[0].user)
    html = client.get("/events").get_data(as_text=True)
    assert event.title in html and "Geheime bijeenkomst" not in html
    page = client.get(f"/events/{event.id}")
    assert page.status_code == 200 and "/rsvp/" in page.get_data(as_text=True)
    assert "Genodigden en hun antwoord" not in page.get_data(as_text=True)
    assert client.get(f"/events/{other.id}").status_code == 403
    assert client.get(f"/events/{event.id}/invitations.csv").status_code == 403


def test_cancelling_needs_an_explicit_confirmation(meeting, client, login):
    from tests.conftest import csrf_token_for
    from tracker.enums import EventStatus
    from tracker.events.models import Event

    event, coordinator, _ = meeting
    login(coordinator)
    response = client.post(f"/events/{event.id}/cancel", data={
        "version": str(event.version), "csrf_token": csrf_token_for(client)})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Event, event.id).status != EventStatus.GEANNULEERD


def test_capacity_cannot_drop_below_the_seats_already_taken(meeting):
    from datetime import UTC, datetime

    from tracker.events.services import update_event
    from tracker.validation import ValidationError

    event, coordinator, invitations = meeting
    for invitation in invitations[:2]:
        invitation.response = RsvpResponse.JA
    db.session.commit()
    with pytest.raises(ValidationError, match="al 2 mensen een plaats"):
        update_event(event, {"capacity": 1}, expected_version=event.version, actor=coordinator,
                     now=datetime.now(UTC))
    db.session.rollback()


def test_an_empty_invitation_form_says_what_to_choose(meeting, client, login):
    event, coordinator, _ = meeting
    login(coordinator)
    response = client.post(f"/events/{event.id}/invitations", data={
        "csrf_token": csrf_token_for(client)})
    assert response.status_code == 422
    assert "Kies wie u wilt uitnodigen" in response.get_data(as_text=True)
