"""The digest job at scale: statements constant in the number of recipients and of actions
per team, one rendering per digest content, 5,000 recipients queued in well under 10 s of
job time, overdue actions counted in SQL as the rule counts them."""

from __future__ import annotations

import math
import time
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from tests.factories import add_member, create_team
from tracker.actions.models import Action
from tracker.actions.rules import is_overdue
from tracker.auth.address import greeting
from tracker.auth.models import User
from tracker.enums import ActionStatus, Role, TeamRole
from tracker.extensions import db
from tracker.jobs import run_job
from tracker.jobs.digests import load_network
from tracker.notifications import messages
from tracker.notifications.digest import Recipient, build_digest, content_key
from tracker.notifications.models import DigestFrequency, NotificationPreference, OutboxMessage
from tracker.notifications.outbox import JOB_BATCH
from tracker.status.rollup import OVERDUE_NAMED

MONDAY = datetime.fromisoformat("2018-02-05T07:30:00+01:00")


def _bestuurders(n: int, start: int = 0) -> None:
    db.session.add_all(User(name=f"Burgemeester {i}", email=f"burgemeester{i}@example.org",
                            role=Role.BESTUURDER) for i in range(start, start + n))
    db.session.commit()


def _statements(count_queries, now: datetime) -> tuple[list[str], int]:
    with count_queries() as counter:
        queued = run_job("digests", now).queued
    return counter.statements, len(queued)


def test_statements_do_not_grow_with_recipients(demo, count_queries):
    _bestuurders(5)
    few, queued_few = _statements(count_queries, MONDAY)
    _bestuurders(2 * JOB_BATCH + 50, start=5)
    many, queued_many = _statements(count_queries, MONDAY + timedelta(weeks=1))
    assert queued_many - queued_few == 2 * JOB_BATCH + 50
    reads = [s for s in few if not s.lstrip().upper().startswith("INSERT")]
    assert len(reads) == len([s for s in many if not s.lstrip().upper().startswith("INSERT")])
    # The outbox rows: one INSERT per batch of JOB_BATCH rows, nothing per recipient.
    assert sum(s.lstrip().upper().startswith("INSERT") for s in many) \
        == math.ceil(queued_many / JOB_BATCH)
    assert len(reads) < 25


def test_one_rendering_per_content_gives_what_each_rendering_gives(demo):
    team = create_team(short_name="Zorg")
    people = [User(name=name, email=f"b{i}@example.org", role=Role.BESTUURDER,
                   salutation=salutation)
              for i, (name, salutation) in enumerate([
                  ("Jansen", "Beste heer Jansen & <Zn>,"), ("Welten", "Geachte burgemeester Welten,"),
                  ("O'Neil \"Ed\"", None)])]
    db.session.add_all(people)
    db.session.flush()
    for user in people:
        add_member(team, user, TeamRole.VOORZITTER)
    db.session.commit()
    network = load_network(MONDAY, 8)
    recipients = [Recipient(u.id, u.name, "weekly", frozenset({team.id}), None, {}, u.salutation)
                  for u in people]
    assert len({content_key(r) for r in recipients}) == 1
    digest = build_digest(recipients[0], network, MONDAY)
    shared = messages.digest_emails(
        [(u, greeting(r.salutation, r.name)) for u, r in zip(people, recipients, strict=True)],
        digest)
    for user, recipient, email in zip(people, recipients, shared, strict=True):
        own = messages.digest_email(user, build_digest(recipient, network, MONDAY))
        assert email == own
    assert "Beste heer Jansen &amp; &lt;Zn&gt;," in shared[0].html
    assert shared[0].text.startswith("Beste heer Jansen & <Zn>,\n")
    assert shared[1].text.startswith("Geachte burgemeester Welten,\n")
    assert len({e.text.split("\n", 1)[1] for e in shared}) == 1  # the rest: one rendering


def test_five_thousand_recipients_queue_in_well_under_ten_seconds(demo):
    _bestuurders(5000)
    due = db.session.scalar(select(func.count(User.id)).where(User.role == Role.BESTUURDER))
    start = time.process_time()
    queued = run_job("digests", MONDAY).queued
    seconds = time.process_time() - start
    assert len(queued) == due
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == due
    # CPU time of the job (the machine's other work does not count); measured about 1 s.
    assert seconds < 5, seconds


