"""Bulk changes on actions (issue 13): one POST, one transaction, the same services as
the single change (audit, history, notices per action) and the 409 rule per row."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy_continuum import version_class

from tests.conftest import csrf_token_for
from tests.factories import add_member, create_action, create_team, create_user
from tracker.actions.models import Action
from tracker.actions.services import update_action
from tracker.audit.models import AuditEntry
from tracker.enums import ActionStatus, Role, TeamRole
from tracker.extensions import db

NOW = datetime(2018, 2, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def world():
    team = create_team(slug="verwarde-personen", short_name="Verwarde personen")
    other = create_team(slug="jeugd")
    people = {
        "coordinator": create_user(role=Role.COORDINATOR, name="Co Ordinator"),
        "colleague": create_user(role=Role.COORDINATOR, name="Carla Collega"),
        "member": create_user(role=Role.LEZER, name="Mia Lid"),
        "other_coordinator": create_user(role=Role.COORDINATOR),
        "lezer": create_user(role=Role.LEZER),
        "outsider": create_user(role=Role.LEZER, name="Buiten Staander"),
    }
    add_member(team, people["coordinator"], TeamRole.COORDINATOR)
    add_member(team, people["colleague"], TeamRole.COORDINATOR)
    add_member(team, people["member"], TeamRole.LID)
    add_member(other, people["other_coordinator"], TeamRole.TREKKER)
    actions = [create_action(team, title=f"Actie {n}", owner=people["coordinator"],
                             due_date=date(2018, 3, n + 1)) for n in range(3)]
    foreign = create_action(other, title="Actie van een ander team")
    db.session.commit()
    return team, actions, foreign, people


def _post(client, rows, operation, *, next_url="/teams/verwarde-personen", **fields):
    data = {"csrf_token": csrf_token_for(client), "handeling": operation, "next": next_url,
            "acties": [f"{a.id}:{v}" for a, v in rows], **fields}
    return client.post("/actions/bulk", data=data)


def _fresh(action) -> Action:
    db.session.expire_all()
    return db.session.get(Action, action.id)


def _audit(action, kind=None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.object_type == "actions",
                                     AuditEntry.object_id == action.id)
    if kind:
        query = query.where(AuditEntry.action == kind)
    return list(db.session.scalars(query))


def _versions(action) -> int:
    past = version_class(Action)
    return db.session.scalar(select(func.count()).select_from(past).where(past.id == action.id))


def test_bulk_done_on_three_actions_audits_and_versions_each(world, client, login):
    team, actions, _, people = world
    login(people["coordinator"])
    before = [_versions(a) for a in actions]
    response = _post(client, [(a, a.version) for a in actions], "gereed")
    assert response.status_code == 303
    assert response.headers["Location"] == "/teams/verwarde-personen"
    for action, versions in zip(actions, before, strict=True):
        fresh = _fresh(action)
        assert fresh.status == ActionStatus.GEREED and fresh.completed_by_id == people["coordinator"].id
        assert len(_audit(action, "action.complete")) == 1
        assert _versions(action) == versions + 1
    page = client.get("/teams/verwarde-personen").get_data(as_text=True)
    assert "3 acties gereed gemeld." in page


def test_one_stale_row_gives_409_for_that_row_only(world, client, login):
    team, actions, _, people = world
    stale = actions[1]
    seen = stale.version
    # A colleague changes the due date after the list was shown.
    update_action(stale, _input(stale, due_date=date(2018, 5, 1)), expected_version=seen,
                  actor=people["colleague"], now=NOW)
    db.session.commit()
    login(people["coordinator"])
    response = _post(client, [(a, a.version if a is not stale else seen) for a in actions],
                     "gereed")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert _fresh(stale).status == ActionStatus.OPEN
    assert _fresh(stale).due_date == date(2018, 5, 1)
    assert _audit(stale, "action.complete") == []
    for saved in (actions[0], actions[2]):
        assert _fresh(saved).status == ActionStatus.GEREED
        assert len(_audit(saved, "action.complete")) == 1
    assert "niet opgeslagen: Carla Collega heeft deze actie op" in html
    assert "— veld: einddatum." in html
    assert f'id="conflict-actie-{stale.id}"' in html
    assert "Actie 0" in html and "Actie 2" in html  # listed as saved
    assert "2 acties gereed gemeld." in html


def test_bulk_owner_change_to_a_team_member(world, client, login):
    team, actions, _, people = world
    login(people["coordinator"])
    response = _post(client, [(a, a.version) for a in actions[:2]], "eigenaar",
                     eigenaar=str(people["member"].id))
    assert response.status_code == 303
    for action in actions[:2]:
        assert _fresh(action).owner_id == people["member"].id
        entry, = _audit(action, "action.update")
        assert entry.after == {"owner_id": people["member"].id}
    assert _fresh(actions[2]).owner_id == people["coordinator"].id


def test_bulk_owner_refuses_someone_the_team_cannot_assign(world, client, login):
    team, actions, _, people = world
    login(people["coordinator"])
    response = _post(client, [(a, a.version) for a in actions], "eigenaar",
                     eigenaar=str(people["outsider"].id))
    assert response.status_code == 303
    assert "selectie=" in response.headers["Location"]  # the ticks are kept
    assert all(_fresh(a).owner_id == people["coordinator"].id for a in actions)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kies een eigenaar uit het team." in page
    assert page.count("checked") >= 3


def test_bulk_owner_none_clears_the_owner(world, client, login):
    team, actions, _, people = world
    login(people["coordinator"])
    assert _post(client, [(actions[0], actions[0].version)], "eigenaar",
                 eigenaar="geen").status_code == 303
    assert _fresh(actions[0]).owner_id is None


def test_bulk_due_date(world, client, login):
    team, actions, _, people = world
    login(people["coordinator"])
    response = _post(client, [(a, a.version) for a in actions], "einddatum",
                     einddatum="2018-10-01")
    assert response.status_code == 303
    for action in actions:
        assert _fresh(action).due_date == date(2018, 10, 1)
        entry, = _audit(action, "action.update")
        assert entry.after == {"due_date": "2018-10-01"}


def test_bulk_due_date_needs_a_date(world, client, login):
    team, actions, _, people = world
    login(people["coordinator"])
    response = _post(client, [(a, a.version) for a in actions], "einddatum", einddatum="")
    assert response.status_code == 303
    assert all(_fresh(a).due_date == a.due_date for a in actions)
    assert "Vul de nieuwe einddatum in." in client.get(
        response.headers["Location"]).get_data(as_text=True)


def test_bulk_reopen(world, client, login):
    team, actions, _, people = world
    login(people["coordinator"])
    _post(client, [(a, a.version) for a in actions], "gereed")
    done = [_fresh(a) for a in actions]
    response = _post(client, [(a, a.version) for a in done], "heropenen")
    assert response.status_code == 303
    for action in actions:
        assert _fresh(action).status == ActionStatus.OPEN
        assert len(_audit(action, "action.reopen")) == 1


def test_a_foreign_action_refuses_the_whole_request(world, client, login):
    team, actions, foreign, people = world
    login(people["coordinator"])
    response = _post(client, [(actions[0], actions[0].version), (foreign, foreign.version)],
                     "gereed")
    assert response.status_code == 403
    assert _fresh(actions[0]).status == ActionStatus.OPEN
    assert _fresh(foreign).status == ActionStatus.OPEN
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "action.complete")) == 0


def test_an_unknown_action_refuses_the_whole_request(world, client, login):
    team, actions, _, people = world
    login(people["coordinator"])
    data = {"csrf_token": csrf_token_for(client), "handeling": "gereed",
            "acties": [f"{actions[0].id}:1", "999999:1"]}
    assert client.post("/actions/bulk", data=data).status_code == 403
    assert _fresh(actions[0]).status == ActionStatus.OPEN


@pytest.mark.parametrize("value", ["abc:1", "1:2:3x", "", "-5:1"])
def test_a_malformed_selection_changes_nothing(world, client, login, value):
    team, actions, _, people = world
    login(people["coordinator"])
    data = {"csrf_token": csrf_token_for(client), "handeling": "gereed", "acties": [value]}
    response = client.post("/actions/bulk", data=data)
    assert response.status_code in (303, 403, 409)  # a malformed version is a stale one
    assert all(_fresh(a).status == ActionStatus.OPEN for a in actions)


def test_the_bulk_form_and_checkboxes_are_only_for_editors(world, client, login):
    team, actions, _, people = world
    login(people["lezer"])
    html = client.get("/teams/verwarde-personen").get_data(as_text=True)
    assert 'id="acties-bulk"' not in html and 'name="acties"' not in html
    login(people["coordinator"])
    html = client.get("/teams/verwarde-personen").get_data(as_text=True)
    assert 'id="acties-bulk"' in html
    for action in actions:
        assert f'value="{action.id}:{action.version}" form="acties-bulk"' in html
    assert 'Selecteren</span><span class="visually-hidden">: Actie 0</span>' in html


def test_select_all_without_javascript(world, client, login):
    team, actions, _, people = world
    login(people["coordinator"])
    html = client.get("/teams/verwarde-personen?selectie=alle").get_data(as_text=True)
    assert html.count('form="acties-bulk" checked') == 3
    html = client.get("/teams/verwarde-personen").get_data(as_text=True)
    assert 'form="acties-bulk" checked' not in html
    html = client.get("/mijn-werk?selectie=alle").get_data(as_text=True)
    assert html.count('form="acties-bulk" checked') == 3
    assert 'value="eigenaar"' in html  # hand work over to a team member


def test_hand_work_over_from_my_work(world, client, login):
    team, actions, foreign, people = world
    login(people["coordinator"])
    html = client.get("/mijn-werk").get_data(as_text=True)
    assert f'<option value="{people["member"].id}">Mia Lid</option>' in html
    response = _post(client, [(actions[0], actions[0].version)], "eigenaar",
                     eigenaar=str(people["member"].id), next_url="/mijn-werk")
    assert response.status_code == 303 and response.headers["Location"] == "/mijn-werk"
    assert _fresh(actions[0]).owner_id == people["member"].id


def test_bulk_from_my_work_goes_back_there(world, client, login):
    team, actions, _, people = world
    login(people["coordinator"])
    response = _post(client, [(a, a.version) for a in actions], "gereed", next_url="/mijn-werk")
    assert response.status_code == 303 and response.headers["Location"] == "/mijn-werk"
    assert all(_fresh(a).status == ActionStatus.GEREED for a in actions)


def test_bulk_with_htmx_headers_works_the_same(world, client, login):
    team, actions, _, people = world
    login(people["coordinator"])
    data = {"csrf_token": csrf_token_for(client), "handeling": "gereed",
            "next": "/teams/verwarde-personen", "acties": [f"{a.id}:{a.version}" for a in actions]}
    response = client.post("/actions/bulk", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 303
    assert all(_fresh(a).status == ActionStatus.GEREED for a in actions)


def _fill(team, n, owner):
    for i in range(n):
        create_action(team, title=f"Vulling {i}", owner=owner, due_date=date(2018, 4, 1 + i % 28))
    db.session.commit()


@pytest.mark.parametrize("path", ["/teams/verwarde-personen", "/mijn-werk"])
def test_list_pages_with_checkboxes_have_a_fixed_query_count(world, client, login,
                                                             count_queries, path):
    team, _, _, people = world
    login(people["coordinator"])
    client.get(path)
    with count_queries() as small:
        assert 'name="acties"' in client.get(path).get_data(as_text=True)
    _fill(team, 20, people["coordinator"])
    with count_queries() as large:
        client.get(path)
    assert small.count == large.count


def _input(action, **changes):
    from tracker.actions.services import _with

    return _with(action, **changes)


def test_ticks_kept_after_a_refusal_are_not_carried_into_the_next_change(world, client, login):
    """A refusal returns to the list with ?selectie= (the ticks kept); that list address is
    the next form's ``next``. A later successful change must go back without those ticks,
    or the change after it would reach rows the user no longer ticked."""
    team, actions, _, people = world
    login(people["coordinator"])
    refused = _post(client, [(a, a.version) for a in actions[:2]], "einddatum")  # no date
    back = refused.headers["Location"]
    assert "selectie=" in back
    done = _post(client, [(actions[2], actions[2].version)], "gereed", next_url=back)
    assert done.status_code == 303
    assert "selectie" not in done.headers["Location"]
    assert done.headers["Location"].endswith("/teams/verwarde-personen")
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert f'value="{actions[0].id}:' not in page or 'checked' not in page.split(
        f'value="{actions[0].id}:')[1][:80]
