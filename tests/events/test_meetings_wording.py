"""Issue 12, item 5: meetings are current until they end, Dutch time ranges on pages and in
mail, pasted address lists as RFC 5322 lists, neutral greetings, the remark of the current
answer, the organiser never reminded, the waiting-list wording, and the reminder's
recipients shown before it is sent."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.conftest import csrf_token_from, post_form
from tests.events.conftest import BEFORE, create_event, invite_user
from tests.factories import add_member, create_team, create_user
from tracker.auth.models import User
from tracker.enums import EventStatus, Role, RsvpResponse, TeamRole
from tracker.events.invitations import parse_addresses
from tracker.events.models import Event, Invitation
from tracker.events.rsvp import answer
from tracker.events.tokens import rsvp_token
from tracker.extensions import db
from tracker.jobs.events import event_reminders, rsvp_deadline_reminders
from tracker.notifications.models import OutboxMessage

#: "Now" in the list tests: Wednesday 16 December 2026, 14.30 Amsterdam time.
NOW = datetime(2026, 12, 16, 13, 30, tzinfo=UTC)


@pytest.fixture
def organiser_team(client, login):
    """A team and its coordinator; ``enter(moment)`` logs the coordinator in at ``moment``
    (sessions expire, so the login happens inside the test's time travel)."""
    team = create_team(slug="verwarde-personen-lijst")
    coordinator = create_user(role=Role.COORDINATOR)
    add_member(team, coordinator, TeamRole.COORDINATOR)
    db.session.commit()
    return team, coordinator, lambda: login(coordinator)


def _section(html: str, heading: str, next_heading: str | None) -> str:
    start = html.index(heading)
    return html[start:html.index(next_heading, start)] if next_heading else html[start:]


# --- Current until the end -----------------------------------------------------------------

def test_an_ongoing_meeting_stays_in_the_current_list_until_it_ends(organiser_team, client):
    team, _, enter = organiser_team
    create_event(title="Begon een uur geleden", team=team, starts_at=NOW - timedelta(hours=1),
                 ends_at=NOW + timedelta(hours=2), rsvp_deadline=None)
    create_event(title="Training dag twee", team=team, starts_at=NOW - timedelta(days=1),
                 ends_at=NOW + timedelta(hours=3), rsvp_deadline=None)
    create_event(title="Net afgelopen", team=team, starts_at=NOW - timedelta(hours=3),
                 ends_at=NOW - timedelta(minutes=1), rsvp_deadline=None)
    create_event(title="Volgende week", team=team, starts_at=NOW + timedelta(days=7),
                 ends_at=NOW + timedelta(days=7, hours=3), rsvp_deadline=None)
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        enter()
        html = client.get("/events").get_data(as_text=True)
        ids = dict(db.session.execute(select(Event.title, Event.id)).all())
        ongoing_page = client.get(f"/events/{ids['Training dag twee']}").get_data(as_text=True)
        ended_page = client.get(f"/events/{ids['Net afgelopen']}").get_data(as_text=True)
    assert "Nu bezig" in ongoing_page and "Gepland" not in ongoing_page.split("<h1")[1][:600]
    assert "Nu bezig" not in ended_page
    current = _section(html, "Huidige en komende bijeenkomsten</h2>", "Eerdere bijeenkomsten</h2>")
    past = _section(html, "Eerdere bijeenkomsten</h2>", None)
    for title in ("Begon een uur geleden", "Training dag twee", "Volgende week"):
        assert title in current and title not in past
    assert "Net afgelopen" in past and "Net afgelopen" not in current
    rows = {title: row for row in re.findall(r"<tr class=\"utrecht-table__row\">.*?</tr>", current,
                                             re.S)
            for title in ("Begon een uur geleden", "Training dag twee", "Volgende week")
            if title in row}
    assert "nu bezig" in rows["Begon een uur geleden"] and "nu bezig" in rows["Training dag twee"]
    assert "nu bezig" not in rows["Volgende week"]
    assert "16 december 2026, 13.30–16.30 uur" in rows["Begon een uur geleden"]
    assert "15 december 2026, 14.30 uur – 16 december 2026, 17.30 uur" in rows["Training dag twee"]


# --- Time ranges on pages and in mail ------------------------------------------------------

def test_time_range_on_the_page_and_in_the_invitation_mail(organiser_team, client):
    team, _, enter = organiser_team
    starts = datetime(2026, 12, 16, 12, 30, tzinfo=UTC)
    event = create_event(title="Kennisdag", team=team, starts_at=starts,
                         ends_at=starts + timedelta(hours=3), rsvp_deadline=None)
    db.session.commit()
    with time_machine.travel(starts - timedelta(days=20), tick=False):
        enter()
        page = client.get(f"/events/{event.id}").get_data(as_text=True)
        post_form(client, f"/events/{event.id}/invitations", {"addresses": "anna@example.org"},
                  token_page=f"/events/{event.id}")
    assert "16 december 2026, 13.30–16.30 uur" in page and " tot " not in page
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "event-invite"))
    assert "Wanneer: 16 december 2026, 13.30–16.30 uur" in row.body_text
    assert "16 december 2026, 13.30–16.30 uur" in row.body_html
    assert "13:30" not in row.body_text


