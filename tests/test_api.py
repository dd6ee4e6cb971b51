"""The JSON API: tokens (shown once, hashed, expiry, revocation, scope), reads with
pagination and ETag, writes through the pages' services (audit, 409 on a stale version),
JSON errors, no cookie sessions, query counts and the documentation pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.api_helpers import bearer, build_world, make_token
from tests.conftest import csrf_token_for, form_fields_for
from tests.factories import create_action
from tracker.actions.models import Action
from tracker.api.models import ApiScope, ApiToken
from tracker.audit.models import AuditEntry
from tracker.enums import ActionStatus
from tracker.extensions import db
from tracker.formatting import long_date


@pytest.fixture
def world():
    return build_world()


# --- Tokens ----------------------------------------------------------------------------------


def _create_on_page(client, name="Dashboard", scope="read", days=30):
    from tracker.clock import local_today

    return client.post("/account/api-sleutels", data={
        **form_fields_for(client, "/account/api-sleutels"), "name": name, "scope": scope,
        "expires_on": (local_today() + timedelta(days=days)).isoformat()})


def test_token_is_shown_once_and_stored_only_as_a_keyed_hash(world, client, login):
    login(world.people["coordinator_a"])
    response = _create_on_page(client)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    import re

    text = re.search(r'value="(vnon_[A-Za-z0-9_-]{43})"', html).group(1)
    row = db.session.scalar(select(ApiToken))
    assert row.prefix == text[:9] and row.scope == ApiScope.READ
    # No column of the row, and no audit entry, holds the token.
    stored = [str(v) for v in db.session.execute(select(ApiToken.__table__)).one()]
    assert not any(text in value or text[5:] in value for value in stored)
    assert row.token_hash != text and len(row.token_hash) == 64
    journal = " ".join(str(e.after) + str(e.before) + e.summary
                       for e in db.session.scalars(select(AuditEntry)))
    assert text not in journal and text[5:] not in journal
    from tracker.crypto import keyed_hashes

    assert row.token_hash == keyed_hashes(text, "api-token")[0]  # HMAC-SHA-256, data key
    # Shown once: the list page afterwards shows only the prefix.
    again = client.get("/account/api-sleutels").get_data(as_text=True)
    assert text not in again and row.prefix in again
    # And it works.
    assert client.get("/api/v1/status", headers=bearer(text)).status_code == 200


def test_reloading_the_answer_makes_no_second_token(world, client, login):
    """The answer showing the token is the POST's: a reload sends the same form again.
    It makes nothing and says that the token exists and is shown only once."""
    from tracker.clock import local_today

    user = world.people["coordinator_a"]
    login(user)
    form = {**form_fields_for(client, "/account/api-sleutels"), "name": "Dashboard",
            "scope": "read", "expires_on": (local_today() + timedelta(days=30)).isoformat()}
    first = client.post("/account/api-sleutels", data=form)
    assert first.status_code == 200 and "vnon_" in first.get_data(as_text=True)
    again = client.post("/account/api-sleutels", data=form)  # the reload
    assert again.status_code == 200
    html = again.get_data(as_text=True)
    assert "De sleutel “Dashboard” is al gemaakt" in html and "maar één keer getoond" in html
    assert 'href="/account/api-sleutels">Naar uw API-sleutels' in html
    assert 'id="nieuwe-sleutel"' not in html and "Uw nieuwe API-sleutel" not in html
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("api_token.create") == 1
    # Each showing of the form has its own id: filled in again, it makes a second one.
    fresh = {**form, **form_fields_for(client, "/account/api-sleutels")}
    assert fresh["submission"] != form["submission"]
    assert "vnon_" in client.post("/account/api-sleutels", data=fresh).get_data(as_text=True)
    assert db.session.scalar(select(func.count(ApiToken.id))) == 2
    # Without the id (an old page, another program): nothing is made, in Dutch.
    bare = {k: v for k, v in form.items() if k != "submission"}
    for broken in (bare, {**bare, "submission": "kort"}):
        refused = client.post("/account/api-sleutels", data=broken)
        assert refused.status_code == 422
        assert "Laad de pagina opnieuw" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ApiToken.id))) == 2


def test_another_persons_submission_id_names_nothing(world, client, login):
    """A form id is no secret, but the answer to it never names someone else's token."""
    from tracker.clock import local_today

    login(world.people["coordinator_a"])
    form = {**form_fields_for(client, "/account/api-sleutels"), "name": "Geheime naam",
            "scope": "read", "expires_on": (local_today() + timedelta(days=30)).isoformat()}
    assert client.post("/account/api-sleutels", data=form).status_code == 200
    login(world.people["lezer"])
    stolen = {**form, "csrf_token": csrf_token_for(client, "/account/api-sleutels")}
    html = client.post("/account/api-sleutels", data=stolen).get_data(as_text=True)
    assert "Deze sleutel is al gemaakt" in html and "Geheime naam" not in html
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1


