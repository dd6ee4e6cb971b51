"""Beheer of webhooks: the list, a new one (secret shown once), events, test, delete, the log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.auth.permissions import requires
from tracker.db import utcnow
from tracker.extensions import db
from tracker.forms import Refusal, flash_and_redirect, form_errors
from tracker.security_log import log_beheerder_actions
from tracker.submissions import FIELD as SUBMISSION_FIELD
from tracker.submissions import AlreadySubmitted, new_submission_id, parse_submission_id
from tracker.webhooks import services
from tracker.webhooks.forms import NewWebhookForm, WebhookEventsForm
from tracker.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from tracker.webhooks.rules import EVENTS, LABELS

bp = Blueprint("webhooks", __name__, url_prefix="/beheer/webhooks")
log_beheerder_actions(bp)

#: Deliveries shown in a webhook's log, newest first.
LOG_SIZE = 100
EVENT_OPTIONS = list(EVENTS.items())


def _load(webhook_id: int, **_ignored) -> Webhook | None:
    return db.session.get(Webhook, webhook_id)


@bp.get("")
@requires("webhook.manage")
def index():
    """Every webhook with its events and the count of queued and failed deliveries."""
    webhooks = db.session.scalars(select(Webhook).order_by(Webhook.name, Webhook.id)).all()
    counts: dict[tuple[int, str], int] = {
        (webhook_id, status): n for webhook_id, status, n in db.session.execute(
            select(WebhookDelivery.webhook_id, WebhookDelivery.status,
                   func.count(WebhookDelivery.id))
            .where(WebhookDelivery.status != DeliveryStatus.DELIVERED)
            .group_by(WebhookDelivery.webhook_id, WebhookDelivery.status))}
    return render_template("webhooks/index.html", webhooks=webhooks, counts=counts,
                           labels=LABELS, statuses=DeliveryStatus)


def _new_page(errors=None, values=None, status=200):
    return render_template("webhooks/new.html", errors=errors or {}, values=values or {},
                           chosen=(request.form.getlist("events") if values else []),
                           options=EVENT_OPTIONS, local_http=services.allow_local_http(),
                           submission=new_submission_id(),
                           submission_field=SUBMISSION_FIELD), status


@bp.get("/nieuw")
@requires("webhook.manage")
def new():
    """The form for a new webhook."""
    return _new_page()


def _refused_new(refusal: Refusal):
    return _new_page(refusal.errors, request.form, 422)


@bp.post("/nieuw")
@requires("webhook.manage")
@form_errors(_refused_new)
def create():
    """Register the webhook; the answer shows its signing secret this once (no redirect).
    The same form sent again (a reload of this answer) registers none and says so."""
    submission = parse_submission_id(request.form.get(SUBMISSION_FIELD))
    form = NewWebhookForm().parse()
    try:
        webhook, secret = services.create_webhook(
            name=form.name.data, url=form.url.data, events=form.events.data,
            actor=current_user, now=utcnow(), submission=submission)
    except AlreadySubmitted as already:
        db.session.rollback()
        return render_template("webhooks/already_created.html", webhook=already.obj)
    db.session.commit()
    return render_template("webhooks/created.html", webhook=webhook, secret=secret,
                           labels=LABELS), 201


def _detail_page(webhook: Webhook, errors=None, status=200):
    deliveries = db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
        .options(selectinload(WebhookDelivery.event))
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(LOG_SIZE)).all()
    chosen = request.form.getlist("events") if errors else list(webhook.events)
    return render_template("webhooks/detail.html", webhook=webhook, deliveries=deliveries,
                           errors=errors or {}, chosen=chosen, options=EVENT_OPTIONS,
                           labels=LABELS, statuses=DeliveryStatus, log_size=LOG_SIZE), status


@bp.get("/<int:webhook_id>")
@requires("webhook.manage", load=_load)
def detail(webhook_id: int, subject: Webhook):
    """One webhook: its events, the test button and the delivery log."""
    return _detail_page(subject)


def _refused_update(refusal: Refusal, webhook_id: int, **_ignored):
    webhook = db.session.get(Webhook, webhook_id)
    return _detail_page(webhook, refusal.errors, 422)


@bp.post("/<int:webhook_id>")
@requires("webhook.manage", load=_load)
@form_errors(_refused_update)
def update(webhook_id: int, subject: Webhook):
    """Save the chosen events and whether the webhook is active."""
    form = WebhookEventsForm().parse()
    services.update_webhook(subject, events=form.events.data, active=form.active.data,
                            actor=current_user)
    db.session.commit()
    flash("De webhook is opgeslagen.", "ok")
    return redirect(url_for("webhooks.detail", webhook_id=webhook_id), code=303)


@bp.post("/<int:webhook_id>/test")
@requires("webhook.manage", load=_load)
def send_test(webhook_id: int, subject: Webhook):
    """Queue a test event for this webhook; the delivery job sends it within a minute."""
    services.send_test(subject, actor=current_user, now=utcnow())
    db.session.commit()
    flash("Het testbericht staat in de wachtrij; het wordt binnen een minuut verstuurd.", "ok")
    return redirect(url_for("webhooks.detail", webhook_id=webhook_id), code=303)


def _load_delivery(webhook_id: int, delivery_id: int, **_ignored) -> WebhookDelivery | None:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    return delivery if delivery is not None and delivery.webhook_id == webhook_id else None


@bp.post("/<int:webhook_id>/afleveringen/<int:delivery_id>/opnieuw")
@requires("webhook.manage", load=_load_delivery)
@form_errors(flash_and_redirect(lambda webhook_id, **_: url_for("webhooks.detail",
                                                                 webhook_id=webhook_id)))
def retry(webhook_id: int, delivery_id: int, subject: WebhookDelivery):
    """Put a failed delivery back in the queue."""
    services.retry_delivery(subject, actor=current_user, now=utcnow())
    db.session.commit()
    flash("De aflevering staat weer in de wachtrij.", "ok")
    return redirect(url_for("webhooks.detail", webhook_id=webhook_id), code=303)


@bp.get("/<int:webhook_id>/verwijderen")
@requires("webhook.manage", load=_load)
def confirm_delete(webhook_id: int, subject: Webhook):
    """Ask before removing the webhook and its delivery log."""
    return render_template("webhooks/delete.html", webhook=subject)


@bp.post("/<int:webhook_id>/verwijderen")
@requires("webhook.manage", load=_load)
def delete(webhook_id: int, subject: Webhook):
    """Remove the webhook (the confirmation page's button)."""
    if request.form.get("confirm") != "1":
        abort(400)
    name = subject.name
    services.delete_webhook(subject, actor=current_user)
    db.session.commit()
    flash(f"Webhook {name} is verwijderd.", "ok")
    return redirect(url_for("webhooks.index"), code=303)
