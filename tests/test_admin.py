"""Beheer: creating accounts, changing roles, team membership; bad input."""

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_for, login_via_form
from tests.factories import PASSWORD, add_member, create_team, create_user
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.enums import Role, TeamRole
from tracker.extensions import db
from tracker.network.models import TeamMembership


@pytest.fixture
def admin(client, login):
    beheerder = create_user(role=Role.BEHEERDER, email="secretariaat@example.org")
    db.session.commit()
    login(beheerder)
    return beheerder


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token_for(client)})


def test_beheerder_creates_an_account_without_password(client, admin):
    response = _post(client, "/beheer/gebruikers",
                     {"name": "Marieke Jansen", "email": "M.Jansen@Example.org", "role": "partner"})
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "m.jansen@example.org"))
    assert user.role == Role.PARTNER and user.password_hash is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert entry.actor_id == admin.id and entry.object_id == user.id
    assert "password" not in str(entry.after)


BAD_NAMES = [
    ("", "verplicht"),
    ("   ", "verplicht"),
    ("x" * 121, "hoogstens 120"),
    ("x" * 1200, "hoogstens 120"),
    ("Jan\x00Jansen", "stuurtekens"),
    ("Jan\r\nBcc: a@example.org", "regelovergang"),
    ("Jan \u202eJansen", "tekstrichting"),
]


@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_bad_names_get_a_dutch_message_and_nothing_is_saved(client, admin, name, message):
    before = db.session.scalar(select(func.count(User.id)))
    response = _post(client, "/beheer/gebruikers",
                     {"name": name, "email": "nieuw@example.org", "role": "lezer"})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == before


@pytest.mark.parametrize(
    ("email", "message"),
    [("", "Vul een e-mailadres in"), ("geen-adres", "geen geldig e-mailadres"),
     ("a@b@example.org", "geen geldig"), ("x\r\n@example.org", "geen geldig"),
     ("secretariaat@example.org", "bestaat al")],
)
def test_bad_email_addresses(client, admin, email, message):
    response = _post(client, "/beheer/gebruikers", {"name": "Iemand", "email": email, "role": "lezer"})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["", "superuser", "<script>"])
def test_unknown_role_is_refused(client, admin, role):
    response = _post(client, "/beheer/gebruikers", {"name": "Iemand", "email": "i@example.org", "role": role})
    assert response.status_code == 422
    assert "Kies een bestaande rol" in response.get_data(as_text=True)


def test_markup_in_a_name_is_stored_inert_and_escaped(client, admin):
    _post(client, "/beheer/gebruikers",
          {"name": '<b hx-get="/x">{{7*7}}</b>', "email": "inert@example.org", "role": "lezer"})
    html = client.get("/beheer/gebruikers").get_data(as_text=True)
    assert '<b hx-get="/x">' not in html and "&lt;b hx-get=" in html and "{{7*7}}" in html


def test_deactivating_ends_every_session(app, client, admin):
    person = create_user(email="weg@example.org", role=Role.COORDINATOR)
    db.session.commit()
    other = app.test_client()
    login_via_form(other, "weg@example.org", PASSWORD)
    assert other.get("/").status_code == 200
    response = _post(client, f"/beheer/gebruikers/{person.id}", {"role": "coordinator"})
    assert response.status_code == 303
    assert other.get("/").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).active is False


def test_beheerder_cannot_demote_themselves(client, admin):
    response = _post(client, f"/beheer/gebruikers/{admin.id}", {"role": "lezer", "active": "1"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == Role.BEHEERDER


def test_membership_add_change_and_remove(client, admin):
    team = create_team(short_name="Jeugd")
    person = create_user(role=Role.COORDINATOR)
    db.session.commit()
    path = f"/beheer/gebruikers/{person.id}/teams"
    assert _post(client, path, {"team_id": team.id, "team_role": "coordinator"}).status_code == 303
    assert _post(client, path, {"team_id": team.id, "team_role": "trekker"}).status_code == 303
    rows = db.session.execute(select(TeamMembership.role).where(
        TeamMembership.user_id == person.id)).scalars().all()
    assert rows == [TeamRole.TREKKER]
    removed = _post(client, f"/beheer/gebruikers/{person.id}/teams/{team.id}/verwijderen", {})
    assert removed.status_code == 303
    assert db.session.scalar(select(func.count(TeamMembership.id))) == 0


def test_a_team_has_one_trekker(client, admin):
    team = create_team(short_name="OMG")
    add_member(team, create_user(name="Iwan"), TeamRole.TREKKER)
    second = create_user()
    db.session.commit()
    response = _post(client, f"/beheer/gebruikers/{second.id}/teams",
                     {"team_id": team.id, "team_role": "trekker"})
    assert response.status_code == 422
    assert "heeft al een trekker: Iwan" in response.get_data(as_text=True)


def test_unknown_user_and_team(client, admin):
    assert client.get("/beheer/gebruikers/999999").status_code == 404
    assert _post(client, "/beheer/gebruikers/999999", {"role": "lezer"}).status_code == 404
    person = create_user()
    db.session.commit()
    response = _post(client, f"/beheer/gebruikers/{person.id}/teams", {"team_id": "abc", "team_role": "lid"})
    assert response.status_code == 422


def test_admin_pages_query_count_is_fixed(client, admin, count_queries):
    team = create_team()
    for _ in range(3):
        add_member(team, create_user(), TeamRole.LID)
    db.session.commit()
    with count_queries() as small:
        client.get("/beheer/gebruikers")
    for _ in range(30):
        add_member(team, create_user(), TeamRole.LID)
    db.session.commit()
    with count_queries() as large:
        client.get("/beheer/gebruikers")
    assert large.count == small.count
