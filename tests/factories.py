"""Small factories for test data: ``create_user(**overrides)`` and friends."""

from __future__ import annotations

import itertools
from datetime import date

from tracker.actions.models import Action
from tracker.auth.models import User
from tracker.auth.passwords import hash_password
from tracker.enums import ActionStatus, ItemKind, Role, TeamKind, TeamRole
from tracker.extensions import db
from tracker.network.models import District, Municipality, ReportItem, Team, TeamMembership

PASSWORD = "een-lang-en-uniek-wachtwoord"
_sequence = itertools.count(1)


def create_user(**overrides) -> User:
    n = next(_sequence)
    password = overrides.pop("password", PASSWORD)
    values = {
        "name": f"Persoon {n}",
        "email": f"persoon{n}@example.org",
        "role": Role.LEZER,
    }
    values.update(overrides)
    user = User(**values)
    if password is not None:
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def create_team(**overrides) -> Team:
    n = next(_sequence)
    values = {
        "slug": f"team-{n}",
        "name": f"Expertteam {n}",
        "short_name": f"Team {n}",
        "kind": TeamKind.EXPERTTEAM,
        "position": n,
    }
    values.update(overrides)
    team = Team(**values)
    db.session.add(team)
    db.session.flush()
    return team


def add_member(team: Team, user: User, role: TeamRole = TeamRole.COORDINATOR) -> TeamMembership:
    membership = TeamMembership(team=team, user=user, role=role)
    db.session.add(membership)
    db.session.flush()
    return membership


def create_action(team: Team, **overrides) -> Action:
    n = next(_sequence)
    values = {"title": f"Actie {n}", "status": ActionStatus.OPEN, "due_date": date(2018, 6, 30)}
    values.update(overrides)
    action = Action(team=team, **values)
    db.session.add(action)
    db.session.flush()
    return action


def create_item(team: Team, kind: ItemKind = ItemKind.DOEL, **overrides) -> ReportItem:
    n = next(_sequence)
    item = ReportItem(team=team, kind=kind, text=overrides.pop("text", f"Punt {n}"), **overrides)
    db.session.add(item)
    db.session.flush()
    return item


def create_district(**overrides) -> District:
    n = next(_sequence)
    values = {"slug": f"district-{n}", "name": f"District {n}", "position": n}
    values.update(overrides)
    district = District(**values)
    db.session.add(district)
    db.session.flush()
    return district


def create_municipality(district: District, **overrides) -> Municipality:
    n = next(_sequence)
    values = {"name": f"Gemeente {n}", "cbs_code": f"GM{n:04d}"}
    values.update(overrides)
    municipality = Municipality(district=district, **values)
    db.session.add(municipality)
    db.session.flush()
    return municipality
