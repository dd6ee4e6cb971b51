"""The permission module, and the rule that every mutating route declares one."""

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_for
from tests.factories import add_member, create_team, create_user
from tracker.auth.models import User
from tracker.auth.permissions import AUTHENTICATED, PUBLIC, RULES, can, declared_permission
from tracker.enums import Role, TeamRole
from tracker.extensions import db
from tracker.network.models import TeamMembership

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def world():
    """Two teams and one person per role (coordinators of team A and of team B)."""
    team_a = create_team(slug="team-a")
    team_b = create_team(slug="team-b")
    people = {
        "beheerder": create_user(role=Role.BEHEERDER),
        "coordinator_a": create_user(role=Role.COORDINATOR),
        "trekker_a": create_user(role=Role.COORDINATOR),
        "coordinator_b": create_user(role=Role.COORDINATOR),
        "bestuurder": create_user(role=Role.BESTUURDER),
        "partner_a": create_user(role=Role.PARTNER, password=None),
        "lezer": create_user(role=Role.LEZER),
    }
    add_member(team_a, people["coordinator_a"], TeamRole.COORDINATOR)
    add_member(team_a, people["trekker_a"], TeamRole.TREKKER)
    add_member(team_b, people["coordinator_b"], TeamRole.COORDINATOR)
    add_member(team_a, people["bestuurder"], TeamRole.VOORZITTER)
    add_member(team_a, people["partner_a"], TeamRole.LID)
    db.session.commit()
    return team_a, team_b, people


# who may:            view A, view B, edit A, edit B, manage users
EXPECTED = {
    "beheerder":     (True,  True,  True,  True,  True),
    "coordinator_a": (True,  True,  True,  False, False),
    "trekker_a":     (True,  True,  True,  False, False),
    "coordinator_b": (True,  True,  False, True,  False),
    "bestuurder":    (True,  True,  False, False, False),
    "partner_a":     (True,  False, False, False, False),
    "lezer":         (True,  True,  False, False, False),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_permission_matrix_on_team_objects(world, who):
    team_a, team_b, people = world
    user = people[who]
    answers = (
        can(user, "team.view", team_a),
        can(user, "team.view", team_b),
        can(user, "team.edit", team_a),
        can(user, "team.edit", team_b),
        can(user, "users.manage"),
    )
    assert answers == EXPECTED[who]


def test_anonymous_and_deactivated_users_may_nothing(world):
    from flask_login import AnonymousUserMixin

    team_a, _, people = world
    people["coordinator_a"].active = False
    for user in (AnonymousUserMixin(), people["coordinator_a"], None):
        assert not any(can(user, name, team_a) for name in RULES)


def test_unknown_permission_is_an_error(world):
    with pytest.raises(KeyError):
        can(world[2]["beheerder"], "team.destroy", None)


def test_every_mutating_route_declares_a_permission(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if not (rule.methods or set()) & MUTATING:
            continue
        view = app.view_functions[rule.endpoint]
        permission = declared_permission(view)
        if permission is None or (permission not in RULES and permission not in
                                  (PUBLIC, AUTHENTICATED)):
            missing.append(rule.rule)
    assert missing == []


def test_a_mutating_route_without_a_declared_permission_is_denied(database_url):
    """Default deny: a view that forgot its rule answers 403 to everyone."""
    from flask import Blueprint

    from tests.conftest import IsolatedRequestClient
    from tracker import create_app

    calls = []
    probe = Blueprint("probe_without_rule", __name__)

    @probe.post("/__probe-zonder-regel")
    def forgotten():
        calls.append(1)
        return "should never run"

    app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    app.register_blueprint(probe)
    app.test_client_class = IsolatedRequestClient
    client = app.test_client()
    token = csrf_token_for(client)
    response = client.post("/__probe-zonder-regel", data={"csrf_token": token})
    assert response.status_code == 403
    assert calls == []


ADMIN_POSTS = [
    ("/beheer/gebruikers", {"name": "Nieuw", "email": "nieuw@example.org", "role": "lezer"}),
    ("/beheer/gebruikers/{target}", {"role": "beheerder", "active": "1"}),
    ("/beheer/gebruikers/{target}/teams", {"team_id": "{team}", "team_role": "trekker"}),
    ("/beheer/gebruikers/{target}/teams/{team}/verwijderen", {}),
    ("/beheer/gebruikers/{target}/aanhef", {"salutation": "Hoi,"}),
    # helper "people": the person form, the e-mail change, organisations
    ("/beheer/gebruikers/{target}/gegevens", {"name": "Ander", "phone": "0612345678",
                                              "version": "1"}),
    ("/beheer/gebruikers/{target}/e-mailadres", {"email": "ander@example.org"}),
    ("/beheer/organisaties", {"name": "Nieuwe organisatie", "kind": "overig"}),
]


@pytest.mark.parametrize("who", [w for w, e in EXPECTED.items() if not e[4]] + ["anonymous"])
@pytest.mark.parametrize(("path", "data"), ADMIN_POSTS)
def test_denied_admin_posts_change_nothing(world, client, login, who, path, data):
    team_a, _, people = world
    target = people["lezer"]
    add_member(team_a, target, TeamRole.LID)
    db.session.commit()
    if who != "anonymous":
        login(people[who])
    before = _snapshot()
    fill = {"target": target.id, "team": team_a.id}
    payload = {k: v.format(**fill) for k, v in data.items()}
    payload["csrf_token"] = csrf_token_for(client)
    response = client.post(path.format(**fill), data=payload)
    if who == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/inloggen")
    else:
        assert response.status_code == 403
    db.session.expire_all()
    assert _snapshot() == before


def _snapshot():
    users = db.session.execute(
        select(User.id, User.role, User.active, User.email, User.salutation, User.name,
               User.phone)).all()
    memberships = db.session.execute(
        select(TeamMembership.team_id, TeamMembership.user_id, TeamMembership.role)
    ).all()
    from tracker.network.models import Organisation
    from tracker.notifications.models import OutboxMessage

    return (sorted(users), sorted(memberships), db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(OutboxMessage.id))),
            db.session.scalar(select(func.count(Organisation.id))))


