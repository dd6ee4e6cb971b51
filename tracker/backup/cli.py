"""``flask backup --output FILE [--force]`` and ``flask restore FILE [--yes]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.backup.archive import BackupError, create_backup, read_manifest, restore_backup
from tracker.db import utcnow
from tracker.formatting import file_size
from tracker.security_log import security_event


def _tables_line(tables: dict[str, int]) -> str:
    rows = sum(count for name, count in tables.items() if name != "alembic_version")
    return f"{len(tables)} tabellen, {rows} rijen"


@click.command("backup")
@click.option("--output", "output", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Het archief dat geschreven wordt (.tar.gz).")
@click.option("--force", is_flag=True, help="Overschrijf een bestaand bestand.")
@with_appcontext
def backup_command(output: Path, force: bool):
    """Write the database and the attachment files to one archive (consistent while the app
    runs)."""
    try:
        result = create_backup(output, now=utcnow(), force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    manifest = result.manifest
    security_event("backup.create", obj=str(result.path),
                   detail={"database": manifest["database"],
                           "schema_revision": manifest["schema_revision"],
                           "size": result.size})
    click.echo(f"Back-up geschreven naar {result.path} ({file_size(result.size)}): "
               f"{manifest['database']}-database (schemaversie {manifest['schema_revision']}, "
               f"{_tables_line(manifest['tables'])}) en {manifest['attachments']} bijlagen.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
@with_appcontext
def restore_command(archive: Path, yes: bool):
    """Replace the database and the attachment files by those of a backup archive."""
    try:
        manifest = read_manifest(archive)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    if not yes:
        click.confirm(
            f"Alle gegevens en bijlagen worden vervangen door de back-up van "
            f"{manifest.get('created')} ({manifest.get('database')}, schemaversie "
            f"{manifest.get('schema_revision')}). Doorgaan?", abort=True)
    try:
        result = restore_backup(archive)
    except BackupError as error:
        security_event("backup.restore", obj=str(archive), result="failed",
                       detail={"reason": str(error)[:300]})
        raise click.ClickException(str(error)) from error
    security_event("backup.restore", obj=str(archive),
                   detail={"database": manifest["database"], "created": manifest.get("created"),
                           "schema_revision": manifest["schema_revision"],
                           "upgraded_to": result.revision_now})
    upgraded = (f"; schema bijgewerkt naar {result.revision_now}" if result.upgraded else "")
    if result.attempts > 1:
        click.echo(f"pg_restore gaf {result.attempts - 1} keer voorrang aan lopende verzoeken "
                   f"en begon opnieuw.")
    click.echo(
        f"Hersteld uit {archive}: de {manifest['database']}-database van "
        f"{manifest.get('created')} ({_tables_line(result.tables)}, schemaversie "
        f"{manifest['schema_revision']}{upgraded}), {result.attachments_written} bijlagen "
        f"teruggezet, {result.attachments_removed} latere bijlagen verwijderd.")
