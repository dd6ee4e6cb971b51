"""``flask search reindex``: rebuild the search index from the data."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.extensions import db
from tracker.search.indexing import rebuild

search_cli = AppGroup("search", help="Zoeken: de zoekindex.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Describe every action, comment, pilot, status point, milestone, meeting and person again."""
    count = rebuild(db.session)
    db.session.commit()
    click.echo(f"Zoekindex opnieuw opgebouwd: {count} objecten.")
