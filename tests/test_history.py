"""History by construction: what the ORM writes is kept, secrets are not, erasure reaches it."""

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import func, select, text

from tracker import history
from tracker.auth.models import User
from tracker.extensions import db
from tracker.report.build import build_report
from tracker.report.loading import load_world


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_a_renamed_person_keeps_the_old_name_in_earlier_reports(demo):
    with time_machine.travel(datetime(2018, 5, 1, 9, tzinfo=UTC), tick=False):
        person = _user("paul.wesseloo@example.org")
        old = person.name
        person.name = "P. Wesseloo-Jansen"
        db.session.commit()
    def trekkers(day):
        return {s.slug: s.trekker.name for s in build_report(day).teams if s.trekker}

    assert old in trekkers(date(2018, 2, 1)).values()
    assert "P. Wesseloo-Jansen" in trekkers(date(2018, 6, 1)).values()


def test_no_secret_is_kept_in_history(demo):
    columns = {c.name for c in history.version_class(User).__table__.columns}
    assert not columns & {"password_hash", "session_nonce", "calendar_token_hash"}
    person = _user("lezer@example.org")
    person.password_hash = "scrypt$nieuw"
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(text("users_version"))
                             .where(text("name = :n")).params(n=person.name)) == 1


def test_erasure_reaches_every_past_version(demo):
    person = _user("lezer@example.org")
    for n in range(3):
        person.name = f"Naam {n}"
        db.session.commit()
    changed = history.rewrite_history(db.session, User, person.id, name="[verwijderd]")
    db.session.commit()
    assert changed == 4
    names = db.session.scalars(select(history.version_class(User).name)
                               .where(history.version_class(User).id == person.id)).all()
    assert set(names) == {"[verwijderd]"}


def test_reading_as_of_an_old_day_takes_a_fixed_number_of_queries(demo, count_queries):
    with count_queries() as early:
        load_world(date(2018, 2, 1), as_of=True)
    for n in range(20):
        person = _user("lezer@example.org")
        person.name = f"Naam {n}"
        db.session.commit()
    with count_queries() as late:
        load_world(date(2018, 2, 1), as_of=True)
    assert late.count == early.count <= 20
