"""The dashboard and the team pages."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from tracker.auth.permissions import requires
from tracker.db import utcnow
from tracker.formatting import to_local
from tracker.network.queries import dashboard_summaries, team_page, team_page_data

bp = Blueprint("network", __name__)


def local_today():
    """Today's date in the network's time zone."""
    return to_local(utcnow(), current_app.config["TRACKER_TIMEZONE"]).date()


@bp.get("/")
@requires("network.view")
def dashboard():
    """The teams with their chair, trekker and counts."""
    from flask_login import current_user

    today = local_today()
    summaries = dashboard_summaries(current_user, today)
    team_names = {s.team.id: s.team.name for s in summaries}
    return render_template(
        "network/dashboard.html", summaries=summaries, team_names=team_names, today=today
    )


@bp.get("/teams/<slug>")
@requires("team.view", load=team_page)
def team(slug: str, subject):
    """A team's page: its people and the four blocks of its status."""
    page = team_page_data(subject, local_today())
    return render_template("network/team.html", page=page, team=subject, today=local_today())
