"""State changes of webhooks: emitting events, and the beheerder's register. Flush only.

``emit`` is called by the services that change actions, milestones and invitations
(and by the ``webhook-events`` job for overdue actions and reached milestones): it
writes the event and one delivery per subscribed webhook in the caller's
transaction, so a rolled-back change sends nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker import crypto
from tracker.audit.services import record
from tracker.db import utcnow
from tracker.extensions import db
from tracker.submissions import create_once
from tracker.validation import ValidationError, clean_text, clean_url
from tracker.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from tracker.webhooks.rules import EVENTS, PING, check_url

NAME_MAX_LENGTH = 120


def _insert():
    return pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _record_event(event: str, key: str, data: dict[str, Any], now: datetime) -> int | None:
    """Insert the event unless its key exists (``ON CONFLICT DO NOTHING``); its id or None."""
    table = WebhookEvent.__table__
    stmt = (_insert()(table)
            .values(event=event, key=key[:200], occurred_at=now, data=data)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(table.c.id))
    return db.session.execute(stmt).scalar()


def _queue(event_id: int, key: str, webhook_ids: list[int], now: datetime) -> None:
    table = WebhookDelivery.__table__
    rows = [{"webhook_id": webhook_id, "event_id": event_id,
             "idempotency_key": f"{key[:200]}@{webhook_id}", "status": DeliveryStatus.QUEUED,
             "attempts": 0, "next_attempt_at": now, "created_at": now}
            for webhook_id in webhook_ids]
    db.session.execute(_insert()(table).values(rows)
                       .on_conflict_do_nothing(index_elements=["idempotency_key"]))


def subscribers(event: str) -> list[int]:
    """The ids of the active webhooks that want ``event`` (one query)."""
    if event not in EVENTS:
        raise ValueError(f"onbekende gebeurtenis {event!r}")
    return [webhook_id for webhook_id, events in db.session.execute(
        select(Webhook.id, Webhook.events).where(Webhook.active.is_(True))) if event in events]


def emit(event: str, data: dict[str, Any] | Callable[[], dict[str, Any]], key: str, *,
         now: datetime | None = None) -> bool:
    """Record ``event`` with ``data`` under the idempotency ``key`` for every active webhook
    that wants it; True when deliveries were queued.

    ``data`` may be a function making the payload: it is then only called when a webhook
    wants the event (a done click without webhooks builds no payload and no URL).
    Nothing is written when no webhook wants the event. A key that was recorded before
    (a job running twice, a double click) adds nothing: each transition is sent once.
    """
    wanted = subscribers(event)
    if not wanted:
        return False
    now = now or utcnow()
    if callable(data):
        data = data()
    event_id = _record_event(event, key, data, now)
    if event_id is None:
        return False
    _queue(event_id, key, wanted, now)
    return True


# == Payloads: what the receiver gets in "data" (ids, titles, dates; no e-mail addresses) ==


def _url(endpoint: str, **values) -> str:
    from tracker.notifications.messages import external_url

    return external_url(endpoint, **values)


def _team(team) -> dict[str, Any] | None:
    return None if team is None else {"id": team.id, "slug": team.slug, "name": team.name}


def action_data(action) -> dict[str, Any]:
    """``{"action": {id, title, status, due_date, owner_id, team, completed_at, url}}``."""
    return {"action": {
        "id": action.id, "title": action.title, "status": action.status.value,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "owner_id": action.owner_id, "team": _team(action.team),
        "completed_at": (action.completed_at.isoformat() if action.completed_at else None),
        "url": _url("actions.detail", action_id=action.id),
    }}


def milestone_data(milestone, progress) -> dict[str, Any]:
    """``{"milestone": {id, title, due_date, achieved_on, team, progress, url}}``."""
    return {"milestone": {
        "id": milestone.id, "title": milestone.title, "due_date": milestone.due_date.isoformat(),
        "achieved_on": milestone.achieved_on.isoformat() if milestone.achieved_on else None,
        "team": _team(milestone.team),
        "progress": (None if progress is None else
                     {"done": progress.done, "total": progress.total, "unit": progress.unit}),
        "url": _url("milestones.detail", milestone_id=milestone.id),
    }}


def invitation_data(invitation, event) -> dict[str, Any]:
    """``{"meeting": {id, title, starts_at, url}, "invitation": {id, response, waitlisted,
    responded_at}}``: no name or address of the invitee (external invitees are erased
    after a year; a receiver should not keep a copy)."""
    return {
        "meeting": {"id": event.id, "title": event.title,
                    "starts_at": event.starts_at.isoformat() if event.starts_at else None,
                    "url": _url("events.detail", event_id=event.id)},
        "invitation": {"id": invitation.id, "response": invitation.response.value,
                       "waitlisted": invitation.waitlisted_at is not None,
                       "responded_at": invitation.responded_at.isoformat()},
    }


# == The services' calls (one per kind of change) ==


def action_created(action, now: datetime) -> None:
    emit("action.created", lambda: action_data(action), f"action.created:{action.id}", now=now)


def action_completed(action, now: datetime) -> None:
    """Once per completion: a reopened action completed again is a new transition."""
    emit("action.completed", lambda: action_data(action),
         f"action.completed:{action.id}:{action.completed_at.isoformat()}", now=now)


def action_overdue(action, now: datetime) -> bool:
    """Once per action and due date (a new date that passes too is a new transition)."""
    return emit("action.overdue", lambda: action_data(action),
                f"action.overdue:{action.id}:{action.due_date.isoformat()}", now=now)


def milestone_reached(milestone, progress, now: datetime) -> bool:
    """Once per milestone: undoing "gehaald" and reaching it again sends nothing new."""
    return emit("milestone.reached", milestone_data(milestone, progress),
                f"milestone.reached:{milestone.id}", now=now)


def check_milestone(milestone, today, now: datetime) -> None:
    """After a tick or "gehaald": emit ``milestone.reached`` when the rules say it is."""
    from tracker.milestones.queries import milestone_views

    if not subscribers("milestone.reached"):
        return
    view = milestone_views([milestone], today)[0]
    if view.assessment.achieved:
        milestone_reached(milestone, view.progress, now)


def invitation_answered(invitation, event, now: datetime) -> None:
    emit("meeting.answered", invitation_data(invitation, event),
         f"meeting.answered:{invitation.id}:{invitation.responded_at.isoformat()}", now=now)


# == The beheerder's register ==


def allow_local_http() -> bool:
    """http:// to this machine: in tests, in debug, or with TRACKER_WEBHOOK_ALLOW_LOCAL_HTTP."""
    config = current_app.config
    return bool(config.get("TESTING") or current_app.debug
                or config.get("TRACKER_WEBHOOK_ALLOW_LOCAL_HTTP"))


