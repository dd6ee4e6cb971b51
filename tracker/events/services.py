"""Meetings and invitations without HTTP: validate, change, queue mail, audit. Flush only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.audit.services import record
from tracker.auth.models import User
from tracker.concurrency import check_version
from tracker.enums import EventStatus, Role, RsvpResponse
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.network.models import Municipality, Organisation, TeamMembership
from tracker.notifications.outbox import enqueue_many
from tracker.privacy import refuse_bsn
from tracker.validation import ValidationError, ValidationErrors, clean_text

MAX_CAPACITY = 10_000
MAX_ADDRESSES = 500
EMAIL_PATTERN = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
#: One pasted entry: ``adres@example.org`` or ``Naam <adres@example.org>``.
ADDRESS_LINE = re.compile(r"^(?:(?P<name>[^<>]*?)\s*<(?P<address>[^<>\s]+)>|(?P<bare>[^<>\s]+))$")
#: Changes invitees must hear about (a new SEQUENCE in their calendar).
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "location", "online_url")


class RsvpClosed(Exception):
    """The answer can no longer change: ``reason`` is ``deadline`` or ``cancelled``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class AlreadyReminded(Exception):
    """The organiser already reminded the non-responders of this event today."""


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TRACKER_TIMEZONE"])


# --- Input ---------------------------------------------------------------------------------

def parse_local_datetime(value: str | None, *, field: str, label: str, required: bool,
                         tz: ZoneInfo) -> datetime | None:
    """A ``YYYY-MM-DDTHH:MM`` local time as aware UTC; impossible and DST-gap times refused."""
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationError(field, f"{label} is verplicht.")
        return None
    if len(text) > 25:
        raise ValidationError(field, f"{label} is geen geldige datum en tijd.")
    try:
        naive = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError as error:
        raise ValidationError(
            field, f"{label} is geen bestaande datum en tijd (bijvoorbeeld 2018-03-07T13:30)."
        ) from error
    if naive.tzinfo is not None:
        raise ValidationError(field, f"{label}: geef de tijd zonder tijdzone (Nederlandse tijd).")
    if not 2000 <= naive.year <= 2100:
        raise ValidationError(field, f"{label} ligt buiten de toegestane jaren.")
    local = naive.replace(tzinfo=tz)
    moment = local.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != naive:
        raise ValidationError(field, f"{label} bestaat niet: de klok wordt dan verzet (zomertijd).")
    return moment


def clean_url(value: str | None, *, field: str, label: str) -> str | None:
    """An absolute http(s) link, or None when empty; other schemes are refused."""
    text = clean_text(value, field=field, label=label, max_length=500, required=False)
    if not text:
        return None
    if any(c.isspace() for c in text):
        raise ValidationError(field, f"{label} mag geen spaties bevatten.")
    try:
        parts = urlsplit(text)
    except ValueError as error:
        raise ValidationError(field, f"{label} is geen geldige link.") from error
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(field, f"{label} moet beginnen met https:// of http://.")
    return text


def parse_capacity(value: str | None) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit() or not text.isascii():
        raise ValidationError("capacity", "Aantal plaatsen moet een heel getal van 1 of meer zijn.")
    number = int(text)
    if number < 1 or number > MAX_CAPACITY:
        raise ValidationError(
            "capacity", f"Aantal plaatsen moet tussen 1 en {MAX_CAPACITY} liggen.")
    return number


def _optional_id(value: str | None, allowed: set[int | None], field: str, label: str
                 ) -> int | None:
    text = (value or "").strip()
    if not text:
        if None in allowed:
            return None
        raise ValidationError(field, f"{label} is verplicht.")
    if not text.isdigit() or int(text) not in allowed:
        raise ValidationError(field, f"Kies een geldige waarde voor {label.lower()}.")
    return int(text)


def validate_event_form(form, *, teams: set[int | None], organisers: set[int | None]
                        ) -> dict[str, Any]:
    """The event fields from ``form``; :class:`ValidationErrors` lists every bad field."""
    tz = _tz()
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}

    def take(name: str, fn) -> None:
        try:
            data[name] = fn()
        except ValidationError as error:
            errors[error.field] = error.message

    take("title", lambda: clean_text(form.get("title"), field="title", label="Titel",
                                     max_length=200))
    take("team_id", lambda: _optional_id(form.get("team_id"), teams, "team_id", "Team"))
    take("description", lambda: refuse_bsn(clean_text(
        form.get("description"), field="description", label="Beschrijving", max_length=4000,
        required=False, multiline=True), field="description"))
    take("starts_at", lambda: parse_local_datetime(form.get("starts_at"), field="starts_at",
                                                   label="Begin", required=True, tz=tz))
    take("ends_at", lambda: parse_local_datetime(form.get("ends_at"), field="ends_at",
                                                 label="Einde", required=True, tz=tz))
    take("rsvp_deadline", lambda: parse_local_datetime(
        form.get("rsvp_deadline"), field="rsvp_deadline", label="Reageren kan tot",
        required=False, tz=tz))
    take("location", lambda: clean_text(form.get("location"), field="location", label="Locatie",
                                        max_length=300, required=False))
    take("online_url", lambda: clean_url(form.get("online_url"), field="online_url",
                                         label="Online link"))
    take("capacity", lambda: parse_capacity(form.get("capacity")))
    take("organiser_id", lambda: _optional_id(form.get("organiser_id"), organisers,
                                              "organiser_id", "Organisator"))
    if not errors:
        if data["ends_at"] <= data["starts_at"]:
            errors["ends_at"] = "Einde moet na het begin liggen."
        if data["rsvp_deadline"] and data["rsvp_deadline"] > data["starts_at"]:
            errors["rsvp_deadline"] = "Reageren kan tot uiterlijk het begin van de bijeenkomst."
        if not data["location"] and not data["online_url"]:
            errors["location"] = "Vul een locatie of een online link in."
    if errors:
        raise ValidationErrors(errors)
    return data


