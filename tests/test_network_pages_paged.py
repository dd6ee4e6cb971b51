"""The network status page and the dashboard a page of teams at a time (issue 15): a
network of hundreds of teams costs one page of rows to render, the pager offers the rest,
the lead sentence still counts every team, and the number of SQL statements is the same
for a few teams, many teams and any page. The demo's seven teams fit on one page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import add_member, create_action, create_team, create_user
from tracker.auth.models import User
from tracker.enums import ActionStatus, Role, TeamRole
from tracker.extensions import db
from tracker.network.queries import DASHBOARD_PAGE_SIZE
from tracker.status import rollup
from tracker.status.queries import TEAMS_PER_PAGE

SUMMARY = re.compile(r'vnon-pagination__summary">(\w+) ([\d.]+)(?:–([\d.]+))? van ([\d.]+)<')
DEMO_TEAMS = ["Woninginbraken", "Verwarde personen", "Ondermijning", "Hennep", "Jeugd", "OMG",
              "Informatievoorziening"]


def _summary(html: str):
    match = SUMMARY.search(html)
    return None if match is None else (
        match[1], *(int(n.replace(".", "")) for n in (match[2], match[3] or match[2], match[4])))


def _statements(client, count_queries, path: str) -> tuple[int, str]:
    client.get(path)  # warm: the session row, caches
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return counter.count, response.get_data(as_text=True)


def _teams(n: int, start: int = 0):
    """``n`` teams "Netwerkteam 000" … in that order (by position)."""
    teams = [create_team(slug=f"netwerkteam-{i:03d}", name=f"Netwerkteam {i:03d}",
                         short_name=f"NT {i:03d}", position=1000 + i)
             for i in range(start, start + n)]
    db.session.commit()
    return teams


@pytest.fixture
def admin():
    user = create_user(role=Role.BEHEERDER, name="Bea Heer")
    db.session.commit()
    return user


def test_status_pages_the_teams_and_counts_every_team_in_the_lead(admin, client, login,
                                                                   count_queries):
    login(admin)
    _teams(2)
    few, html = _statements(client, count_queries, "/status")
    assert _summary(html) is None and "Paginering" not in html
    teams = _teams(TEAMS_PER_PAGE + 5, start=2)  # 32 teams in all
    # The teams that are not op schema are all on page 2: three overdue actions (risico by
    # their number), one long overdue (risico by its lateness), one just overdue (aandacht).
    for _ in range(3):
        create_action(teams[-1], status=ActionStatus.OPEN, due_date=date(2018, 1, 1))
    create_action(teams[-2], status=ActionStatus.OPEN, due_date=date(2018, 1, 1))
    create_action(teams[-3], status=ActionStatus.OPEN, due_date=date.today() - timedelta(days=5))
    db.session.commit()
    first, html = _statements(client, count_queries, "/status")
    assert _summary(html) == ("Teams", 1, TEAMS_PER_PAGE, 32)
    assert html.count('scope="row"') == TEAMS_PER_PAGE
    assert "Netwerkteam 000" in html and "Netwerkteam 031" not in html
    # The lead sentence is the network's, not the page's.
    assert ": 29 teams op schema, 1 team aandacht, 2 teams risico." in html
    assert 'href="/status?pagina=2#netwerk-tabel"' in html
    second, html = _statements(client, count_queries, "/status?pagina=2")
    assert _summary(html) == ("Teams", TEAMS_PER_PAGE + 1, 32, 32)
    assert html.count('scope="row"') == 32 - TEAMS_PER_PAGE
    assert "Netwerkteam 031" in html and "Netwerkteam 024" not in html
    assert "Netwerkteam 025" in html and "3 acties zijn over de datum." in html
    assert ": 29 teams op schema, 1 team aandacht, 2 teams risico." in html
    # Past the end: the last page, never an error.
    assert _summary(client.get("/status?pagina=99").get_data(as_text=True))[1] == 26
    assert few == first == second


def test_the_most_late_overdue_action_and_the_count_decide_the_level():
    """The teams off the page are read with only their most late overdue action: it and
    the number of overdue actions give the level every named one would give."""
    today = date(2026, 6, 1)
    for lateness in ([5], [200], [5, 40], [100, 5], [300, 200, 100, 5], [60, 50, 40],
                     [95, 91, 89, 10, 9, 8, 7, 6, 5, 4, 3, 2]):
        facts = [rollup.ActionFact(f"Actie {n}", "open", today - timedelta(days=n))
                 for n in sorted(lateness, reverse=True)]
        for count in (len(facts), len(facts) + 20):
            named = rollup.team_status(actions=[], milestones=[], pilots=[], today=today,
                                       overdue=(facts[:rollup.OVERDUE_NAMED], count))
            deciding = rollup.team_status(actions=[], milestones=[], pilots=[], today=today,
                                          overdue=(facts[:rollup.OVERDUE_DECIDING], count))
            assert deciding.level == named.level, (lateness, count)


def test_dashboard_pages_the_team_cards(admin, client, login, count_queries):
    login(admin)
    _teams(2)
    few, html = _statements(client, count_queries, "/")
    assert _summary(html) is None and "Paginering" not in html
    teams = _teams(DASHBOARD_PAGE_SIZE + 6, start=2)  # 32 teams in all
    # A card on page 2 names its parent on page 1, and its people and counters.
    child = teams[-1]
    child.parent = teams[0]
    add_member(child, create_user(name="Tina Trekker"), TeamRole.TREKKER)
    create_action(child, status=ActionStatus.OPEN, due_date=date(2018, 1, 1))
    db.session.commit()
    first, html = _statements(client, count_queries, "/")
    assert _summary(html) == ("Teams", 1, DASHBOARD_PAGE_SIZE, 32)
    assert html.count('class="vnon-card"') == DASHBOARD_PAGE_SIZE
    assert 'href="/?pagina=2#teams"' in html and "Netwerkteam 031" not in html
    second, html = _statements(client, count_queries, "/?pagina=2")
    assert _summary(html) == ("Teams", DASHBOARD_PAGE_SIZE + 1, 32, 32)
    assert html.count('class="vnon-card"') == 32 - DASHBOARD_PAGE_SIZE
    card = html[html.index("Netwerkteam 031"):]
    card = card[:card.index("</li>")]
    assert "onderdeel van Netwerkteam 002" in card and "Tina Trekker" in card
    assert "<strong>1 te laat</strong>" in card
    # Which page it is, in the title and (for screen readers) the heading.
    assert "<title>Overzicht, pagina 2 van 2 ·" in html
    assert '<span class="visually-hidden">, pagina 2 van 2</span></h1>' in html
    assert few == first == second


def test_a_partner_sees_only_their_cards_and_no_hidden_parent_name(client, login):
    parent, child = _teams(2)
    child.parent = parent
    partner = create_user(role=Role.PARTNER)
    add_member(child, partner, TeamRole.LID)
    db.session.commit()
    login(partner)
    html = client.get("/").get_data(as_text=True)
    assert "Netwerkteam 001" in html and "onderdeel van een ander team" in html
    assert "Netwerkteam 000" not in html and _summary(html) is None


@pytest.mark.parametrize("path", ["/status", "/"])
def test_the_demo_network_fits_on_one_page(demo, client, login, path):
    login(db.session.scalar(select(User).where(User.email == "beheerder@example.org")))
    html = client.get(path).get_data(as_text=True)
    for name in DEMO_TEAMS:
        assert name in html
    assert "Paginering" not in html and "pagina=" not in html


def _without_token(html: str) -> str:
    return re.sub(r'(csrf[-_]token"? (?:content|value)=")[^"]+', r"\1", html)


def test_the_network_figures_kept_between_requests_are_never_stale(admin, client, login,
                                                                    count_queries):
    """The lead sentence's figures are kept per process under the newest history
    transaction and the day (``status.queries.network_cache``): a page answered from them
    equals one computed anew, costs the same statements, and a change or a new day is
    seen at once."""
    import time_machine

    from tracker.status.queries import network_cache

    login(admin)
    teams = _teams(TEAMS_PER_PAGE + 5)
    create_action(teams[-1], status=ActionStatus.OPEN, due_date=date(2018, 1, 1))
    db.session.commit()
    network_cache.clear()
    with count_queries() as computed:
        fresh = client.get("/status?pagina=2").get_data(as_text=True)
    with count_queries() as kept:
        again = client.get("/status?pagina=2").get_data(as_text=True)
    assert _without_token(again) == _without_token(fresh)
    assert kept.count == computed.count
    lead = re.search(r": (\d+) teams op schema", again)[1]

    # A change: an overdue action in a team on page 1; the figures move at once.
    create_action(teams[0], status=ActionStatus.OPEN, due_date=date(2018, 1, 1))
    db.session.commit()
    changed = client.get("/status?pagina=2").get_data(as_text=True)
    assert int(re.search(r": (\d+) teams op schema", changed)[1]) == int(lead) - 1

    # A new day: an action due today is overdue tomorrow, though no data changed.
    create_action(teams[1], status=ActionStatus.OPEN, due_date=date.today())
    db.session.commit()
    today = client.get("/status?pagina=2").get_data(as_text=True)
    assert re.search(r": (\d+) teams op schema", today)[1] == str(int(lead) - 1)
    with time_machine.travel(date.today() + timedelta(days=1), tick=False):
        login(admin)
        tomorrow = client.get("/status?pagina=2").get_data(as_text=True)
    assert re.search(r": (\d+) teams op schema", tomorrow)[1] == str(int(lead) - 2)
