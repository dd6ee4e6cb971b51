"""The dashboard and team pages: what each role sees, and a fixed query count."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import add_member, create_action, create_item, create_team, create_user
from tracker.auth.models import User
from tracker.enums import ActionStatus, ItemKind, Role, TeamRole
from tracker.extensions import db

DEMO_ROLES = ["beheerder", "coordinator", "bestuurder", "lezer"]


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


@pytest.mark.parametrize("role", DEMO_ROLES)
def test_each_demo_role_sees_every_team_on_the_dashboard(demo, client, login, role):
    login(_user(f"{role}@example.org"))
    html = client.get("/").get_data(as_text=True)
    for name in ("Expertteam Woninginbraken", "Platform Ondermijning", "Expertteam Hennep",
                 "Expertteam Informatievoorziening"):
        assert name in html
    assert "burgemeester Beenakker" in html
    assert "Paul Wesseloo" in html
    assert "vacant (door vertrek van burgemeester De Vries)" in html


def test_partner_sees_only_own_teams(demo, client, login):
    partner = _user("partner@example.org")
    login(partner)
    html = client.get("/").get_data(as_text=True)
    assert "Expertteam Verwarde personen" in html and "Expertteam Jeugd" not in html
    assert client.get("/teams/jeugd").status_code == 403
    from tracker.network.models import Team

    jeugd = db.session.scalar(select(Team).where(Team.slug == "jeugd"))
    add_member(jeugd, partner, TeamRole.LID)
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Expertteam Jeugd" in html and "Expertteam Woninginbraken" not in html
    assert client.get("/teams/jeugd").status_code == 200


def test_a_person_in_no_team_is_told_so(client, login):
    partner = create_user(role=Role.PARTNER)
    db.session.commit()
    login(partner)
    assert "geen lid van een team" in client.get("/").get_data(as_text=True)


def test_beheer_link_only_for_the_beheerder(demo, client, login):
    login(_user("lezer@example.org"))
    assert "/beheer/gebruikers" not in client.get("/").get_data(as_text=True)
    assert client.get("/beheer/gebruikers").status_code == 403
    login(_user("beheerder@example.org"))
    assert "/beheer/gebruikers" in client.get("/").get_data(as_text=True)


def test_team_page_shows_the_four_blocks_as_in_the_report(demo, client, login):
    login(_user("lezer@example.org"))
    response = client.get("/teams/verwarde-personen")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for heading in ("Uitgangspunten / doelen", "Resultaten", "Aandachtspunten", "(Lopende) acties"):
        assert heading in html
    assert "Ontwikkeling van Regionaal Forensisch Psychiatrisch Netwerk (RFPN)" in html
    assert "1 oktober 2018" in html  # the milestone, in Dutch
    assert "september 2019" in html
    assert "burgemeester Welten" in html


def test_subteam_links_to_its_platform(demo, client, login):
    login(_user("lezer@example.org"))
    html = client.get("/teams/hennep").get_data(as_text=True)
    assert 'href="/teams/ondermijning"' in html
    platform = client.get("/teams/ondermijning").get_data(as_text=True)
    assert 'href="/teams/hennep"' in platform and 'href="/teams/omg"' in platform


def test_unknown_team_is_404(demo, client, login):
    login(_user("lezer@example.org"))
    assert client.get("/teams/bestaat-niet").status_code == 404


def test_anonymous_visitors_are_sent_to_login(client):
    for path in ("/", "/teams/jeugd", "/beheer/gebruikers"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/inloggen?next=")


def test_user_text_is_escaped(client, login):
    team = create_team(name="<script>alert(1)</script>", slug="xss")
    create_item(team, ItemKind.DOEL, text='<img src=x onerror=alert(1)> {{7*7}}')
    reader = create_user(role=Role.LEZER)
    db.session.commit()
    login(reader)
    html = client.get("/teams/xss").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; {{7*7}}" in html  # inert, and not evaluated


def _fill(n_teams, per_team):
    reader = create_user(role=Role.LEZER)
    for _ in range(n_teams):
        team = create_team()
        add_member(team, create_user(role=Role.COORDINATOR), TeamRole.TREKKER)
        add_member(team, create_user(role=Role.BESTUURDER), TeamRole.VOORZITTER)
        for i in range(per_team):
            owner = create_user(role=Role.COORDINATOR)
            create_action(team, owner=owner, status=ActionStatus.GEREED if i % 3 else
                          ActionStatus.OPEN, due_date=date(2018, 1, 1 + i % 28))
            create_item(team, ItemKind.RESULTAAT)
    db.session.commit()
    return reader, team


def test_dashboard_query_count_does_not_grow_with_data(client, login, count_queries):
    reader, _ = _fill(2, 2)
    login(reader)
    with count_queries() as small:
        assert client.get("/").status_code == 200
    _fill(6, 12)
    with count_queries() as large:
        assert client.get("/").status_code == 200
    assert large.count == small.count
    assert small.count <= 6


def test_team_page_query_count_does_not_grow_with_data(client, login, count_queries):
    reader, small_team = _fill(1, 2)
    login(reader)
    with count_queries() as small:
        assert client.get(f"/teams/{small_team.slug}").status_code == 200
    _, large_team = _fill(1, 40)
    with count_queries() as large:
        assert client.get(f"/teams/{large_team.slug}").status_code == 200
    assert large.count == small.count
    assert small.count <= 16


@pytest.mark.parametrize(
    ("email", "sees", "does_not_see", "admin"),
    [
        ("beheerder@example.org", "Expertteam Jeugd", None, True),
        ("coordinator@example.org", "Expertteam Jeugd", None, False),
        ("bestuurder@example.org", "Expertteam OMG", None, False),
        ("welten@example.org", "Expertteam Verwarde personen", None, False),
        ("lezer@example.org", "Platform Ondermijning", None, False),
        ("partner@example.org", "Expertteam Verwarde personen", "Expertteam Jeugd", False),
        ("paul.wesseloo@example.org", "Expertteam Hennep", None, False),
    ],
)
def test_every_demo_role_logs_in_and_sees_what_it_may(demo, client, email, sees, does_not_see,
                                                      admin):
    from tests.conftest import login_via_form

    assert login_via_form(client, email).status_code == 303
    html = client.get("/").get_data(as_text=True)
    assert sees in html
    if does_not_see:
        assert does_not_see not in html
    assert ("/beheer/gebruikers" in html) is admin
