"""Search (/zoeken): Dutch stems and prefixes on both databases, permission scope, the index
kept in step (edit, delete, AVG erasure), hostile queries, a fixed number of statements."""

from __future__ import annotations

from datetime import date

import pytest
from flask import current_app
from sqlalchemy import func, select

from tests.factories import add_member, create_action, create_item, create_team, create_user
from tracker.actions.models import ActionComment
from tracker.db import utcnow
from tracker.enums import MilestoneKind, PilotStatus, Role, TeamRole
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.milestones.models import Milestone
from tracker.network.models import Organisation
from tracker.pilots.models import Pilot
from tracker.search.indexing import rebuild
from tracker.search.models import SearchDocument
from tracker.search.queries import PER_KIND, search
from tracker.search.text import fts5_match, parse_query, stem


def _found(user, q, kind=None) -> dict[str, list[str]]:
    """{kind: [plain headings + snippets]} of what ``user`` finds for ``q``."""
    with current_app.test_request_context():
        results = search(user, q, kind=kind)
    return {g.kind: [f"{h.heading.striptags()} {h.snippet.striptags()}" for h in g.hits]
            for g in results.groups}


def _flat(user, q) -> str:
    return " | ".join(" | ".join(v) for v in _found(user, q).values())


# --- Stems and prefixes ----------------------------------------------------------------

def test_the_stemmer_conflates_the_chosen_examples():
    """The examples below rely on these (Snowball's Dutch, as PostgreSQL's 'dutch')."""
    assert stem("gemeenten") == stem("gemeente")
    assert stem("bijeenkomsten") == stem("bijeenkomst")
    assert stem("aanpakken") == stem("aanpak")
    assert stem("woninginbraken") == stem("woninginbraak")


def test_search_finds_by_stem(app):
    team = create_team()
    beheerder = create_user(role=Role.BEHEERDER)
    create_action(team, title="Woninginbraak aanpakken", description="Samen met de gemeente.")
    db.session.commit()
    assert "Woninginbraak" in _flat(beheerder, "woninginbraken")
    assert "Woninginbraak" in _flat(beheerder, "aanpak woninginbraken")
    assert "Woninginbraak" in _flat(beheerder, "gemeenten aanpak")
    assert _found(beheerder, "fietsendiefstal") == {}


def test_search_finds_by_prefix_while_typing(app):
    team = create_team()
    beheerder = create_user(role=Role.BEHEERDER)
    create_action(team, title="Regionale bijeenkomsten plannen")
    db.session.commit()
    for typed in ("bij", "bijeen", "bijeenko", "regionale bijeenk"):
        assert "Regionale" in _flat(beheerder, typed), typed
    assert _found(beheerder, "bijeenx") == {}


def test_every_kind_is_found_and_highlighted(app):
    team = create_team(short_name="Team Zorg")
    beheerder = create_user(role=Role.BEHEERDER)
    organisation = Organisation(slug="gemeente-zwolle", name="Gemeente Zwolle",
                                kind="gemeente")
    db.session.add(organisation)
    person = create_user(name="Ria Zeldzaamheid", title="wijkregisseur",
                         organisation=organisation)
    add_member(team, person)
    action = create_action(team, title="Actie met kwartiermaker")
    db.session.add(ActionComment(action=action, text="De kwartiermaker belt morgen."))
    db.session.add(Pilot(team=team, title="Pilot kwartiermaker", status=PilotStatus.LOPEND))
    create_item(team, text="Een kwartiermaker is aangesteld.")
    db.session.add(Milestone(team=None, title="Kwartiermaker benoemd", kind=MilestoneKind.DEADLINE,
                             due_date=date(2018, 10, 1)))
    db.session.add(Event(team=team, title="Overleg kwartiermakers", location="Zwolle"))
    db.session.commit()
    found = _found(beheerder, "kwartiermaker")
    assert set(found) == {"action", "comment", "pilot", "item", "milestone", "event"}
    assert "Ria Zeldzaamheid" in _flat(beheerder, "zeldzaamheid")
    assert "wijkregisseur" in _flat(beheerder, "wijkregisseurs")
    assert "Gemeente Zwolle" in _flat(beheerder, "zwolle")
    with current_app.test_request_context():
        results = search(beheerder, "kwartiermakers")
    action_hit = results.groups[0].hits[0]
    assert str(action_hit.heading) == "Actie met <mark>kwartiermaker</mark>"


# --- Permission scope --------------------------------------------------------------------

