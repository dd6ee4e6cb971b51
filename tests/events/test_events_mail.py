"""Invitation, reminder, update and cancellation mails, read from a real SMTP server."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import time_machine
from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import csrf_token_from, post_form
from tests.events.conftest import BEFORE, DEADLINE, STARTS
from tracker.auth.models import User
from tracker.enums import RsvpResponse
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.jobs import run_job
from tracker.notifications.models import OutboxMessage

DONE_AT = "2018-03-01T09:00:00+01:00"
MEETING_TITLE = "Regionale bijeenkomst: ervaringen en kennis uit de pilotprojecten"


def _calendar(message) -> Calendar:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def _rsvp_path(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/rsvp/[A-Za-z0-9_.\-]+)", text).group(1)


def _organiser_counts(client, event_id) -> dict[str, int]:
    html = client.get(f"/events/{event_id}").get_data(as_text=True)
    return {key: int(re.search(rf'id="telling-{key}">(\d+)', html).group(1))
            for key in ("ja", "nee", "misschien", "geen-antwoord", "wachtlijst")}


def test_done_means_reminders_reach_each_non_responder_once_and_the_link_answers(
        demo, runner, app, login, smtp):
    """Demo data: event-reminders at 1 March 09:00, then the outbox; the link answers."""
    event = db.session.scalar(select(Event).where(Event.title == MEETING_TITLE))
    non_responders = db.session.scalars(
        select(User).join(Invitation, Invitation.user_id == User.id)
        .where(Invitation.event_id == event.id, Invitation.response.is_(None))).all()
    assert len(non_responders) >= 3
    for _ in range(2):
        queued = runner.invoke(args=["jobs", "run", "event-reminders", "--at", DONE_AT])
        assert queued.exit_code == 0, queued.output
        sent = runner.invoke(args=["jobs", "run", "outbox"])
        assert sent.exit_code == 0, sent.output
    for user in non_responders:
        [message] = smtp.to(user.email)
        assert message["Subject"] == f"Graag uw antwoord: {MEETING_TITLE}"
        assert "7 maart 2018, 13.30" in message.get_body(("plain",)).get_content()
        assert "/rsvp/" in message.get_body(("html",)).get_content()
    assert len(smtp.messages) == len(non_responders)

    client = app.test_client()  # not logged in
    first = smtp.to(non_responders[0].email)[0]
    path = _rsvp_path(first)
    with time_machine.travel(datetime.fromisoformat(DONE_AT), tick=False):
        organiser = login(db.session.get(User, event.organiser_id), app.test_client())
        page = client.get(path)
        assert page.status_code == 200 and MEETING_TITLE in page.get_data(as_text=True)
        before = _organiser_counts(organiser, event.id)
        token = csrf_token_from(page.get_data(as_text=True))
        answered = client.post(path, data={"csrf_token": token, "response": "ja"})
        assert answered.status_code == 303
        after = _organiser_counts(organiser, event.id)
    assert after["ja"] == before["ja"] + 1
    assert after["geen-antwoord"] == before["geen-antwoord"] - 1
    db.session.expire_all()
    invitation = db.session.scalar(select(Invitation).where(
        Invitation.event_id == event.id, Invitation.user_id == non_responders[0].id))
    assert invitation.response == RsvpResponse.JA


def test_invitation_mail_carries_a_calendar_item_outlook_accepts(meeting, client, login, smtp,
                                                                 app, monkeypatch):
    # With a reply mailbox: a meeting request whose answers come to the tracker.
    monkeypatch.setitem(app.config, "TRACKER_REPLY_ADDRESS", "Agenda <agenda@example.org>")
    monkeypatch.setitem(app.config, "TRACKER_IMAP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "TRACKER_IMAP_USER", "agenda")
    event, coordinator, _ = meeting
    with time_machine.travel(BEFORE, tick=False):
        login(coordinator)
        response = post_form(client, f"/events/{event.id}/invitations",
                             {"addresses": "Anna de Wit <anna@example.org>\nbas@example.org"},
                             token_page=f"/events/{event.id}")
        assert response.status_code == 303
        run_job("outbox", BEFORE)
        db.session.commit()
    [message] = smtp.to("anna@example.org")
    assert message["Subject"] == f"Uitnodiging: {event.title}"
    calendar = _calendar(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.id}@vnon-tracker"
    assert int(vevent["SEQUENCE"]) == 0
    assert vevent["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert vevent.decoded("DTSTART") == STARTS
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert str(vevent["ORGANIZER"]) == "mailto:agenda@example.org"
    assert str(vevent["ATTENDEE"]) == "mailto:anna@example.org"
    assert vevent["ATTENDEE"].params["CN"] == "Anna de Wit"
    assert vevent["ATTENDEE"].params["RSVP"] == "TRUE"
    assert "Beide tellen" in message.get_body(("plain",)).get_content()
    assert "/rsvp/" in str(vevent["URL"])
    # The partner was created without a password.
    anna = db.session.scalar(select(User).where(User.email == "anna@example.org"))
    assert anna.role.value == "partner" and anna.password_hash is None

    # A change of time: the same UID, a higher SEQUENCE; then the cancellation.
    with time_machine.travel(BEFORE + timedelta(minutes=10), tick=False):
        edit = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
        form = {"csrf_token": csrf_token_from(edit), "version": str(event.version),
                "title": event.title, "team_id": str(event.team_id),
                "starts_at": "2018-03-07T14:00", "ends_at": "2018-03-07T17:00",
                "location": "Zwolle", "rsvp_deadline": "2018-03-05T12:00",
                "organiser_id": str(coordinator.id)}
        assert client.post(f"/events/{event.id}", data=form).status_code == 303
        db.session.expire_all()
        version = db.session.get(Event, event.id).version
        assert post_form(client, f"/events/{event.id}/cancel", {"version": str(version), "bevestig": "1"},
                         token_page=f"/events/{event.id}").status_code == 303
        run_job("outbox", BEFORE + timedelta(minutes=10))
        db.session.commit()
    update, cancel = smtp.to("anna@example.org")[1:]
    assert update["Subject"].startswith("Gewijzigd:")
    [changed] = _calendar(update).walk("VEVENT")
    assert str(changed["UID"]) == str(vevent["UID"]) and int(changed["SEQUENCE"]) == 1
    assert changed.decoded("DTSTART").hour == 14
    cancelled = _calendar(cancel)
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert str(cancelled.walk("VEVENT")[0]["ORGANIZER"]) == "mailto:agenda@example.org"
    assert int(cancelled.walk("VEVENT")[0]["SEQUENCE"]) == 2
    assert str(cancelled.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_reminder_job_is_idempotent_and_respects_the_window(meeting):
    event, _, invitations = meeting
    invitations[1].response = RsvpResponse.NEE
    invitations[2].response = RsvpResponse.JA
    db.session.commit()
    too_early = DEADLINE - timedelta(days=8)
    assert not [k for k in run_job("event-reminders", too_early).queued if "rsvp" in k]
    at = DEADLINE - timedelta(days=3)
    first = run_job("event-reminders", at).queued
    assert first == [f"event-rsvp-reminder:invitation:{invitations[0].id}:{DEADLINE.isoformat()}"]
    assert run_job("event-reminders", at + timedelta(hours=1)).queued == []
    db.session.commit()
    # The day before the meeting: those who did not decline hear once more, once.
    day_before = STARTS - timedelta(days=1)
    reminded = run_job("event-reminders", day_before).queued
    assert sorted(reminded) == sorted(
        f"event-reminder:invitation:{i.id}:{STARTS.isoformat()}" for i in (invitations[0],
                                                                            invitations[2]))
    assert run_job("event-reminders", day_before + timedelta(hours=2)).queued == []
    db.session.commit()
    kinds = sorted(db.session.scalars(select(OutboxMessage.kind)))
    assert kinds == ["event-reminder", "event-reminder", "event-rsvp-reminder"]
