"""The Start page: the landing after login, one home per account role."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from tracker.auth.permissions import can, portfolio_scope, requires, work_team_ids
from tracker.clock import local_today, now
from tracker.home import queries
from tracker.home.rules import HomeKind, home_kind

bp = Blueprint("home", __name__)


@bp.get("/start")
@requires("network.view")
def start():
    """The person's home: portfolio (bestuurder), team work (coordinator), meetings and
    actions (partner), the queue (beheerder), or pointers (lezer)."""
    today, moment = local_today(), now()
    kind = home_kind(current_user.role)
    context = {"kind": kind, "today": today}
    if kind == HomeKind.PORTFOLIO:
        team_ids, whole_network = portfolio_scope(current_user)
        context["portfolio"] = queries.portfolio(team_ids, today, moment,
                                                 whole_network=whole_network)
    elif kind == HomeKind.TEAM_WORK:
        context["team_work"] = queries.team_work(work_team_ids(current_user), today, moment)
    elif kind == HomeKind.QUEUE and can(current_user, "outbox.manage"):
        context["queue"] = queries.queue(moment)
    if kind in (HomeKind.PARTNER, HomeKind.READER):
        context["partner"] = queries.partner_home(current_user.id, today, moment)
    return render_template("home/start.html", **context)
