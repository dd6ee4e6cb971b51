"""Paged lists (issue 15): a count from SQL, ``?pagina=N``, the shared pager, and the same
number of SQL statements with few rows, many rows and on page 2."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import add_member, create_action, create_team, create_user
from tracker.actions.models import Action
from tracker.actions.queries import TEAM_PAGE_SIZE, due_window_case
from tracker.actions.rules import DueWindow, due_window
from tracker.enums import ActionStatus, MilestoneKind, PilotStatus, Role, TeamRole
from tracker.extensions import db
from tracker.milestones.models import Milestone
from tracker.pagination import PAGE_SIZE
from tracker.pilots.models import Pilot

#: Pages of the shared pager: the summary "Acties 51–100 van 123" and the nav.
SUMMARY = re.compile(r'vnon-pagination__summary">(\w+) ([\d.]+)(?:–([\d.]+))? van ([\d.]+)<')


def _summary(html: str) -> tuple[str, int, int, int] | None:
    match = SUMMARY.search(html)
    if match is None:
        return None
    noun, first, last, total = match.groups()
    # One row shown reads "Acties 26 van 26": first and last are the same row.
    return (noun, *(int(n.replace(".", "")) for n in (first, last or first, total)))


def _statements(client, count_queries, path: str, **kwargs) -> tuple[int, str]:
    client.get(path, **kwargs)  # warm: the session row, caches
    with count_queries() as counter:
        response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return counter.count, response.get_data(as_text=True)


@pytest.fixture
def world():
    team = create_team(slug="lijsten", short_name="Lijsten")
    coordinator = create_user(role=Role.COORDINATOR, name="Co Ordinator")
    admin = create_user(role=Role.BEHEERDER, name="Bea Heer")
    add_member(team, coordinator, TeamRole.COORDINATOR)
    db.session.commit()
    return team, coordinator, admin


def _actions(team, owner, n, start=0, **values):
    for i in range(start, start + n):
        create_action(team, title=f"Lijstactie {i:04d}", owner=owner,
                      due_date=date(2030, 1, 1) + timedelta(days=i), **values)
    db.session.commit()


# --- Team actions and Mijn werk ------------------------------------------------------------

def test_team_list_pages_with_filters_kept_and_a_fixed_number_of_statements(
        world, client, login, count_queries):
    team, coordinator, admin = world
    _actions(team, coordinator, 3)
    login(admin)
    path = f"/teams/{team.slug}?status=actief&sort=titel"
    few, html = _statements(client, count_queries, path)
    assert _summary(html) is None  # one page: no pager
    _actions(team, coordinator, 4 * TEAM_PAGE_SIZE + 20, start=3)
    _actions(team, coordinator, 5, start=500, status=ActionStatus.GEREED)  # filtered out
    many, html = _statements(client, count_queries, path)
    assert _summary(html) == ("Acties", 1, 25, 123)
    assert 'aria-label="Paginering"' in html and 'aria-current="page"' in html
    # The filters travel in every page link, as ?pagina=N (with htmx the list is swapped).
    assert 'href="?status=actief&amp;sort=titel&amp;pagina=2"' in html
    assert 'hx-get="?status=actief&amp;sort=titel&amp;pagina=2" hx-target="#acties-lijst"' in html
    second, html = _statements(client, count_queries, path + "&pagina=2")
    assert _summary(html) == ("Acties", 26, 50, 123)
    assert "Lijstactie 0025" in html and "Lijstactie 0024" not in html
    # "Alles op deze pagina selecteren" ticks this page's rows only.
    ticked = client.get(path + "&pagina=5&selectie=alle").get_data(as_text=True)
    assert ticked.count(" checked>") == 23
    fragment = client.get(path + "&pagina=5", headers={"HX-Request": "true",
                                                       "HX-Target": "acties-lijst"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and _summary(body) == ("Acties", 101, 123, 123)
    assert few == many == second


def test_a_page_past_the_end_shows_the_last_one(world, client, login):
    team, coordinator, admin = world
    _actions(team, coordinator, TEAM_PAGE_SIZE + 1)
    login(admin)
    html = client.get(f"/teams/{team.slug}?pagina=999").get_data(as_text=True)
    assert _summary(html) == ("Acties", 26, 26, 26)


def test_my_work_pages_through_its_sections_with_counts_from_sql(
        world, client, login, count_queries):
    team, coordinator, _ = world
    today = date.today()
    create_action(team, title="Te laat 1", owner=coordinator, due_date=today - timedelta(days=3))
    db.session.commit()
    login(coordinator)
    few, html = _statements(client, count_queries, "/mijn-werk")
    assert _summary(html) is None
    for i in range(60):
        create_action(team, title=f"Te laat {i + 2}", owner=coordinator,
                      due_date=today - timedelta(days=4 + i))
    _actions(team, coordinator, 30)  # later
    done = create_action(team, title="Net gereed", owner=coordinator,
                         status=ActionStatus.GEREED)
    done.completed_at = datetime.now(UTC) - timedelta(days=1)
    create_action(team, title="Van een ander", owner=create_user(), due_date=today)
    db.session.commit()
    many, html = _statements(client, count_queries, "/mijn-werk")
    assert _summary(html) == ("Acties", 1, 50, 92)
    assert 'id="werk-te-laat">Te laat <span class="vnon-muted">(61)</span>' in html
    assert '(30)</span>' in html and "(1)</span>" in html
    # Sections not on this page point to the page they start on.
    assert 'href="/mijn-werk?pagina=2#mijn-werk-lijst">pagina 2</a>' in html
    second, html = _statements(client, count_queries, "/mijn-werk?pagina=2")
    assert _summary(html) == ("Acties", 51, 92, 92)
    assert "Net gereed" in html and "Van een ander" not in html
    assert 'href="/mijn-werk#mijn-werk-lijst"><span class="visually-hidden">Pagina </span>1<' in html
    # The bulk form and the done buttons come back to this page.
    assert 'name="next" value="/mijn-werk?pagina=2"' in html
    assert few == many == second


def test_the_sections_of_my_work_agree_with_the_due_window_rule(app):
    """The SQL windows (due_window_case) and rules.due_window, for every day around three
    todays: a plain one, a week running into the next month and a leap year's February."""
    team = create_team()
    base = date(2026, 11, 1)
    rows = [create_action(team, due_date=base + timedelta(days=n)) for n in range(0, 500)]
    rows.append(create_action(team, due_date=None))
    ids = [a.id for a in rows]
    for today in (date(2026, 12, 1), date(2026, 12, 30), date(2028, 2, 27)):
        found = dict(db.session.execute(
            select(Action.id, due_window_case(today)).where(Action.id.in_(ids))).all())
        for action in rows:
            assert found[action.id] == due_window(action.due_date, today).value, (
                today, action.due_date)
        if today == date(2026, 12, 1):
            assert set(found.values()) == {w.value for w in DueWindow}
    db.session.rollback()