@pytest.fixture
def two_teams(app):
    """Team A holds the word "zeppelinhaven" in every kind; team B's people search."""
    team_a = create_team(short_name="Team A")
    team_b = create_team(short_name="Team B")
    hidden = create_user(name="Zeppelinhaven Verborgen", role=Role.PARTNER)
    add_member(team_a, hidden, TeamRole.LID)
    action = create_action(team_a, title="Zeppelinhaven beveiligen")
    db.session.add(ActionComment(action=action, text="Over de zeppelinhaven."))
    db.session.add(Pilot(team=team_a, title="Zeppelinhaven pilot", status=PilotStatus.LOPEND))
    create_item(team_a, text="Zeppelinhaven is veilig.")
    db.session.add(Milestone(team=team_a, title="Zeppelinhaven klaar",
                             kind=MilestoneKind.DEADLINE, due_date=date(2018, 10, 1)))
    db.session.add(Event(team=team_a, title="Zeppelinhaven overleg"))
    people = {
        "partner": create_user(role=Role.PARTNER),
        "lezer": create_user(role=Role.LEZER),
        "coordinator": create_user(role=Role.COORDINATOR),
        "beheerder": create_user(role=Role.BEHEERDER),
    }
    for role in ("partner", "lezer", "coordinator"):
        add_member(team_b, people[role], TeamRole.COORDINATOR if role == "coordinator"
                   else TeamRole.LID)
    db.session.commit()
    return people


ALL_KINDS = {"action", "comment", "pilot", "item", "milestone", "event", "person"}


def test_a_partner_of_another_team_finds_nothing_of_team_a(two_teams):
    assert _found(two_teams["partner"], "zeppelinhaven") == {}
    assert _found(two_teams["partner"], "zeppelinhav") == {}
    for kind in ALL_KINDS:
        assert _found(two_teams["partner"], "zeppelinhaven", kind=kind) == {}


@pytest.mark.parametrize("role", ["beheerder", "lezer", "coordinator"])
def test_roles_that_see_every_team_find_all_of_team_a(two_teams, role):
    """permissions.visible_team_ids: only partners are limited to their own teams."""
    assert set(_found(two_teams[role], "zeppelinhaven")) == ALL_KINDS


def test_a_partner_finds_a_meeting_they_are_invited_to(two_teams):
    partner = two_teams["partner"]
    meeting = db.session.scalar(select(Event).where(Event.title == "Zeppelinhaven overleg"))
    db.session.add(Invitation(event=meeting, user=partner))
    db.session.commit()
    assert set(_found(partner, "zeppelinhaven")) == {"event"}


def test_network_wide_milestones_are_found_by_partners(two_teams):
    db.session.add(Milestone(team=None, title="Zeppelinhaven netwerkbreed",
                             kind=MilestoneKind.DEADLINE, due_date=date(2018, 10, 1)))
    db.session.commit()
    assert _found(two_teams["partner"], "zeppelinhaven") == {
        "milestone": ["Zeppelinhaven netwerkbreed "]}


def test_email_addresses_are_found_by_the_beheerder_only(two_teams):
    create_user(name="Adres Persoon", email="unieke-zoeker@example.org", role=Role.LEZER)
    person = db.session.scalar(select(SearchDocument.ref_id).where(
        SearchDocument.title == "Adres Persoon"))
    from tracker.network.models import Team, TeamMembership
    team_b = db.session.scalar(select(Team).where(Team.short_name == "Team B"))
    db.session.add(TeamMembership(team=team_b, user_id=person, role=TeamRole.LID))
    db.session.commit()
    assert "Adres Persoon" in _flat(two_teams["beheerder"], "unieke-zoeker")
    assert "Adres Persoon" in _flat(two_teams["lezer"], "adres persoon")
    assert _found(two_teams["lezer"], "unieke-zoeker") == {}
    assert _found(two_teams["partner"], "unieke-zoeker") == {}


def test_the_page_shows_nothing_of_team_a_to_the_partner(two_teams, client, login):
    login(two_teams["partner"])
    response = client.get("/zoeken?q=zeppelinhaven")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Geen resultaten voor „zeppelinhaven”" in html
    assert "beveiligen" not in html
    login(two_teams["beheerder"])
    html = client.get("/zoeken?q=zeppelinhaven").get_data(as_text=True)
    assert "<mark>Zeppelinhaven</mark> beveiligen" in html


# --- The index in step -------------------------------------------------------------------

def test_an_edit_and_a_delete_update_the_index(app):
    team = create_team()
    beheerder = create_user(role=Role.BEHEERDER)
    action = create_action(team, title="Ondermijning bestrijden")
    db.session.add(ActionComment(action=action, text="Goed plan."))
    db.session.commit()
    assert "Ondermijning" in _flat(beheerder, "ondermijning")
    action.title = "Jeugdcriminaliteit bestrijden"
    db.session.commit()
    assert _found(beheerder, "ondermijning") == {}
    assert "Jeugdcriminaliteit" in _flat(beheerder, "jeugdcriminaliteit")
    # The comment shows its action's new title.
    assert "Reactie bij Jeugdcriminaliteit bestrijden" in _flat(beheerder, "plan")
    db.session.delete(action)
    db.session.commit()
    assert _found(beheerder, "jeugdcriminaliteit") == {}
    assert _found(beheerder, "plan") == {}
    assert db.session.scalar(select(func.count(SearchDocument.id)).where(
        SearchDocument.kind.in_(["action", "comment"]))) == 0


