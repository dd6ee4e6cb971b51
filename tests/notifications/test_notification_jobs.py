"""The jobs: reminders, escalation, milestone alerts, event reminders and the digest."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import add_member, create_action, create_team, create_user
from tracker.auth.models import User
from tracker.enums import EventStatus, MilestoneKind, Role, RsvpResponse, TeamRole
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.jobs import JOBS, run_job
from tracker.milestones.models import Milestone
from tracker.notifications.models import (
    DigestFrequency,
    NotificationPreference,
    OutboxMessage,
    TeamNotificationSettings,
)

DONE_AT = "2018-02-05T07:30:00+01:00"


def _keys(kind=None) -> list[str]:
    query = select(OutboxMessage.idempotency_key).order_by(OutboxMessage.idempotency_key)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def _at(day: date, hour=6, minute=30) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, hour, minute,
                    tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(UTC)


# --- Done means --------------------------------------------------------------------------

def test_demo_digests_reach_every_bestuurder_once(demo, runner, client, login, smtp):
    """With the demo data: digests at Monday 5 Feb 2018 07:30, then the outbox, twice."""
    bestuurders = db.session.scalars(select(User).where(User.role == Role.BESTUURDER)).all()
    assert len(bestuurders) >= 6
    first = runner.invoke(args=["jobs", "run", "digests", "--at", DONE_AT])
    assert first.exit_code == 0, first.output
    assert f"{len(bestuurders)} bericht(en) in de wachtrij gezet" in first.output
    sent = runner.invoke(args=["jobs", "run", "outbox"])
    assert sent.exit_code == 0, sent.output
    assert f"{len(bestuurders)} verzonden" in sent.output
    for user in bestuurders:
        [message] = smtp.to(user.email)
        assert message["Subject"] == "Bestuurlijk overzicht week 6: deadlines en voortgang"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for body in (text, html):
            assert "1 oktober 2018" in body
            assert "Iedere gemeente in Oost-Nederland heeft een sluitende aanpak" in body
            assert "0 van 78 gemeenten gereed" in body
        # The stored form of address; the others a default from the name, never an address.
        assert text.splitlines()[0] == user.greeting
        if user.title == "burgemeester":
            assert user.greeting == f"Geachte burgemeester {user.name},"
        assert "@" not in text.splitlines()[0]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    count = len(smtp.messages)
    again = runner.invoke(args=["jobs", "run", "digests", "--at", DONE_AT])
    assert "0 bericht(en)" in again.output
    assert "0 verzonden" in runner.invoke(args=["jobs", "run", "outbox"]).output
    assert len(smtp.messages) == count == len(bestuurders)


def test_links_in_the_digest_work(demo, client, login, smtp):
    run_job("digests", datetime.fromisoformat(DONE_AT))
    run_job("outbox", datetime.fromisoformat(DONE_AT))
    welten = db.session.scalar(select(User).where(User.email == "welten@example.org"))
    [message] = smtp.to("welten@example.org")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    links = set(re.findall(r"http://localhost[^\s\"<>]*", text))
    assert links == set(re.findall(r'href="(http://localhost[^"]*)"', html))
    assert any("/teams/verwarde-personen" in link for link in links)
    login(welten)
    for link in links:
        path = link.removeprefix("http://localhost").split("#")[0]
        assert client.get(path).status_code == 200, path
    # Portfolio first: Welten chairs Verwarde personen.
    assert text.index("Uw portefeuille: Verwarde personen") < text.index("Het netwerk")


def test_each_job_run_twice_queues_nothing_twice(demo):
    owner = db.session.scalar(select(User).where(User.email == "paul.wesseloo@example.org"))
    team = owner.memberships[0].team
    create_action(team, owner=owner, due_date=date(2018, 2, 12), title="Binnenkort")
    # Escalated to the trekker (Wesseloo) only because the action is someone else's.
    colleague = create_user(email="collega@example.org", name="Cora Collega")
    create_action(team, owner=colleague, due_date=date(2018, 1, 20), title="Lang over de datum")
    event = db.session.scalar(select(Event).where(Event.starts_at.is_not(None)))
    db.session.add(Invitation(event=event, user=owner))
    db.session.commit()
    moments = {name: datetime(2018, 3, 6, 6, 0, tzinfo=UTC) for name in JOBS}
    moments["digests"] = datetime.fromisoformat(DONE_AT)
    moments["reminders"] = moments["escalations"] = _at(date(2018, 2, 5))
    moments["milestones"] = _at(date(2018, 9, 10))
    mail_jobs = [name for name in JOBS if name not in ("outbox", "invitee-retention",
                                                  "calendar-replies", "webhook-events",
                                                  "webhooks", "report-renders")]
    first = {name: run_job(name, moments[name]).queued for name in mail_jobs}
    assert all(first.values()), first
    second = {name: run_job(name, moments[name]).queued for name in mail_jobs}
    assert all(not keys for keys in second.values()), second
    assert len(_keys()) == sum(len(keys) for keys in first.values())


# --- Reminders and escalation ------------------------------------------------------------

@pytest.fixture
def team_with_owner():
    team = create_team(short_name="Jeugd", slug="jeugd")
    owner = create_user(name="Eigenaar", email="eigenaar@example.org", role=Role.COORDINATOR)
    trekker = create_user(name="Trekker", email="trekker@example.org", role=Role.COORDINATOR)
    add_member(team, owner, TeamRole.COORDINATOR)
    add_member(team, trekker, TeamRole.TREKKER)
    action = create_action(team, owner=owner, due_date=date(2018, 3, 1), title="Groepsscan")
    db.session.commit()
    return team, owner, trekker, action


def test_owner_is_reminded_7_and_1_days_before_then_the_day_after_and_weekly(team_with_owner):
    _, owner, _, _ = team_with_owner
    seen = []
    for day in range(1, 45):
        moment = _at(date(2018, 2, 1) + timedelta(days=day))
        seen += run_job("reminders", moment).queued
        seen += run_job("reminders", moment).queued
    prefix = f"reminders:user:{owner.id}"
    assert seen == [f"{prefix}:2018-02-22", f"{prefix}:2018-02-28", f"{prefix}:2018-03-02",
                    f"{prefix}:2018-03-09", f"{prefix}:2018-03-16"]
    subjects = list(db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)))
    assert subjects == ["Uw acties: 1 binnenkort"] * 2 + ["Uw acties: 1 te laat"] * 3
    bodies = list(db.session.scalars(select(OutboxMessage.body_text).order_by(OutboxMessage.id)))
    assert "Binnenkort (1)" in bodies[0] and "over 7 dagen" in bodies[0]
    assert "Te laat (1)" in bodies[2] and "1 dag over de datum" in bodies[2]
    assert "Groepsscan" in bodies[4] and "15 dagen over de datum" in bodies[4]


def test_a_missed_day_is_made_up_once(team_with_owner):
    # The job did not run on 22 February (7 days before); on the 23rd the reminder goes.
    assert run_job("reminders", _at(date(2018, 2, 21))).queued == []
    assert len(run_job("reminders", _at(date(2018, 2, 23))).queued) == 1
    assert run_job("reminders", _at(date(2018, 2, 24))).queued == []


def test_escalation_goes_to_the_trekker_after_14_days(team_with_owner):
    _, _, trekker, action = team_with_owner
    assert run_job("escalations", _at(date(2018, 3, 15))).queued == []
    assert run_job("escalations", _at(date(2018, 3, 16))).queued == [
        f"escalations:user:{trekker.id}:2018-03-16"]
    assert run_job("escalations", _at(date(2018, 3, 30))).queued == []
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "escalations"))
    assert row.recipients == [trekker.email] and "15 dagen" in row.body_text
    assert action.title in row.body_text and "Eigenaar: Eigenaar" in row.body_text


def test_rules_are_configurable_per_team(team_with_owner):
    team, owner, _, _ = team_with_owner
    db.session.add(TeamNotificationSettings(team_id=team.id, reminder_days="3",
                                            overdue_reminder=False, escalation_days=2))
    db.session.commit()
    assert run_job("reminders", _at(date(2018, 2, 22))).queued == []
    assert run_job("reminders", _at(date(2018, 2, 26))).queued == [
        f"reminders:user:{owner.id}:2018-02-26"]
    assert run_job("reminders", _at(date(2018, 3, 2))).queued == []
    assert len(run_job("escalations", _at(date(2018, 3, 4))).queued) == 1


def test_deactivated_owner_without_address_or_reminders_off_is_skipped(team_with_owner, caplog):
    _, owner, _, _ = team_with_owner
    owner.active = False
    db.session.commit()
    caplog.set_level("INFO")
    assert run_job("reminders", _at(date(2018, 2, 22))).queued == []
    assert "gedeactiveerd" in caplog.text
    owner.active = True
    owner.email = " "
    db.session.commit()
    assert run_job("reminders", _at(date(2018, 2, 22))).queued == []
    assert "geen e-mailadres" in caplog.text
    owner.email = "eigenaar@example.org"
    db.session.add(NotificationPreference(user_id=owner.id, reminders=False,
                                          digest=DigestFrequency.OFF))
    db.session.commit()
    assert run_job("reminders", _at(date(2018, 2, 22))).queued == []


# --- Milestones and events ---------------------------------------------------------------

def test_milestone_alerts_go_to_chair_trekker_and_coordinators(team_with_owner):
    team, owner, trekker, _ = team_with_owner
    chair = create_user(name="Burgemeester", role=Role.BESTUURDER)
    add_member(team, chair, TeamRole.VOORZITTER)
    add_member(team, create_user(role=Role.LEZER), TeamRole.LID)
    milestone = Milestone(team=team, title="Eindrapportage", kind=MilestoneKind.EINDRAPPORTAGE,
                          due_date=date(2018, 6, 30))
    db.session.add(milestone)
    db.session.commit()
    assert run_job("milestones", _at(date(2018, 5, 1))).queued == []
    queued = run_job("milestones", _at(date(2018, 6, 2)))
    assert len(queued.queued) == 3
    recipients = set(db.session.scalars(select(OutboxMessage.user_id)))
    assert recipients == {chair.id, owner.id, trekker.id}
    assert run_job("milestones", _at(date(2018, 6, 3))).queued == []
    assert len(run_job("milestones", _at(date(2018, 6, 25))).queued) == 3
    assert len(run_job("milestones", _at(date(2018, 7, 2))).queued) == 3  # passed, unmet


def test_event_reminders_skip_people_who_declined(team_with_owner):
    team, owner, trekker, _ = team_with_owner
    event = Event(team=team, title="Regionale bijeenkomst", status=EventStatus.GEPLAND,
                  starts_at=datetime(2018, 3, 7, 12, 30, tzinfo=UTC), location="Zwolle")
    db.session.add(event)
    db.session.flush()
    db.session.add(Invitation(event=event, user=owner))
    db.session.add(Invitation(event=event, user=trekker, response=RsvpResponse.NEE))
    db.session.commit()
    assert run_job("event-reminders", datetime(2018, 3, 1, 6, tzinfo=UTC)).queued == []
    assert len(run_job("event-reminders", datetime(2018, 3, 6, 6, tzinfo=UTC)).queued) == 1
    assert run_job("event-reminders", datetime(2018, 3, 6, 7, tzinfo=UTC)).queued == []
    row = db.session.scalar(select(OutboxMessage))
    assert row.user_id == owner.id and "nog niet gereageerd" in row.body_text
    reminded = db.session.scalar(select(Invitation).where(Invitation.user_id == owner.id))
    assert reminded.last_reminded_at == datetime(2018, 3, 6, 6, tzinfo=UTC)
    assert "7 maart 2018, 13.30 uur" in row.body_text


# --- The digest --------------------------------------------------------------------------

def test_no_digest_when_there_is_nothing_new(app, monkeypatch):
    mayor = create_user(role=Role.BESTUURDER)
    db.session.commit()
    assert run_job("digests", datetime.fromisoformat(DONE_AT)).queued == []
    monkeypatch.setitem(app.config, "TRACKER_DIGEST_SKIP_EMPTY", False)
    assert run_job("digests", datetime.fromisoformat(DONE_AT)).queued == [
        f"digest:user:{mayor.id}:2018-W06"]


def test_weekly_digest_waits_for_monday_0730_and_daily_goes_every_day(team_with_owner):
    team, owner, _, _ = team_with_owner
    mayor = create_user(role=Role.BESTUURDER)
    db.session.add(NotificationPreference(user_id=owner.id, digest=DigestFrequency.DAILY))
    db.session.add(Milestone(team=team, title="Iets", kind=MilestoneKind.MIJLPAAL,
                             due_date=date(2018, 2, 20)))
    db.session.commit()
    before = datetime.fromisoformat("2018-02-05T07:29:00+01:00")
    assert run_job("digests", before).queued == []
    run_job("digests", datetime.fromisoformat(DONE_AT))
    run_job("digests", datetime.fromisoformat("2018-02-06T07:30:00+01:00"))
    keys = set(_keys("digest"))
    assert {f"digest:user:{mayor.id}:2018-W06", f"digest:user:{owner.id}:2018-02-05",
            f"digest:user:{owner.id}:2018-02-06"} <= keys
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.user_id == mayor.id)) == 1


def test_a_line_break_in_a_subject_value_is_refused_and_logged_not_fatal(team_with_owner, caplog):
    from tracker.actions.services import ActionInput
    from tracker.actions.services import create_action as create
    from tracker.enums import ActionStatus
    from tracker.notifications.models import NotificationPreference

    team, owner, trekker, _ = team_with_owner
    caplog.set_level("WARNING")
    # A direct "toegewezen" notice (the owner asked for them at once) carries the title in
    # its subject.
    db.session.add(NotificationPreference(user_id=owner.id, digest="off", reminders=True,
                                          notices={"assigned": "direct"}))
    db.session.commit()
    bad = create(team, ActionInput(title="Kwaad\r\nBcc: iedereen@example.org", description="",
                                   owner_id=owner.id, due_date=date(2018, 3, 1),
                                   status=ActionStatus.OPEN, milestone_id=None,
                                   district_id=None), actor=trekker, now=_at(date(2018, 2, 1)))
    db.session.commit()
    assert bad.id is not None
    assert "geweigerd" in caplog.text
    assert not any("Bcc" in s for s in db.session.scalars(select(OutboxMessage.subject)))
    # The daily bundle has the title in its body only, never in a header.
    assert run_job("reminders", _at(date(2018, 3, 5))).queued


def test_a_trekkers_own_overdue_action_is_in_their_bundle_not_an_escalation(demo):
    trekker = db.session.scalar(select(User).where(User.email == "paul.wesseloo@example.org"))
    team = trekker.memberships[0].team
    assert team.trekker == trekker
    create_action(team, owner=trekker, due_date=date(2018, 1, 20), title="Eigen actie te laat")
    db.session.commit()
    assert run_job("escalations", _at(date(2018, 2, 5))).queued == []
    bundle = run_job("reminders", _at(date(2018, 1, 21))).queued
    assert f"reminders:user:{trekker.id}:2018-01-21" in bundle
