"""Inviting people to a meeting and reminding those who have not answered. Flush only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formataddr, getaddresses

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from tracker.audit.services import record
from tracker.auth.models import User
from tracker.enums import Role
from tracker.events.models import Event, Invitation
from tracker.events.queries import invitable, local_day, lock_event
from tracker.events.rules import invitations_closed, is_remindable, may_remind
from tracker.extensions import db
from tracker.network.models import District, Municipality, Organisation, Team, TeamMembership
from tracker.notifications.outbox import enqueue_many
from tracker.privacy import clean_free_text
from tracker.validation import ValidationError

MAX_ADDRESSES = 500
#: One entry that names its address: ``Naam <adres>`` or ``"Naam, met komma" <adres>``.
NAMED_ENTRY = re.compile(r'^(?P<name>[^<>]*?)\s*<(?P<address>[^<>]*)>$')
#: The separators of a pasted list, outside quotes and angle brackets.
SEPARATORS = ",;\r\n"


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


def _segments(text: str) -> list[str]:
    """``text`` cut at , ; and line breaks that are not inside quotes or angle brackets."""
    segments, current, quoted, angled = [], [], False, False
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
            continue
        if char == "\\" and quoted:
            escaped = True
        elif char == '"' and not angled:
            quoted = not quoted
        elif char == "<" and not quoted:
            angled = True
        elif char == ">" and not quoted:
            angled = False
        elif char in SEPARATORS and not quoted and not angled:
            segments.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    segments.append("".join(current).strip())
    return [segment for segment in segments if segment]


def _entries(segments: list[str], invalid: list[str]) -> list[str]:
    """Join Outlook's unquoted ``Achternaam, Voornaam <adres>`` back into one entry.

    A segment without an address (``Jansen``) belongs to the named entry that follows
    it (``Piet <piet@x.nl>``); one that no named entry follows is invalid.
    """
    entries: list[str] = []
    pending: list[str] = []
    for segment in segments:
        if "@" not in segment and "<" not in segment:
            pending.append(segment)
            continue
        named = NAMED_ENTRY.match(segment)
        if pending and named and named.group("name") and '"' not in segment:
            name = ", ".join([*pending, named.group("name")])
            segment = formataddr((name, named.group("address")))
        else:
            invalid.extend(pending)
        pending = []
        entries.append(segment)
    invalid.extend(pending)
    return entries


def display_name(name: str) -> str:
    """A pasted display name as the person's name: ``Jansen, Piet`` becomes ``Piet Jansen``."""
    name = " ".join(name.split())
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if last and first:
            return f"{first} {last}"
    return name


def _parse_entry(entry: str) -> tuple[str, str]:
    """``(address, name)`` of one entry, parsed as RFC 5322 by the standard library.

    Raises ValueError when the entry is not exactly one mailbox: group syntax
    (``Bcc: x@y``), a second address or text outside the angle brackets.
    """
    pairs = getaddresses([entry])
    if len(pairs) != 1:
        raise ValueError(entry)
    name, address = pairs[0]
    named = NAMED_ENTRY.match(entry)
    shown = named.group("address").strip() if named else entry
    if not address or address != shown:
        raise ValueError(entry)
    try:
        normalised = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(entry) from error
    return normalised.lower(), display_name(name)