# == Pilot status correction and organisations (helper "people", issue 13) ==
# who may correct a pilot's status in team A: the beheerder and team A's coordinator only.
CORRECT_PILOT_A = {
    "beheerder": True, "coordinator_a": True, "trekker_a": False, "coordinator_b": False,
    "bestuurder": False, "partner_a": False, "lezer": False,
}


@pytest.mark.parametrize("who", CORRECT_PILOT_A)
def test_pilot_correction_matrix(world, who):
    from tracker.pilots.models import Pilot

    team_a, _, people = world
    pilot = Pilot(team=team_a, title="Pilot A")
    assert can(people[who], "pilot.correct", pilot) is CORRECT_PILOT_A[who]


@pytest.mark.parametrize("who", EXPECTED)
def test_organisations_manage_matrix(world, who):
    _, _, people = world
    assert can(people[who], "organisations.manage") is EXPECTED[who][4]



# == Mijlpalen: meer gemeenten tegelijk afvinken (issue 13, helper "layout") ==
# who may tick a whole district of team A's per-municipality milestone
BULK_TICK_EXPECTED = {
    "beheerder": 303, "coordinator_a": 303, "trekker_a": 303, "coordinator_b": 403,
    "bestuurder": 403, "partner_a": 403, "lezer": 403, "anonymous": 302,
}


