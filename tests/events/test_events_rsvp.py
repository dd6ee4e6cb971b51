"""RSVP through the signed link: tokens, GET changes nothing, POST with and without htmx,
closed and cancelled meetings, bad links, the waiting list."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from tests.conftest import csrf_token_from
from tests.events.conftest import BEFORE, DEADLINE, ENDS, create_event, invite_user
from tracker.audit.models import AuditEntry
from tracker.enums import EventStatus, RsvpResponse
from tracker.events.models import Invitation
from tracker.events.rsvp import answer
from tracker.events.tokens import (
    TokenError,
    check_not_expired,
    read_rsvp_token,
    rsvp_token,
)
from tracker.extensions import db
from tracker.notifications.messages import unsubscribe_token
from tracker.notifications.models import OutboxMessage


def _state():
    invitations = db.session.execute(
        select(Invitation.id, Invitation.response, Invitation.remark, Invitation.waitlisted_at,
               Invitation.responded_at).order_by(Invitation.id)).all()
    return (invitations, db.session.scalar(select(func.count(AuditEntry.id))),
            db.session.scalar(select(func.count(OutboxMessage.id))))


# --- Tokens --------------------------------------------------------------------------------

def test_token_is_valid_until_the_event_ends_and_not_one_second_longer(meeting):
    event, _, invitations = meeting
    token = rsvp_token(invitations[0].id)
    assert read_rsvp_token(token).invitation_id == invitations[0].id
    check_not_expired(event, ENDS)  # valid at T
    with pytest.raises(TokenError) as error:
        check_not_expired(event, ENDS + timedelta(seconds=1))
    assert error.value.status == 410


def test_token_with_another_purpose_or_tampered_or_foreign_is_refused(meeting):
    _, _, invitations = meeting
    for token in (rsvp_token(invitations[0].id, purpose="unsubscribe"),
                  rsvp_token(invitations[0].id) + "x",
                  rsvp_token(invitations[0].id)[:-3],
                  unsubscribe_token(invitations[0].user_id, "reminders"),
                  "", "not-a-token"):
        with pytest.raises(TokenError) as error:
            read_rsvp_token(token)
        assert error.value.status == 400


def test_link_works_at_the_end_and_is_gone_one_second_later(meeting, client):
    _, _, invitations = meeting
    url = f"/rsvp/{rsvp_token(invitations[0].id)}"
    with time_machine.travel(ENDS, tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(ENDS + timedelta(seconds=1), tick=False):
        response = client.get(url)
    assert response.status_code == 410
    assert "ongeldig of verlopen" in response.get_data(as_text=True)


# --- GET changes nothing; POST answers -----------------------------------------------------

@time_machine.travel(BEFORE, tick=False)
def test_get_shows_the_event_and_changes_nothing(meeting, client):
    event, _, invitations = meeting
    before = _state()
    for _ in range(3):
        response = client.get(f"/rsvp/{rsvp_token(invitations[0].id)}")
        assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert event.title in html and "U heeft nog niet gereageerd" in html
    for label in ("Ja", "Nee", "Misschien"):
        assert f">{label}</button>" in html
    db.session.expire_all()
    assert _state() == before


@time_machine.travel(BEFORE, tick=False)
def test_post_without_javascript_answers_and_redirects(meeting, client):
    _, _, invitations = meeting
    url = f"/rsvp/{rsvp_token(invitations[0].id)}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "response": "ja",
                                      "remark": "Vegetarisch"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    assert "Uw antwoord is opgeslagen. Ja, u komt." in page
    db.session.expire_all()
    invitation = db.session.get(Invitation, invitations[0].id)
    assert invitation.response == RsvpResponse.JA and invitation.remark == "Vegetarisch"
    assert invitation.responded_at == BEFORE


@time_machine.travel(BEFORE, tick=False)
def test_post_with_htmx_swaps_the_answer_and_announces_it(meeting, client):
    _, _, invitations = meeting
    url = f"/rsvp/{rsvp_token(invitations[0].id)}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"response": "misschien"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="rsvp-antwoord"')
    assert 'hx-swap-oob="true"' in html and "u komt misschien" in html
    assert "<html" not in html
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]


@time_machine.travel(BEFORE, tick=False)
def test_answering_twice_leaves_one_row_with_the_last_answer(meeting, client):
    _, _, invitations = meeting
    url = f"/rsvp/{rsvp_token(invitations[0].id)}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    for choice in ("ja", "nee", "nee"):
        assert client.post(url, data={"csrf_token": token, "response": choice}).status_code == 303
    db.session.expire_all()
    rows = db.session.scalars(select(Invitation).where(
        Invitation.user_id == invitations[0].user_id)).all()
    assert [r.response for r in rows] == [RsvpResponse.NEE]


@time_machine.travel(BEFORE, tick=False)
def test_post_without_csrf_token_or_with_a_bad_answer_changes_nothing(meeting, client):
    _, _, invitations = meeting
    url = f"/rsvp/{rsvp_token(invitations[0].id)}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    before = _state()
    assert client.post(url, data={"response": "ja"}).status_code == 400
    assert client.post(url, data={"response": "ja", "csrf_token": "fout"}).status_code == 400
    for data in ({"response": "jawel"}, {"response": ""},
                 {"response": "ja", "remark": "a\x00b"}, {"response": "ja", "remark": "x" * 1001},
                 {"response": "ja", "remark": "BSN 111222333"}):
        response = client.post(url, data={"csrf_token": token, **data})
        assert response.status_code == 422, data
        assert "Fout:" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _state() == before


@time_machine.travel(BEFORE, tick=False)
def test_remark_is_shown_escaped(meeting, client):
    _, _, invitations = meeting
    url = f"/rsvp/{rsvp_token(invitations[0].id)}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    client.post(url, data={"csrf_token": token, "response": "ja",
                           "remark": '<script>alert(1)</script> hx-get="/x" {{7*7}}'})
    html = client.get(url).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html and "{{7*7}}" in html


@pytest.mark.parametrize(("make", "status"), [
    (lambda i: rsvp_token(i.id) + "x", 400),
    (lambda i: rsvp_token(i.id, purpose="unsubscribe"), 400),
    (lambda i: unsubscribe_token(i.user_id, "reminders"), 400),
    (lambda i: rsvp_token(i.id + 999), 404),
])
@time_machine.travel(BEFORE, tick=False)
def test_bad_links_give_a_dutch_page_and_change_nothing(meeting, client, make, status):
    _, _, invitations = meeting
    url = f"/rsvp/{make(invitations[0])}"
    token = csrf_token_from(client.get("/inloggen").get_data(as_text=True))
    before = _state()
    for response in (client.get(url),
                     client.post(url, data={"csrf_token": token, "response": "ja"})):
        assert response.status_code == status
        html = response.get_data(as_text=True)
        assert "Deze link werkt niet" in html and "Traceback" not in html
    db.session.expire_all()
    assert _state() == before


def test_after_the_deadline_the_page_says_closed_and_post_changes_nothing(meeting, client):
    _, _, invitations = meeting
    url = f"/rsvp/{rsvp_token(invitations[0].id)}"
    before = _state()
    with time_machine.travel(DEADLINE + timedelta(seconds=1), tick=False):
        page = client.get(url).get_data(as_text=True)
        assert "Reageren is gesloten" in page and ">Ja</button>" not in page
        token = csrf_token_from(page)  # the page's htmx header carries it
        response = client.post(url, data={"csrf_token": token, "response": "ja"})
    assert response.status_code == 409
    assert "Reageren is gesloten" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _state() == before


@time_machine.travel(BEFORE, tick=False)
def test_a_cancelled_meeting_says_so(meeting, client):
    event, _, invitations = meeting
    url = f"/rsvp/{rsvp_token(invitations[0].id)}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    event.status = EventStatus.GEANNULEERD
    db.session.commit()
    assert "geannuleerd" in client.get(url).get_data(as_text=True)
    before = _state()
    response = client.post(url, data={"csrf_token": token, "response": "ja"})
    assert response.status_code == 409
    db.session.expire_all()
    assert _state() == before


# --- Capacity and waiting list -------------------------------------------------------------

def test_waiting_list_fills_in_order_and_moves_up_with_a_mail(app):
    event = create_event(capacity=2)
    people = [invite_user(event) for _ in range(5)]
    db.session.commit()
    for n, invitation in enumerate(people):
        answer(invitation.id, "ja", "", now=BEFORE + timedelta(minutes=n))
        db.session.commit()
    db.session.expire_all()
    waiting = [i.id for i in db.session.scalars(
        select(Invitation).where(Invitation.waitlisted_at.is_not(None))
        .order_by(Invitation.waitlisted_at))]
    assert waiting == [people[2].id, people[3].id, people[4].id]
    answer(people[0].id, "nee", "", now=BEFORE + timedelta(hours=1))
    db.session.commit()
    db.session.expire_all()
    seated = {i.id for i in db.session.scalars(select(Invitation).where(
        Invitation.response == RsvpResponse.JA, Invitation.waitlisted_at.is_(None)))}
    assert seated == {people[1].id, people[2].id}
    [mail] = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "event-moved-up")).all()
    assert mail.user_id == people[2].user_id
    assert "plaats" in mail.subject and "/rsvp/" in mail.body_text
    # A waiting "misschien" gives up its place in the queue; the next in line stays next.
    answer(people[3].id, "misschien", "", now=BEFORE + timedelta(hours=2))
    answer(people[1].id, "nee", "", now=BEFORE + timedelta(hours=3))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Invitation, people[4].id).waitlisted_at is None
    assert db.session.get(Invitation, people[3].id).response == RsvpResponse.MISSCHIEN


def test_reopening_the_link_shows_the_saved_remark_so_a_new_answer_keeps_it(meeting, client):
    from tracker.events.tokens import rsvp_token

    _, _, invitations = meeting
    invitation = invitations[0]
    token = rsvp_token(invitation.id)
    with time_machine.travel(BEFORE, tick=False):
        page = client.get(f"/rsvp/{token}").get_data(as_text=True)
        client.post(f"/rsvp/{token}", data={"response": "ja", "remark": "Ik neem iemand mee",
                                            "csrf_token": csrf_token_from(page)})
        again = client.get(f"/rsvp/{token}").get_data(as_text=True)
        assert ">Ik neem iemand mee</textarea>" in again
        client.post(f"/rsvp/{token}", data={"response": "nee", "remark": "Ik neem iemand mee",
                                            "csrf_token": csrf_token_from(again)})
    db.session.expire_all()
    saved = db.session.get(Invitation, invitation.id)
    assert (saved.response, saved.remark) == (RsvpResponse.NEE, "Ik neem iemand mee")
