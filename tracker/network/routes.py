"""The dashboard and the team pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.actions.queries import (
    DUE_FILTERS,
    SORTS,
    STATUS_FILTERS,
    ActionFilter,
    district_names,
    owner_names,
    selected_ids,
    team_action_page,
    team_counters,
)
from tracker.actions.services import BULK_OPERATIONS
from tracker.auth.permissions import can, requires
from tracker.clock import local_today
from tracker.extensions import db
from tracker.forms import Refusal, form_errors
from tracker.htmx import is_fragment, render_page_or_fragment
from tracker.network.models import Team
from tracker.network.queries import dashboard_summaries, team_page, team_page_data
from tracker.pagination import page_links, page_number

bp = Blueprint("network", __name__)

#: The element the action filters swap into; other htmx requests get the whole page.
ACTION_LIST_ID = "acties-lijst"


@bp.get("/")
@requires("network.view")
def dashboard():
    """The teams with their chair, trekker and counts, a page of cards at a time
    (``?pagina=N``)."""
    today = local_today()
    summaries = dashboard_summaries(current_user, today, page_number(request.args))
    summaries.link = page_links(anchor="teams")
    return render_template("network/dashboard.html", summaries=summaries, today=today)


@bp.get("/teams/<slug>")
@requires("team.view", load=team_page)
def team(slug: str, subject: Team):
    """A team's page: its actions (filtered, sorted, paginated), people and status blocks.

    htmx requests from the filter form get only the action list.
    """
    today = local_today()
    listing = team_action_page(subject.id, ActionFilter.from_args(request.args), today)
    can_edit = can(current_user, "team.edit", subject)
    owners = owner_names(subject.id)
    context = {
        "team": subject, "listing": listing, "today": today,
        "can_edit": can_edit,
        "can_edit_introduction": can(current_user, "team.introduction", subject),
        "next_url": request.full_path.rstrip("?"),
        # The bulk form (issue 13): who the team may assign to, and the rows to tick.
        "bulk_owners": owners, "bulk_operations": BULK_OPERATIONS,
        "selected": selected_ids(request.args.get("selectie"), listing.actions),
    }
    if not is_fragment(target=ACTION_LIST_ID):
        context.update(
            page=team_page_data(subject, today),
            counters=team_counters(subject.id, today),
            owner_choices=[("", "Iedereen"), ("geen", "Zonder eigenaar")]
            + [(str(u.id), u.name) for u in owners],
            district_choices=[("", "Alle districten")]
            + [(str(d.id), d.name) for d in district_names()],
            status_filters=STATUS_FILTERS, due_filters=DUE_FILTERS, sorts=SORTS,
        )
    return render_page_or_fragment("network/team.html", "actions/_list.html",
                                   target=ACTION_LIST_ID, **context)


def _introduction_page(team: Team, value: str, error: str | None = None, status: int = 200):
    return render_template("network/introduction.html", team=team, value=value,
                           error=error), status


@bp.get("/teams/<slug>/inleiding")
@requires("team.introduction", load=team_page)
def introduction(slug: str, subject: Team):
    """The team's introduction in the progress report, to edit."""
    return _introduction_page(subject, subject.introduction or "")


def _refused_introduction(refusal: Refusal, slug: str, subject: Team):
    return _introduction_page(subject, request.form.get("inleiding", ""), refusal.message,
                              refusal.status)


@bp.post("/teams/<slug>/inleiding")
@requires("team.introduction", load=team_page)
@form_errors(_refused_introduction)
def save_introduction_view(slug: str, subject: Team):
    """Save the team's introduction (kept in history: earlier reports keep the old one)."""
    from tracker.report.forms import IntroductionForm
    from tracker.report.services import save_introduction

    form = IntroductionForm().parse()
    changed = save_introduction(subject, form.inleiding.data, current_user)
    db.session.commit()
    flash("Inleiding opgeslagen." if changed else "De inleiding was niet gewijzigd.", "ok")
    return redirect(url_for("network.team", slug=subject.slug), 303)
