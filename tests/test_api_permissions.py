"""The API's permission matrix: every role × every API route, as the pages' matrix
(tests/test_permissions.py) does for pages. The routes come from ``app.url_map``: a new
API route without an entry here fails :func:`test_every_api_route_has_a_matrix_entry`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.api_helpers import ROLES, bearer, build_world, make_token
from tracker.actions.models import Action
from tracker.api.models import ApiScope
from tracker.audit.models import AuditEntry
from tracker.enums import ActionStatus
from tracker.extensions import db

#: Who may change team A's work (team.edit): the beheerder, its coordinator and trekker.
EDITORS_A = {"beheerder", "coordinator_a", "trekker_a"}
#: Extra callers besides the roles: no token at all, and the beheerder with a read token.
CALLERS = (*ROLES, "anonymous", "beheerder_read")


def _everyone(code: int) -> dict[str, int]:
    return {**{who: code for who in ROLES}, "anonymous": 401, "beheerder_read": code}


def _not_partner(code: int = 200) -> dict[str, int]:
    """Team B's things: the partner (a member of team A only) is refused, as on the pages."""
    return {**_everyone(code), "partner_a": 403}


def _editors_of_a(ok: int) -> dict[str, int]:
    return {**{who: (ok if who in EDITORS_A else 403) for who in ROLES}, "anonymous": 401,
            "beheerder_read": 403}


# (endpoint, method) -> (path with {placeholders}, JSON body or None, expected per caller)
MATRIX = {
    ("api.teams", "GET"): ("/api/v1/teams", None, _everyone(200)),
    ("api.team", "GET"): ("/api/v1/teams/team-b", None, _not_partner()),
    ("api.actions", "GET"): ("/api/v1/actions", None, _everyone(200)),
    ("api.team_actions", "GET"): ("/api/v1/teams/team-b/actions", None, _not_partner()),
    ("api.action", "GET"): ("/api/v1/actions/{action_b}", None, _not_partner()),
    ("api.milestones", "GET"): ("/api/v1/milestones", None, _everyone(200)),
    ("api.milestone", "GET"): ("/api/v1/milestones/{milestone_b}", None, _not_partner()),
    ("api.pilots", "GET"): ("/api/v1/pilots", None, _everyone(200)),
    ("api.pilot", "GET"): ("/api/v1/pilots/{pilot_b}", None, _not_partner()),
    ("api.meetings", "GET"): ("/api/v1/meetings", None, _everyone(200)),
    ("api.meeting", "GET"): ("/api/v1/meetings/{event_b}", None, _not_partner()),
    ("api.network_status", "GET"): ("/api/v1/status", None, _everyone(200)),
    ("api.team_status", "GET"): ("/api/v1/teams/team-b/status", None, _not_partner()),
    ("api.indicators", "GET"): ("/api/v1/teams/team-b/indicators", None, _not_partner()),
    ("api_pages.openapi", "GET"): ("/api/v1/openapi.json", None,
                                   {**_everyone(200), "anonymous": 200}),
    ("api.create_action", "POST"): ("/api/v1/teams/team-a/actions", {"title": "Uit de matrix"},
                                    _editors_of_a(201)),
    ("api.update_action", "PATCH"): ("/api/v1/actions/{action_a}",
                                     {"title": "Gewijzigd in de matrix"}, _editors_of_a(200)),
    ("api.complete_action", "POST"): ("/api/v1/actions/{action_a}/complete", {},
                                      _editors_of_a(200)),
    ("api.reopen_action", "POST"): ("/api/v1/actions/{action_a}/reopen", {}, _editors_of_a(200)),
}


def _api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            routes |= {(rule.endpoint, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_every_api_route_has_a_matrix_entry(app):
    assert _api_routes(app) == set(MATRIX)


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[1]} {r[0]}")
def test_api_permission_matrix(client, route):
    world = build_world()
    template, body, expected = MATRIX[route]
    _endpoint, method = route
    assert set(expected) == set(CALLERS)
    answers = {}
    for who in CALLERS:
        action = db.session.get(Action, world.ids["action_a"])
        if route[0] == "api.reopen_action":  # something to reopen
            action.status = ActionStatus.GEREED
        elif route[0] == "api.complete_action":
            action.status = ActionStatus.OPEN
        db.session.commit()
        headers = {}
        if who == "beheerder_read":
            headers = bearer(make_token(world.people["beheerder"], ApiScope.READ))
        elif who != "anonymous":
            headers = bearer(make_token(world.people[who], ApiScope.WRITE))
        payload = None if body is None else {**body, "version": action.version}
        if route[0] == "api.create_action":
            payload = body
        entries_before = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc())
                                           .limit(1))
        response = client.open(template.format(**world.ids), method=method, headers=headers,
                               json=payload)
        answers[who] = response.status_code
        assert response.is_json, (who, response.status_code)
        if method != "GET" and response.status_code >= 400:
            # A refused write changes nothing and writes no journal entry.
            last = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
            assert last == entries_before, who
    assert answers == expected
