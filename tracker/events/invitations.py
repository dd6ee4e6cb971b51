"""Inviting people to a meeting and reminding those who have not answered. Flush only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.audit.services import record
from tracker.auth.models import User
from tracker.enums import Role
from tracker.events.models import Event, Invitation
from tracker.events.queries import local_day, lock_event
from tracker.events.rules import invitations_closed, may_remind
from tracker.extensions import db
from tracker.network.models import Municipality, Organisation, TeamMembership
from tracker.notifications.outbox import enqueue_many
from tracker.privacy import clean_free_text
from tracker.validation import ValidationError

MAX_ADDRESSES = 500
EMAIL_PATTERN = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
#: One pasted entry: ``adres@example.org`` or ``Naam <adres@example.org>``.
ADDRESS_LINE = re.compile(r"^(?:(?P<name>[^<>]*?)\s*<(?P<address>[^<>\s]+)>|(?P<bare>[^<>\s]+))$")


class AlreadyReminded(ValidationError):
    """The organiser already reminded the non-responders of this event today."""

    def __init__(self):
        super().__init__("event", "Vandaag is al een herinnering verstuurd; morgen kan het weer.")


@dataclass
class InviteReport:
    invited: list[Invitation] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)


def parse_addresses(text: str) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Pasted addresses (one a line, or separated by , or ;) as ``(email, name)`` and the invalid.

    ``Naam <adres@example.org>`` keeps the name. Duplicates are dropped.
    """
    valid: list[tuple[str, str | None]] = []
    invalid: list[str] = []
    seen: set[str] = set()
    for raw in re.split(r"[\n\r;,]+", text or ""):
        item = raw.strip()
        if not item:
            continue
        match = ADDRESS_LINE.match(item)
        name = (match.group("name") or "") if match else ""
        address = (match.group("address") or match.group("bare") or "") if match else ""
        address = address.strip().lower()
        shown = item[:100]
        if not address or len(address) > 254 or not EMAIL_PATTERN.match(address):
            invalid.append(shown)
            continue
        try:
            name = clean_free_text(name.strip().strip('"'), field="addresses", label="Naam",
                                   max_length=120, required=False) or None
        except ValidationError:
            invalid.append(shown)
            continue
        if address in seen:
            continue
        seen.add(address)
        valid.append((address, name))
    return valid, invalid


def _users_by_filter(*, user_ids=(), team_id=None, organisation_id=None, district_id=None
                     ) -> list[User]:
    ids: set[int] = set(user_ids)
    if team_id is not None:
        ids |= set(db.session.scalars(
            select(TeamMembership.user_id).where(TeamMembership.team_id == team_id)))
    if organisation_id is not None:
        ids |= set(db.session.scalars(
            select(User.id).where(User.organisation_id == organisation_id)))
    if district_id is not None:
        ids |= set(db.session.scalars(
            select(User.id).join(Organisation, User.organisation_id == Organisation.id)
            .join(Municipality, Organisation.municipality_id == Municipality.id)
            .where(Municipality.district_id == district_id)))
    if not ids:
        return []
    return list(db.session.scalars(
        select(User).where(User.id.in_(ids), User.active.is_(True)).order_by(User.name)))


def invite(event: Event, *, actor, now: datetime, user_ids=(), team_id: int | None = None,
           organisation_id: int | None = None, district_id: int | None = None,
           addresses: str = "") -> InviteReport:
    """Invite people: accounts by id, team, organisation or district, and pasted addresses.

    Unknown addresses become partner accounts without a password. Everyone newly
    invited gets the invitation mail with an ``.ics``; those already invited are skipped.
    """
    closed = invitations_closed(event, now)
    if closed:
        raise ValidationError("event", closed)
    report = InviteReport()
    pasted, report.invalid = parse_addresses(addresses)
    if len(pasted) > MAX_ADDRESSES:
        raise ValidationError("addresses", f"Plak hoogstens {MAX_ADDRESSES} adressen tegelijk.")
    users = _users_by_filter(user_ids=user_ids, team_id=team_id,
                             organisation_id=organisation_id, district_id=district_id)
    if pasted:
        emails = [address for address, _ in pasted]
        known = {u.email.lower(): u for u in db.session.scalars(
            select(User).where(func.lower(User.email).in_(emails)))}
        for address, name in pasted:
            user = known.get(address)
            if user is None:
                user = User(email=address, name=name or address.split("@")[0], role=Role.PARTNER,
                            password_hash=None, created_at=now)
                db.session.add(user)
                db.session.flush()
                record("user.create", actor=actor, obj=user,
                       summary=f"Partner aangemaakt bij uitnodiging ({event.title})"[:300],
                       after={"email": user.email, "role": user.role.value})
                report.created.append(address)
            elif not user.active:
                report.invalid.append(f"{address} (gedeactiveerd)")
                continue
            users.append(user)
    invited_ids = set(db.session.scalars(
        select(Invitation.user_id).where(Invitation.event_id == event.id)))
    seen: set[int] = set()
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        if user.id in invited_ids:
            report.already.append(user.email)
            continue
        invitation = Invitation(event=event, user=user, invited_at=now)
        db.session.add(invitation)
        report.invited.append(invitation)
    db.session.flush()
    from tracker.events import mail

    enqueue_many([
        (f"invite:{i.id}:{event.sequence}", "event-invite", mail.invitation_email(i, "invite", now),
         i.user_id) for i in report.invited
    ], now, skip_invalid=True)
    if report.invited:
        record("event.invite", actor=actor, obj=event,
               summary=f"{len(report.invited)} uitgenodigd voor {event.title}"[:300],
               after={"user_ids": [i.user_id for i in report.invited]})
    return report


def remind_non_responders(event: Event, *, actor, now: datetime) -> list[str]:
    """The organiser's button: mail everyone who has not answered; at most once a day."""
    event = lock_event(event.id)
    today = local_day(now)
    if event.reminded_on == today:
        raise AlreadyReminded()
    if not may_remind(event, now):
        raise ValidationError("event", "Reageren is niet meer mogelijk; er gaat geen herinnering uit.")
    from tracker.events import mail

    invitations = db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id, Invitation.response.is_(None))
        .options(selectinload(Invitation.user)).order_by(Invitation.id)).all()
    items = [(f"event-remind:{i.id}:{today.isoformat()}", "event-rsvp-reminder",
              mail.rsvp_reminder_email(i), i.user_id)
             for i in invitations if i.user.active and i.user.email]
    queued = enqueue_many(items, now, skip_invalid=True)
    event.reminded_on = today
    for invitation in invitations:
        invitation.last_reminded_at = now
    db.session.flush()
    record("event.remind", actor=actor, obj=event,
           summary=f"Herinnering aan {len(queued)} genodigden zonder antwoord"[:300])
    return queued