# --- Pasted address lists ------------------------------------------------------------------

def test_address_lists_as_mail_programs_copy_them():
    pasted = ('"Jansen, Piet" <piet.jansen@x.nl>, k.pieters@x.nl; Bakker, Anna <anna.bakker@x.nl>\n'
              "Vries, Jan de <jan.de.vries@x.nl>;\r\n"
              "Els Smit <ELS.SMIT@X.NL>\n\n"
              "geen-adres, a@b; Bcc: kwaad@x.nl\n"
              '"Jansen, Piet" <piet.jansen@x.nl>')
    valid, invalid = parse_addresses(pasted)
    assert valid == [("piet.jansen@x.nl", "Piet Jansen"), ("k.pieters@x.nl", None),
                     ("anna.bakker@x.nl", "Anna Bakker"), ("jan.de.vries@x.nl", "Jan de Vries"),
                     ("els.smit@x.nl", "Els Smit")]
    assert invalid == ["geen-adres", "a@b", "Bcc: kwaad@x.nl"]


def test_outlook_form_pasted_on_the_page_makes_partners_with_their_names(organiser_team, client):
    team, _, enter = organiser_team
    event = create_event(team=team)
    db.session.commit()
    with time_machine.travel(BEFORE, tick=False):
        enter()
        response = post_form(client, f"/events/{event.id}/invitations",
                             {"addresses": 'Jansen, Piet <piet.jansen@x.nl>; "Bakker, Anna" '
                                           "<anna.bakker@x.nl>\nk.pieters@x.nl"},
                             token_page=f"/events/{event.id}")
        assert response.status_code == 303
        page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "3 uitgenodigd" in page and "ongeldig adres" not in page
    names = dict(db.session.execute(select(User.email, User.name).where(
        User.email.in_(["piet.jansen@x.nl", "anna.bakker@x.nl", "k.pieters@x.nl"]))).all())
    assert names == {"piet.jansen@x.nl": "Piet Jansen", "anna.bakker@x.nl": "Anna Bakker",
                     "k.pieters@x.nl": "k.pieters@x.nl"}
    bodies = {email: text for email, text in db.session.execute(
        select(User.email, OutboxMessage.body_text)
        .join(OutboxMessage, OutboxMessage.user_id == User.id))}
    assert bodies["piet.jansen@x.nl"].startswith("Beste Piet,")
    assert bodies["anna.bakker@x.nl"].startswith("Beste Anna,")
    assert bodies["k.pieters@x.nl"].startswith("Beste genodigde,")
    assert "k.pieters," not in bodies["k.pieters@x.nl"]


def test_a_partner_named_after_the_local_part_is_greeted_neutrally(meeting):
    from tracker.events import mail

    event, _, invitations = meeting
    user = invitations[0].user
    user.name = user.email.split("@")[0]
    assert mail.greeting(user) == "Beste genodigde,"
    email = mail.rsvp_reminder_email(invitations[0])
    assert email.text.startswith("Beste genodigde,") and "Beste genodigde," in email.html
    user.name = "Piet Jansen"
    assert mail.greeting(user) == "Beste Piet,"  # the same greeting as every other mail
    user.salutation = "Geachte heer Jansen"
    assert mail.greeting(user) == "Geachte heer Jansen,"  # the stored form of address wins


# --- The remark belongs to the current answer ----------------------------------------------

@time_machine.travel(BEFORE, tick=False)
def test_changing_the_answer_offers_the_remark_which_can_be_edited_or_cleared(meeting, client):
    _, _, invitations = meeting
    url = f"/rsvp/{rsvp_token(invitations[0].id)}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    client.post(url, data={"csrf_token": token, "response": "ja", "remark": "Vegetarisch"})
    page = client.get(url).get_data(as_text=True)
    # The form offers the remark of the current answer for editing.
    assert re.search(r'<textarea[^>]*name="remark"[^>]*>Vegetarisch</textarea>', page)
    client.post(url, data={"csrf_token": token, "response": "misschien",
                           "remark": "Misschien later, vegetarisch"})
    db.session.expire_all()
    invitation = db.session.get(Invitation, invitations[0].id)
    assert (invitation.response, invitation.remark) == (RsvpResponse.MISSCHIEN,
                                                        "Misschien later, vegetarisch")
    client.post(url, data={"csrf_token": token, "response": "nee", "remark": ""})
    db.session.expire_all()
    invitation = db.session.get(Invitation, invitations[0].id)
    assert (invitation.response, invitation.remark) == (RsvpResponse.NEE, "")
    page = client.get(url).get_data(as_text=True)
    assert "Uw opmerking" not in page
    assert re.search(r'<textarea[^>]*name="remark"[^>]*></textarea>', page)


