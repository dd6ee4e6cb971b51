"""``flask network organisations``: the standing organisations for every installation."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.extensions import db
from tracker.network.organisations import ensure_network_organisations

network_cli = AppGroup("network", help="Het netwerk: districten, gemeenten, organisaties.")


@network_cli.command("organisations")
def organisations_command():
    """Create the missing districts, the 78 municipalities and their organisations, the
    police unit and districts, the OM, the RIEC and the GGZ institutions (safe to rerun)."""
    created = ensure_network_organisations()
    db.session.commit()
    click.echo(f"Organisaties bijgewerkt: {created['districts']} districten, "
               f"{created['municipalities']} gemeenten en {created['organisations']} "
               "organisaties toegevoegd.")