# --- Pilots and milestones -------------------------------------------------------------

def _pilots(team, n, start=0, status=PilotStatus.LOPEND):
    for i in range(start, start + n):
        db.session.add(Pilot(team=team, title=f"Lijstpilot {i:04d}", status=status))
    db.session.commit()


def test_pilots_page_with_the_matrix_counted_in_sql(world, client, login, count_queries):
    team, _, admin = world
    _pilots(team, 2)
    login(admin)
    few, html = _statements(client, count_queries, "/pilots")
    _pilots(team, PAGE_SIZE + 10, start=2)
    _pilots(team, 4, start=900, status=PilotStatus.GEPLAND)
    many, html = _statements(client, count_queries, "/pilots?team=lijsten&status=lopend")
    assert _summary(html) == ("Pilots", 1, 50, 62)
    # The matrix counts every matching pilot, not only this page's (no district, no block).
    assert re.search(r'block=geen">62</a>', html)
    assert 'href="/pilots?team=lijsten&amp;status=lopend&amp;pagina=2#pilots-lijst"' in html
    second, html = _statements(client, count_queries, "/pilots?team=lijsten&status=lopend&pagina=2")
    assert _summary(html) == ("Pilots", 51, 62, 62) and "Lijstpilot 0061" in html
    team_page, html = _statements(client, count_queries, f"/teams/{team.slug}/pilots?pagina=2")
    assert _summary(html) == ("Pilots", 51, 66, 66)
    assert few == many == second


