"""``flask demo load``: the February 2018 network, idempotent."""

from collections import Counter

from sqlalchemy import select

from tracker.auth.models import User
from tracker.demo.loader import count_rows, load_demo_network
from tracker.enums import Role, TeamRole, TeamStatus
from tracker.extensions import db
from tracker.indicators.models import Indicator, Measurement
from tracker.milestones.models import Milestone
from tracker.network.models import District, Municipality, Team

TEAM_SLUGS = {"woninginbraken", "jeugd", "verwarde-personen", "ondermijning", "hennep", "omg",
              "informatievoorziening"}


def test_loading_twice_gives_identical_counts(app):
    first_created = load_demo_network("oost-nederland-2018")
    db.session.commit()
    first = count_rows()
    second_created = load_demo_network("oost-nederland-2018")
    db.session.commit()
    assert count_rows() == first
    assert sum(second_created.values()) == 0
    assert first_created["municipalities"] == 78
    assert first["municipalities"] == 78
    assert first["districts"] == 5
    assert first["teams"] == 7


def test_cli_prints_counts_per_kind(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "78 gemeenten" in result.output
    assert "7 teams" in result.output
    assert "oost-nederland-2018" in result.output  # password shown outside production
    again = runner.invoke(args=["demo", "load"])
    assert "78 gemeenten" in again.output and "nieuw" not in again.output


def test_municipalities_by_district(demo):
    rows = db.session.execute(
        select(District.name, Municipality.name, Municipality.cbs_code).join(
            Municipality.district
        )
    ).all()
    per_district = Counter(row[0] for row in rows)
    assert per_district == {
        "IJsselland": 11, "Twente": 14, "Noord- en Oost-Gelderland": 22,
        "Gelderland-Midden": 15, "Gelderland-Zuid": 16,
    }
    codes = {name: code for _, name, code in rows}
    assert codes["Enschede"] == "GM0153"
    assert all(code and code.startswith("GM") for code in codes.values())


def test_teams_chairs_and_trekkers_as_in_the_report(demo):
    teams = {t.slug: t for t in db.session.scalars(select(Team))}
    assert set(teams) == TEAM_SLUGS
    assert teams["hennep"].parent.slug == "ondermijning"
    assert teams["omg"].parent.slug == "ondermijning"
    assert [u.name for u in teams["woninginbraken"].chairs] == ["Beenakker"]
    assert sorted(u.name for u in teams["ondermijning"].chairs) == ["Heidema", "Van Hout"]
    assert teams["informatievoorziening"].chairs == []
    assert "vacant" in teams["informatievoorziening"].chair_note
    assert teams["verwarde-personen"].trekker.name == "Paul Wesseloo"
    assert teams["omg"].trekker.organisation.name == "RIEC Oost-Nederland"
    assert teams["woninginbraken"].status == TeamStatus.AFGEROND
    assert teams["jeugd"].status == TeamStatus.AFGEROND
    assert teams["verwarde-personen"].status == TeamStatus.ACTIEF


def test_people_and_demo_accounts(demo):
    users = {u.email: u for u in db.session.scalars(select(User))}
    assert users["heidema@example.org"].role == Role.BESTUURDER
    assert users["tom.liedenbaum@example.org"].role == Role.COORDINATOR
    for role in Role:
        assert users[f"{role.value}@example.org"].role == role
    partner = users["partner@example.org"]
    assert [(m.team.slug, m.role) for m in partner.memberships] == [
        ("verwarde-personen", TeamRole.LID)
    ]
    assert users["lezer@example.org"].password_hash is not None
    # The BBG members named by title only.
    assert users["hoofdofficier@example.org"].organisation.kind.value == "om"
    coordinator = users["coordinator@example.org"]
    assert [(m.team.slug, m.role) for m in coordinator.memberships] == [
        ("verwarde-personen", TeamRole.COORDINATOR)
    ]


def test_milestones_and_raw_indicator_values(demo):
    titles = {m.title: m for m in db.session.scalars(select(Milestone))}
    deadline = titles["Iedere gemeente in Oost-Nederland heeft een sluitende aanpak"]
    assert deadline.per_municipality and deadline.due_date.isoformat() == "2018-10-01"
    burglaries = db.session.scalar(select(Indicator).where(Indicator.key == "woninginbraken-misdrijven"))
    values = db.session.scalars(
        select(Measurement.value).where(Measurement.indicator_id == burglaries.id,
                                        Measurement.period == "2017")
    ).all()
    assert sum(values) == 7391  # the total is computed, not stored
    unit_rows = db.session.scalars(
        select(Measurement).where(Measurement.indicator_id == burglaries.id,
                                  Measurement.district_id.is_(None))
    ).all()
    assert unit_rows == []


def test_production_load_sets_no_passwords_and_prints_none(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_ENV", "production")
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "oost-nederland-2018" not in result.output
    assert db.session.scalar(select(User).where(User.password_hash.is_not(None))) is None
