"""Answers from the calendar buttons: iTIP ``METHOD:REPLY`` (RFC 5546, RFC 6047) by mail.

Whether invitations carry reply buttons is decided here once (:func:`mailbox_configured`):
with a reply mailbox the invitation is a ``METHOD:REQUEST`` whose ORGANIZER is
``TRACKER_REPLY_ADDRESS``; without one it is a ``METHOD:PUBLISH`` without attendees
or ``RSVP=TRUE``, so calendars show no buttons whose answer would be lost.

The reading job (``tracker.jobs.calendar_replies``) hands every new message to
:func:`process_message`. Each message is remembered in ``itip_replies`` by its
Message-ID (:func:`message_key`), so it is recorded once however often the job runs
and whatever anyone does to the mailbox's flags. An answer is recorded through the
same service as the link (:func:`tracker.events.rsvp.answer`), waiting list
included: ACCEPTED is "ja", DECLINED "nee", TENTATIVE "misschien"; the COMMENT
becomes the remark. Replies that cannot be tied to an invitation stay in the table
and are shown to the organiser on the meeting's page.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from flask import current_app
from icalendar import Calendar
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db import UTCDateTime
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.validation import ValidationError

log = logging.getLogger(__name__)

#: iTIP PARTSTAT -> the app's answer (``RsvpResponse`` values). TENTATIVE is "misschien":
#: the one answer option that says "maybe", and it takes no seat.
PARTSTAT_RESPONSE = {"ACCEPTED": "ja", "DECLINED": "nee", "TENTATIVE": "misschien"}
#: The UID of the tracker's invitations (``tracker.events.ics.event_uid``).
UID_PATTERN = re.compile(r"^event-(\d+)@(.+)$")
REMARK_MAX = 1000


class ReplyOutcome:
    """What became of a message (stored as a plain string)."""

    RECORDED = "recorded"
    UNKNOWN_ATTENDEE = "unknown_attendee"
    SENDER_MISMATCH = "sender_mismatch"
    CLOSED = "closed"
    REFUSED = "refused"
    UNSUPPORTED = "unsupported"
    NOT_OURS = "not_ours"
    NO_REPLY = "no_reply"


#: Outcomes the organiser sees under "Antwoorden die niet te koppelen waren", with the reason.
UNMATCHED_REASONS = {
    ReplyOutcome.UNKNOWN_ATTENDEE: "Dit adres is niet uitgenodigd (doorgestuurde uitnodiging?)",
    ReplyOutcome.SENDER_MISMATCH: "Afzender is niet de genodigde uit het antwoord",
    ReplyOutcome.CLOSED: "Antwoord kwam na de sluiting of annulering",
    ReplyOutcome.REFUSED: "Opmerking geweigerd (bijv. een BSN)",
    ReplyOutcome.UNSUPPORTED: "Onbekend antwoord (geen accepteren, misschien of weigeren)",
}
RESPONSE_LABELS = {"ACCEPTED": "Ja", "DECLINED": "Nee", "TENTATIVE": "Misschien"}


class ItipReply(db.Model):
    """One message read from the reply mailbox (or one reply in it), and what became of it.

    ``message_key`` (SHA-256 of the Message-ID) makes reading idempotent. For a
    recorded answer the person's details live in the invitation; only replies that
    could not be tied to one keep the address, name and comment, for the organiser.
    """

    __tablename__ = "itip_replies"
    __table_args__ = (UniqueConstraint("message_key", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_key: Mapped[str] = mapped_column(String(64))
    #: The n-th reply in the message (0 for most; a message may answer several meetings).
    part: Mapped[int] = mapped_column(default=0)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(30))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"))
    #: PARTSTAT as sent (ACCEPTED, DECLINED, TENTATIVE, ...).
    partstat: Mapped[str | None] = mapped_column(String(30))
    attendee_email: Mapped[str | None] = mapped_column(String(320))
    attendee_name: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)

    event: Mapped[Event | None] = relationship()

    @property
    def reason(self) -> str:
        return UNMATCHED_REASONS.get(self.outcome, self.outcome)

    @property
    def response_label(self) -> str:
        return RESPONSE_LABELS.get(self.partstat or "", self.partstat or "—")


def mailbox_configured(config=None) -> bool:
    """Whether replies are read: an IMAP host, user and the reply address are all set."""
    config = config if config is not None else current_app.config
    return bool(config.get("TRACKER_IMAP_HOST") and config.get("TRACKER_IMAP_USER")
                and config.get("TRACKER_REPLY_ADDRESS"))


def reply_organiser(config=None) -> tuple[str, str | None]:
    """``(address, name)`` of the ORGANIZER when replies are read: the reply address."""
    config = config if config is not None else current_app.config
    name, address = parseaddr(config["TRACKER_REPLY_ADDRESS"])
    if not name:
        name = parseaddr(config.get("MAIL_DEFAULT_SENDER") or "")[0]
    return address, name or None


def message_key(message_id: str | None, raw: bytes) -> str:
    """64 hex characters: the SHA-256 of the Message-ID, or of the message without one."""
    ident = (message_id or "").strip()
    data = ident.encode("utf-8", "replace") if ident else raw
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Reply:
    """One ``METHOD:REPLY`` VEVENT: its UID, the attendee and their answer."""

    uid: str
    email: str
    name: str | None
    partstat: str
    comment: str | None


def _calendar_bytes(message: EmailMessage) -> list[bytes]:
    """Every calendar document in the message: text/calendar parts and ``.ics`` files."""
    found = []
    for part in message.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        filename = (part.get_filename() or "").lower()
        if ctype in ("text/calendar", "application/ics") or filename.endswith(".ics"):
            payload = part.get_payload(decode=True)
            if payload:
                found.append(payload)
    return found


def _mailto(value) -> str:
    return re.sub(r"^mailto:", "", str(value).strip(), flags=re.IGNORECASE).strip().lower()


def parse_replies(message: EmailMessage) -> list[Reply]:
    """The iTIP replies in a mail, with or without ``method=`` on the MIME part.

    The METHOD inside the calendar decides (RFC 6047 says the two must agree, not
    every client sets the MIME one). The same reply as part and attachment (Google
    Calendar) counts once. Unreadable calendars are skipped.
    """
    replies: dict[tuple[str, str], Reply] = {}
    for data in _calendar_bytes(message):
        try:
            calendar = Calendar.from_ical(data)
        except ValueError:
            log.warning("agenda-antwoord: onleesbare kalender overgeslagen")
            continue
        if str(calendar.get("METHOD", "")).strip().upper() != "REPLY":
            continue
        for vevent in calendar.walk("VEVENT"):
            attendees = vevent.get("ATTENDEE")
            if attendees is None:
                continue
            if not isinstance(attendees, list):
                attendees = [attendees]
            for attendee in attendees:
                email = _mailto(attendee)
                comment = vevent.get("COMMENT")
                if isinstance(comment, list):
                    comment = "\n".join(str(c) for c in comment)
                reply = Reply(
                    uid=str(vevent.get("UID", "")).strip(), email=email,
                    name=str(attendee.params.get("CN")) if attendee.params.get("CN") else None,
                    partstat=str(attendee.params.get("PARTSTAT", "")).upper(),
                    comment=str(comment).strip() if comment else None)
                replies.setdefault((reply.uid, reply.email), reply)
    return list(replies.values())


def _senders(message: EmailMessage) -> set[str]:
    headers = [str(message.get(name, "")) for name in ("From", "Sender")]
    return {address.lower() for _, address in getaddresses(headers) if address}


def _event_id(uid: str, domain: str) -> int | None:
    match = UID_PATTERN.match(uid)
    if not match or match.group(2).lower() != domain.lower():
        return None
    return int(match.group(1))


def already_processed(key: str) -> bool:
    """Whether the message with this :func:`message_key` was handled before."""
    return db.session.scalar(select(func.count(ItipReply.id))
                             .where(ItipReply.message_key == key)) > 0


def process_message(raw: bytes, *, now: datetime, domain: str) -> list[ItipReply]:
    """Record the replies in one raw RFC 5322 message; return the rows written. Flush only.

    Raises nothing for a message that is no reply (it is remembered as ``no_reply``);
    the caller commits, and a unique-key violation means another run got there first.
    """
    from tracker.events.rsvp import RsvpClosed, answer

    message = message_from_bytes(raw, policy=policy.default)
    key = message_key(message.get("Message-ID"), raw)
    # A client that lists the organiser among the attendees: that is the tracker itself.
    ours = (current_app.config.get("TRACKER_REPLY_ADDRESS") and reply_organiser()[0].lower())
    replies = [r for r in parse_replies(message) if r.email != ours]
    senders = _senders(message)
    rows = []
    for index, reply in enumerate(replies):
        row = ItipReply(message_key=key, part=index, processed_at=now,
                        partstat=reply.partstat or None)
        rows.append(row)
        event_id = _event_id(reply.uid, domain)
        event = db.session.get(Event, event_id) if event_id is not None else None
        if event is None:
            row.outcome = ReplyOutcome.NOT_OURS
            continue
        row.event_id = event.id
        invitation = db.session.scalar(
            select(Invitation).join(Invitation.user)
            .where(Invitation.event_id == event.id,
                   func.lower(User.email) == reply.email))
        response = PARTSTAT_RESPONSE.get(reply.partstat)
        if invitation is None:
            row.outcome = ReplyOutcome.UNKNOWN_ATTENDEE
        elif reply.email not in senders:
            row.outcome = ReplyOutcome.SENDER_MISMATCH
        elif response is None:
            row.outcome = ReplyOutcome.UNSUPPORTED
        else:
            # Answers count in the order they are read (the mailbox's order), like
            # clicks on the link; DTSTAMP is the sender's clock and is not trusted.
            row.invitation_id = invitation.id
            try:
                # Both refusals are raised before answer() changes anything.
                answer(invitation.id, response, (reply.comment or "")[:REMARK_MAX], now=now)
                row.outcome = ReplyOutcome.RECORDED
            except RsvpClosed:
                row.outcome = ReplyOutcome.CLOSED
            except ValidationError:
                row.outcome = ReplyOutcome.REFUSED
        if row.outcome in UNMATCHED_REASONS:
            row.attendee_email = reply.email[:320]
            row.attendee_name = (reply.name or "")[:200] or None
            row.comment = (reply.comment or "")[:REMARK_MAX] or None
    if not rows:
        rows.append(ItipReply(message_key=key, part=0, processed_at=now,
                              outcome=ReplyOutcome.NO_REPLY))
    db.session.add_all(rows)
    db.session.flush()
    return rows


def unmatched_replies(event_id: int) -> list[ItipReply]:
    """Replies for this meeting that were not recorded, newest first (for its organiser)."""
    return list(db.session.scalars(
        select(ItipReply).where(ItipReply.event_id == event_id,
                                ItipReply.outcome.in_(list(UNMATCHED_REASONS)))
        .order_by(ItipReply.processed_at.desc(), ItipReply.id.desc())))
