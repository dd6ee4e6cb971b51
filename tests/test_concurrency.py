"""Concurrent writers: no "database is locked", no lost writes (SQLite and PostgreSQL)."""

import threading

from sqlalchemy import func, select

from tests.factories import create_team
from tracker.db import sqlite_write_intent
from tracker.extensions import db
from tracker.network.models import ReportItem, Team


def run_at_once(target, count: int, *, timeout: float) -> None:
    """``target(n)`` for n in 0..count-1, each in a thread of its own, all started before
    any is awaited."""
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)


def test_concurrent_read_then_write_transactions_all_succeed(app):
    team_id = create_team().id
    db.session.commit()
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def writer(n: int):
        token = sqlite_write_intent.set(True)  # as in a POST request
        try:
            with app.app_context():
                start.wait()
                for i in range(15):
                    # Read first, then write in the same transaction: the pattern that
                    # fails with "database is locked" under DEFERRED transactions.
                    current = db.session.scalar(
                        select(func.count(ReportItem.id)).where(ReportItem.team_id == team_id)
                    )
                    db.session.add(ReportItem(team_id=team_id, kind="doel",
                                              text=f"{n}-{i} na {current}"))
                    db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            sqlite_write_intent.reset(token)

    run_at_once(writer, 8, timeout=120)
    assert errors == []
    assert db.session.scalar(select(func.count(ReportItem.id))) == 8 * 15


def test_optimistic_lock_refuses_a_stale_write(app):
    """Two people edit the same record: the second write fails instead of overwriting."""
    import pytest
    from sqlalchemy.orm.exc import StaleDataError

    team_id = create_team(name="Origineel").id
    db.session.commit()
    mine = db.session.get(Team, team_id)
    db.session.expunge(mine)  # my copy, loaded at version 1, kept while I type
    db.session.rollback()
    with app.app_context():  # someone else saves first
        theirs = db.session.get(Team, team_id)
        theirs.name = "Door een ander gewijzigd"
        db.session.commit()
        db.session.remove()
    mine = db.session.merge(mine, load=False)
    mine.name = "Mijn wijziging"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Team, team_id).name == "Door een ander gewijzigd"


def test_one_form_sent_twice_at_once_creates_one_row(app):
    """A double click on "Webhook toevoegen": two requests with the same one-time form id
    (tracker.submissions). Exactly one row; the other send is told it was made already.
    On PostgreSQL both pass the first look and race on the unique column; SQLite's write
    transactions take turns, so the second finds the first's row."""
    from tracker.submissions import AlreadySubmitted, create_once
    from tracker.webhooks.models import Webhook

    submission = "d" * 32
    racing = db.engine.dialect.name == "postgresql"
    inserting = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def send(n: int):
        token = sqlite_write_intent.set(True)  # as in a POST request
        try:
            with app.app_context():
                def make():
                    if racing:
                        inserting.wait(timeout=30)  # both looked and found nothing
                    webhook = Webhook(name=f"Dubbel {n}", url="https://example.org/hook",
                                      events=["ping"], secret_encrypted="x",
                                      submission_id=submission)
                    db.session.add(webhook)
                    db.session.flush()
                    return webhook

                try:
                    create_once(Webhook, submission, make)
                    db.session.commit()
                    outcomes.append("made")
                except AlreadySubmitted:
                    db.session.rollback()
                    outcomes.append("already")
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            sqlite_write_intent.reset(token)

    run_at_once(send, 2, timeout=60)
    assert errors == []
    assert sorted(outcomes) == ["already", "made"]
    assert db.session.scalar(select(func.count(Webhook.id))) == 1