# --- The organiser is never reminded -------------------------------------------------------

def test_the_organiser_is_never_reminded(organiser_team, client):
    team, coordinator, enter = organiser_team
    event = create_event(team=team, organiser=coordinator)
    own = invite_user(event, coordinator)
    others = [invite_user(event) for _ in range(2)]
    db.session.commit()
    with time_machine.travel(BEFORE, tick=False):
        enter()
        page = client.get(f"/events/{event.id}/remind").get_data(as_text=True)
        assert coordinator.email not in page
        assert post_form(client, f"/events/{event.id}/remind",
                         token_page=f"/events/{event.id}").status_code == 303
    # The jobs too: the RSVP-deadline reminder and the one just before the meeting.
    rsvp_deadline_reminders(event.rsvp_deadline - timedelta(days=1))
    event_reminders(event.starts_at - timedelta(days=1))
    db.session.commit()
    reminded = set(db.session.scalars(select(OutboxMessage.user_id)))
    assert own.user_id not in reminded
    assert {i.user_id for i in others} <= reminded


# --- Waiting list --------------------------------------------------------------------------

@time_machine.travel(BEFORE, tick=False)
def test_the_waiting_list_answer_says_what_it_means(client):
    event = create_event(capacity=1)
    people = [invite_user(event) for _ in range(4)]
    db.session.commit()
    for invitation in people:
        answer(invitation.id, "ja", "", now=BEFORE)
    db.session.commit()
    page = client.get(f"/rsvp/{rsvp_token(people[3].id)}").get_data(as_text=True)
    assert ("U staat op de wachtlijst (plaats 3). U hoort het als er een plaats vrijkomt."
            in page)
    assert "Ja, u komt" not in page and "vol" not in page.split("Uw antwoord</h2>")[1]
    seated = client.get(f"/rsvp/{rsvp_token(people[0].id)}").get_data(as_text=True)
    assert "Ja, u komt." in seated and "wachtlijst" not in seated.split("Uw antwoord</h2>")[1]
    # Someone ahead drops out: the place moves up.
    answer(people[1].id, "nee", "", now=BEFORE)
    db.session.commit()
    page = client.get(f"/rsvp/{rsvp_token(people[3].id)}").get_data(as_text=True)
    assert "U staat op de wachtlijst (plaats 2)." in page


# --- The reminder shows its recipients first -----------------------------------------------

def test_the_reminder_lists_its_recipients_before_the_post_sends(organiser_team, client):
    team, coordinator, enter = organiser_team
    event = create_event(team=team, organiser=coordinator)
    waiting = [invite_user(event) for _ in range(2)]
    answered = invite_user(event, response=RsvpResponse.JA)
    gone = invite_user(event)
    gone.user.active = False
    db.session.commit()
    with time_machine.travel(BEFORE, tick=False):
        enter()
        detail = client.get(f"/events/{event.id}").get_data(as_text=True)
        assert f'href="/events/{event.id}/remind"' in detail
        assert f'action="/events/{event.id}/remind"' not in detail
        page = client.get(f"/events/{event.id}/remind").get_data(as_text=True)
        assert db.session.scalar(select(OutboxMessage.id)) is None  # GET sent nothing
        listed = re.search(r'<ul[^>]*id="ontvangers">(.*?)</ul>', page, re.S).group(1)
        for invitation in waiting:
            assert invitation.user.email in listed
        assert answered.user.email not in listed and gone.user.email not in listed
        assert "Herinnering versturen aan 2 genodigde(n)" in page
        response = post_form(client, f"/events/{event.id}/remind",
                             token_page=f"/events/{event.id}/remind")
    assert response.status_code == 303
    sent = set(db.session.scalars(select(OutboxMessage.user_id).where(
        OutboxMessage.kind == "event-rsvp-reminder")))
    assert sent == {i.user_id for i in waiting}


def test_remind_page_of_a_closed_meeting_offers_no_button(organiser_team, client):
    team, coordinator, enter = organiser_team
    event = create_event(team=team, organiser=coordinator, status=EventStatus.GEANNULEERD)
    invite_user(event)
    db.session.commit()
    with time_machine.travel(BEFORE, tick=False):
        enter()
        page = client.get(f"/events/{event.id}/remind").get_data(as_text=True)
    assert "er gaat geen herinnering uit" in page and "<button" not in page.split("<main")[-1]


def test_no_reminder_is_offered_when_only_the_organiser_has_not_answered(organiser_team,
                                                                         client):
    team, coordinator, enter = organiser_team
    event = create_event(team=team, organiser=coordinator)
    invite_user(event, coordinator)
    invite_user(event, response=RsvpResponse.NEE)
    db.session.commit()
    with time_machine.travel(BEFORE, tick=False):
        enter()
        detail = client.get(f"/events/{event.id}").get_data(as_text=True)
        page = client.get(f"/events/{event.id}/remind").get_data(as_text=True)
    assert f'href="/events/{event.id}/remind"' not in detail
    assert "er is niemand om te herinneren" in page