def test_token_form_refuses_a_missing_or_too_distant_expiry(world, client, login):
    login(world.people["lezer"])
    assert _create_on_page(client, days=400).status_code == 422
    assert _create_on_page(client, days=0).status_code == 422
    assert _create_on_page(client, name="").status_code == 422
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_the_list_shows_the_last_day_the_form_asked_for(world, client, login):
    """Found by the walk-through: "Geldig tot en met 1 maart" read "2 maart 00:00" in the
    list. The list shows the same last day, and the state decided in code."""
    from tracker.clock import local_today

    login(world.people["coordinator_a"])
    last = local_today() + timedelta(days=30)
    _create_on_page(client, name="Dashboard", days=30)
    page = client.get("/account/api-sleutels").get_data(as_text=True)
    assert "Geldig tot en met" in page and long_date(last) in page
    assert long_date(last + timedelta(days=1)) not in page


def test_expired_revoked_and_deactivated_tokens_answer_401(world, client, login):
    user = world.people["coordinator_a"]
    text = make_token(user)
    assert client.get("/api/v1/teams", headers=bearer(text)).status_code == 200
    row = db.session.scalar(select(ApiToken))
    assert row.last_used_at is not None
    # Expired.
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/teams", headers=bearer(text)).status_code == 401
    row.expires_at = datetime.now(UTC) + timedelta(days=1)
    db.session.commit()
    assert client.get("/api/v1/teams", headers=bearer(text)).status_code == 200
    # Revoked on the page (POST + CSRF).
    login(user)
    token = csrf_token_for(client, "/account/api-sleutels")
    assert client.post(f"/account/api-sleutels/{row.id}/intrekken",
                       data={"csrf_token": token}).status_code == 200
    response = client.get("/api/v1/teams", headers=bearer(text))
    assert response.status_code == 401
    assert response.is_json and response.json["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # A deactivated account's fresh token.
    other = make_token(world.people["lezer"])
    world.people["lezer"].active = False
    db.session.commit()
    assert client.get("/api/v1/teams", headers=bearer(other)).status_code == 401


def test_an_account_that_must_enrol_a_second_factor_is_refused(world, client, app):
    text = make_token(world.people["coordinator_a"])
    app.config["TRACKER_MFA_REQUIRED"] = True
    try:
        response = client.get("/api/v1/teams", headers=bearer(text))
    finally:
        app.config["TRACKER_MFA_REQUIRED"] = False
    assert response.status_code == 401 and "tweestapsverificatie" in response.json["detail"]
    assert client.get("/api/v1/teams", headers=bearer(text)).status_code == 200


def test_revoking_someone_elses_token_is_not_found(world, client, login):
    make_token(world.people["lezer"])
    row = db.session.scalar(select(ApiToken))
    login(world.people["coordinator_a"])
    token = csrf_token_for(client, "/account/api-sleutels")
    assert client.post(f"/account/api-sleutels/{row.id}/intrekken",
                       data={"csrf_token": token}).status_code == 404
    assert db.session.get(ApiToken, row.id).revoked_at is None


def test_revoke_without_csrf_is_refused(world, client, login):
    make_token(world.people["lezer"])
    row = db.session.scalar(select(ApiToken))
    login(world.people["lezer"])
    assert client.post(f"/account/api-sleutels/{row.id}/intrekken").status_code == 400
    assert db.session.get(ApiToken, row.id).revoked_at is None


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer vnon_kapot", "Basic dXNlcjpwdw==",
                                    "Bearer " + "vnon_" + "A" * 43])
