"""``flask jobs run NAME [--at ISO-8601]`` and ``flask scheduler``."""

from __future__ import annotations

import logging
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from tracker.db import utcnow
from tracker.jobs import JOBS, run_job

jobs_cli = AppGroup("jobs", help="Geplande taken (herinneringen, overzichten, verzending).")


def parse_moment(value: str | None) -> datetime:
    """An ISO 8601 moment with a zone; without one it is taken as Europe/Amsterdam time."""
    if not value:
        return utcnow()
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"geen ISO 8601-tijdstip: {value!r}") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(current_app.config["TRACKER_TIMEZONE"]))
    return moment


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(list(JOBS)))
@click.option("--at", "at", help="Doe alsof het dit moment is (ISO 8601), bijv. "
              "2018-02-05T07:30:00+01:00.")
def run_command(name: str, at: str | None):
    """Run one job once, now or as if it were --at; print what it queued or sent."""
    result = run_job(name, parse_moment(at))
    click.echo(str(result))


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the scheduler (one process; a second one waits for the first)."""
    from tracker.jobs.scheduler import run_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    run_forever(current_app._get_current_object())