def test_milestones_open_at_what_is_coming_with_a_fixed_number_of_statements(
        world, client, login, count_queries):
    team, _, admin = world
    today = date.today()

    def add(n, start, first_day):
        for i in range(start, start + n):
            db.session.add(Milestone(title=f"Lijstmijlpaal {i:04d}", team=team,
                                     kind=MilestoneKind.MIJLPAAL,
                                     due_date=first_day + timedelta(days=i - start)))
        db.session.commit()

    add(2, 0, today + timedelta(days=1))
    login(admin)
    few, html = _statements(client, count_queries, "/milestones")
    assert _summary(html) is None
    add(70, 100, today - timedelta(days=200))  # 70 before today
    add(40, 300, today + timedelta(days=10))
    many, html = _statements(client, count_queries, "/milestones")
    # 70 earlier ones fill page 1 and 20 of page 2: the list opens on page 2.
    assert _summary(html) == ("Mijlpalen", 51, 100, 112)
    assert "Lijstmijlpaal 0150" in html and "Lijstmijlpaal 0149" not in html
    assert "Lijstmijlpaal 0001" in html
    assert 'href="/milestones?pagina=1#mijlpalen-tabel"' in html  # page 1 by its number
    first, html = _statements(client, count_queries, "/milestones?pagina=1")
    assert _summary(html) == ("Mijlpalen", 1, 50, 112) and "Lijstmijlpaal 0100" in html
    team_list, html = _statements(client, count_queries, f"/teams/{team.slug}/milestones")
    assert _summary(html) == ("Mijlpalen", 51, 100, 112)
    assert few == many == first


def test_pilot_and_milestone_lists_issue_the_same_statements_whatever_their_rows(
        world, client, login, count_queries):
    """A one-page list whose rows have no lead, district, bouwsteen, team or per-municipality
    milestone costs as many statements as a multi-page list whose rows have all of them
    (a related row is joined, not loaded by a statement skipped when no row needs it)."""
    from tests.factories import create_district, create_municipality
    from tracker.pilots.models import BuildingBlock

    team, coordinator, admin = world
    bare = create_team(slug="kaal", short_name="Kaal")
    add_member(bare, coordinator, TeamRole.COORDINATOR)  # a team page loads its people
    db.session.add_all(Pilot(team=bare, title=f"Kale pilot {i}", status=PilotStatus.GEPLAND)
                       for i in range(2))
    db.session.add_all(Milestone(title=f"Netwerkmijlpaal {i}", team=None,
                                 kind=MilestoneKind.MIJLPAAL,
                                 due_date=date.today() + timedelta(days=i)) for i in range(2))
    db.session.commit()
    login(admin)
    pilots_few, html = _statements(client, count_queries, "/teams/kaal/pilots")
    assert _summary(html) is None and "Kale pilot 1" in html
    milestones_few, html = _statements(client, count_queries, "/milestones")
    assert _summary(html) is None and "Netwerkmijlpaal 1" in html
    district = create_district()
    place = create_municipality(district)
    block = BuildingBlock(team=team, number=1, name="Bouwsteen een")
    db.session.add(block)
    for i in range(PAGE_SIZE + 5):
        db.session.add(Pilot(team=team, title=f"Volle pilot {i:03d}", status=PilotStatus.LOPEND,
                             district=district, building_block=block, lead=coordinator,
                             municipalities=[place]))
        db.session.add(Milestone(title=f"Teammijlpaal {i:03d}", team=team,
                                 kind=MilestoneKind.MIJLPAAL, per_municipality=True,
                                 due_date=date.today() - timedelta(days=1)))
    db.session.commit()
    pilots_many, html = _statements(client, count_queries, f"/teams/{team.slug}/pilots")
    assert _summary(html) == ("Pilots", 1, 50, 55) and "1. Bouwsteen een" in html
    pilots_second, html = _statements(client, count_queries, f"/teams/{team.slug}/pilots?pagina=2")
    assert _summary(html) == ("Pilots", 51, 55, 55)
    milestones_many, html = _statements(client, count_queries, "/milestones?pagina=1")
    assert _summary(html) == ("Mijlpalen", 1, 50, 57) and "gemeenten" in html
    milestones_second, html = _statements(client, count_queries, "/milestones?pagina=2")
    assert _summary(html) == ("Mijlpalen", 51, 57, 57)
    assert pilots_few == pilots_many == pilots_second
    assert milestones_few == milestones_many == milestones_second


