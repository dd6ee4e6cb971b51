"""``flask users create``: make an account from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.auth.services import create_user, set_membership
from tracker.enums import Role, TeamRole
from tracker.extensions import db
from tracker.network.models import Team
from tracker.validation import ValidationError

users_cli = AppGroup("users", help="Accounts beheren.")

#: The team role an account gets with ``--team``, by account role.
TEAM_ROLE_FOR = {
    Role.COORDINATOR: TeamRole.COORDINATOR,
    Role.BESTUURDER: TeamRole.VOORZITTER,
}


@users_cli.command("create")
@click.option("--email", required=True, help="Werk-e-mailadres (inlognaam).")
@click.option("--name", required=True, help="Volledige naam.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--team", "team_slug", help="Teamslug; coördinatoren worden coördinator van dit team.")
@click.option("--title", help="Functie, bijvoorbeeld 'burgemeester'.")
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord van standaardinvoer.")
def create_command(email, name, role, team_slug, title, password_stdin):
    """Create an account (without a password unless --password-stdin)."""
    team = None
    if team_slug:
        team = db.session.scalar(select(Team).where(Team.slug == team_slug))
        if team is None:
            raise click.BadParameter(f"onbekend team {team_slug!r}", param_hint="--team")
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        user = create_user(name=name, email=email, role=role, title=title, password=password)
        if team is not None:
            set_membership(team, user, TEAM_ROLE_FOR.get(Role(role), TeamRole.LID), actor=None)
    except ValidationError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    suffix = f", team {team.slug}" if team else ""
    click.echo(f"Account aangemaakt: {user.email} ({user.role.value}{suffix})")
    if password is None:
        click.echo("Dit account heeft geen wachtwoord en kan (nog) niet inloggen.")