def test_missing_or_bad_tokens_answer_json_401(world, client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/actions", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/json"
    assert set(response.json) >= {"status", "title", "detail"}


def test_a_cookie_session_is_not_accepted_on_the_api(world, client, login):
    """Logged in on the pages, but no token: the API answers 401 (so CSRF cannot apply)."""
    login(world.people["beheerder"])
    assert client.get("/api/v1/teams").status_code == 401
    response = client.post(f"/api/v1/actions/{world.ids['action_a']}/complete", json={"version": 1})
    assert response.status_code == 401
    assert db.session.get(Action, world.ids["action_a"]).status == ActionStatus.OPEN
    assert "Set-Cookie" not in client.get("/api/v1/teams").headers


def test_read_scope_token_may_not_write(world, client):
    text = make_token(world.people["coordinator_a"], ApiScope.READ)
    action_id = world.ids["action_a"]
    response = client.post(f"/api/v1/actions/{action_id}/complete", json={"version": 1},
                           headers=bearer(text))
    assert response.status_code == 403 and response.is_json
    assert db.session.get(Action, action_id).status == ActionStatus.OPEN


# --- Reads -----------------------------------------------------------------------------------


def test_lists_are_paged_with_counts_from_sql_and_link_headers(world, client):
    for _ in range(7):
        create_action(world.team_a)
    db.session.commit()
    text = make_token(world.people["beheerder"], ApiScope.READ)
    total = db.session.scalar(select(func.count(Action.id)))
    first = client.get("/api/v1/actions?limit=3", headers=bearer(text))
    assert first.status_code == 200
    assert first.json["meta"] == {"total": total, "limit": 3, "offset": 0}
    assert len(first.json["data"]) == 3
    assert 'rel="next"' in first.headers["Link"] and "offset=3" in first.headers["Link"]
    seen = [a["id"] for a in first.json["data"]]
    offset = 3
    while offset < total:
        page = client.get(f"/api/v1/actions?limit=3&offset={offset}", headers=bearer(text)).json
        seen += [a["id"] for a in page["data"]]
        offset += 3
    assert sorted(seen) == sorted(db.session.scalars(select(Action.id))) and len(set(seen)) == total
    last = client.get(f"/api/v1/actions?limit=3&offset={total - 1}", headers=bearer(text))
    assert 'rel="prev"' in last.headers["Link"] and 'rel="next"' not in last.headers["Link"]
    team = client.get("/api/v1/teams/team-a/actions?limit=2", headers=bearer(text)).json
    assert team["meta"]["total"] == 8


def test_filters_by_team_and_status(world, client):
    create_action(world.team_a, status=ActionStatus.GEREED)
    db.session.commit()
    text = make_token(world.people["lezer"], ApiScope.READ)
    done = client.get("/api/v1/actions?team=team-a&status=gereed", headers=bearer(text)).json
    assert [a["status"] for a in done["data"]] == ["gereed"]
    active = client.get("/api/v1/actions?status=actief", headers=bearer(text)).json
    assert {a["team"]["slug"] for a in active["data"]} == {"team-a", "team-b"}
    assert client.get("/api/v1/actions?status=onzin", headers=bearer(text)).status_code == 422
    assert client.get("/api/v1/actions?team=bestaat-niet", headers=bearer(text)).status_code == 404


def test_partner_sees_only_their_team(world, client):
    text = make_token(world.people["partner_a"], ApiScope.READ)
    teams = client.get("/api/v1/teams", headers=bearer(text)).json
    assert [t["slug"] for t in teams["data"]] == ["team-a"]
    actions = client.get("/api/v1/actions", headers=bearer(text)).json
    assert {a["team"]["slug"] for a in actions["data"]} == {"team-a"}
    assert client.get(f"/api/v1/actions/{world.ids['action_b']}",
                      headers=bearer(text)).status_code == 403
    assert client.get("/api/v1/actions?team=team-b", headers=bearer(text)).status_code == 403
    status = client.get("/api/v1/status", headers=bearer(text)).json
    assert [t["team"]["slug"] for t in status["teams"]] == ["team-a"]


def test_etag_and_if_none_match_give_304(world, client):
    text = make_token(world.people["lezer"], ApiScope.READ)
    first = client.get("/api/v1/actions", headers=bearer(text))
    etag = first.headers["ETag"]
    again = client.get("/api/v1/actions", headers={**bearer(text), "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    create_action(world.team_a)
    db.session.commit()
    changed = client.get("/api/v1/actions", headers={**bearer(text), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_status_calls_the_pages_rollup(world, client):
    """The API's status is the status page's: the same sections, the same rollup."""
    from tracker.auth.permissions import visible_team_ids
    from tracker.status.rollup import network_status
    from tracker.status.routes import current_rows

    overdue = create_action(world.team_b, due_date=datetime(2020, 1, 1).date())
    db.session.commit()
    user = world.people["lezer"]
    text = make_token(user, ApiScope.READ)
    body = client.get("/api/v1/status", headers=bearer(text)).json
    with client.application.test_request_context():
        sections = current_rows(visible_team_ids(user))
        expected = network_status([s.computed for s in sections])
    assert body["network"]["level"] == expected.level.value
    by_slug = {t["team"]["slug"]: t for t in body["teams"]}
    for section in sections:
        assert by_slug[section.slug]["level"] == section.computed.level.value
        assert [r["text"] for r in by_slug[section.slug]["reasons"]] == [
            r.text for r in section.computed.reasons]
    assert by_slug["team-b"]["actions"]["overdue"] == 2  # the factory's 2018 action too
    assert overdue.id
    team = client.get("/api/v1/teams/team-b/status", headers=bearer(text)).json
    assert team == by_slug["team-b"]


def test_milestone_progress_per_municipality(world, client):
    text = make_token(world.people["lezer"], ApiScope.READ)
    body = client.get(f"/api/v1/milestones/{world.ids['milestone_network']}",
                      headers=bearer(text)).json
    assert body["progress"]["done"] == 1 and body["progress"]["total"] == 2
    assert body["progress"]["unit"] == "gemeenten"
    assert [m["done"] for m in body["municipalities"]].count(True) == 1
    assert body["per_district"][0]["done"] == 1 and body["per_district"][0]["total"] == 2
    listed = client.get("/api/v1/milestones", headers=bearer(text)).json
    assert listed["meta"]["total"] == 3


def test_indicator_tables_of_a_team(demo, client):
    from tracker.auth.models import User

    user = db.session.scalar(select(User).where(User.email == "lezer@example.org"))
    text = make_token(user, ApiScope.READ)
    teams = client.get("/api/v1/teams?limit=200", headers=bearer(text)).json["data"]
    found = []
    for team in teams:
        body = client.get(f"/api/v1/teams/{team['slug']}/indicators", headers=bearer(text)).json
        found += [i for g in body["groups"] for i in g["indicators"]]
    assert found, "the demo has indicator tables"
    table = found[0]
    assert table["periods"] and table["rows"]
    assert all(len(r["values"]) == len(table["periods"]) for r in table["rows"])
    assert any(isinstance(v, float) for r in table["rows"] for v in r["values"])


# --- Writes ----------------------------------------------------------------------------------


def test_create_update_complete_reopen_write_audit_entries(world, client):
    text = make_token(world.people["coordinator_a"])
    created = client.post("/api/v1/teams/team-a/actions", headers=bearer(text),
                          json={"title": "Via de API", "due_date": "2030-05-01"})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["title"] == "Via de API" and body["version"] == 1
    assert created.headers["Location"].endswith(f"/api/v1/actions/{body['id']}")
    action_id = body["id"]
    changed = client.patch(f"/api/v1/actions/{action_id}", headers=bearer(text),
                           json={"version": body["version"], "status": "bezig"})
    assert changed.status_code == 200 and changed.json["status"] == "bezig"
    assert changed.json["title"] == "Via de API"  # omitted fields keep their value
    done = client.post(f"/api/v1/actions/{action_id}/complete", headers=bearer(text),
                       json={"version": changed.json["version"]})
    assert done.status_code == 200 and done.json["status"] == "gereed"
    reopened = client.post(f"/api/v1/actions/{action_id}/reopen", headers=bearer(text),
                           json={"version": done.json["version"]})
    assert reopened.status_code == 200 and reopened.json["status"] == "bezig"
    journal = list(db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "actions",
                                        AuditEntry.object_id == action_id).order_by(AuditEntry.id)))
    assert journal == ["action.create", "action.update", "action.complete", "action.reopen"]
    actor = db.session.scalar(select(AuditEntry.actor_id).where(AuditEntry.object_id == action_id)
                              .limit(1))
    assert actor == world.people["coordinator_a"].id


def test_stale_version_answers_409_and_saves_nothing(world, client):
    text = make_token(world.people["coordinator_a"])
    action_id = world.ids["action_a"]
    current = client.get(f"/api/v1/actions/{action_id}", headers=bearer(text)).json
    first = client.patch(f"/api/v1/actions/{action_id}", headers=bearer(text),
                         json={"version": current["version"], "title": "Eerste"})
    assert first.status_code == 200
    stale = client.patch(f"/api/v1/actions/{action_id}", headers=bearer(text),
                         json={"version": current["version"], "title": "Tweede"})
    assert stale.status_code == 409 and stale.is_json
    assert stale.json["current"]["title"] == "Eerste"
    assert stale.json["current"]["version"] == first.json["version"]
    stale_done = client.post(f"/api/v1/actions/{action_id}/complete", headers=bearer(text),
                             json={"version": current["version"]})
    assert stale_done.status_code == 409
    stored = db.session.get(Action, action_id)
    assert stored.title == "Eerste" and stored.status == ActionStatus.OPEN


def test_invalid_writes_answer_422_with_dutch_field_errors(world, client):
    text = make_token(world.people["coordinator_a"])
    missing = client.post("/api/v1/teams/team-a/actions", headers=bearer(text), json={})
    assert missing.status_code == 422
    assert missing.json["errors"] == {"title": "Dit veld is verplicht."}
    wrong_type = client.post("/api/v1/teams/team-a/actions", headers=bearer(text),
                             json={"title": "X", "due_date": "morgen"})
    assert wrong_type.json["errors"] == {"due_date": "Geef een datum als JJJJ-MM-DD."}
    foreign_owner = client.post("/api/v1/teams/team-a/actions", headers=bearer(text),
                                json={"title": "X", "owner_id": world.people["coordinator_b"].id})
    assert foreign_owner.status_code == 422
    assert foreign_owner.json["errors"]["owner_id"] == "Kies een bestaande eigenaar."
    bsn = client.post("/api/v1/teams/team-a/actions", headers=bearer(text),
                      json={"title": "Burger 111222333"})
    assert bsn.status_code == 422
    assert client.post("/api/v1/teams/team-a/actions", headers={
        **bearer(text), "Content-Type": "application/json"}, data="{kapot").status_code in (400, 422)
    assert db.session.scalar(select(func.count(Action.id))) == 2


def test_bodies_no_parser_or_database_can_take_answer_4xx_not_500(world, client):
    """Found by the walk-through: a 5,000-digit number (Python's int limit), a lone
    surrogate (not storable as UTF-8) and a fractional version (read as its floor)."""
    text = make_token(world.people["coordinator_a"])
    action_id = world.ids["action_a"]
    version = client.get(f"/api/v1/actions/{action_id}", headers=bearer(text)).json["version"]
    headers = {**bearer(text), "Content-Type": "application/json"}
    long_number = client.post(f"/api/v1/actions/{action_id}/complete", headers=headers,
                              data='{"version": ' + "9" * 5000 + "}")
    assert long_number.status_code == 400 and long_number.is_json
    for path, method, body in [
        ("/api/v1/teams/team-a/actions", "POST", '{"title": "\\ud800x"}'),
        (f"/api/v1/actions/{action_id}", "PATCH",
         '{"version": ' + str(version) + ', "description": "\\ud800"}'),
    ]:
        response = client.open(path, method=method, headers=headers, data=body)
        assert response.status_code == 422 and response.is_json, (path, response.status_code)
    fraction = client.post(f"/api/v1/actions/{action_id}/complete", headers=bearer(text),
                           json={"version": version + 0.5})
    assert fraction.status_code == 422
    stored = db.session.get(Action, action_id)
    assert stored.status == ActionStatus.OPEN and stored.version == version


def test_writes_follow_the_team_edit_rule(world, client):
    for who, expected in (("coordinator_b", 403), ("lezer", 403), ("bestuurder", 403),
                          ("trekker_a", 200), ("beheerder", 200)):
        action = db.session.get(Action, world.ids["action_a"])
        if action.status == ActionStatus.GEREED:
            action.status = ActionStatus.OPEN
            db.session.commit()
        text = make_token(world.people[who])
        response = client.post(f"/api/v1/actions/{world.ids['action_a']}/complete",
                               headers=bearer(text), json={"version": action.version})
        assert response.status_code == expected, who


def test_unknown_api_urls_and_methods_answer_json(world, client):
    text = make_token(world.people["lezer"], ApiScope.READ)
    missing = client.get("/api/v1/bestaat-niet", headers=bearer(text))
    assert missing.status_code == 404 and missing.is_json
    wrong = client.delete("/api/v1/teams", headers=bearer(text))
    assert wrong.status_code in (401, 403, 405) and wrong.is_json
    gone = client.get("/api/v1/actions/999999", headers=bearer(text))
    assert gone.status_code == 404 and gone.is_json


# --- Query counts (no N+1) -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/actions", "/api/v1/teams", "/api/v1/milestones",
                                  "/api/v1/pilots", "/api/v1/meetings", "/api/v1/status"])
def test_list_endpoints_use_a_fixed_number_of_queries(world, client, count_queries, path):
    text = make_token(world.people["beheerder"], ApiScope.READ)
    client.get(path, headers=bearer(text))  # warm: last_used_at written
    with count_queries() as few:
        assert client.get(path, headers=bearer(text)).status_code == 200
    _more_of_everything(world, owner=world.people["coordinator_a"])
    with count_queries() as many:
        assert client.get(path, headers=bearer(text)).status_code == 200
    assert many.count == few.count, (few.statements, many.statements)
    # The status is the status page's own computation (its sections load in fixed queries).
    assert few.count <= (20 if path.endswith("/status") else 8)


def _more_of_everything(world, owner) -> None:
    """Six more actions (with an owner), pilots, meetings and milestones per team."""
    from datetime import date

    from tracker.enums import EventStatus, MilestoneKind, PilotStatus
    from tracker.events.models import Event
    from tracker.milestones.models import Milestone
    from tracker.pilots.models import Pilot

    for n in range(6):
        for team in (world.team_a, world.team_b):
            create_action(team, owner_id=owner.id)
            db.session.add_all([
                Pilot(team=team, title=f"Extra pilot {n}", status=PilotStatus.GEPLAND),
                Event(team=team, title=f"Extra overleg {n}", status=EventStatus.CONCEPT),
                Milestone(team=team, title=f"Extra mijlpaal {n}", kind=MilestoneKind.MIJLPAAL,
                          due_date=date(2031, 1, 1 + n)),
            ])
    db.session.commit()


# --- Rate limit ------------------------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after(world, database_url):
    from tests.conftest import IsolatedRequestClient
    from tracker import create_app

    app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                      "TRACKER_API_RATELIMIT_ENABLED": True,
                      "TRACKER_API_RATE_LIMIT": "3 per minute"})
    app.test_client_class = IsolatedRequestClient
    client = app.test_client()
    text = make_token(world.people["lezer"], ApiScope.READ)
    other = make_token(world.people["beheerder"], ApiScope.READ)
    try:
        codes = [client.get("/api/v1/teams", headers=bearer(text)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = client.get("/api/v1/status", headers=bearer(text))
        assert refused.status_code == 429 and refused.is_json
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        # Per token: another token still gets through; pages are not limited.
        assert client.get("/api/v1/teams", headers=bearer(other)).status_code == 200
        assert client.get("/inloggen").status_code == 200
    finally:
        with app.app_context():  # this second app's connections (PostgreSQL) end here
            db.session.remove()
            db.engine.dispose()


# --- Documentation ---------------------------------------------------------------------------


def test_openapi_document_lists_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, item in spec["paths"].items()
                  for method in item if method in ("get", "post", "patch", "put", "delete")}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule
            for arg in rule.arguments:
                path = path.replace(f"<int:{arg}>", f"{{{arg}}}").replace(f"<{arg}>", f"{{{arg}}}")
            routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routes
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_docs_page_is_rendered_from_the_spec_without_scripts(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script" not in html.split("</header>")[-1]
    for text in ("/api/v1/actions/{action_id}", "Authorization: Bearer", "If-None-Match",
                 "Retry-After", "Een actie wijzigen", "ActionUpdate"):
        assert text in html
    # The walk-through read raw reStructuredText marks and English library phrases.
    assert "``" not in html and "Unprocessable Entity" not in html
    assert "Default error response" not in html


def test_token_page_uses_a_fixed_number_of_queries(world, client, login, count_queries):
    user = world.people["lezer"]
    make_token(user)
    login(user)
    client.get("/account/api-sleutels")
    with count_queries() as few:
        assert client.get("/account/api-sleutels").status_code == 200
    for _ in range(5):
        make_token(user, ApiScope.READ)
    with count_queries() as many:
        html = client.get("/account/api-sleutels").get_data(as_text=True)
    assert many.count == few.count
    assert html.count("Intrekken<span") == 6
