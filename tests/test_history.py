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


# --- The three gaps the old audit-based "as of" had (issue 9) ---------------------------


def _team(slug):
    from tracker.network.models import Team

    return db.session.scalar(select(Team).where(Team.slug == slug))


def _section(day, slug):
    return next(s for s in build_report(day).teams if s.slug == slug)


def test_an_owner_changed_in_may_is_the_old_owner_in_the_february_report(demo):
    from tracker.actions.models import Action

    action = db.session.scalar(select(Action).where(Action.owner_id.is_not(None))
                               .order_by(Action.id))
    slug, title, before = action.team.slug, action.title, action.owner.name
    other = _user("lezer@example.org")
    with time_machine.travel(datetime(2018, 5, 15, 10, tzinfo=UTC), tick=False):
        action.owner_id = other.id
        db.session.commit()
    owners = {a.title: a.owner for a in _section(date(2018, 2, 1), slug).actions}
    assert owners[title] == before
    assert {a.title: a.owner for a in _section(date(2018, 6, 1), slug).actions}[title] == other.name


def test_a_removed_trekker_is_still_named_in_earlier_reports(demo):
    from tracker.enums import TeamRole

    woninginbraken = _team("woninginbraken")
    trekker = next(m for m in woninginbraken.memberships if m.role == TeamRole.TREKKER)
    assert trekker.user.name == "Erik van Keken"
    with time_machine.travel(datetime(2018, 9, 1, 10, tzinfo=UTC), tick=False):
        db.session.delete(trekker)
        db.session.commit()
    assert _section(date(2018, 2, 1), "woninginbraken").trekker.name == "Erik van Keken"
    later = _section(date(2018, 10, 1), "woninginbraken")
    assert later.trekker is None and "Geen trekker vastgelegd." in later.notices


def test_unticking_a_municipality_does_not_lower_earlier_counts(demo):
    from tracker.milestones.models import Milestone, MunicipalityTick
    from tracker.network.models import Municipality

    milestone = db.session.scalar(select(Milestone).where(Milestone.per_municipality.is_(True)))
    towns = db.session.scalars(select(Municipality).order_by(Municipality.name).limit(20)).all()
    with time_machine.travel(datetime(2018, 8, 20, 10, tzinfo=UTC), tick=False):
        for town in towns:
            db.session.add(MunicipalityTick(milestone=milestone, municipality=town,
                                            completed_on=date(2018, 8, 20)))
        db.session.commit()
    with time_machine.travel(datetime(2018, 9, 5, 10, tzinfo=UTC), tick=False):
        db.session.delete(db.session.scalar(select(MunicipalityTick).where(
            MunicipalityTick.municipality_id == towns[0].id)))
        db.session.commit()

    def done(day):
        return next(m for m in build_report(day).milestones if m.id == milestone.id).ticks_done

    assert done(date(2018, 9, 1)) == 20
    assert done(date(2018, 9, 10)) == 19


def test_the_fast_is_modified_agrees_with_continuums_own():
    """tracker.history.is_modified replaces Continuum's: same answer in every state."""
    from tests.factories import create_action, create_team, create_user
    from tracker.enums import OrganisationKind
    from tracker.network.models import Organisation

    team = create_team()
    user = create_user()
    action = create_action(team, title="Eerst")
    db.session.commit()
    organisation = Organisation(slug="proef", name="Gemeente Proef", kind=OrganisationKind.GEMEENTE)
    db.session.add(organisation)
    db.session.flush()
    assert team.name and user.name and action.title  # loaded again after the commit

    def agree(*objects) -> list[bool]:
        answers = [history.is_modified(o) for o in objects]
        assert answers == [history.continuum_is_modified(o) for o in objects]
        return answers

    assert agree(team, user, action) == [False, False, False]
    action.title = "Daarna"
    user.last_login_at = datetime(2026, 1, 1, tzinfo=UTC)  # not kept in history
    assert agree(team, user, action) == [False, False, True]
    user.organisation = organisation  # a relationship over a versioned column
    assert agree(user) == [True]
    db.session.rollback()
    assert agree(team, user, action) == [False, False, False]
