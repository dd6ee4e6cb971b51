"""``flask users create``."""

from sqlalchemy import select

from tests.factories import create_team
from tracker.auth.models import User
from tracker.enums import Role, TeamRole
from tracker.extensions import db


def test_create_user_with_password_from_stdin_and_team(runner, client):
    team = create_team(slug="verwarde-personen")
    db.session.commit()
    result = runner.invoke(
        args=["users", "create", "--email", "Nieuw@Example.org", "--name", "Nieuwe Coördinator",
              "--role", "coordinator", "--team", "verwarde-personen", "--password-stdin"],
        input="een heel goed wachtwoord\n",
    )
    assert result.exit_code == 0, result.output
    assert "nieuw@example.org" in result.output
    user = db.session.scalar(select(User).where(User.email == "nieuw@example.org"))
    assert user.role == Role.COORDINATOR
    assert [(m.team_id, m.role) for m in user.memberships] == [(team.id, TeamRole.COORDINATOR)]
    from tests.conftest import login_via_form

    assert login_via_form(client, "nieuw@example.org", "een heel goed wachtwoord").status_code == 303


def test_create_user_without_password(runner):
    result = runner.invoke(args=["users", "create", "--email", "p@example.org", "--name", "P",
                                 "--role", "partner"])
    assert result.exit_code == 0
    assert "geen wachtwoord" in result.output


def test_create_user_refuses_weak_password_duplicate_and_unknown_team(runner):
    weak = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A",
                               "--role", "lezer", "--password-stdin"], input="wachtwoord\n")
    assert weak.exit_code != 0 and "minstens 12 tekens" in weak.output
    assert db.session.scalar(select(User)) is None
    runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A", "--role", "lezer"])
    again = runner.invoke(args=["users", "create", "--email", "A@example.org", "--name", "A",
                                "--role", "lezer"])
    assert again.exit_code != 0 and "bestaat al" in again.output
    team = runner.invoke(args=["users", "create", "--email", "b@example.org", "--name", "B",
                               "--role", "lezer", "--team", "bestaat-niet"])
    assert team.exit_code != 0 and "onbekend team" in team.output
    bad_role = runner.invoke(args=["users", "create", "--email", "c@example.org", "--name", "C",
                                   "--role", "koning"])
    assert bad_role.exit_code != 0
