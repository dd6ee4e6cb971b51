"""Bundled reminders: one mail per person per day, the rhythm, catch-up, and "gereed" links."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from tests.conftest import csrf_token_for
from tests.factories import add_member, create_action, create_team, create_user
from tracker.actions.models import Action
from tracker.enums import ActionStatus, Role, TeamRole
from tracker.extensions import db
from tracker.jobs import run_job
from tracker.notifications.models import OutboxMessage

TZ = ZoneInfo("Europe/Amsterdam")
TODAY = date(2026, 3, 10)


def _at(day: date, hour=6, minute=30) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).astimezone(UTC)


def _rows(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


@pytest.fixture
def network():
    """700 actions over 13 owners in 3 teams: two thirds overdue (within eight weeks),
    the rest due within a week or later."""
    rng = random.Random(12)
    teams = [create_team(short_name=f"Team {n}", slug=f"team-{n}") for n in range(3)]
    owners = [create_user(name=f"Eigenaar {n}", email=f"eigenaar{n}@example.org",
                          role=Role.COORDINATOR) for n in range(13)]
    for n, team in enumerate(teams):
        trekker = create_user(name=f"Trekker {n}", email=f"trekker{n}@example.org",
                              role=Role.COORDINATOR)
        add_member(team, trekker, TeamRole.TREKKER)
    for n, owner in enumerate(owners):
        add_member(teams[n % 3], owner, TeamRole.COORDINATOR)
    for n in range(700):
        owner = owners[n % 13]
        if n % 3 < 2:
            due = TODAY - timedelta(days=rng.randint(1, 56))
        elif n % 6 == 2:
            due = TODAY + timedelta(days=rng.randint(0, 7))
        else:
            due = TODAY + timedelta(days=rng.randint(8, 90))
        create_action(teams[(n % 13) % 3], owner=owner, due_date=due, title=f"Taak {n:03d}")
    db.session.commit()
    return teams, owners


def _listed(owner, today: date) -> list[str]:
    """Titles the bundle must list: open, overdue or due within seven days."""
    return sorted(db.session.scalars(select(Action.title).where(
        Action.owner_id == owner.id, Action.status == ActionStatus.OPEN,
        Action.due_date <= today + timedelta(days=7))))


def test_700_actions_give_at_most_one_mail_per_person_listing_all(network, smtp):
    _, owners = network
    moment = _at(TODAY)
    first = run_job("reminders", moment).queued
    assert run_job("reminders", moment + timedelta(hours=3)).queued == []
    assert len(first) == len(set(first)) <= len(owners)
    escalated = run_job("escalations", moment).queued
    assert len(escalated) <= 3
    run_job("outbox", moment)
    for owner in owners:
        received = smtp.to(owner.email)
        assert len(received) == 1, owner.email
        text = received[0].get_body(("plain",)).get_content()
        titles = sorted(set(re.findall(r"Taak \d{3}", text)))
        assert titles == _listed(owner, TODAY)
        assert "Te laat (" in text
        links = re.findall(r"Gereed melden: (\S+)", text)
        assert len(links) == len(titles)
        assert "__gereed_verborgen__" not in text
    # The outbox row itself holds no working link.
    assert all("__gereed_verborgen__" in r.body_text for r in _rows("reminders"))
    for n in range(3):
        assert len(smtp.to(f"trekker{n}@example.org")) <= 1
    # The next day: nobody gets a second mail about the same reminder days.
    again = run_job("reminders", _at(TODAY + timedelta(days=1))).queued
    assert all(k.endswith((TODAY + timedelta(days=1)).isoformat()) for k in again)


def test_restart_after_three_days_down_sends_one_bundle_each(network, app):
    from tracker.jobs.scheduler import catch_up, record_run

    _, owners = network
    run_job("reminders", _at(TODAY))
    record_run("reminders", _at(TODAY))
    later = _at(TODAY + timedelta(days=4), 9, 0)
    with time_machine.travel(later, tick=False):
        ran = catch_up(app, later)
    assert "reminders" in ran
    rows = _rows("reminders")
    after = [r for r in rows if r.idempotency_key.endswith((TODAY + timedelta(days=4)).isoformat())]
    per_person = db.session.execute(
        select(OutboxMessage.user_id, func.count()).where(OutboxMessage.kind == "reminders")
        .group_by(OutboxMessage.user_id)).all()
    assert all(n <= 2 for _, n in per_person)
    assert len(after) == len({r.user_id for r in after}) and after
    # Reminder days during the downtime are in that one bundle, not in a backlog.
    assert len(rows) == len(owners) + len(after)


def test_a_first_start_today_mails_nobody_about_2018(app):
    team = create_team(short_name="Oud", slug="oud")
    owner = create_user(name="Oud", email="oud@example.org", role=Role.COORDINATOR)
    trekker = create_user(name="Trekker", email="t@example.org", role=Role.COORDINATOR)
    add_member(team, owner)
    add_member(team, trekker, TeamRole.TREKKER)
    for n in range(30):
        create_action(team, owner=owner, due_date=date(2018, 1, 1) + timedelta(days=7 * n))
    db.session.commit()
    assert run_job("reminders", _at(TODAY)).queued == []
    assert run_job("escalations", _at(TODAY)).queued == []
    # One new reminder day brings one bundle, which lists the old ones too (honestly).
    create_action(team, owner=owner, due_date=TODAY + timedelta(days=7), title="Nieuw")
    db.session.commit()
    assert len(run_job("reminders", _at(TODAY)).queued) == 1
    assert "Te laat (30)" in _rows("reminders")[0].body_text


def test_overdue_rhythm_is_the_day_after_then_weekly_for_eight_weeks(app):
    team = create_team(short_name="Ritme", slug="ritme")
    owner = create_user(name="Ritme", email="ritme@example.org", role=Role.COORDINATOR)
    add_member(team, owner)
    create_action(team, owner=owner, due_date=TODAY, title="Ritme")
    db.session.commit()
    days = []
    for n in range(-10, 70):
        day = TODAY + timedelta(days=n)
        if run_job("reminders", _at(day)).queued:
            days.append(n)
    # 7 and 1 days before, the day after, then weekly; nothing after eight weeks.
    assert days == [-7, -1, 1, 8, 15, 22, 29, 36, 43, 50]


# --- The signed "gereed" link ------------------------------------------------------------

@pytest.fixture
def bundle_link(app, smtp):
    team = create_team(short_name="Link", slug="link")
    owner = create_user(name="Eigenaar", email="eigenaar@example.org", role=Role.COORDINATOR)
    other = create_user(name="Ander", email="ander@example.org", role=Role.COORDINATOR)
    add_member(team, owner)
    add_member(team, other)
    mine = create_action(team, owner=owner, due_date=TODAY - timedelta(days=1), title="Mijn actie")
    theirs = create_action(team, owner=other, due_date=TODAY - timedelta(days=1), title="Niet van mij")
    db.session.commit()
    run_job("reminders", _at(TODAY))
    with time_machine.travel(_at(TODAY), tick=False):  # the token is signed at delivery
        run_job("outbox", _at(TODAY))
    text = smtp.to(owner.email)[0].get_body(("plain",)).get_content()
    url = re.search(r"Gereed melden: (\S+)", text).group(1)
    return url.removeprefix("http://localhost"), mine, theirs


def _status(action_id: int) -> ActionStatus:
    db.session.expire_all()
    return db.session.get(Action, action_id).status


def test_get_changes_nothing_and_the_button_marks_done(client, bundle_link):
    path, mine, _ = bundle_link
    with time_machine.travel(_at(TODAY, 8), tick=False):
        page = client.get(path)
        assert page.status_code == 200 and "Mijn actie" in page.text
        assert "<form method=\"post\"" in page.text
        assert _status(mine.id) == ActionStatus.OPEN
        assert client.post(path, data={}).status_code == 400  # no CSRF token
        assert _status(mine.id) == ActionStatus.OPEN
        done = client.post(path, data={"csrf_token": csrf_token_for(client, path)})
    assert done.status_code == 200 and "gereed" in done.text
    assert _status(mine.id) == ActionStatus.GEREED


def test_expired_tampered_and_other_peoples_actions_are_refused(client, bundle_link):
    path, mine, theirs = bundle_link
    prefix, token, action_id = path.rsplit("/", 2)
    tampered = f"{prefix}/{token[:-3]}{'AAA' if token[-3:] != 'AAA' else 'BBB'}/{action_id}"
    with time_machine.travel(_at(TODAY, 8), tick=False):
        bad = client.get(tampered)
        assert bad.status_code == 400 and "ongeldig" in bad.text
        other = client.get(f"{prefix}/{token}/{theirs.id}")
        assert other.status_code == 403 and "niet gereed melden" in other.text
        csrf = csrf_token_for(client, path)
        assert client.post(f"{prefix}/{token}/{theirs.id}",
                           data={"csrf_token": csrf}).status_code == 403
    with time_machine.travel(_at(TODAY + timedelta(days=15), 8), tick=False):
        expired = client.get(path)
        assert expired.status_code == 410 and "verlopen" in expired.text
        fresh = csrf_token_for(client)
        assert client.post(path, data={"csrf_token": fresh}).status_code == 410
    assert _status(mine.id) == ActionStatus.OPEN and _status(theirs.id) == ActionStatus.OPEN
    # An action handed to someone else since the mail no longer obeys the link.
    db.session.get(Action, mine.id).owner_id = theirs.owner_id
    db.session.commit()
    with time_machine.travel(_at(TODAY, 9), tick=False):
        assert client.get(path).status_code == 403