def test_a_rolled_back_change_leaves_the_index_as_it_was(app):
    team = create_team()
    beheerder = create_user(role=Role.BEHEERDER)
    action = create_action(team, title="Ondermijning bestrijden")
    db.session.commit()
    action.title = "Iets anders"
    db.session.flush()
    db.session.rollback()
    assert "Ondermijning" in _flat(beheerder, "ondermijning")


def test_an_organisation_rename_reaches_its_people(app):
    beheerder = create_user(role=Role.BEHEERDER)
    organisation = Organisation(slug="ggz-x", name="GGZ Noord", kind="ggz")
    db.session.add(organisation)
    create_user(name="Piet Veld", organisation=organisation)
    db.session.commit()
    organisation.name = "GGZ Oost"
    db.session.commit()
    assert "Piet Veld" in _flat(beheerder, "oost")
    assert _found(beheerder, "noord") == {}


def test_an_erased_person_is_not_found_by_name_afterwards(app):
    from tracker.avg.erasure import erase_person

    team = create_team()
    beheerder = create_user(role=Role.BEHEERDER)
    lezer = create_user(role=Role.LEZER)
    person = create_user(name="Henk Zeldzaamveld", email="henk.zeldzaamveld@example.org",
                         title="wijkagent")
    add_member(team, person)
    add_member(team, lezer, TeamRole.LID)
    action = create_action(team, title="Overleg plannen",
                           description="Contactpersoon: Henk Zeldzaamveld.")
    db.session.add(ActionComment(action=action, author=person, text="Ik pak dit op, groet."))
    db.session.commit()
    assert "Henk Zeldzaamveld" in _flat(beheerder, "zeldzaamveld")
    assert set(_found(beheerder, "zeldzaamveld")) == {"person", "action"}
    assert "groet" in _flat(lezer, "groet")
    erase_person(person, actor=beheerder, now=utcnow())
    db.session.commit()
    for user in (beheerder, lezer):
        assert _found(user, "zeldzaamveld") == {}
        assert _found(user, "henk") == {}
        assert _found(user, "henk.zeldzaamveld") == {}
        assert _found(user, "groet") == {}  # their own words are removed
    assert not db.session.scalar(select(func.count(SearchDocument.id)).where(
        SearchDocument.stems.like("%zeldzaamveld%") | SearchDocument.title.like("%Zeldzaam%")
        | SearchDocument.body.like("%Zeldzaam%")))


def test_rebuild_describes_everything_again(app, runner):
    team = create_team()
    beheerder = create_user(role=Role.BEHEERDER)
    create_action(team, title="Ondermijning bestrijden")
    db.session.commit()
    db.session.execute(SearchDocument.__table__.delete())
    db.session.commit()
    assert _found(beheerder, "ondermijning") == {}
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Ondermijning" in _flat(beheerder, "ondermijning")
    assert rebuild(db.session) == 2  # the action and the person


# --- Hostile and odd queries ---------------------------------------------------------------

