"""The personal calendar feed (iCalendar) and the page to manage its link."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from tracker.actions.models import Action
from tracker.actions.rules import OPEN_STATUSES
from tracker.agenda.feed import (
    FUTURE_DAYS,
    PAST_DAYS,
    build_feed,
    feed_window,
    window_moments,
)
from tracker.agenda.services import issue_calendar_token, revoke_calendar_token, user_for_token
from tracker.auth.permissions import authenticated, member_team_ids, public
from tracker.clock import local_today, now
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.milestones.models import Milestone
from tracker.milestones.queries import milestone_views

bp = Blueprint("agenda", __name__)


@bp.get("/agenda")
@authenticated
def page():
    """Explain the feed and offer to make or revoke the link."""
    return _page(feed_url=None, has_link=current_user.calendar_token_hash is not None)


def _page(**context):
    return render_template("agenda/page.html", past_days=PAST_DAYS, future_days=FUTURE_DAYS,
                           **context)


@bp.post("/agenda/link")
@authenticated
def issue():
    """Make a new secret link (the old one stops working) and show it once."""
    token = issue_calendar_token(current_user)
    db.session.commit()
    # The address the user reaches the tracker on now (TRACKER_BASE_URL is for mail).
    feed_url = url_for("agenda.feed", token=token, _external=True)
    return _page(feed_url=feed_url, has_link=True)


@bp.post("/agenda/intrekken")
@authenticated
def revoke():
    """Revoke the link: calendars subscribed to it stop updating."""
    revoke_calendar_token(current_user)
    db.session.commit()
    return _page(feed_url=None, has_link=False, revoked=True)


@bp.get("/agenda/<token>.ics")
@public
def feed(token: str):
    """The feed itself: the owner's actions, their teams' milestones, their meetings, from
    :data:`PAST_DAYS` days ago to :data:`FUTURE_DAYS` ahead (bounded in the queries)."""
    user = user_for_token(token)
    if user is None:
        abort(404)
    today = local_today()
    first, last = feed_window(today)
    team_ids = member_team_ids(user)
    actions = db.session.scalars(
        select(Action).where(Action.owner_id == user.id, Action.status.in_(OPEN_STATUSES),
                             Action.due_date.between(first, last))
        .options(selectinload(Action.team))).all()
    milestones = db.session.scalars(
        select(Milestone).where(or_(Milestone.team_id.in_(team_ids), Milestone.team_id.is_(None)),
                                Milestone.due_date.between(first, last))
        .options(selectinload(Milestone.team))).all()
    starts, ends = window_moments(first, last, current_app.config["TRACKER_TIMEZONE"])
    events = db.session.scalars(
        select(Event).join(Invitation, Invitation.event_id == Event.id)
        .where(Invitation.user_id == user.id, Event.starts_at >= starts,
               Event.starts_at < ends)).all()
    states = {v.milestone.id: v.assessment for v in milestone_views(list(milestones), today)}
    body = build_feed(actions=actions, milestones=milestones, events=events, now=now(),
                      milestone_states=states,
                      base_url=current_app.config["TRACKER_BASE_URL"].rstrip("/"),
                      timezone=current_app.config["TRACKER_TIMEZONE"])
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="vnon-agenda.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response
