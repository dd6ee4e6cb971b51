"""Reading meetings and invitations: locks, seat counts, the organiser's summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from tracker.auth.models import User
from tracker.enums import RsvpResponse
from tracker.events.models import Event, Invitation
from tracker.extensions import db


def visible_events_query(user):
    """SELECT of the meetings ``user`` may see in lists (the event.view rule as a query):
    every meeting when they see every team, else those of their teams and those they are
    invited to. Used by the meetings page and the API."""
    from tracker.auth.permissions import visible_team_ids

    query = select(Event)
    team_ids = visible_team_ids(user)
    if team_ids is not None:
        invited = select(Invitation.event_id).where(Invitation.user_id == user.id)
        query = query.where(or_(Event.id.in_(invited), Event.team_id.in_(team_ids)))
    return query


def lock_event(event_id: int) -> Event | None:
    """The event, re-read and locked (``FOR UPDATE`` on PostgreSQL; SQLite's writer lock)."""
    return db.session.scalar(
        select(Event).where(Event.id == event_id).with_for_update()
        .execution_options(populate_existing=True)
    )


def seats_taken(event_id: int, *, excluding: int | None = None) -> int:
    query = select(func.count(Invitation.id)).where(
        Invitation.event_id == event_id, Invitation.response == RsvpResponse.JA,
        Invitation.waitlisted_at.is_(None))
    if excluding is not None:
        query = query.where(Invitation.id != excluding)
    return db.session.scalar(query) or 0


def local_day(moment: datetime) -> date:
    """The Europe/Amsterdam (``TRACKER_TIMEZONE``) date of ``moment``."""
    return moment.astimezone(ZoneInfo(current_app.config["TRACKER_TIMEZONE"])).date()


@dataclass
class Summary:
    ja: int = 0
    nee: int = 0
    misschien: int = 0
    geen_antwoord: int = 0
    wachtlijst: int = 0

    @property
    def total(self) -> int:
        return self.ja + self.nee + self.misschien + self.geen_antwoord + self.wachtlijst


def summarise(invitations) -> Summary:
    """The counts the organiser sees, from the invitations (pure)."""
    summary = Summary()
    for invitation in invitations:
        if invitation.response is None:
            summary.geen_antwoord += 1
        elif invitation.response == RsvpResponse.JA and invitation.waitlisted_at is not None:
            summary.wachtlijst += 1
        else:
            setattr(summary, invitation.response.value,
                    getattr(summary, invitation.response.value) + 1)
    return summary


def invitations_of(event_id: int) -> list[Invitation]:
    """The invitations of an event with their people and organisations, in two queries."""
    return list(db.session.scalars(
        select(Invitation).where(Invitation.event_id == event_id)
        .options(selectinload(Invitation.user).selectinload(User.organisation))
        .join(Invitation.user).order_by(User.name, Invitation.id)))


def waitlist_place(invitation: Invitation) -> int | None:
    """The 1-based place of ``invitation`` on its event's waiting list; None when not on it.

    The order is the promotion order of ``rsvp.promote_waitlist``: waiting since, then id.
    """
    if invitation.response != RsvpResponse.JA or invitation.waitlisted_at is None:
        return None
    ahead = db.session.scalar(
        select(func.count(Invitation.id)).where(
            Invitation.event_id == invitation.event_id, Invitation.response == RsvpResponse.JA,
            Invitation.waitlisted_at.is_not(None),
            or_(Invitation.waitlisted_at < invitation.waitlisted_at,
                and_(Invitation.waitlisted_at == invitation.waitlisted_at,
                     Invitation.id < invitation.id))))
    return (ahead or 0) + 1
