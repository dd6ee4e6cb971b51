"""Shared test data for the API tests: two teams with work, one person per role, tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from tests.factories import (
    add_member,
    create_action,
    create_district,
    create_municipality,
    create_team,
    create_user,
)
from tracker.api.models import ApiScope
from tracker.enums import EventStatus, MilestoneKind, PilotStatus, Role, TeamRole
from tracker.extensions import db

#: Who is who in :func:`build_world` (the pages' permission matrix uses the same people).
ROLES = ("beheerder", "coordinator_a", "trekker_a", "coordinator_b", "bestuurder", "partner_a",
         "lezer")


@dataclass
class World:
    team_a: object
    team_b: object
    people: dict
    ids: dict = field(default_factory=dict)


def build_world() -> World:
    """Team A and team B, each with an action, a milestone, a pilot and a meeting; a
    network-wide milestone per municipality; one person per role (as test_permissions)."""
    from tracker.events.models import Event
    from tracker.milestones.models import Milestone, MunicipalityTick
    from tracker.pilots.models import Pilot

    team_a = create_team(slug="team-a")
    team_b = create_team(slug="team-b")
    people = {
        "beheerder": create_user(role=Role.BEHEERDER),
        "coordinator_a": create_user(role=Role.COORDINATOR),
        "trekker_a": create_user(role=Role.COORDINATOR),
        "coordinator_b": create_user(role=Role.COORDINATOR),
        "bestuurder": create_user(role=Role.BESTUURDER),
        "partner_a": create_user(role=Role.PARTNER),
        "lezer": create_user(role=Role.LEZER),
    }
    add_member(team_a, people["coordinator_a"], TeamRole.COORDINATOR)
    add_member(team_a, people["trekker_a"], TeamRole.TREKKER)
    add_member(team_b, people["coordinator_b"], TeamRole.COORDINATOR)
    add_member(team_a, people["bestuurder"], TeamRole.VOORZITTER)
    add_member(team_a, people["partner_a"], TeamRole.LID)
    district = create_district()
    town = create_municipality(district)
    create_municipality(district)
    ids = {}
    for key, team in (("a", team_a), ("b", team_b)):
        action = create_action(team, owner_id=people[f"coordinator_{key}"].id)
        milestone = Milestone(team=team, title=f"Mijlpaal {key}", kind=MilestoneKind.MIJLPAAL,
                              due_date=date(2030, 1, 1))
        pilot = Pilot(team=team, title=f"Pilot {key}", status=PilotStatus.LOPEND)
        event = Event(team=team, title=f"Overleg {key}", status=EventStatus.GEPLAND,
                      starts_at=datetime(2030, 3, 1, 9, tzinfo=UTC),
                      ends_at=datetime(2030, 3, 1, 11, tzinfo=UTC))
        db.session.add_all([milestone, pilot, event])
        db.session.flush()
        ids.update({f"action_{key}": action.id, f"milestone_{key}": milestone.id,
                    f"pilot_{key}": pilot.id, f"event_{key}": event.id})
    network = Milestone(team=None, title="Elke gemeente", kind=MilestoneKind.DEADLINE,
                        due_date=date(2030, 6, 1), per_municipality=True)
    db.session.add(network)
    db.session.flush()
    db.session.add(MunicipalityTick(milestone_id=network.id, municipality_id=town.id,
                                    completed_on=date(2026, 11, 1)))
    ids["milestone_network"] = network.id
    db.session.commit()
    return World(team_a, team_b, people, ids)


def make_token(user, scope: ApiScope = ApiScope.WRITE, *, days: int = 30) -> str:
    """A usable token of ``user`` (through the service, as the page makes it)."""
    from tracker.api.tokens import issue_token
    from tracker.clock import local_today

    today = local_today()
    _token, text = issue_token(user, name=f"test {scope.value}", scope=scope,
                               expires_on=today + timedelta(days=days), today=today,
                               now=datetime.now(UTC))
    db.session.commit()
    return text


def bearer(text: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {text}"}
