"""An invitee's answer through the signed link, and the waiting list. Flush only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.services import record
from tracker.enums import RsvpResponse
from tracker.events.models import Event, Invitation
from tracker.events.queries import lock_event, seats_taken
from tracker.events.rules import rsvp_closed
from tracker.extensions import db
from tracker.notifications.outbox import enqueue_many
from tracker.privacy import refuse_bsn
from tracker.validation import ValidationError, clean_text
from tracker.webhooks import services as webhooks


class RsvpClosed(Exception):
    """The answer can no longer change: ``reason`` is ``deadline`` or ``cancelled``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class AnswerResult:
    invitation: Invitation
    changed: bool
    promoted: list[Invitation]


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
    closed = rsvp_closed(event, now)
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
    if changed:
        webhooks.invitation_answered(invitation, event, now)
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