def _snapshot(event: Event) -> dict[str, Any]:
    def plain(value):
        return value.isoformat() if isinstance(value, datetime | date) else value

    return {
        "title": event.title, "team_id": event.team_id, "description": event.description,
        "starts_at": plain(event.starts_at), "ends_at": plain(event.ends_at),
        "location": event.location, "online_url": event.online_url,
        "capacity": event.capacity, "rsvp_deadline": plain(event.rsvp_deadline),
        "organiser_id": event.organiser_id,
        "status": event.status.value if event.status else None,
    }


# --- Events --------------------------------------------------------------------------------

def create_event(data: dict[str, Any], *, actor, now: datetime) -> Event:
    """A planned meeting from validated ``data``."""
    event = Event(status=EventStatus.GEPLAND, created_at=now, **data)
    if event.organiser_id is None:
        event.organiser_id = actor.id
    db.session.add(event)
    db.session.flush()
    record("event.create", actor=actor, obj=event, summary=f"Bijeenkomst: {event.title}",
           after=_snapshot(event))
    return event


def lock_event(event_id: int) -> Event | None:
    """The event, re-read and locked (``FOR UPDATE`` on PostgreSQL; SQLite's writer lock)."""
    return db.session.scalar(
        select(Event).where(Event.id == event_id).with_for_update()
        .execution_options(populate_existing=True)
    )


