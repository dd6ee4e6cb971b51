"""``flask demo load``: the February 2018 network as demo data."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.auth.models import User
from tracker.demo import february_2018 as source
from tracker.demo.loader import KIND_LABELS, count_rows, load_demo_network
from tracker.extensions import db

demo_cli = AppGroup("demo", help="Demogegevens.")


@demo_cli.command("load")
def load_command():
    """Load the network of the February 2018 report (safe to run again)."""
    development = current_app.config["TRACKER_ENV"] != "production"
    password = current_app.config["TRACKER_DEMO_PASSWORD"] if development else None
    created = load_demo_network(password)
    db.session.commit()
    counts = count_rows()
    click.echo("Demonetwerk (voortgangsrapportage februari 2018) geladen:")
    for kind, label in KIND_LABELS.items():
        new = f" ({created[kind]} nieuw)" if created[kind] else ""
        click.echo(f"  {counts[kind]:>4} {label}{new}")
    if not development:
        click.echo("Productie: demo-accounts hebben geen wachtwoord.")
        return
    click.echo("")
    click.echo("Inloggen (alleen ontwikkelomgeving), wachtwoord voor alle accounts: " + password)
    emails = [p["email"] for p in source.PEOPLE if p.get("password", True) is not False]
    users = {
        u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))
    }
    for email in emails:
        user = users.get(email)
        if user is not None and user.password_hash:
            click.echo(f"  {user.role.value:<12} {email:<36} {user.name}")
