"""``flask privacy export EMAIL --out FILE.zip`` and ``flask privacy erase EMAIL --yes``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.avg.erasure import erase_person
from tracker.avg.export import export_person, find_person
from tracker.db import utcnow
from tracker.extensions import db
from tracker.validation import ValidationError

privacy_cli = AppGroup("privacy", help="AVG: gegevens van één persoon exporteren of wissen.")


def _person(email: str):
    user = find_person(email)
    if user is None:
        raise click.ClickException(f"Geen account met e-mailadres {email}.")
    return user


@privacy_cli.command("export")
@click.argument("email")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Het zipbestand dat geschreven wordt.")
def export_command(email: str, out: Path):
    """Write everything the tracker holds about one person to a zip (JSON and CSV)."""
    data = export_person(_person(email), actor=None)
    out.write_bytes(data)
    db.session.commit()
    click.echo(f"Geëxporteerd naar {out} ({len(data)} bytes).")


@privacy_cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Bevestig: dit kan niet ongedaan worden gemaakt.")
def erase_command(email: str, yes: bool):
    """Replace one person by a pseudonym everywhere, history included, and deactivate them."""
    user = _person(email)
    if not yes:
        raise click.ClickException("Wissen kan niet ongedaan worden gemaakt: bevestig met --yes.")
    try:
        report = erase_person(user, actor=None, now=utcnow(), reason="verzoek (opdrachtregel)")
    except ValidationError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(str(report))
