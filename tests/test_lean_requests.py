"""Lean requests (issue 15, item 3): the done click costs a fixed, small number of statements,
and what was cut (reloads after the commit, an unchanged search document, the history
object loaded only to end it) still comes out the same."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_for
from tests.factories import add_member, create_action, create_team, create_user
from tracker.actions.models import Action
from tracker.audit.models import AuditEntry
from tracker.enums import ActionStatus, Role, TeamRole
from tracker.extensions import db
from tracker.history import version_class
from tracker.search.models import SearchDocument

#: The done POST (htmx): the user with their memberships (permission, one joined SELECT);
#: the action with its team, owner and meeting (one joined SELECT); the history
#: transaction; the UPDATE; the previous version ended; the new version; the audit entry;
#: the owner's notice preferences (by default no direct mail, so no outbox row); the
#: active webhooks. Nothing after the commit, no search document (the title is unchanged).
DONE_STATEMENTS = 9


@pytest.fixture
def row(client, login):
    team = create_team(slug="verwarde-personen")
    coordinator = create_user(role=Role.COORDINATOR, name="Co Ordinator")
    owner = create_user(role=Role.COORDINATOR, name="Eva Eigenaar")
    add_member(team, coordinator, TeamRole.COORDINATOR)
    add_member(team, owner, TeamRole.COORDINATOR)
    action = create_action(team, title="Regionale bijeenkomst organiseren", owner=owner,
                           due_date=date(2018, 3, 7))
    db.session.commit()
    login(coordinator)
    return team, action, coordinator


def _click(client, action_id: int, verb: str, version: int, token: str | None = None):
    return client.post(f"/actions/{action_id}/{verb}",
                       data={"version": version, "csrf_token": token or csrf_token_for(client)},
                       headers={"HX-Request": "true"})


def test_done_post_statement_count_is_fixed(row, client, count_queries):
    team, action, _coordinator = row
    token, action_id, slug = csrf_token_for(client), action.id, team.slug
    with count_queries() as counter:
        response = _click(client, action_id, "done", 1, token)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # The row is drawn from what was written (not reloaded): the new version, done, the owner.
    assert 'name="version" value="2"' in html and "Ongedaan maken" in html
    assert "Eva Eigenaar" in html and f"/teams/{slug}" in html
    assert counter.count == DONE_STATEMENTS, "\n".join(counter.statements)
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == ActionStatus.GEREED


def test_a_status_change_keeps_the_search_document_a_title_change_rewrites_it(row, client):
    _team, action, coordinator = row
    document = db.session.scalar(select(SearchDocument).where(
        SearchDocument.kind == "action", SearchDocument.ref_id == action.id))
    first_id = document.id
    assert _click(client, action.id, "done", 1).status_code == 200
    db.session.expire_all()
    kept = db.session.scalar(select(SearchDocument).where(
        SearchDocument.kind == "action", SearchDocument.ref_id == action.id))
    assert kept.id == first_id  # not deleted and inserted again
    from tracker.actions.services import ActionInput, update_action
    from tracker.clock import now

    fresh = db.session.get(Action, action.id)
    update_action(fresh, ActionInput(
        title="Bijeenkomst in Zwolle", description="", owner_id=fresh.owner_id,
        due_date=fresh.due_date, status=fresh.status, milestone_id=None, district_id=None),
        expected_version=2, actor=coordinator, now=now())
    db.session.commit()
    rewritten = db.session.scalar(select(SearchDocument).where(
        SearchDocument.kind == "action", SearchDocument.ref_id == action.id))
    assert rewritten.title == "Bijeenkomst in Zwolle"


def test_each_click_ends_the_previous_version_exactly_once(row, client):
    _team, action, _coordinator = row
    for version, verb in enumerate(["done", "reopen", "done"], start=1):
        assert _click(client, action.id, verb, version).status_code == 200
    versions = db.session.execute(
        select(version_class(Action).transaction_id, version_class(Action).end_transaction_id,
               version_class(Action).status)
        .where(version_class(Action).id == action.id)
        .order_by(version_class(Action).transaction_id)).all()
    assert [v.status for v in versions] == [ActionStatus.OPEN, ActionStatus.GEREED,
                                            ActionStatus.OPEN, ActionStatus.GEREED]
    # Each version is ended by the next one's transaction; the last is current.
    for current, following in zip(versions, versions[1:], strict=False):
        assert current.end_transaction_id == following.transaction_id
    assert versions[-1].end_transaction_id is None
    assert db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "actions").order_by(AuditEntry.id)).all()[-3:] == [
        "action.complete", "action.reopen", "action.complete"]


def test_the_session_cookie_is_written_again_only_when_the_last_seen_time_moves(client, login):
    import time_machine

    from tracker.db import utcnow

    user = create_user(role=Role.COORDINATOR)
    db.session.commit()
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login(user)
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        quiet = client.get("/")
    assert quiet.status_code == 200 and "Set-Cookie" not in quiet.headers
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        moved = client.get("/")
    assert moved.status_code == 200 and "Set-Cookie" in moved.headers
    # Idle is counted from that request: 25 + 29 minutes is still in, 25 + 31 is out.
    with time_machine.travel(start + timedelta(minutes=54), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=85, seconds=1), tick=False):
        assert client.get("/").status_code == 302


#: The team page with a filter: the user with their memberships; the team joined to its
#: parent; its children; its memberships joined to their people and organisations; the
#: COUNT and the page of actions (joined to owner, district and meeting); the people who
#: may own an action; the status blocks; the milestones; the counters; the districts.
TEAM_PAGE_STATEMENTS = 11
#: The team status page: the team as above (4 with the user), then its section.
TEAM_STATUS_STATEMENTS = 18


def test_team_page_and_team_status_statement_counts_are_fixed(row, client, count_queries):
    team, _action, _coordinator = row
    slug = team.slug
    with count_queries() as listed:
        page = client.get(f"/teams/{slug}?status=open")
    with count_queries() as status:
        status_page = client.get(f"/teams/{slug}/status")
    assert page.status_code == 200 and "Regionale bijeenkomst organiseren" in page.get_data(
        as_text=True)
    assert status_page.status_code == 200
    assert listed.count == TEAM_PAGE_STATEMENTS, "\n".join(listed.statements)
    assert status.count == TEAM_STATUS_STATEMENTS, "\n".join(status.statements)


def test_id_url_writes_the_same_address_as_url_for(app):
    from flask import url_for

    from tracker.urls import id_url

    with app.test_request_context("/", base_url="https://tracker.example/sub"):
        for endpoint, name in [("actions.detail", "action_id"), ("actions.done", "action_id"),
                               ("actions.reopen", "action_id"), ("events.detail", "event_id")]:
            for value in (1, 7, 42, 1234567):
                assert id_url(endpoint, name, value) == url_for(endpoint, **{name: value})
        assert id_url("actions.detail", "action_id", 3).startswith("/sub/")
        # Not an integer: url_for itself answers (and refuses what it refuses).
        assert id_url("actions.detail", "action_id", "12") == url_for("actions.detail",
                                                                        action_id="12")
