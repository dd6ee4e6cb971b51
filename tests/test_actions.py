"""Actions: services without HTTP, then every endpoint by role, htmx and no-JS paths."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_for
from tests.factories import add_member, create_action, create_team, create_user
from tracker.actions.models import Action, ActionComment
from tracker.actions.services import (
    ActionInput,
    add_comment,
    complete_action,
    reopen_action,
    update_action,
)
from tracker.audit.models import AuditEntry
from tracker.concurrency import ConflictError
from tracker.enums import ActionStatus, Role, TeamRole
from tracker.extensions import db
from tracker.validation import ValidationError

NOW = datetime(2018, 2, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def world():
    team = create_team(slug="verwarde-personen", name="Expertteam Verwarde personen",
                       short_name="Verwarde personen")
    other = create_team(slug="jeugd")
    people = {
        "coordinator": create_user(role=Role.COORDINATOR, name="Co Ordinator"),
        "other_coordinator": create_user(role=Role.COORDINATOR),
        "bestuurder": create_user(role=Role.BESTUURDER),
        "lezer": create_user(role=Role.LEZER),
        "beheerder": create_user(role=Role.BEHEERDER),
    }
    add_member(team, people["coordinator"], TeamRole.COORDINATOR)
    add_member(other, people["other_coordinator"], TeamRole.TREKKER)
    action = create_action(team, title="Regionale bijeenkomst organiseren",
                           owner=people["coordinator"], due_date=date(2018, 3, 7))
    db.session.commit()
    return team, action, people


# --- services -----------------------------------------------------------------------

def test_complete_and_reopen_write_audit_entries(world):
    _, action, people = world
    assert complete_action(action, expected_version=1, actor=people["coordinator"], now=NOW)
    assert action.status == ActionStatus.GEREED and action.completed_at == NOW
    assert action.completed_by_id == people["coordinator"].id
    assert reopen_action(action, expected_version=2, actor=people["coordinator"], now=NOW)
    assert action.status == ActionStatus.OPEN and action.completed_at is None
    db.session.commit()
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "actions").order_by(AuditEntry.id)).all()
    assert actions == ["action.complete", "action.reopen"]


def test_completing_twice_is_idempotent(world):
    _, action, people = world
    assert complete_action(action, expected_version=1, actor=people["coordinator"], now=NOW)
    # The second click carries the old version; the action is done already: no error, no change.
    assert not complete_action(action, expected_version=1, actor=people["coordinator"], now=NOW)
    assert action.version == 2


def test_stale_version_is_refused_and_nothing_changes(world):
    _, action, people = world
    data = ActionInput(title="Nieuw", description="", owner_id=None, due_date=None,
                       status=ActionStatus.OPEN, milestone_id=None, district_id=None)
    update_action(action, data, expected_version=1, actor=people["coordinator"], now=NOW)
    db.session.commit()
    with pytest.raises(ConflictError):
        complete_action(action, expected_version=1, actor=people["beheerder"], now=NOW)
    with pytest.raises(ConflictError):
        update_action(action, data, expected_version=None, actor=people["beheerder"], now=NOW)
    db.session.rollback()
    assert db.session.get(Action, action.id).status == ActionStatus.OPEN


def test_update_records_only_the_changed_fields(world):
    _, action, people = world
    data = ActionInput(title=action.title, description="Met toelichting", owner_id=action.owner_id,
                       due_date=action.due_date, status=ActionStatus.BEZIG, milestone_id=None,
                       district_id=None)
    update_action(action, data, expected_version=1, actor=people["coordinator"], now=NOW)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "action.update"))
    assert entry.before == {"description": "", "status": "open"}
    assert entry.after == {"description": "Met toelichting", "status": "bezig"}


def test_comment_with_a_bsn_is_refused(world):
    _, action, people = world
    with pytest.raises(ValidationError, match="burgerservicenummer"):
        add_comment(action, "Zie cliënt 111222333", actor=people["coordinator"], now=NOW)
    add_comment(action, "Zie https://example.org", actor=people["coordinator"], now=NOW)
    assert db.session.scalar(select(func.count(ActionComment.id))) == 1


# --- routes ---------------------------------------------------------------------------

ROLES = ["coordinator", "other_coordinator", "bestuurder", "lezer", "anonymous"]
MAY_EDIT = {"coordinator"}


def _as(client, login, people, who):
    if who != "anonymous":
        login(people[who])


def _post(client, path, data=None, **kwargs):
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token_for(client)
    return client.post(path, data=payload, **kwargs)


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("verb", ["done", "cancel"])
def test_status_endpoints_by_role(world, client, login, who, verb):
    _, action, people = world
    _as(client, login, people, who)
    response = _post(client, f"/actions/{action.id}/{verb}", {"version": 1})
    db.session.expire_all()
    status = db.session.get(Action, action.id).status
    if who in MAY_EDIT:
        assert response.status_code == 303
        assert status != ActionStatus.OPEN
    else:
        assert response.status_code == (302 if who == "anonymous" else 403)
        assert status == ActionStatus.OPEN
        assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


@pytest.mark.parametrize("who", ROLES)
def test_create_and_edit_by_role(world, client, login, who):
    team, action, people = world
    _as(client, login, people, who)
    form = {"title": "Nieuwe actie", "status": "open", "due_date": "2018-04-01"}
    created = _post(client, f"/teams/{team.slug}/actions", form)
    edited = _post(client, f"/actions/{action.id}", {**form, "title": "Gewijzigd", "version": 1})
    page = client.get(f"/teams/{team.slug}/actions/new")
    count = db.session.scalar(select(func.count(Action.id)))
    if who in MAY_EDIT:
        assert (created.status_code, edited.status_code, page.status_code) == (303, 303, 200)
        assert count == 2
    else:
        expected = 302 if who == "anonymous" else 403
        assert {created.status_code, edited.status_code, page.status_code} == {expected}
        assert count == 1
        assert db.session.get(Action, action.id).title == "Regionale bijeenkomst organiseren"


@pytest.mark.parametrize("who", ROLES)
def test_comments_by_role(world, client, login, who):
    _, action, people = world
    _as(client, login, people, who)
    response = _post(client, f"/actions/{action.id}/comments", {"text": "Goed idee"})
    n = db.session.scalar(select(func.count(ActionComment.id)))
    if who in ("coordinator", "other_coordinator", "bestuurder"):
        assert response.status_code == 303 and n == 1
    else:
        assert response.status_code in (302, 403) and n == 0


def test_done_with_htmx_returns_only_the_row_and_triggers_counters(world, client, login):
    _, action, people = world
    login(people["coordinator"])
    response = _post(client, f"/actions/{action.id}/done", {"version": 1},
                     headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith("<tr")
    assert "Ongedaan maken" in html and "autofocus" in html
    assert 'hx-swap-oob="true"' in html and "is gereed gemeld" in html
    assert "HX-Request" in response.headers["Vary"]
    assert "actions-changed" in response.headers["HX-Trigger"]
    # Undo from the swapped row:
    undo = _post(client, f"/actions/{action.id}/reopen", {"version": 2},
                 headers={"HX-Request": "true"})
    assert undo.status_code == 200 and "Gereed" in undo.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == ActionStatus.OPEN


def test_done_without_javascript_redirects_back_with_a_message(world, client, login):
    team, action, people = world
    login(people["coordinator"])
    response = _post(client, f"/actions/{action.id}/done",
                     {"version": 1, "next": f"/teams/{team.slug}?status=actief"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/teams/{team.slug}?status=actief"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is gereed gemeld" in page


def test_hostile_next_is_ignored(world, client, login):
    team, action, people = world
    login(people["coordinator"])
    response = _post(client, f"/actions/{action.id}/done", {"version": 1, "next": "//evil.example"})
    assert response.headers["Location"] == f"/teams/{team.slug}"


def test_double_click_on_done_is_harmless(world, client, login):
    _, action, people = world
    login(people["coordinator"])
    first = _post(client, f"/actions/{action.id}/done", {"version": 1},
                  headers={"HX-Request": "true"})
    second = _post(client, f"/actions/{action.id}/done", {"version": 1},
                   headers={"HX-Request": "true"})
    assert (first.status_code, second.status_code) == (200, 200)
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "action.complete")) == 1


def test_stale_completion_answers_409_and_shows_the_other_change(world, client, login):
    _, action, people = world
    login(people["coordinator"])
    _post(client, f"/actions/{action.id}", {"title": "Door collega hernoemd", "status": "bezig",
                                            "version": 1})
    response = _post(client, f"/actions/{action.id}/cancel", {"version": 1},
                     headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "niet opgeslagen" in html and "Co Ordinator" in html and "Door collega hernoemd" in html
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == ActionStatus.BEZIG
    page = _post(client, f"/actions/{action.id}/done", {"version": 1})
    assert page.status_code == 409 and "Niet opgeslagen" in page.get_data(as_text=True)


def test_stale_edit_answers_409_keeps_both_versions(world, client, login):
    _, action, people = world
    login(people["coordinator"])
    base = {"base_title": action.title, "base_status": "open", "base_description": ""}
    _post(client, f"/actions/{action.id}", {"title": "Eerste versie", "status": "open",
                                            "version": 1, **base})
    response = _post(client, f"/actions/{action.id}", {"title": "Mijn versie", "status": "open",
                                                       "version": 1, **base})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "“Eerste versie”" in html and 'value="Mijn versie"' in html
    db.session.expire_all()
    assert db.session.get(Action, action.id).title == "Eerste versie"


def test_saving_after_a_conflict_keeps_the_colleagues_other_changes(world, client, login):
    _, action, people = world
    login(people["coordinator"])
    form = client.get(f"/actions/{action.id}/edit").get_data(as_text=True)
    assert 'name="base_title" value="Regionale bijeenkomst organiseren"' in form
    base = {"base_title": action.title, "base_status": "open", "base_description": "",
            "base_due_date": "2018-03-07", "base_owner_id": str(people["coordinator"].id)}
    # A colleague renames the action first.
    _post(client, f"/actions/{action.id}", {
        "title": "Door collega hernoemd", "status": "open", "due_date": "2018-03-07",
        "owner_id": people["coordinator"].id, "version": 1, **base})
    # I, with the old form, only add a description.
    conflict = _post(client, f"/actions/{action.id}", {
        "title": action.title, "description": "Mijn toelichting", "status": "open",
        "due_date": "2018-03-07", "owner_id": people["coordinator"].id, "version": 1, **base})
    html = conflict.get_data(as_text=True)
    assert conflict.status_code == 409
    assert 'value="Door collega hernoemd"' in html and "Mijn toelichting" in html
    assert "U hebt allebei" not in html  # no field was changed by both
    # Saving the merged form keeps both changes.
    merged = {k: v for k, v in _form_fields(html).items()}
    assert _post(client, f"/actions/{action.id}", merged).status_code == 303
    db.session.expire_all()
    saved = db.session.get(Action, action.id)
    assert (saved.title, saved.description) == ("Door collega hernoemd", "Mijn toelichting")


def _form_fields(html: str) -> dict[str, str]:
    import re

    fields = dict(re.findall(r'<input[^>]* name="([a-z_]+)"[^>]* value="([^"]*)"', html))
    fields.update(re.findall(r'<textarea[^>]* name="([a-z_]+)"[^>]*>([^<]*)</textarea>', html))
    for name, body in re.findall(r'<select[^>]* name="([a-z_]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        fields[name] = chosen.group(1) if chosen else ""
    fields.pop("csrf_token", None)
    return fields


def test_undo_of_done_restores_bezig(world, client, login):
    _, action, people = world
    action.status = ActionStatus.BEZIG
    db.session.commit()
    login(people["coordinator"])
    done = _post(client, f"/actions/{action.id}/done", {"version": 2}, headers={"HX-Request": "true"})
    assert done.status_code == 200, done.get_data(as_text=True)
    undo = _post(client, f"/actions/{action.id}/reopen", {"version": 3},
                 headers={"HX-Request": "true"})
    assert undo.status_code == 200
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == ActionStatus.BEZIG


def test_back_button_history_restore_gets_the_whole_page(world, client, login):
    team, _, people = world
    login(people["lezer"])
    restore = client.get(f"/teams/{team.slug}?q=x", headers={
        "HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)
    sort = client.get(f"/teams/{team.slug}?sort=titel", headers={
        "HX-Request": "true", "HX-Target": "acties-sectie"})
    assert "<html" in sort.get_data(as_text=True)  # hx-select picks the section from it


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Titel is verplicht"),
        ("title", "   ", "Titel is verplicht"),
        ("title", "x" * 201, "hoogstens 200"),
        ("title", "x" * 2010, "hoogstens 200"),
        ("title", "a\x00b", "stuurtekens"),
        ("title", "a\r\nb", "regelovergang"),
        ("title", "a\u202eb", "tekstrichting"),
        ("due_date", "2018-02-30", "geen bestaande datum"),
        ("due_date", "31-02-2018", "geen bestaande datum"),
        ("due_date", "morgen", "geen bestaande datum"),
        ("due_date", "1900-01-01", "tussen 2013 en 2100"),
        ("status", "klaar", "bestaande status"),
        ("owner_id", "999999", "bestaande eigenaar"),
        ("owner_id", "abc", "bestaande eigenaar"),
        ("description", "burger 111222333", "burgerservicenummer"),
    ],
)
def test_bad_input_gets_a_dutch_message_and_saves_nothing(world, client, login, field, value,
                                                        message):
    team, _, people = world
    login(people["coordinator"])
    form = {"title": "Goede titel", "status": "open", field: value}
    response = _post(client, f"/teams/{team.slug}/actions", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Action.id))) == 1


@pytest.mark.parametrize("value", ["<script>alert(1)</script>",
                                   '<a hx-post="/x" href="javascript:alert(1)">x</a>'])
def test_markup_is_stored_inert_and_escaped(world, client, login, value):
    team, _, people = world
    login(people["coordinator"])
    _post(client, f"/teams/{team.slug}/actions", {"title": value, "status": "open"})
    assert db.session.scalar(select(Action).where(Action.title == value)) is not None
    html = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    assert value not in html and "&lt;" in html


def test_template_syntax_is_shown_literally(world, client, login):
    team, _, people = world
    login(people["coordinator"])
    _post(client, f"/teams/{team.slug}/actions", {"title": "Som {{7*7}} klaar", "status": "open"})
    html = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    assert "Som {{7*7}} klaar" in html and "Som 49 klaar" not in html


def test_unknown_and_foreign_ids(world, client, login):
    _, action, people = world
    login(people["coordinator"])
    assert client.get("/actions/999999").status_code == 404
    assert _post(client, "/actions/999999/done", {"version": 1}).status_code == 404
    foreign = create_action(create_team(slug="ander"), title="Van een ander team")
    db.session.commit()
    assert _post(client, f"/actions/{foreign.id}/done", {"version": 1}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Action, foreign.id).status == ActionStatus.OPEN


def test_detail_shows_history_and_comments_with_safe_links(world, client, login):
    _, action, people = world
    login(people["coordinator"])
    _post(client, f"/actions/{action.id}", {"title": action.title, "status": "bezig",
                                            "owner_id": people["coordinator"].id, "version": 1})
    _post(client, f"/actions/{action.id}/comments",
          {"text": "Verslag: https://example.org/verslag <b>vet</b>"})
    html = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Status: Open → Bezig" in html
    assert 'href="https://example.org/verslag"' in html and "&lt;b&gt;vet&lt;/b&gt;" in html


# --- the team list ----------------------------------------------------------------------

def _fill(team, n, owner):
    for i in range(n):
        create_action(team, title=f"Actie {i:03d} {'pilot' if i % 2 else 'overleg'}",
                      owner=owner if i % 3 else None,
                      due_date=date(2018, 1 + i % 12, 1 + i % 28),
                      status=[ActionStatus.OPEN, ActionStatus.BEZIG, ActionStatus.GEREED][i % 3])
    db.session.commit()


def test_filters_search_sort_and_pagination(world, client, login):
    team, _, people = world
    _fill(team, 60, people["coordinator"])
    login(people["lezer"])
    html = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    assert "61 acties" in html and "Acties 1–25 van 61" in html
    assert "pagina 1 van 3" in html and 'aria-label="Paginering"' in html
    html = client.get(f"/teams/{team.slug}?pagina=3").get_data(as_text=True)
    assert "Acties 51–61 van 61" in html and "pagina 3 van 3" in html
    assert len(re.findall(r'id="actie-\d+"', html)) == 11
    html = client.get(f"/teams/{team.slug}?q=PILOT&status=gereed").get_data(as_text=True)
    expected = sum(1 for i in range(60) if i % 2 and i % 3 == 2)
    assert f"{expected} acties gevonden" in html
    html = client.get(f"/teams/{team.slug}?owner=geen&pagina=2").get_data(as_text=True)
    assert "20 acties gevonden" in html and "Paginering" not in html  # one page: no pager
    fragment = client.get(f"/teams/{team.slug}?sort=titel&q=actie 00",
                          headers={"HX-Request": "true", "HX-Target": "acties-lijst"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.index("Actie 000") < body.index("Actie 009")
    assert "HX-Request" in fragment.headers["Vary"]


@pytest.mark.parametrize("query", ["status=xx", "pagina=-1", "pagina=abc", "pagina=%D9%A1",
                                   "pagina=99999999999999999999", "sort=drop", "due=ooit",
                                   "owner=<script>", "district=1;drop", "q=" + "x" * 500])
def test_garbage_filters_fall_back_to_defaults(world, client, login, query):
    team, _, people = world
    login(people["lezer"])
    assert client.get(f"/teams/{team.slug}?{query}").status_code == 200


def test_due_window_filter(world, client, login):
    team, _, people = world
    login(people["lezer"])
    html = client.get(f"/teams/{team.slug}?due=te-laat").get_data(as_text=True)
    assert "1 actie gevonden" in html  # 7 maart 2018 is long past


def test_team_list_query_count_is_fixed(world, client, login, count_queries):
    team, _, people = world
    login(people["lezer"])
    with count_queries() as small:
        client.get(f"/teams/{team.slug}")
    _fill(team, 80, people["coordinator"])
    with count_queries() as large:
        client.get(f"/teams/{team.slug}")
    assert small.count == large.count


def test_csv_export(world, client, login):
    team, _, people = world
    create_action(team, title="=HYPERLINK(\"http://evil\")", owner=people["coordinator"])
    db.session.commit()
    login(people["lezer"])
    response = client.get(f"/teams/{team.slug}/actions.csv?q=hyperlink")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Nummer;Titel;")
    assert len(lines) == 2 and ';"\'=HYPERLINK' in lines[1]


def test_my_work_groups_the_users_actions(world, client, login):
    team, action, people = world
    me = people["coordinator"]
    create_action(team, title="Zonder datum", owner=me, due_date=None)
    done = create_action(team, title="Net klaar", owner=me, status=ActionStatus.GEREED)
    done.completed_at = datetime.now(UTC)
    create_action(team, title="Van een ander", owner=people["lezer"])
    db.session.commit()
    login(me)
    html = client.get("/mijn-werk").get_data(as_text=True)
    assert "Regionale bijeenkomst organiseren" in html and "Zonder datum" in html
    assert "Net klaar" in html and "Van een ander" not in html
    assert html.index("Te laat") < html.index("Regionale bijeenkomst") < html.index("Later")


def test_a_refused_comment_keeps_the_text_at_its_field(world, client, login):
    _, action, people = world
    login(people["coordinator"])
    typed = "Melding 111.222.333 besproken met de wijkagent"
    response = _post(client, f"/actions/{action.id}/comments", {"text": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" in html and typed in html
    assert 'id="veld-text-fout"' in html and 'aria-invalid="true"' in html
    assert db.session.scalar(select(func.count(ActionComment.id))) == 0


def test_a_refused_comment_with_htmx_returns_the_section_with_the_text(world, client, login):
    _, action, people = world
    login(people["coordinator"])
    typed = "Melding 111.222.333 besproken"
    headers = {"HX-Request": "true", "HX-Target": "reacties"}
    response = _post(client, f"/actions/{action.id}/comments", {"text": typed}, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in html and html.lstrip().startswith('<section aria-labelledby')
    assert typed in html and 'id="veld-text-fout"' in html
    placed = _post(client, f"/actions/{action.id}/comments", {"text": "Goed idee"},
                   headers=headers)
    html = placed.get_data(as_text=True)
    assert placed.status_code == 200 and "Reactie geplaatst." in html and "Goed idee" in html
    assert "<textarea" in html and "Goed idee</textarea>" not in html