def parse_addresses(text: str) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Pasted addresses as ``(email, name)`` pairs and the entries that are not addresses.

    ``text`` is an RFC 5322 address list as mail programs copy it: separated by ``,``,
    ``;`` or line breaks; ``"Jansen, Piet" <piet@x.nl>`` and Outlook's unquoted
    ``Jansen, Piet <piet@x.nl>`` both give the name ``Piet Jansen``. Addresses are
    checked with email-validator (syntax only) and lower-cased; duplicates are dropped.
    """
    valid: list[tuple[str, str | None]] = []
    invalid: list[str] = []
    seen: set[str] = set()
    for entry in _entries(_segments(text or ""), invalid):
        shown = entry[:100]
        try:
            address, name = _parse_entry(entry)
            name = clean_free_text(name, field="addresses", label="Naam", max_length=120,
                                   required=False) or None
        except (ValueError, ValidationError):
            invalid.append(shown)
            continue
        if address in seen:
            continue
        seen.add(address)
        valid.append((address, name))
    invalid[:] = [item[:100] for item in invalid]
    return valid, invalid


def _users_by_filter(*, user_ids=(), team_id=None, organisation_id=None, district_id=None
                     ) -> list[User]:
    ids: set[int] = set(user_ids)
    # A team, organisation or district that does not exist is a wrong choice (422 at its
    # field), not "nobody to invite".
    for field_name, model, chosen in (("team_id", Team, team_id),
                                      ("organisation_id", Organisation, organisation_id),
                                      ("district_id", District, district_id)):
        if chosen is not None and db.session.get(model, chosen) is None:
            raise ValidationError(field_name, "Kies een geldige waarde.")
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
        select(User).where(User.id.in_(ids), invitable()).order_by(User.name)))


def invite(event: Event, *, actor, now: datetime, user_ids=(), team_id: int | None = None,
           organisation_id: int | None = None, district_id: int | None = None,
           addresses: str = "", send: bool = True) -> InviteReport:
    """Invite people: accounts by id, team, organisation or district, and pasted addresses.

    Unknown addresses become partner accounts without a password. Everyone newly
    invited gets the invitation mail with an ``.ics``; those already invited are skipped.
    ``send=False`` records the same invitations and audit entry without queueing mail
    (``flask demo scale``: invitations to meetings of a synthetic past).
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
                user = User(email=address, name=(name or address)[:120], role=Role.PARTNER,
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

    enqueue_many([] if not send else [
        (f"invite:{i.id}:{event.sequence}", "event-invite", mail.invitation_email(i, "invite", now),
         i.user_id) for i in report.invited
    ], now, skip_invalid=True)
    if report.invited:
        record("event.invite", actor=actor, obj=event,
               summary=f"{len(report.invited)} uitgenodigd voor {event.title}"[:300],
               after={"user_ids": [i.user_id for i in report.invited]})
    return report


def reminder_recipients(event: Event) -> list[Invitation]:
    """Who the organiser's reminder goes to: invitees without an answer, sorted by name.

    Never the organiser (:func:`rules.is_remindable`), never a deactivated account or one
    without an address. The confirmation page lists exactly these; the POST sends to them.
    """
    return list(db.session.scalars(
        select(Invitation).join(Invitation.user).where(remindable_condition(event))
        .options(selectinload(Invitation.user)).order_by(User.name, Invitation.id)))


def remindable(event: Event, invitations) -> list[Invitation]:
    """Of ``invitations`` (users loaded), those a reminder goes to: no answer yet, not the
    organiser, an active account with an address. Pure; keeps the order."""
    return [i for i in invitations
            if i.response is None and is_remindable(event, i) and i.user.active and i.user.email]


def remindable_condition(event: Event):
    """:func:`remindable` as SQL over invitations joined to their users, for ``event``
    (tests check that both pick the same invitations)."""
    conditions = [Invitation.event_id == event.id, Invitation.response.is_(None),
                  User.active.is_(True), User.email.is_not(None), User.email != ""]
    if event.organiser_id is not None:  # rules.is_remindable: never the organiser
        conditions.append(Invitation.user_id != event.organiser_id)
    return and_(*conditions)


def has_remindable(event: Event) -> bool:
    """Whether a reminder would reach anyone (one statement, whatever the invitations)."""
    return bool(db.session.scalar(select(
        select(Invitation.id).join(Invitation.user).where(remindable_condition(event)).exists())))


def remind_non_responders(event: Event, *, actor, now: datetime) -> list[str]:
    """The organiser's button: mail everyone who has not answered; at most once a day."""
    event = lock_event(event.id)
    today = local_day(now)
    if event.reminded_on == today:
        raise AlreadyReminded()
    if not may_remind(event, now):
        raise ValidationError("event", "Reageren is niet meer mogelijk; er gaat geen herinnering uit.")
    from tracker.events import mail

    invitations = reminder_recipients(event)
    items = [(f"event-remind:{i.id}:{today.isoformat()}", "event-rsvp-reminder",
              mail.rsvp_reminder_email(i), i.user_id) for i in invitations]
    queued = enqueue_many(items, now, skip_invalid=True)
    event.reminded_on = today
    for invitation in invitations:
        invitation.last_reminded_at = now
    db.session.flush()
    record("event.remind", actor=actor, obj=event,
           summary=f"Herinnering aan {len(queued)} genodigden zonder antwoord"[:300])
    return queued
