"""Notices of what concerns you, per kind and per choice (direct / bundel / nooit)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from tests.conftest import csrf_token_for
from tests.factories import add_member, create_team, create_user
from tracker.actions.services import (
    ActionInput,
    add_comment,
    complete_action,
    create_action,
    update_action,
)
from tracker.enums import ActionStatus, EventStatus, Role
from tracker.events.models import Event, Invitation
from tracker.events.services import cancel_event, update_event
from tracker.extensions import db
from tracker.jobs import run_job
from tracker.notifications.models import NotificationPreference, OutboxMessage
from tracker.notifications.preferences import preferences_for

TZ = ZoneInfo("Europe/Amsterdam")
#: Monday 9 March 2026, 10:00 in Amsterdam: the moment of the changes.
NOW = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
#: The next morning's bundle run.
MORNING = datetime(2026, 3, 10, 6, 30, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def people():
    team = create_team(short_name="Zorg", slug="zorg")
    owner = create_user(name="Olga Eigenaar", email="olga@example.org", role=Role.COORDINATOR)
    boss = create_user(name="Bert Trekker", email="bert@example.org", role=Role.COORDINATOR)
    third = create_user(name="Cor Collega", email="cor@example.org", role=Role.COORDINATOR)
    for user in (owner, boss, third):
        add_member(team, user)
    db.session.commit()
    return team, owner, boss, third


def _choose(user, **choices):
    row = db.session.get(NotificationPreference, user.id)
    if row is None:
        row = NotificationPreference(user_id=user.id, digest="off", reminders=True)
        db.session.add(row)
    row.notices = {**(row.notices or {}), **choices}
    db.session.commit()


def _data(owner, **overrides) -> ActionInput:
    values = {"title": "Huisbezoeken plannen", "description": "", "owner_id": owner.id,
              "due_date": date(2026, 6, 1), "status": ActionStatus.OPEN, "milestone_id": None,
              "district_id": None}
    values.update(overrides)
    return ActionInput(**values)


def _direct(user) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == user.id, OutboxMessage.kind.like("notice-%"))
        .order_by(OutboxMessage.id)))


def _bundle(user) -> str | None:
    run_job("reminders", MORNING)
    row = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.user_id == user.id, OutboxMessage.kind == "reminders"))
    return row.body_text if row else None


def _change(fn, *args, **kwargs):
    with time_machine.travel(NOW, tick=False):
        result = fn(*args, now=NOW, **kwargs)
        db.session.commit()
    return result


def test_assigned_by_someone_else_is_in_the_bundle_by_default_never_for_ones_own(people):
    team, owner, boss, _ = people
    _change(create_action, team, _data(owner), actor=boss)
    assert _direct(owner) == []  # by default one mail a day: the bundle
    assert "Huisbezoeken plannen" in _bundle(owner)
    _choose(owner, assigned="direct")
    _change(create_action, team, _data(owner, title="Huisbezoeken plannen"), actor=boss)
    [mail] = _direct(owner)
    assert mail.kind == "notice-assigned" and "Bert Trekker heeft de actie" in mail.body_text
    assert mail.subject == "Aan u toegewezen: Huisbezoeken plannen"
    assert "/actions/" in mail.body_text
    _change(create_action, team, _data(boss, title="Eigen werk"), actor=boss)
    assert _direct(boss) == []


@pytest.mark.parametrize("choice", ["direct", "bundel", "nooit"])
def test_comment_on_an_action_you_own_or_follow(people, choice):
    team, owner, boss, third = people
    action = _change(create_action, team, _data(owner), actor=owner)
    _change(add_comment, action, "Ik neem contact op met de wijkagent.", actor=third)
    _choose(owner, comment=choice)
    _choose(third, comment=choice)
    _change(add_comment, action, "Graag voor vrijdag.", actor=boss)
    owner_mail = [m for m in _direct(owner) if m.kind == "notice-comment"]
    third_mail = [m for m in _direct(third) if m.kind == "notice-comment"]
    bundle_owner, bundle_third = _bundle(owner), _bundle(third)
    line = "Bert Trekker heeft gereageerd op de actie “Huisbezoeken plannen”."
    if choice == "direct":
        assert len(owner_mail) == 1 and line in owner_mail[0].body_text
        assert len(third_mail) == 1
        # The bundle asks the choice when it is made: nothing is said twice.
        assert bundle_owner is None and bundle_third is None
    elif choice == "bundel":
        assert owner_mail == [] and third_mail == []
        assert line in bundle_owner and "Cor Collega heeft gereageerd" in bundle_owner
        assert line in bundle_third and "Cor Collega heeft" not in bundle_third
    else:
        assert owner_mail == [] and third_mail == [] and bundle_third is None
        assert bundle_owner is None
    # The author hears nothing of their own comment.
    assert [m for m in _direct(boss) if m.kind == "notice-comment"] == []


@pytest.mark.parametrize("choice", ["direct", "bundel", "nooit"])
def test_your_action_changed_by_someone_else(people, choice):
    team, owner, boss, _ = people
    action = _change(create_action, team, _data(owner), actor=owner)
    _choose(owner, changed=choice)
    _change(update_action, action, _data(owner, due_date=date(2026, 7, 1)),
            expected_version=action.version, actor=boss)
    _change(complete_action, action, expected_version=action.version, actor=boss)
    mails = [m for m in _direct(owner) if m.kind == "notice-changed"]
    bundle = _bundle(owner)
    if choice == "direct":
        assert [m.subject for m in mails] == ["Uw actie is gewijzigd: Huisbezoeken plannen"] * 2
        assert "gewijzigd (datum)" in mails[0].body_text
        assert "gereed gemeld" in mails[1].body_text
    elif choice == "bundel":
        assert mails == []
        assert "gewijzigd (datum)" in bundle and "gereed gemeld" in bundle
        assert bundle.count("Meldingen (2)") == 1
    else:
        assert mails == [] and bundle is None


def test_own_changes_and_unimportant_fields_notify_nobody(people):
    team, owner, boss, _ = people
    _choose(owner, changed="direct")
    action = _change(create_action, team, _data(owner), actor=owner)
    _change(update_action, action, _data(owner, due_date=date(2026, 8, 1)),
            expected_version=action.version, actor=owner)
    _change(update_action, action, _data(owner, due_date=date(2026, 8, 1), description="Meer"),
            expected_version=action.version, actor=boss)
    assert _direct(owner) == []
    assert _bundle(owner) is None


def test_reassigning_tells_the_new_owner_assigned_and_the_old_one_changed(people):
    team, owner, boss, third = people
    _choose(owner, changed="direct")
    _choose(third, assigned="direct")
    action = _change(create_action, team, _data(owner), actor=owner)
    _change(update_action, action, _data(third), expected_version=action.version, actor=boss)
    assert [m.kind for m in _direct(third)] == ["notice-assigned"]
    assert [m.kind for m in _direct(owner)] == ["notice-changed"]
    assert "(eigenaar)" in _direct(owner)[0].body_text


@pytest.mark.parametrize("choice", ["direct", "bundel", "nooit"])
def test_meeting_changed_or_cancelled(people, choice):
    _, owner, boss, third = people
    starts = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    event = Event(title="Regio-overleg", status=EventStatus.GEPLAND, starts_at=starts,
                  ends_at=starts + timedelta(hours=2), location="Zwolle", organiser_id=boss.id)
    db.session.add(event)
    db.session.flush()
    for user in (owner, boss, third):
        db.session.add(Invitation(event=event, user=user, invited_at=NOW - timedelta(days=9)))
    db.session.commit()
    _choose(owner, event=choice)
    _change(update_event, event, {"location": "Deventer"}, expected_version=event.version,
            actor=boss)
    _change(cancel_event, event, expected_version=event.version, actor=boss)
    owner_rows = [m for m in _direct(owner)] + list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == owner.id, OutboxMessage.kind.like("event-%"))))
    kinds = sorted(m.kind for m in owner_rows)
    bundle = _bundle(owner)
    if choice == "direct":
        assert kinds == ["event-cancel", "event-update"]
    elif choice == "bundel":
        assert kinds == []
        assert "“Regio-overleg” is gewijzigd" in bundle and "is geannuleerd" in bundle
    else:
        assert kinds == [] and bundle is None
    # The organiser who made the change gets nothing about it; a colleague gets the default.
    assert list(db.session.scalars(select(OutboxMessage.kind).where(
        OutboxMessage.user_id == boss.id))) == []
    assert len(list(db.session.scalars(select(OutboxMessage.kind).where(
        OutboxMessage.user_id == third.id, OutboxMessage.kind.like("event-%"))))) == 2


def test_the_preferences_page_stores_a_choice_per_kind(client, login, people):
    _, owner, _, _ = people
    login(owner)
    page = client.get("/instellingen/meldingen")
    assert "In de dagelijkse bundel" in page.text and 'name="notice_comment"' in page.text
    csrf = csrf_token_for(client, "/instellingen/meldingen")
    saved = client.post("/instellingen/meldingen", data={
        "csrf_token": csrf, "digest": "off", "reminders": "1", "notice_assigned": "bundel",
        "notice_comment": "nooit", "notice_changed": "direct", "notice_event": "direct"})
    assert saved.status_code == 303
    db.session.expire_all()
    prefs = preferences_for([owner])[owner.id]
    assert {k: v.value for k, v in prefs.notices.items()} == {
        "assigned": "bundel", "comment": "nooit", "changed": "direct", "event": "direct"}
    refused = client.post("/instellingen/meldingen", data={
        "csrf_token": csrf, "digest": "off", "notice_comment": "soms"})
    assert refused.status_code == 422 and "dagelijkse bundel of nooit" in refused.text


def test_unsubscribing_from_reminders_stops_every_notice_too(people):
    from tracker.notifications.services import unsubscribe

    team, owner, boss, _ = people
    unsubscribe(owner, "reminders")
    db.session.commit()
    action = _change(create_action, team, _data(owner), actor=boss)
    _change(add_comment, action, "Graag voor vrijdag.", actor=boss)
    assert _direct(owner) == [] and _bundle(owner) is None


def test_a_quiet_session_queues_no_mail_about_its_changes(people):
    """``flask demo scale`` makes a synthetic past through the services: no mail about it."""
    from tracker.notifications.outbox import QUIET

    team, owner, boss, _ = people
    _choose(owner, assigned="direct")
    db.session.info[QUIET] = True
    try:
        _change(create_action, team, _data(owner, title="Stil"), actor=boss)
    finally:
        db.session.info.pop(QUIET)
    assert _direct(owner) == []
    _change(create_action, team, _data(owner, title="Hoorbaar"), actor=boss)
    assert [m.subject for m in _direct(owner)] == ["Aan u toegewezen: Hoorbaar"]