def _late_actions(team, n: int, start: int = 0) -> None:
    """``n`` open actions of ``team``, overdue on MONDAY (due 1..n days before it)."""
    for i in range(start, start + n):
        db.session.add(Action(team=team, title=f"Laat {i:03d}", status=ActionStatus.OPEN,
                              due_date=MONDAY.date() - timedelta(days=1 + i)))
    db.session.commit()


def test_statements_do_not_grow_with_actions_per_team_and_the_rest_is_counted(
        demo, count_queries):
    team = create_team(short_name="Groei")
    _bestuurders(3)
    # Not due: a deactivated bestuurder, one who turned the digest off, one without address.
    gone = User(name="Oud", email="oud@example.org", role=Role.BESTUURDER, active=False)
    off = User(name="Uit", email="uit@example.org", role=Role.BESTUURDER)
    db.session.add_all([gone, off])
    db.session.flush()
    db.session.add(NotificationPreference(user_id=off.id, digest=DigestFrequency.OFF,
                                          reminders=True))
    db.session.commit()
    should = db.session.scalar(select(func.count(User.id)).where(
        User.role == Role.BESTUURDER, User.active.is_(True), User.id != off.id))
    _late_actions(team, 2)
    few, queued_few = _statements(count_queries, MONDAY)
    assert queued_few == should
    _late_actions(team, 40 * OVERDUE_NAMED, start=2)
    many, queued_many = _statements(count_queries, MONDAY + timedelta(weeks=1))
    assert queued_many == should
    assert len(few) == len(many), (few, many)

    # The digest names the OVERDUE_NAMED most late of the team and counts the rest.
    text = db.session.scalars(select(OutboxMessage.body_text).where(
        OutboxMessage.idempotency_key.like("%-W07"))).first()
    named = [line for line in text.splitlines() if line.startswith("- Laat ")]
    assert len(named) == OVERDUE_NAMED
    assert named[0].startswith(f"- Laat {40 * OVERDUE_NAMED + 1:03d} ")  # the most late
    more = 40 * OVERDUE_NAMED + 2 - OVERDUE_NAMED
    assert f"- en nog {more} acties van Groei over de datum\n" in text
    assert f"/teams/{team.slug}?due=te-laat#blok-acties" in text


def test_overdue_counted_in_sql_agrees_with_the_rule(demo):
    team = create_team(short_name="Telling")
    _late_actions(team, OVERDUE_NAMED + 3)
    db.session.add(Action(team=team, title="Vandaag", status=ActionStatus.BEZIG,
                          due_date=MONDAY.date()))
    db.session.add(Action(team=team, title="Klaar", status=ActionStatus.GEREED,
                          due_date=date(2018, 1, 1)))
    db.session.commit()
    network = load_network(MONDAY, 8)
    today = MONDAY.date()
    by_rule: dict[int, int] = {}
    for action in db.session.scalars(select(Action)):
        if is_overdue(action.status, action.due_date, today):
            by_rule[action.team_id] = by_rule.get(action.team_id, 0) + 1
    assert network.overdue_counts == by_rule
    assert by_rule[team.id] == OVERDUE_NAMED + 3
    named = [a for a in network.actions if a.team_id == team.id
             and is_overdue(a.status, a.due_date, today)]
    assert len(named) == OVERDUE_NAMED


def test_digests_built_with_shared_lines_equal_those_built_alone(demo):
    team = create_team(short_name="Gedeeld")
    _late_actions(team, OVERDUE_NAMED + 1)
    network = load_network(MONDAY, 8)
    teams = list(network.teams)
    recipients = [Recipient(i, f"B {i}", "weekly", frozenset(teams[i:i + 2]), None, {}, None)
                  for i in range(len(teams))]
    shared: dict = {}
    for recipient in recipients:
        together = build_digest(recipient, network, MONDAY, shared=shared)
        alone = build_digest(recipient, network, MONDAY)
        assert together == alone
        assert [g.more for g in together.network.overdue_groups] \
            == [g.more for g in alone.network.overdue_groups]
