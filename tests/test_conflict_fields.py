"""The conflict notice names the fields a colleague changed (issue 13), from the version
history: the row after a stale done (htmx and page), the edit form's merge view and a
bulk change all use ``tracker.actions.conflicts.describe_conflict``."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.conftest import csrf_token_for
from tests.factories import add_member, create_action, create_team, create_user
from tracker.actions.conflicts import Conflict, describe_conflict
from tracker.actions.services import _with, complete_action, update_action
from tracker.enums import Role, TeamRole
from tracker.extensions import db

NOW = datetime(2018, 2, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def world():
    team = create_team(slug="verwarde-personen")
    me = create_user(role=Role.COORDINATOR, name="Ik Zelf")
    colleague = create_user(role=Role.COORDINATOR, name="Carla Collega")
    add_member(team, me, TeamRole.COORDINATOR)
    add_member(team, colleague, TeamRole.COORDINATOR)
    action = create_action(team, title="Werkbezoek plannen", owner=me, due_date=date(2018, 3, 7))
    db.session.commit()
    return action, me, colleague


def _colleague_changes(action, colleague, **changes):
    update_action(action, _with(action, **changes), expected_version=action.version,
                  actor=colleague, now=NOW)
    db.session.commit()


def test_describe_conflict_lists_every_field_changed_since_the_version_seen(world):
    action, me, colleague = world
    _colleague_changes(action, colleague, due_date=date(2018, 4, 1))
    _colleague_changes(action, colleague, owner_id=colleague.id)
    conflict = describe_conflict(action, 1)
    assert conflict.fields == ["eigenaar", "einddatum"]
    assert conflict.field_text == "velden: eigenaar en einddatum"
    assert conflict.actor_name == "Carla Collega"
    # Seen after the date change: only the owner changed since.
    assert describe_conflict(action, 2).fields == ["eigenaar"]


def test_without_a_known_version_the_last_audit_entry_names_the_field(world):
    action, me, colleague = world
    complete_action(action, expected_version=1, actor=colleague, now=NOW)
    db.session.commit()
    assert describe_conflict(action, None).fields == ["status"]
    assert describe_conflict(action, 99).fields == ["status"]


def test_field_text_in_dutch():
    assert Conflict(fields=[]).field_text == ""
    assert Conflict(fields=["titel"]).field_text == "veld: titel"
    assert Conflict(fields=["titel", "status", "eigenaar"]).field_text == \
        "velden: titel, status en eigenaar"


def _post(client, path, data, **kwargs):
    return client.post(path, data={"csrf_token": csrf_token_for(client), **data}, **kwargs)


@pytest.mark.parametrize("htmx", [True, False])
def test_a_stale_done_names_the_changed_field(world, client, login, htmx):
    action, me, colleague = world
    _colleague_changes(action, colleague, due_date=date(2018, 4, 1))
    login(me)
    headers = {"HX-Request": "true"} if htmx else {}
    response = _post(client, f"/actions/{action.id}/done", {"version": 1}, headers=headers)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Carla Collega heeft deze actie op" in html
    assert "— veld: einddatum." in html


def test_the_edit_forms_merge_view_names_the_changed_fields(world, client, login):
    action, me, colleague = world
    _colleague_changes(action, colleague, title="Werkbezoek Zwolle plannen", owner_id=colleague.id)
    login(me)
    response = _post(client, f"/actions/{action.id}", {
        "title": "Werkbezoek plannen", "description": "Mijn toelichting", "status": "open",
        "due_date": "2018-03-07", "owner_id": me.id, "version": 1,
        "base_title": "Werkbezoek plannen", "base_status": "open", "base_description": "",
        "base_due_date": "2018-03-07", "base_owner_id": str(me.id)})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Carla Collega heeft deze actie op" in html
    assert "— velden: titel en eigenaar." in html
