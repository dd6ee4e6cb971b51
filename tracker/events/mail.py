"""The meeting mails: invitation (with ``.ics``), update, cancellation, reminders, moved up.

Each renders ``email/<name>.txt`` and ``.html`` through the notifications'
``_render`` (signed unsubscribe links included) and carries a personal RSVP link.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr

from flask import current_app

from tracker.events.ics import invitation_calendar
from tracker.events.itip import mailbox_configured, reply_organiser
from tracker.notifications.messages import _render, external_url, secret_url
from tracker.notifications.outbox import Email, attachment

ICS_DOMAIN = "vnon-tracker"
SUBJECTS = {
    "invite": "Uitnodiging: {title}",
    "update": "Gewijzigd: {title}",
    "cancel": "Geannuleerd: {title}",
}


def rsvp_url() -> str:
    """The personal link to answer an invitation, with the placeholder for its token.

    The delivery run signs the token from :func:`rsvp_claims` (``secret_links``).
    """
    return secret_url("events.rsvp", "rsvp")


#: The greeting when the tracker knows no name for a person, only an address.
NEUTRAL_GREETING = "Beste genodigde,"


def has_name(user) -> bool:
    """Whether ``user.name`` is a real name, not an address or its local part.

    Partners created from a pasted address without a display name carry the address as
    their name (older ones its lower-case local part, "k.pieters"): a greeting never uses
    either. A typed name that merely spells the same ("Eigenaar" for eigenaar@…) is a name.
    """
    name = (user.name or "").strip()
    if not name or "@" in name:
        return False
    return name != (user.email or "").split("@")[0]


def greeting(user) -> str:
    """The person's own greeting (``User.greeting``: the stored form of address, or "Beste
    <voornaam>,"), or ``Beste genodigde,`` for an invitee known only by an address."""
    return user.greeting if user.salutation or has_name(user) else NEUTRAL_GREETING


def rsvp_claims(invitation) -> dict[str, dict]:
    """The ``link_claims`` of a mail with this invitation's RSVP link."""
    return {"rsvp": {"i": invitation.id}}


def _organiser(event) -> tuple[str, str | None]:
    if event.organiser is not None and event.organiser.email:
        return event.organiser.email, event.organiser.name
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return address, name or None


def invitation_email(invitation, kind: str, now: datetime) -> Email:
    """The invitation (``invite``), a change (``update``) or the cancellation (``cancel``)."""
    event = invitation.event
    url = rsvp_url()
    buttons = mailbox_configured()
    # With a reply mailbox the calendar's answer comes to the tracker; without one,
    # calendars get no buttons whose answer would land in a person's inbox unseen.
    organiser_email, organiser_name = reply_organiser() if buttons else _organiser(event)
    method = "CANCEL" if kind == "cancel" else ("REQUEST" if buttons else "PUBLISH")
    partstat = {"ja": "ACCEPTED", "nee": "DECLINED", "misschien": "TENTATIVE"}.get(
        invitation.response.value if invitation.response else "", "NEEDS-ACTION")
    ics = invitation_calendar(
        event=event, attendee_email=invitation.user.email, attendee_name=invitation.user.name,
        organiser_email=organiser_email, organiser_name=organiser_name, now=now,
        domain=ICS_DOMAIN, url=url, method=method, partstat=partstat,
        timezone=current_app.config["TRACKER_TIMEZONE"])
    subject = SUBJECTS[kind].format(title=event.title)[:300]
    email = _render("event_invitation", invitation.user, invitation.user.email, subject,
                    "reminders", event=event, invitation=invitation, kind=kind, rsvp_url=url,
                    calendar_buttons=buttons,
                    greeting=greeting(invitation.user),
                    link_claims=rsvp_claims(invitation),
                    event_url=external_url("events.detail", event_id=event.id))
    email.attachments.append(attachment(
        "uitnodiging.ics" if kind != "cancel" else "annulering.ics",
        f"text/calendar; method={method}; charset=UTF-8", ics))
    return email


def rsvp_reminder_email(invitation) -> Email:
    """To an invitee who has not answered yet."""
    event = invitation.event
    subject = f"Graag uw antwoord: {event.title}"[:300]
    return _render("event_rsvp_reminder", invitation.user, invitation.user.email, subject,
                   "reminders", event=event, invitation=invitation, greeting=greeting(invitation.user),
                   rsvp_url=rsvp_url(), link_claims=rsvp_claims(invitation))


def moved_up_email(invitation) -> Email:
    """To an invitee on the waiting list: a seat came free, they are expected."""
    event = invitation.event
    subject = f"Er is een plaats voor u vrijgekomen: {event.title}"[:300]
    return _render("event_moved_up", invitation.user, invitation.user.email, subject,
                   "reminders", event=event, invitation=invitation, greeting=greeting(invitation.user),
                   rsvp_url=rsvp_url(), link_claims=rsvp_claims(invitation))


def minutes_email(invitation, minutes, actions) -> Email:
    """The minutes of a meeting to one attendee: notes, decisions and the actions from it."""
    event = invitation.event
    subject = f"Verslag: {event.title}"[:300]
    return _render("event_minutes", invitation.user, invitation.user.email, subject,
                   "reminders", event=event, invitation=invitation, minutes=minutes,
                   actions=actions, greeting=greeting(invitation.user),
                   event_url=external_url("events.detail", event_id=event.id))
