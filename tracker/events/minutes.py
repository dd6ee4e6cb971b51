"""Minutes of a meeting, actions arising from it, and the minutes mail. Flush only.

The organiser (and whoever manages the meeting, ``event.minutes``) records notes and
decisions, creates actions for teams (linked back through ``actions.event_id``) and
sends the minutes to those who accepted, through the outbox: once per version.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.actions.models import Action
from tracker.actions.services import ActionInput, create_action
from tracker.audit.services import record
from tracker.auth.models import User
from tracker.concurrency import check_version
from tracker.enums import ActionStatus, RsvpResponse
from tracker.events.models import Event, EventMinutes, Invitation
from tracker.extensions import db
from tracker.network.models import Team
from tracker.notifications.outbox import enqueue_many, existing_keys
from tracker.validation import ValidationError


def minutes_key_prefix(event: Event, minutes: EventMinutes) -> str:
    """The outbox key prefix of one version's mail: ``event-minutes:<event>:v<version>:``."""
    return f"event-minutes:{event.id}:v{minutes.version}:"


def save_minutes(event: Event, *, notes: str, decisions: str, expected_version: int | None,
                 actor, now: datetime) -> EventMinutes:
    """Create or change the minutes of ``event`` from cleaned text (BSN already refused).

    ``expected_version`` is the version the form was built from (None for new minutes);
    raises ConflictError when the minutes changed meanwhile. Audited; history by
    Continuum. Returns the minutes (unchanged text: no new version).
    """
    minutes = event.minutes
    if minutes is None:
        minutes = EventMinutes(event=event, notes=notes, decisions=decisions, updated_at=now,
                               updated_by_id=actor.id)
        db.session.add(minutes)
        db.session.flush()
        record("event.minutes", actor=actor, obj=event,
               summary=f"Verslag vastgelegd: {event.title}"[:300],
               after={"notes": notes, "decisions": decisions})
        return minutes
    check_version(minutes, expected_version)
    before = {"notes": minutes.notes, "decisions": minutes.decisions}
    after = {"notes": notes, "decisions": decisions}
    if before == after:
        return minutes
    minutes.notes, minutes.decisions = notes, decisions
    minutes.updated_at, minutes.updated_by_id = now, actor.id
    db.session.flush()
    changed = [key for key in after if after[key] != before[key]]
    record("event.minutes", actor=actor, obj=event,
           summary=f"Verslag gewijzigd: {event.title}"[:300],
           before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return minutes


def action_teams(event: Event, user, may_edit) -> list[Team]:
    """The teams an action from ``event`` may go to: the meeting's own team and every team
    ``user`` may edit (``may_edit(team)``, the ``team.edit`` permission), in list order."""
    teams = db.session.scalars(select(Team).order_by(Team.position, Team.name)).all()
    return [t for t in teams if t.id == event.team_id or may_edit(t)]


def action_owners() -> list[User]:
    """Who may own an action from a meeting: every active account, by name."""
    return list(db.session.scalars(
        select(User).where(User.active.is_(True)).order_by(User.name)))


def create_action_from_event(event: Event, team: Team, *, title: str, description: str,
                             owner_id: int | None, due_date, actor, now: datetime) -> Action:
    """An open action for ``team`` that came out of ``event`` (``Voortgekomen uit``)."""
    data = ActionInput(title=title, description=description, owner_id=owner_id,
                       due_date=due_date, status=ActionStatus.OPEN, milestone_id=None,
                       district_id=None)
    return create_action(team, data, actor=actor, now=now, event_id=event.id)


def event_actions(event_id: int) -> list[Action]:
    """The actions that came out of a meeting, with team and owner (three queries)."""
    return list(db.session.scalars(
        select(Action).where(Action.event_id == event_id)
        .options(selectinload(Action.team), selectinload(Action.owner))
        .order_by(Action.due_date.is_(None), Action.due_date, Action.id)))


def minutes_recipients(event: Event) -> list[Invitation]:
    """Who gets the minutes: invitees who accepted and have a seat (not the waiting list),
    with an active account and an address, sorted by name."""
    invitations = db.session.scalars(
        select(Invitation).join(Invitation.user)
        .where(Invitation.event_id == event.id, Invitation.response == RsvpResponse.JA,
               Invitation.waitlisted_at.is_(None), User.active.is_(True))
        .options(selectinload(Invitation.user))
        .order_by(User.name, Invitation.id)).all()
    return [i for i in invitations if i.user.email]


def minutes_sent(event: Event) -> bool:
    """Whether the current version of the minutes already went out."""
    minutes = event.minutes
    return minutes is not None and bool(existing_keys(minutes_key_prefix(event, minutes)))


def send_minutes(event: Event, *, expected_version: int | None, actor, now: datetime
                 ) -> list[str]:
    """Queue the minutes mail to :func:`minutes_recipients`; returns the queued keys.

    One key per recipient and version (``event-minutes:<event>:v<version>:<invitation>``):
    sending the same version twice queues nothing new. Raises ValidationError without
    minutes or recipients, ConflictError when the minutes changed since the confirmation.
    """
    from tracker.events import mail
    from tracker.events.rules import minutes_closed

    minutes = event.minutes
    if minutes is None or not (minutes.notes or minutes.decisions):
        raise ValidationError("minutes", "Er is nog geen verslag om te versturen.")
    if reason := minutes_closed(event, now):
        raise ValidationError("minutes", reason)
    check_version(minutes, expected_version)
    recipients = minutes_recipients(event)
    if not recipients:
        raise ValidationError("minutes", "Niemand heeft ja gezegd; er is niemand om het "
                                         "verslag aan te sturen.")
    actions = event_actions(event.id)
    prefix = minutes_key_prefix(event, minutes)
    queued = enqueue_many([
        (f"{prefix}{i.id}", "event-minutes", mail.minutes_email(i, minutes, actions), i.user_id)
        for i in recipients], now, skip_invalid=True)
    record("event.minutes_send", actor=actor, obj=event,
           summary=f"Verslag (versie {minutes.version}) naar {len(queued)} deelnemers"[:300],
           after={"version": minutes.version, "user_ids": [i.user_id for i in recipients]})
    return queued