HOSTILE = ['"', '""', "*", ":", "(", ")", "a:b", "NEAR(a b)", "a OR", "AND", "NOT x", "-x",
           "'", "\\", "%", "_", "^", "{}", "a*", "*a", "x' OR '1'='1", "de het een",
           "de", "!!!", "<script>alert(1)</script>", "<mark>", "😀", "ë", "x" * 5000,
           "woord " * 500, "\t", "a & b | !c", "a:* & b", "col:woord", "\u00a0"]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail(app, client, login, query):
    team = create_team()
    user = create_user(role=Role.BEHEERDER)
    create_action(team, title="Een actie met <b>opmaak</b> en script")
    db.session.commit()
    login(user)
    response = client.get("/zoeken", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "<b>opmaak" not in html
    fragment = client.get("/zoeken", query_string={"q": query},
                          headers={"HX-Request": "true", "HX-Target": "zoekresultaten"})
    assert fragment.status_code == 200


def test_user_text_is_escaped_and_only_our_marks_are_added(app, client, login):
    team = create_team()
    user = create_user(role=Role.BEHEERDER)
    create_action(team, title="<b>Vet</b> & script", description="<img src=x onerror=1> vet")
    db.session.commit()
    login(user)
    html = client.get("/zoeken?q=vet").get_data(as_text=True)
    assert "&lt;b&gt;<mark>Vet</mark>&lt;/b&gt; &amp; script" in html
    assert "&lt;img src=x onerror=1&gt; <mark>vet</mark>" in html
    assert "<img" not in html


def test_the_fts5_expression_quotes_every_term():
    assert fts5_match(parse_query('de "gemeenten" (NEAR* aanpak:')) == \
        '"gemeent" AND "near" AND ("aanpak"*)'
    assert parse_query("x" * 5000).prefix == "x" * 200
    assert parse_query("").is_empty and parse_query('"*:()').is_empty


def test_an_empty_query_shows_a_hint(app, client, login):
    login(create_user())
    db.session.commit()
    html = client.get("/zoeken").get_data(as_text=True)
    assert "Typ een of meer woorden" in html
    assert client.get("/zoeken?q=&soort=bestaat-niet&pagina=-3").status_code == 200
    assert client.get("/zoeken?q=x&pagina=999999999999").status_code == 200


def test_search_needs_a_login(client):
    response = client.get("/zoeken?q=x")
    assert response.status_code in (302, 401)


# --- Grouping, "meer resultaten", paging, statements ---------------------------------------

def test_more_results_per_kind_and_pages(app, client, login):
    team = create_team()
    user = create_user(role=Role.BEHEERDER)
    for n in range(PER_KIND + 3):
        create_action(team, title=f"Cameratoezicht {n}")
    db.session.commit()
    login(user)
    html = client.get("/zoeken?q=cameratoezicht").get_data(as_text=True)
    assert html.count("vnon-search-hit\"") == PER_KIND
    assert "Meer resultaten: acties" in html
    assert "soort=action" in html
    html = client.get("/zoeken?q=cameratoezicht&soort=action").get_data(as_text=True)
    assert html.count("vnon-search-hit\"") == PER_KIND + 3


def test_the_results_page_takes_a_fixed_number_of_statements(app, client, login,
                                                              count_queries):
    """0, 1 and 12 hits of three kinds: the same statements (session, user, one search)."""
    team = create_team()
    user = create_user(role=Role.BEHEERDER)
    db.session.commit()
    login(user)
    client.get("/zoeken?q=wijkteam")
    counts = []
    made = 0
    for hits in (0, 1, 12):
        for n in range(made, hits):
            action = create_action(team, title=f"Wijkteam {n}")
            db.session.add(ActionComment(action=action, text="wijkteam belt"))
            db.session.add(Pilot(team=team, title=f"Wijkteam pilot {n}",
                                 status=PilotStatus.LOPEND))
        made = hits
        db.session.commit()
        for path in ("/zoeken?q=wijkteam", "/zoeken?q=wijkteam&soort=action"):
            with count_queries() as counter:
                response = client.get(path)
            assert response.status_code == 200
            assert response.get_data(as_text=True).count("vnon-search-hit\"") == (
                min(hits, PER_KIND) * 3 if "soort" not in path else hits)
            counts.append(counter.count)
    assert len(set(counts)) == 1, counts
    assert counts[0] <= 4, counts


def test_a_status_point_added_with_a_plain_kind_value_is_indexed(app):
    """A new ReportItem may carry kind="doel" (a str) until loaded: still indexed."""
    from tracker.network.models import ReportItem

    team = create_team()
    user = create_user(role=Role.BEHEERDER)
    db.session.add(ReportItem(team_id=team.id, kind="doel", text="Veilige uitgaansgebieden"))
    db.session.commit()
    assert _found(user, "uitgaansgebied") == {"item": ["Uitgangspunten / doelen Veilige "
                                                       "uitgaansgebieden"]}


def test_a_deferred_session_leaves_the_index_to_a_rebuild_in_chunks(app, monkeypatch):
    """``flask demo scale`` describes its result once: flushes leave the index alone, and
    the rebuild (in chunks of REBUILD_CHUNK rows) writes what the flushes would have."""
    from tracker.search import indexing

    team = create_team()
    for n in range(5):
        create_action(team, title=f"Huisbezoek {n}")
    db.session.commit()
    columns = [c for c in SearchDocument.__table__.columns if c.name != "id"]
    incremental = sorted(db.session.execute(select(*columns)).all())
    db.session.execute(SearchDocument.__table__.delete())
    db.session.commit()
    db.session.info[indexing.DEFERRED] = True
    try:
        create_action(team, title="Uitgesteld")
        db.session.commit()
        assert db.session.scalar(select(func.count(SearchDocument.id))) == 0
    finally:
        db.session.info.pop(indexing.DEFERRED)
    monkeypatch.setattr(indexing, "REBUILD_CHUNK", 2)
    assert rebuild(db.session) == 6  # the six actions
    db.session.commit()
    rebuilt = sorted(db.session.execute(select(*columns)).all())
    assert [r for r in rebuilt if r.title != "Uitgesteld"] == incremental
    assert [r.title for r in rebuilt if r.kind == "action"].count("Uitgesteld") == 1
