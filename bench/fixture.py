"""What ``bench/run.py`` needs from a prepared database, printed as one JSON line.

Run inside the project's environment with ``DATABASE_URL``, ``SECRET_KEY`` and
``TRACKER_DATA_KEY`` of the benchmark server (the RSVP link is signed with that
secret). Writes to the database it is pointed at (a calendar link and an API key for
the benchmark account, with their audit rows): run it on the per-run working copy,
never on the cached database.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.actions.models import Action  # noqa: E402
from tracker.actions.services import ActionInput, create_action  # noqa: E402
from tracker.agenda.services import issue_calendar_token  # noqa: E402
from tracker.api.models import ApiScope  # noqa: E402
from tracker.api.tokens import issue_token  # noqa: E402
from tracker.auth.models import User  # noqa: E402
from tracker.clock import local_today, now  # noqa: E402
from tracker.enums import ActionStatus, TeamRole  # noqa: E402
from tracker.events.models import Event, Invitation  # noqa: E402
from tracker.events.tokens import rsvp_token  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.milestones.models import Milestone  # noqa: E402
from tracker.network.models import Team, TeamMembership  # noqa: E402

#: The benchmark account: the demo's coordinator (password only; see bench/run.py on MFA).
EMAIL = "coordinator@example.org"
#: Open actions the done/undo POST cycles through (wrk: 2 threads × 8 connections, so
#: 16 per thread: a row is clicked again only after its previous answer came back).
ACTIONS = 32


def account_and_team() -> tuple[User, Team]:
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    if user is None:
        raise SystemExit(f"{EMAIL} ontbreekt: is de demo geladen?")
    team = db.session.scalar(
        select(Team).join(TeamMembership, TeamMembership.team_id == Team.id)
        .where(TeamMembership.user_id == user.id, TeamMembership.role == TeamRole.COORDINATOR)
        .order_by(Team.id))
    return user, team


def open_actions(team: Team) -> list:
    return db.session.execute(
        select(Action.id, Action.version, Action.title)
        .where(Action.team_id == team.id, Action.status.in_([ActionStatus.OPEN, ActionStatus.BEZIG]))
        .order_by(Action.id).limit(ACTIONS)).all()


def toggle_actions() -> list[list[int]]:
    """At least :data:`ACTIONS` open actions of the account's team, made through the
    service when the team has fewer (16 connections must never click one row at once).
    ``bench/run.py`` asks for them after every other endpoint has been measured."""
    user, team = account_and_team()
    missing = ACTIONS - len(open_actions(team))
    for n in range(missing):
        create_action(team, ActionInput(title=f"Benchmarkactie {n + 1}", description="",
                                        owner_id=None, due_date=None, status=ActionStatus.OPEN,
                                        milestone_id=None, district_id=None),
                      actor=user, now=now())
    db.session.commit()
    return [[a.id, a.version] for a in open_actions(team)]


def fixture() -> dict:
    user, team = account_and_team()
    actions = open_actions(team)
    milestone = db.session.scalar(
        select(Milestone.id).where(Milestone.per_municipality.is_(True)).order_by(Milestone.id))
    moment = now()
    invitation = db.session.scalar(
        select(Invitation.id).join(Event, Event.id == Invitation.event_id)
        .where(Event.starts_at > moment).order_by(Event.starts_at, Invitation.id))
    words = [w for title in (a.title for a in actions) for w in re.findall(r"[a-z]{6,}", title.lower())]
    calendar = issue_calendar_token(user)
    _token, api = issue_token(user, name="benchmark", scope=ApiScope.READ,
                              expires_on=local_today() + timedelta(days=30),
                              today=local_today(), now=moment)
    db.session.commit()
    return {
        "email": EMAIL,
        "team": team.slug,
        "actions": [[a.id, a.version] for a in actions],
        "milestone": milestone,
        "rsvp_token": rsvp_token(invitation) if invitation else None,
        "calendar_token": calendar,
        "api_token": api,
        "search": words[0] if words else "actie",
        "today": local_today().isoformat(),
        "counts": {
            "actions": db.session.scalar(select(func.count(Action.id))),
            "users": db.session.scalar(select(func.count(User.id))),
            "events": db.session.scalar(select(func.count(Event.id))),
        },
    }


if __name__ == "__main__":
    app = create_app()
    with app.app_context():
        print(json.dumps(toggle_actions() if sys.argv[1:] == ["actions"] else fixture()))