def _next_row(html: str) -> str | None:
    """The row marked as the first milestone from today, or None."""
    rows = re.findall(r'<tr class="utrecht-table__row vnon-row--next" id="eerstvolgende" '
                      r'tabindex="-1">(.*?)</tr>', html, re.S)
    assert len(rows) <= 1 and html.count(">eerstvolgende<") == len(rows)
    # A paged list links to the marked row when it is on this page (and only then).
    if "De lijst opent bij" in html:
        assert ('href="#eerstvolgende"' in html) == bool(rows)
    return rows[0] if rows else None


def test_the_milestone_list_marks_the_first_one_from_today(world, client, login):
    team, _, admin = world
    today = date.today()
    for i in range(70):  # before today: they fill page 1 and 20 rows of page 2
        db.session.add(Milestone(title=f"Eerder {i:03d}", team=team, kind=MilestoneKind.MIJLPAAL,
                                 due_date=today - timedelta(days=200 - i)))
    for i in range(3):  # today and later; two on the same day come by id
        db.session.add(Milestone(title=f"Straks {i:03d}", team=team, kind=MilestoneKind.MIJLPAAL,
                                 due_date=today + timedelta(days=i // 2)))
    db.session.commit()
    login(admin)
    html = client.get("/milestones").get_data(as_text=True)
    assert _summary(html) == ("Mijlpalen", 51, 73, 73)
    assert "Straks 000" in _next_row(html)
    assert _next_row(client.get("/milestones?pagina=1").get_data(as_text=True)) is None
    html = client.get(f"/teams/{team.slug}/milestones").get_data(as_text=True)
    assert "Straks 000" in _next_row(html)
    # Nothing from today on: no row is marked.
    db.session.execute(Milestone.__table__.delete().where(Milestone.title.like("Straks%")))
    db.session.commit()
    assert _next_row(client.get("/milestones").get_data(as_text=True)) is None


# --- Search results ------------------------------------------------------------------------

def test_search_pages_one_kind_with_its_total_in_the_same_statement(world, client, login,
                                                                     count_queries):
    from tracker.search.queries import PER_KIND, PER_PAGE

    team, coordinator, admin = world
    for n in range(2 * PER_PAGE + 5):
        create_action(team, title=f"Cameratoezicht {n}")
    db.session.commit()
    login(admin)
    overview, html = _statements(client, count_queries, "/zoeken?q=cameratoezicht")
    assert html.count('vnon-search-hit"') == PER_KIND
    assert 'Acties <span class="vnon-muted">(45)</span>' in html and "45 resultaten." in html
    first, html = _statements(client, count_queries, "/zoeken?q=cameratoezicht&soort=action")
    assert _summary(html) == ("Resultaten", 1, 20, 45)
    assert 'href="/zoeken?q=cameratoezicht&amp;soort=action&amp;pagina=3"' in html
    third, html = _statements(client, count_queries,
                              "/zoeken?q=cameratoezicht&soort=action&pagina=3")
    assert _summary(html) == ("Resultaten", 41, 45, 45) and html.count('vnon-search-hit"') == 5
    assert overview == first == third
    # An old link past the end shows the last page.
    html = client.get("/zoeken?q=cameratoezicht&soort=action&pagina=9").get_data(as_text=True)
    assert _summary(html) == ("Resultaten", 41, 45, 45)