def clean_webhook_url(raw: str | None) -> str:
    url = clean_url(raw, field="url", label="Adres")
    if not url:
        raise ValidationError("url", "Vul het adres in waar de berichten heen gaan.")
    return check_url(url, allow_local_http=allow_local_http())


def clean_events(values: list[str]) -> list[str]:
    chosen = [name for name in EVENTS if name in set(values)]
    if not values or len(chosen) != len(set(values)):
        raise ValidationError("events", "Kies ten minste één gebeurtenis uit de lijst.")
    return chosen


def create_webhook(*, name: str, url: str, events: list[str], actor, now: datetime,
                   submission: str | None = None) -> tuple[Webhook, str]:
    """Register a receiver; returns it with its signing secret, shown only this once.

    The secret is 32 random bytes (64 hex characters) and stored only encrypted.
    ``submission``: the form's one-time id (:mod:`tracker.submissions`); when it made a
    webhook before, raises :class:`tracker.submissions.AlreadySubmitted` and makes none.
    """

    def make() -> tuple[Webhook, str]:
        secret = "whsec_" + secrets.token_hex(32)
        webhook = Webhook(name=clean_text(name, field="name", label="Naam",
                                          max_length=NAME_MAX_LENGTH),
                          url=url, events=events, secret_encrypted=crypto.encrypt(secret),
                          active=True, created_at=now, created_by_id=actor.id,
                          submission_id=submission)
        db.session.add(webhook)
        db.session.flush()
        record("webhook.create", actor=actor, obj=webhook,
               summary=f"Webhook aangemaakt: {webhook.name}", after={"url": url, "events": events})
        return webhook, secret

    return create_once(Webhook, submission, make) if submission else make()


def update_webhook(webhook: Webhook, *, events: list[str], active: bool, actor) -> None:
    """Change the events it receives and whether it is active (inactive: nothing is sent)."""
    before = {"events": list(webhook.events), "active": webhook.active}
    webhook.events, webhook.active = events, active
    db.session.flush()
    after = {"events": events, "active": active}
    if before != after:
        record("webhook.update", actor=actor, obj=webhook,
               summary=f"Webhook gewijzigd: {webhook.name}", before=before, after=after)


def delete_webhook(webhook: Webhook, *, actor) -> None:
    """Remove it with its delivery log and the events no other webhook has (the audit
    journal keeps that it existed)."""
    record("webhook.delete", actor=actor, obj=webhook, summary=f"Webhook verwijderd: {webhook.name}",
           before={"url": webhook.url, "events": list(webhook.events)})
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id))
    db.session.delete(webhook)
    db.session.flush()
    db.session.execute(delete(WebhookEvent).where(
        ~exists().where(WebhookDelivery.event_id == WebhookEvent.id)))


def send_test(webhook: Webhook, *, actor, now: datetime) -> WebhookDelivery:
    """Queue a ``ping`` for this webhook only (active or not: the beheerder asked for it)."""
    key = f"ping:{webhook.id}:{secrets.token_hex(8)}"
    event = WebhookEvent(event=PING, key=key, occurred_at=now,
                         data={"webhook": {"id": webhook.id, "name": webhook.name},
                               "message": "Testbericht van de tracker"})
    db.session.add(event)
    db.session.flush()
    delivery = WebhookDelivery(webhook_id=webhook.id, event_id=event.id,
                               idempotency_key=f"{key}@{webhook.id}", status=DeliveryStatus.QUEUED,
                               attempts=0, next_attempt_at=now, created_at=now)
    db.session.add(delivery)
    db.session.flush()
    record("webhook.test", actor=actor, obj=webhook, summary=f"Testbericht: {webhook.name}")
    return delivery


def retry_delivery(delivery: WebhookDelivery, *, actor, now: datetime) -> None:
    """Put a failed delivery back in the queue, due now, with fresh attempts."""
    if delivery.status != DeliveryStatus.FAILED:
        raise ValidationError("delivery", "Alleen een mislukte aflevering kan opnieuw.")
    delivery.status = DeliveryStatus.QUEUED
    delivery.next_attempt_at = now
    delivery.attempts = 0
    delivery.claimed_until = delivery.claimed_by = None
    db.session.flush()
    record("webhook.retry", actor=actor, obj=delivery.webhook,
           summary=f"Aflevering {delivery.id} opnieuw in de wachtrij")