def update_event(event: Event, data: dict[str, Any], *, expected_version: int | None, actor,
                 now: datetime) -> list[str]:
    """Save the edit form; invitees get an updated calendar item when time or place changed."""
    check_version(event, expected_version)
    if event.status == EventStatus.GEANNULEERD:
        raise ValidationError("status", "Een geannuleerde bijeenkomst kan niet meer worden gewijzigd.")
    capacity = data.get("capacity", event.capacity)
    if capacity is not None and capacity != event.capacity:
        seated = seats_taken(event.id)
        if capacity < seated:
            raise ValidationError(
                "capacity", f"Er hebben al {seated} mensen een plaats; kies minstens {seated} "
                "plaatsen of vraag eerst iemand af te melden.")
    before = _snapshot(event)
    for key, value in data.items():
        setattr(event, key, value)
    after = _snapshot(event)
    changed = [k for k in after if after[k] != before[k]]
    if not changed:
        return []
    if event.status == EventStatus.CONCEPT and event.starts_at is not None:
        event.status = EventStatus.GEPLAND
    queued: list[str] = []
    if set(changed) & set(CALENDAR_FIELDS) and event.invitations:
        event.sequence += 1
        queued = _send_calendar(event, "update", now)
    if "capacity" in changed:
        promote_waitlist(event, now)
    db.session.flush()
    record("event.update", actor=actor, obj=event, summary=f"Bijeenkomst gewijzigd: {event.title}",
           before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return queued


def cancel_event(event: Event, *, expected_version: int | None, actor, now: datetime
                 ) -> list[str]:
    """Cancel the meeting; every invitee gets ``METHOD:CANCEL``."""
    check_version(event, expected_version)
    if event.status == EventStatus.GEANNULEERD:
        return []
    before = event.status.value
    event.status = EventStatus.GEANNULEERD
    event.sequence += 1
    queued = _send_calendar(event, "cancel", now) if event.starts_at else []
    db.session.flush()
    record("event.cancel", actor=actor, obj=event, summary=f"Bijeenkomst geannuleerd: {event.title}",
           before={"status": before}, after={"status": event.status.value})
    return queued


def _send_calendar(event: Event, kind: str, now: datetime) -> list[str]:
    from tracker.events import mail

    items = []
    for invitation in event.invitations:
        if not invitation.user.active or not invitation.user.email:
            continue
        key = f"event-{kind}:{invitation.id}:{event.sequence}"
        items.append((key, f"event-{kind}", mail.invitation_email(invitation, kind, now),
                      invitation.user_id))
    return enqueue_many(items, now, skip_invalid=True)


# --- Invitations ---------------------------------------------------------------------------

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
            name = clean_text(name.strip().strip('"'), field="addresses", label="Naam",
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
    if event.status != EventStatus.GEPLAND or event.starts_at is None:
        raise ValidationError("event", "Alleen voor een geplande bijeenkomst met een datum "
                                       "kunnen uitnodigingen worden verstuurd.")
    if event.starts_at <= now:
        raise ValidationError("event", "Deze bijeenkomst is al begonnen of voorbij.")
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


# --- Answers -------------------------------------------------------------------------------

@dataclass
class AnswerResult:
    invitation: Invitation
    changed: bool
    promoted: list[Invitation]


def seats_taken(event_id: int, *, excluding: int | None = None) -> int:
    query = select(func.count(Invitation.id)).where(
        Invitation.event_id == event_id, Invitation.response == RsvpResponse.JA,
        Invitation.waitlisted_at.is_(None))
    if excluding is not None:
        query = query.where(Invitation.id != excluding)
    return db.session.scalar(query) or 0


def rsvp_open(event: Event, now: datetime) -> str | None:
    """None when answers may change; else why not (``cancelled`` or ``deadline``)."""
    if event.status == EventStatus.GEANNULEERD:
        return "cancelled"
    if event.rsvp_deadline is not None and now > event.rsvp_deadline:
        return "deadline"
    if event.starts_at is not None and now > event.starts_at:
        return "deadline"
    return None


def answer(invitation_id: int, response: str, remark: str | None, *, now: datetime
           ) -> AnswerResult:
    """Record an invitee's answer; a "ja" beyond capacity joins the waiting list.

    The event row is locked first, so parallel answers (by the same person or by
    fifty people for the last seat) are applied one after the other.
    """
    try:
        choice = RsvpResponse(response)
    except ValueError as error:
        raise ValidationError("response", "Kies ja, nee of misschien.") from error
    text = refuse_bsn(clean_text(remark, field="remark", label="Opmerking", max_length=1000,
                                 required=False, multiline=True), field="remark")
    event_id = db.session.scalar(select(Invitation.event_id).where(Invitation.id == invitation_id))
    event = lock_event(event_id)
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.id == invitation_id)
        .options(selectinload(Invitation.user))
        .execution_options(populate_existing=True))
    closed = rsvp_open(event, now)
    if closed:
        raise RsvpClosed(closed)
    before = {"response": invitation.response.value if invitation.response else None,
              "remark": invitation.remark, "waitlisted": invitation.waitlisted_at is not None}
    was_seated = invitation.response == RsvpResponse.JA and invitation.waitlisted_at is None
    if choice == RsvpResponse.JA:
        if invitation.response != RsvpResponse.JA:
            full = (event.capacity is not None
                    and seats_taken(event.id, excluding=invitation.id) >= event.capacity)
            invitation.waitlisted_at = now if full else None
    else:
        invitation.waitlisted_at = None
    changed = invitation.response != choice or invitation.remark != text
    invitation.response = choice
    invitation.remark = text
    invitation.responded_at = now
    db.session.flush()
    promoted: list[Invitation] = []
    if was_seated and choice != RsvpResponse.JA:
        promoted = promote_waitlist(event, now)
    after = {"response": choice.value, "remark": text,
             "waitlisted": invitation.waitlisted_at is not None}
    record("invitation.answer", actor=invitation.user, obj=invitation,
           summary=f"Antwoord {choice.value} voor {event.title}"[:300], before=before, after=after)
    return AnswerResult(invitation, changed, promoted)


def promote_waitlist(event: Event, now: datetime) -> list[Invitation]:
    """Give free seats to the waiting list in order; each one moved up gets a mail."""
    from tracker.events import mail

    if event.capacity is None:
        free = None
    else:
        free = event.capacity - seats_taken(event.id)
        if free <= 0:
            return []
    query = (select(Invitation).where(Invitation.event_id == event.id,
                                      Invitation.response == RsvpResponse.JA,
                                      Invitation.waitlisted_at.is_not(None))
             .options(selectinload(Invitation.user))
             .order_by(Invitation.waitlisted_at, Invitation.id))
    if free is not None:
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    items = []
    for invitation in promoted:
        waited_since = invitation.waitlisted_at
        invitation.waitlisted_at = None
        items.append((f"event-moved-up:{invitation.id}:{waited_since.isoformat()}",
                      "event-moved-up", mail.moved_up_email(invitation), invitation.user_id))
        record("invitation.moved_up", obj=invitation,
               summary=f"Van de wachtlijst naar een plaats: {event.title}"[:300])
    db.session.flush()
    enqueue_many(items, now, skip_invalid=True)
    return promoted


# --- Organiser -----------------------------------------------------------------------------

def local_day(moment: datetime) -> date:
    return moment.astimezone(_tz()).date()


def remind_non_responders(event: Event, *, actor, now: datetime) -> list[str]:
    """The organiser's button: mail everyone who has not answered; at most once a day."""
    event = lock_event(event.id)
    today = local_day(now)
    if event.reminded_on == today:
        raise AlreadyReminded()
    if rsvp_open(event, now):
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