@pytest.mark.parametrize("who", BULK_TICK_EXPECTED)
def test_bulk_tick_route_by_role(world, client, login, who):
    from datetime import date

    from tracker.enums import MilestoneKind
    from tracker.milestones.models import Milestone, MunicipalityTick
    from tracker.network.models import District, Municipality

    team_a, _, people = world
    district = District(name="Testdistrict", slug="testdistrict", position=1)
    db.session.add(district)
    db.session.flush()
    db.session.add(Municipality(name="Testgemeente", district_id=district.id))
    milestone = Milestone(team=team_a, title="Per gemeente", due_date=date(2018, 10, 1),
                          per_municipality=True, kind=MilestoneKind.DEADLINE)
    db.session.add(milestone)
    db.session.commit()
    if who != "anonymous":
        login(people[who])
    response = client.post(
        f"/milestones/{milestone.id}/districts/{district.id}/ticks",
        data={"csrf_token": csrf_token_for(client), "version": str(milestone.version),
              "handeling": "district-afvinken", "completed_on": "2018-02-01"})
    assert response.status_code == BULK_TICK_EXPECTED[who]
    ticks = db.session.scalar(select(func.count(MunicipalityTick.id)))
    assert ticks == (1 if BULK_TICK_EXPECTED[who] == 303 else 0)


# == Bulk changes on actions (issue 13) ==
# POST /actions/bulk with one action of team A: who may tick it and mark it done. A
# selection holding an action the user may not edit refuses the whole request (403).
BULK_ALLOWED = {who for who, answers in EXPECTED.items() if answers[2]}


@pytest.mark.parametrize("who", [*EXPECTED, "anonymous"])
def test_bulk_change_on_actions_follows_action_edit(world, client, login, who):
    from tests.factories import create_action
    from tracker.actions.models import Action
    from tracker.audit.models import AuditEntry
    from tracker.enums import ActionStatus

    team_a, _, people = world
    action = create_action(team_a, title="Actie van team A")
    db.session.commit()
    if who != "anonymous":
        login(people[who])
    response = client.post("/actions/bulk", data={
        "csrf_token": csrf_token_for(client), "handeling": "gereed",
        "acties": f"{action.id}:{action.version}", "next": "/"})
    db.session.expire_all()
    status = db.session.get(Action, action.id).status
    if who in BULK_ALLOWED:
        assert response.status_code == 303
        assert status == ActionStatus.GEREED
        return
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert status == ActionStatus.OPEN
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.object_type == "actions")) == 0


# == Bijlagen (attachments) ===================================================================
# who may:            add a file to A's action, see A's file, remove it (trekker_a uploaded it)
ATTACHMENT_EXPECTED = {
    "beheerder":     (True,  True,  True),
    "coordinator_a": (True,  True,  True),
    "trekker_a":     (True,  True,  True),
    "coordinator_b": (True,  True,  False),
    "bestuurder":    (True,  True,  False),
    "partner_a":     (True,  True,  False),
    "lezer":         (False, True,  False),
}
ATTACHMENT_ROUTES = {
    "/actions/<int:action_id>/bijlagen": "attachment.add",
    "/pilots/<int:pilot_id>/bijlagen": "attachment.add",
    "/events/<int:event_id>/bijlagen": "attachment.add",
    "/bijlagen/<int:attachment_id>/verwijderen": "attachment.remove",
}


@pytest.mark.parametrize("who", ATTACHMENT_EXPECTED)
def test_permission_matrix_on_attachments(world, who):
    from tests.factories import create_action
    from tracker.attachments.models import Attachment

    team_a, team_b, people = world
    action = create_action(team_a)
    attachment = Attachment(action=action, file_name="plan.pdf", storage_name="0" * 32,
                            content_type="application/pdf", size=1, sha256="0" * 64,
                            uploaded_by_id=people["trekker_a"].id)
    db.session.add(attachment)
    db.session.flush()
    user = people[who]
    answers = (can(user, "attachment.add", action), can(user, "attachment.view", attachment),
               can(user, "attachment.remove", attachment))
    assert answers == ATTACHMENT_EXPECTED[who]
    # Team B's work stays out of reach of team A's partner.
    other = create_action(team_b)
    if who == "partner_a":
        assert not can(user, "attachment.add", other)


def test_the_attachment_routes_carry_their_rules(app):
    declared = {rule.rule: declared_permission(app.view_functions[rule.endpoint])
                for rule in app.url_map.iter_rules()
                if rule.rule in ATTACHMENT_ROUTES and "POST" in (rule.methods or ())}
    assert declared == ATTACHMENT_ROUTES
