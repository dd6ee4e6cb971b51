"""Parallel answers: one row per invitee, capacity never exceeded (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.events.conftest import BEFORE, create_event, invite_user
from tracker.db import sqlite_write_intent
from tracker.enums import RsvpResponse
from tracker.events.models import Invitation
from tracker.events.rsvp import answer
from tracker.extensions import db


def _run_parallel(app, jobs: list[tuple[int, str]]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def worker(invitation_id: int, response: str):
        token = sqlite_write_intent.set(True)  # as in a POST request
        try:
            with app.app_context():
                start.wait()
                answer(invitation_id, response, "", now=BEFORE)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            sqlite_write_intent.reset(token)

    threads = [threading.Thread(target=worker, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_fifty_people_for_the_last_seats_never_exceed_capacity(app):
    event = create_event(capacity=10)
    seated = [invite_user(event, response=RsvpResponse.JA) for _ in range(8)]
    competitors = [invite_user(event) for _ in range(50)]
    db.session.commit()
    errors = _run_parallel(app, [(i.id, "ja") for i in competitors])
    assert errors == []
    db.session.rollback()  # end the read snapshot taken before the threads wrote
    taken = db.session.scalar(select(func.count(Invitation.id)).where(
        Invitation.event_id == event.id, Invitation.response == RsvpResponse.JA,
        Invitation.waitlisted_at.is_(None)))
    waiting = db.session.scalar(select(func.count(Invitation.id)).where(
        Invitation.waitlisted_at.is_not(None)))
    assert taken == 10
    assert waiting == 48
    assert len(seated) + 50 == db.session.scalar(select(func.count(Invitation.id)))


def test_parallel_answers_by_the_same_invitee_leave_one_row(app):
    event = create_event(capacity=1)
    invitation = invite_user(event)
    db.session.commit()
    errors = _run_parallel(app, [(invitation.id, r) for r in ["ja", "nee", "misschien"] * 4])
    assert errors == []
    db.session.rollback()  # end the read snapshot taken before the threads wrote
    rows = db.session.scalars(select(Invitation).where(
        Invitation.user_id == invitation.user_id)).all()
    assert len(rows) == 1 and rows[0].response is not None
    assert rows[0].waitlisted_at is None  # alone: never on the waiting list
