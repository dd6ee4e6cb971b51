"""``flask report export``: the progress report for a peildatum as a file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from tracker.report.services import PeildatumError, parse_peildatum

report_cli = AppGroup("report", help="Voortgangsrapportage.")


@report_cli.command("export")
@click.option("--peildatum", required=True, help="JJJJ-MM-DD")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "docx"]), required=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              required=True)
def export_command(peildatum: str, fmt: str, output: Path):
    """Write the report as it stood on PEILDATUM to OUTPUT."""
    from tracker.db import read_only, utcnow
    from tracker.formatting import to_local
    from tracker.report.build import build_report

    timezone = current_app.config["TRACKER_TIMEZONE"]
    today: date = to_local(utcnow(), timezone).date()
    try:
        day = parse_peildatum(peildatum, today)
    except PeildatumError as error:
        raise click.BadParameter(str(error), param_hint="--peildatum") from None
    # Read-only work: a DEFERRED transaction on SQLite, so a long export never holds the
    # write lock that the web's logins and clicks queue for.
    with read_only():
        report = build_report(day, timezone=timezone)
        if fmt == "html":
            from tracker.report.export_html import render_report_html

            output.write_text(render_report_html(report, standalone=True), encoding="utf-8")
        else:
            from tracker.report.renders import render_file_of

            output.write_bytes(render_file_of(report, fmt))
    click.echo(f"{report.title_line} ({fmt}) geschreven naar {output}")
