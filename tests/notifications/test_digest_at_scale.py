"""The digest job at scale: statements constant in the number of recipients, one rendering
per digest content, 5,000 recipients queued in well under 10 s of job time."""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tests.factories import add_member, create_team
from tracker.auth.address import greeting
from tracker.auth.models import User
from tracker.enums import Role, TeamRole
from tracker.extensions import db
from tracker.jobs import run_job
from tracker.jobs.digests import load_network
from tracker.notifications import messages
from tracker.notifications.digest import Recipient, build_digest, content_key
from tracker.notifications.models import OutboxMessage
from tracker.notifications.outbox import JOB_BATCH

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
