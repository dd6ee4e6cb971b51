"""``flask demo load``: the February 2018 network as demo data."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.auth.models import User
from tracker.demo import february_2018 as source
from tracker.demo.loader import (
    KIND_LABELS,
    Placement,
    count_rows,
    load_demo_network,
    mark_jobs_done,
)
from tracker.extensions import db

demo_cli = AppGroup("demo", help="Demogegevens.")


@demo_cli.command("load")
@click.option("--as-of-2018", "as_of_2018", is_flag=True,
              help="Met de datums van het rapport zelf (peildatum 1 februari 2018) in plaats "
                   "van verschoven naar vandaag.")
@click.option("--at", "at", help="Doe alsof het dit moment is (ISO 8601); standaard nu.")
def load_command(as_of_2018: bool, at: str | None):
    """Load the network of the February 2018 report (safe to run again).

    By default every date moves by one offset so that the peildatum is today (local);
    ``--as-of-2018`` keeps the report's dates. Rows that exist already are not moved.
    """
    from tracker.formatting import long_date
    from tracker.jobs.cli import parse_moment

    development = current_app.config["TRACKER_ENV"] != "production"
    password = current_app.config["TRACKER_DEMO_PASSWORD"] if development else None
    timezone = current_app.config["TRACKER_TIMEZONE"]
    now = None if as_of_2018 else parse_moment(at)
    created = load_demo_network(password, now=now, timezone=timezone)
    placement = Placement() if now is None else Placement.today(now, timezone)
    if now is not None and sum(created.values()):
        # The first start of the scheduler must not mail about the demo's past.
        mark_jobs_done(now)
    db.session.commit()
    counts = count_rows()
    if sum(created.values()):
        click.echo("Demonetwerk (voortgangsrapportage februari 2018) geladen, peildatum "
                   f"{long_date(placement.peildatum)}:")
    else:
        click.echo("Demonetwerk (voortgangsrapportage februari 2018) was al geladen; "
                   "niets verschoven:")
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


@demo_cli.command("scale")
@click.option("--factor", type=click.IntRange(1, 1000), required=True,
              help="Aantal regio's, elk zo groot als het demonetwerk (100: 20.000 acties).")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Zelfde factor en seed geven dezelfde gegevens.")
@click.option("--at", "at", help="Doe alsof het dit moment is (ISO 8601); standaard nu.")
@click.option("--force", is_flag=True,
              help="Ook toevoegen aan een database met gegevens die niet van de demo zijn.")
def scale_command(factor: int, seed: int, at: str | None, force: bool):
    """Add a synthetic network FACTOR times the demo, with years of history (load tests).

    Deterministic for the same factor, seed and date. Progress goes to stderr. Loads
    the demo network afterwards when it is missing, so that its accounts can log in.
    """
    import time

    from tracker.auth.passwords import hash_password
    from tracker.demo.scale import COUNT_LABELS, count_scaled, refusal, scale_network
    from tracker.jobs.cli import parse_moment

    reason = refusal(force)
    if reason:
        raise click.ClickException(reason)
    development = current_app.config["TRACKER_ENV"] != "production"
    password = current_app.config["TRACKER_DEMO_PASSWORD"] if development else None
    timezone = current_app.config["TRACKER_TIMEZONE"]
    now = parse_moment(at)
    began = time.monotonic()
    scale_network(factor, seed, now=now, timezone=timezone,
                  password_hash=hash_password(password) if password else None)
    demo_admin = source.PEOPLE[0]["email"]
    if db.session.scalar(select(User.id).where(User.email == demo_admin)) is None:
        click.echo("Demonetwerk laden (na de geschiedenis, zodat die op volgorde blijft)", err=True)
        load_demo_network(password, now=now, timezone=timezone)
        mark_jobs_done(now)
        db.session.commit()
    else:
        mark_jobs_done(now)
        db.session.commit()
    seconds = time.monotonic() - began
    click.echo(f"Geschaald netwerk (factor {factor}, seed {seed}) geladen in {seconds:.0f} s:")
    counts = count_scaled()
    for kind, label in COUNT_LABELS.items():
        click.echo(f"  {counts[kind]:>7} {label}")
    if development and password:
        from tracker.demo.scale import ADMIN_EMAIL

        click.echo(f"Inloggen (alleen ontwikkelomgeving): {ADMIN_EMAIL} en de coördinatoren "
                   "r001.p00@… met het demowachtwoord.")
