"""Webhooks against a real local HTTP receiver (http.server on 127.0.0.1, a free port).

Events come from the real services (create/complete an action, answer an invitation,
tick the last municipality) and from the ``webhook-events`` job; the ``webhooks`` job
delivers them. The receiver checks nothing itself: the tests read what it received.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select, text

from tests.conftest import csrf_token_for, form_fields_for, post_form
from tests.events.conftest import BEFORE, create_event, invite_user
from tests.factories import (
    add_member,
    create_district,
    create_municipality,
    create_team,
    create_user,
)
from tracker import crypto
from tracker.actions.services import ActionInput, complete_action, create_action
from tracker.audit.models import AuditEntry
from tracker.db import utcnow
from tracker.enums import ActionStatus, MilestoneKind, Role, TeamRole
from tracker.events.rsvp import answer
from tracker.extensions import db
from tracker.jobs import run_job
from tracker.milestones.services import create_milestone, tick_municipality
from tracker.webhooks import rules
from tracker.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from tracker.webhooks.services import create_webhook, emit

NOW = datetime(2018, 2, 5, 9, 0, tzinfo=UTC)


class Receiver:
    """A real HTTP server in a thread; answers with ``codes`` in turn (then 200)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.codes: list[int] = []
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "body": body})
                if receiver.delay:
                    time.sleep(receiver.delay)
                code = receiver.codes.pop(0) if receiver.codes else 200
                self.send_response(code)
                if 300 <= code < 400:
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elders")
                self.send_header("Content-Type", "text/plain")
                answer = b"ok" if code < 300 else b"stuk"
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def events(self) -> list[str]:
        return [r["headers"]["X-Tracker-Event"] for r in self.requests]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@contextmanager
def config(app, **values):
    missing = object()
    old = {k: app.config.get(k, missing) for k in values}
    app.config.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is missing:
                app.config.pop(key, None)
            else:
                app.config[key] = value


@pytest.fixture
def world():
    team = create_team(slug="verwarde-personen-wh")
    beheerder = create_user(role=Role.BEHEERDER)
    coordinator = create_user(role=Role.COORDINATOR)
    add_member(team, coordinator, TeamRole.COORDINATOR)
    db.session.commit()
    return team, beheerder, coordinator


def register(receiver, beheerder, events=tuple(rules.EVENTS)) -> tuple[Webhook, str]:
    webhook, secret = create_webhook(name="Dashboard", url=receiver.url, events=list(events),
                                     actor=beheerder, now=NOW)
    db.session.commit()
    return webhook, secret


def new_action(team, actor, **overrides):
    values = {"title": "Sluitende aanpak borgen", "description": "", "owner_id": actor.id,
              "due_date": date(2018, 3, 1), "status": ActionStatus.OPEN, "milestone_id": None,
              "district_id": None}
    values.update(overrides)
    action = create_action(team, ActionInput(**values), actor=actor, now=NOW)
    db.session.commit()
    return action


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


# --- The page: register, secret shown once and stored encrypted ----------------------------


def test_beheerder_registers_a_webhook_and_sees_the_secret_once(world, client, login, receiver):
    _, beheerder, _ = world
    login(beheerder)
    response = client.post("/beheer/webhooks/nieuw", data={
        **form_fields_for(client, "/beheer/webhooks/nieuw"), "name": "Dashboard RIEC",
        "url": receiver.url, "events": ["action.completed", "meeting.answered"]})
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    secret = re.search(r'id="webhook-geheim">(whsec_[0-9a-f]{64})<', page).group(1)
    webhook = db.session.scalar(select(Webhook))
    assert webhook.events == ["action.completed", "meeting.answered"]
    # At rest: ciphertext only, opened by the data key.
    stored = db.session.execute(text("SELECT secret_encrypted FROM webhooks")).scalar()
    assert secret not in stored and secret[6:] not in stored
    assert crypto.decrypt(stored) == secret
    # Never shown again: not on the list, not on the webhook's page.
    for path in ("/beheer/webhooks", f"/beheer/webhooks/{webhook.id}"):
        shown = client.get(path).get_data(as_text=True)
        assert secret not in shown and "Dashboard RIEC" in shown


def test_reloading_the_answer_registers_no_second_webhook(world, client, login, receiver):
    """The answer showing the secret is the POST's: a reload sends the same form again.
    It registers nothing and says that the webhook exists and its secret is shown once."""
    login(world[1])
    form = {**form_fields_for(client, "/beheer/webhooks/nieuw"), "name": "Dashboard RIEC",
            "url": receiver.url, "events": ["action.completed"]}
    assert client.post("/beheer/webhooks/nieuw", data=form).status_code == 201
    webhook = db.session.scalar(select(Webhook))
    again = client.post("/beheer/webhooks/nieuw", data=form)
    assert again.status_code == 200
    html = again.get_data(as_text=True)
    assert "Webhook Dashboard RIEC is al toegevoegd" in html
    assert "maar één keer getoond" in html and "whsec_" not in html
    assert 'href="/beheer/webhooks">Naar de webhooks' in html
    assert f'href="/beheer/webhooks/{webhook.id}"' in html
    assert db.session.scalar(select(func.count(Webhook.id))) == 1
    assert db.session.scalars(select(AuditEntry.action)).all().count("webhook.create") == 1
    # A form without its id registers nothing.
    bare = {k: v for k, v in form.items() if k != "submission"}
    refused = client.post("/beheer/webhooks/nieuw", data=bare)
    assert refused.status_code == 422 and "Laad de pagina opnieuw" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Webhook.id))) == 1


@pytest.mark.parametrize(("url", "message"), [
    ("http://example.org/hook", "moet beginnen met https://"),
    ("ftp://example.org/hook", "https://"),
    ("https://gebruiker:geheim@example.org/hook", "gebruikersnaam of wachtwoord"),
    ("", "Vul het adres in"),
])
def test_bad_addresses_are_refused_in_dutch(world, client, login, url, message):
    login(world[1])
    response = client.post("/beheer/webhooks/nieuw", data={
        **form_fields_for(client, "/beheer/webhooks/nieuw"), "name": "X", "url": url,
        "events": ["action.created"]})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Webhook.id))) == 0


def test_no_event_or_an_unknown_event_is_refused(world, client, login, receiver):
    login(world[1])
    for events in ([], ["action.deleted"], ["action.created", "x"]):
        response = client.post("/beheer/webhooks/nieuw", data={
            **form_fields_for(client, "/beheer/webhooks/nieuw"), "name": "X",
            "url": receiver.url, "events": events})
        assert response.status_code == 422, events
        assert "Kies ten minste één gebeurtenis" in response.get_data(as_text=True)


def test_http_to_this_machine_only_outside_production(app):
    local = "http://127.0.0.1:8000/hook"
    assert rules.check_url(local, allow_local_http=True) == local
    assert rules.check_url("https://dashboard.example.org/x", allow_local_http=False)
    with pytest.raises(rules.ValidationError, match="test- of ontwikkelomgeving"):
        rules.check_url(local, allow_local_http=False)
    with pytest.raises(rules.ValidationError, match="eigen netwerk"):
        rules.check_url("http://10.0.0.1/hook", allow_local_http=True)
    with pytest.raises(rules.ValidationError, match="https://"):
        rules.check_url("http://dashboard.example.org/hook", allow_local_http=True)
    with config(app, TESTING=False, DEBUG=False, TRACKER_WEBHOOK_ALLOW_LOCAL_HTTP=False):
        from tracker.webhooks.services import allow_local_http

        assert not allow_local_http()
    with config(app, TESTING=False, TRACKER_WEBHOOK_ALLOW_LOCAL_HTTP=True):
        assert allow_local_http()


ROLES = [Role.COORDINATOR, Role.BESTUURDER, Role.LEZER, Role.PARTNER]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_beheerder_may(world, client, login, receiver, role):
    webhook, _ = register(receiver, world[1])
    delivery_free = db.session.scalar(select(func.count(WebhookDelivery.id)))
    login(create_user(role=role))
    db.session.commit()
    for path in ("/beheer/webhooks", "/beheer/webhooks/nieuw", f"/beheer/webhooks/{webhook.id}",
                 f"/beheer/webhooks/{webhook.id}/verwijderen"):
        assert client.get(path).status_code == 403, path
    token = csrf_token_for(client)
    for path, data in (("/beheer/webhooks/nieuw", {"name": "x", "url": receiver.url,
                                                    "events": ["action.created"]}),
                       (f"/beheer/webhooks/{webhook.id}", {"events": ["ping"], "active": ""}),
                       (f"/beheer/webhooks/{webhook.id}/test", {}),
                       (f"/beheer/webhooks/{webhook.id}/verwijderen", {"confirm": "1"})):
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Webhook.id))) == 1
    assert db.session.get(Webhook, webhook.id).events == list(rules.EVENTS)
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == delivery_free


def test_anonymous_goes_to_the_login(client):
    response = client.get("/beheer/webhooks")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


# --- Delivery: signature, headers, body ----------------------------------------------------


def test_a_delivery_is_signed_with_the_secret_and_timestamped(app, world, receiver, caplog):
    caplog.set_level(logging.DEBUG)
    team, beheerder, coordinator = world
    _, secret = register(receiver, beheerder)
    action = new_action(team, coordinator)
    before = int(time.time())
    run_job("webhooks", NOW)
    after = int(time.time())
    assert receiver.events() == ["action.created"]
    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    timestamp = headers["X-Tracker-Timestamp"]
    assert before <= int(timestamp) <= after
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                        hashlib.sha256).hexdigest()
    assert headers["X-Tracker-Signature"] == f"sha256={expected}"
    # Another secret, or the same body with another timestamp, does not verify.
    assert rules.signature("whsec_ander", timestamp, body) != headers["X-Tracker-Signature"]
    assert rules.signature(secret, str(int(timestamp) + 1), body) != headers[
        "X-Tracker-Signature"]
    document = json.loads(body)
    assert document["event"] == headers["X-Tracker-Event"] == "action.created"
    assert document["id"] == headers["X-Tracker-Delivery"]
    assert document["occurred_at"] == "2018-02-05T09:00:00Z"
    assert document["data"]["action"]["id"] == action.id
    assert document["data"]["action"]["title"] == "Sluitende aanpak borgen"
    assert document["data"]["action"]["url"].endswith(f"/actions/{action.id}")
    assert headers["Content-Type"].startswith("application/json")
    assert [d.status for d in deliveries()] == [DeliveryStatus.DELIVERED]
    assert secret not in caplog.text and secret[6:] not in caplog.text


def test_each_event_comes_from_the_real_change(world, receiver):
    team, beheerder, coordinator = world
    register(receiver, beheerder)
    # action.created + action.completed
    action = new_action(team, coordinator)
    complete_action(action, expected_version=action.version, actor=coordinator, now=NOW)
    db.session.commit()
    # meeting.answered (the link's service; the calendar replies use the same)
    event = create_event(team=team)
    invitation = invite_user(event)
    db.session.commit()
    answer(invitation.id, "ja", "", now=BEFORE)
    db.session.commit()
    # milestone.reached: the tick of the last municipality
    district = create_district()
    towns = [create_municipality(district) for _ in range(2)]
    milestone = create_milestone(team, title="Sluitende aanpak in elke gemeente",
                                 description="", due_date=date(2018, 10, 1),
                                 kind=MilestoneKind.DEADLINE, per_municipality=True,
                                 actor=coordinator)
    for town in towns:
        tick_municipality(milestone, town, completed_on=date(2018, 2, 5), note="",
                          actor=coordinator, now=NOW, today=date(2018, 2, 5))
        db.session.commit()
    # action.overdue: the job, the day after the due date of an open action
    late = new_action(team, coordinator, title="Te laat", due_date=date(2018, 2, 10))
    run_job("webhook-events", datetime(2018, 2, 11, 6, 0, tzinfo=UTC))
    run_job("webhooks", datetime(2018, 2, 21, 6, 0, tzinfo=UTC))
    assert sorted(receiver.events()) == sorted([
        "action.created", "action.completed", "milestone.reached", "action.created",
        "action.overdue", "meeting.answered"])
    by_event = {}
    for request in receiver.requests:
        by_event.setdefault(request["headers"]["X-Tracker-Event"], []).append(
            json.loads(request["body"]))
    bodies = [by_event["action.created"][0], by_event["action.completed"][0],
              by_event["meeting.answered"][0], by_event["milestone.reached"][0],
              by_event["action.created"][1], by_event["action.overdue"][0]]
    assert bodies[1]["data"]["action"]["status"] == "gereed"
    assert bodies[2]["data"]["invitation"] == {
        "id": invitation.id, "response": "ja", "waitlisted": False,
        "responded_at": BEFORE.isoformat()}
    assert "email" not in json.dumps(bodies[2])
    assert bodies[3]["data"]["milestone"]["progress"] == {"done": 2, "total": 2,
                                                          "unit": "gemeenten"}
    assert bodies[5]["data"]["action"]["id"] == late.id
    assert len({b["id"] for b in bodies}) == 6


def test_a_milestone_reached_through_its_linked_actions_is_found_by_the_job(world, receiver):
    team, beheerder, coordinator = world
    register(receiver, beheerder, events=["milestone.reached"])
    milestone = create_milestone(team, title="Eindrapportage", description="",
                                 due_date=date(2018, 6, 30), kind=MilestoneKind.EINDRAPPORTAGE,
                                 per_municipality=False, actor=coordinator)
    db.session.commit()
    action = new_action(team, coordinator, milestone_id=milestone.id)
    run_job("webhook-events", NOW)
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 0  # not reached yet
    complete_action(action, expected_version=action.version, actor=coordinator, now=NOW)
    db.session.commit()  # the completion of the last linked action emits it at once
    for hour in (1, 2):  # the job finds it reached, and adds nothing
        run_job("webhook-events", NOW + timedelta(hours=hour))
    run_job("webhooks", NOW + timedelta(hours=2))
    assert receiver.events() == ["milestone.reached"]


def test_overdue_is_emitted_once_per_transition(world, receiver):
    team, beheerder, coordinator = world
    register(receiver, beheerder, events=["action.overdue"])
    action = new_action(team, coordinator, due_date=date(2018, 2, 10))
    for day in (10, 11, 11, 12, 14):  # due today is not overdue; then daily, twice on the 11th
        run_job("webhook-events", datetime(2018, 2, day, 6, 0, tzinfo=UTC))
    run_job("webhooks", datetime(2018, 2, 14, 6, 0, tzinfo=UTC))
    assert receiver.events() == ["action.overdue"]
    # A new due date that passes too is a new transition.
    action.due_date = date(2018, 2, 20)
    db.session.commit()
    run_job("webhook-events", datetime(2018, 2, 21, 6, 0, tzinfo=UTC))
    run_job("webhooks", datetime(2018, 2, 21, 6, 0, tzinfo=UTC))
    assert receiver.events() == ["action.overdue", "action.overdue"]
    # Long-overdue work (before the catch-up window) is not announced on a first run.
    new_action(team, coordinator, title="Oud", due_date=date(2017, 1, 1))
    run_job("webhook-events", datetime(2018, 2, 22, 6, 0, tzinfo=UTC))
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 2


def test_a_rolled_back_change_and_an_unsubscribed_event_send_nothing(world, receiver):
    team, beheerder, coordinator = world
    register(receiver, beheerder, events=["action.completed"])
    create_action(team, ActionInput(title="Niet bewaard", description="", owner_id=None,
                                    due_date=None, status=ActionStatus.OPEN, milestone_id=None,
                                    district_id=None), actor=coordinator, now=NOW)
    db.session.rollback()
    new_action(team, coordinator)  # action.created: not chosen
    run_job("webhooks", NOW)
    assert receiver.requests == []
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 0


def test_an_event_key_is_recorded_once(world, receiver):
    register(receiver, world[1])
    assert emit("action.created", {"n": 1}, "proef:1", now=NOW)
    assert not emit("action.created", {"n": 2}, "proef:1", now=NOW)
    db.session.commit()
    run_job("webhooks", NOW)
    assert len(receiver.requests) == 1


# --- Retries, failures, the log -----------------------------------------------------------


def test_a_500_is_retried_with_back_off_then_delivered_once(world, receiver):
    team, beheerder, coordinator = world
    register(receiver, beheerder, events=["action.created"])
    receiver.codes = [500]
    new_action(team, coordinator)
    run_job("webhooks", NOW)
    [row] = deliveries()
    assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.QUEUED, 1, 500)
    assert "HTTP 500" in row.last_error and row.next_attempt_at == NOW + timedelta(minutes=1)
    run_job("webhooks", NOW + timedelta(seconds=30))  # not due yet
    assert len(receiver.requests) == 1
    run_job("webhooks", NOW + timedelta(minutes=1))
    [row] = deliveries()
    assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.DELIVERED, 2, 200)
    assert row.last_error is None
    first, second = receiver.requests
    assert first["body"] == second["body"]
    assert first["headers"]["X-Tracker-Delivery"] == second["headers"]["X-Tracker-Delivery"]
    for minutes in (2, 60, 600):  # the job again: a delivered event is never sent again
        run_job("webhooks", NOW + timedelta(minutes=minutes))
    assert len(receiver.requests) == 2


def test_after_the_last_attempt_the_delivery_fails_and_the_log_shows_it(
        app, world, receiver, client, login):
    team, beheerder, coordinator = world
    webhook, _ = register(receiver, beheerder, events=["action.created"])
    receiver.codes = [503, 503, 503]
    new_action(team, coordinator)
    with config(app, TRACKER_WEBHOOK_MAX_ATTEMPTS=3):
        for minutes in (0, 1, 6, 30):  # back-off 1 then 5 minutes; the 4th run finds nothing
            run_job("webhooks", NOW + timedelta(minutes=minutes))
    assert len(receiver.requests) == 3
    [row] = deliveries()
    assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.FAILED, 3, 503)
    login(beheerder)
    page = client.get(f"/beheer/webhooks/{webhook.id}").get_data(as_text=True)
    assert "Mislukt" in page and "HTTP 503" in page and "Opnieuw proberen" in page
    assert ">1</td>" in client.get("/beheer/webhooks").get_data(as_text=True)  # failed count
    # The retry button queues it again; the next run delivers it.
    response = post_form(client, f"/beheer/webhooks/{webhook.id}/afleveringen/{row.id}/opnieuw",
                         token_page=f"/beheer/webhooks/{webhook.id}")
    assert response.status_code == 303
    run_job("webhooks", utcnow())  # the button queues it due now (the real clock)
    [row] = deliveries()
    assert row.status == DeliveryStatus.DELIVERED and len(receiver.requests) == 4
    # A delivered one cannot be "retried".
    response = post_form(client, f"/beheer/webhooks/{webhook.id}/afleveringen/{row.id}/opnieuw",
                         token_page=f"/beheer/webhooks/{webhook.id}", follow_redirects=True)
    assert "Alleen een mislukte aflevering" in response.get_data(as_text=True)
    run_job("webhooks", utcnow() + timedelta(hours=2))
    assert len(receiver.requests) == 4


def test_a_redirect_is_not_followed_and_a_slow_receiver_times_out(app, world, receiver):
    team, beheerder, coordinator = world
    register(receiver, beheerder, events=["action.created"])
    receiver.codes = [302]
    new_action(team, coordinator)
    run_job("webhooks", NOW)
    [row] = deliveries()
    assert [r["path"] for r in receiver.requests] == ["/hook"]
    assert row.last_status_code == 302 and "doorverwijzing niet gevolgd" in row.last_error
    receiver.delay = 1.0
    with config(app, TRACKER_WEBHOOK_TIMEOUT=0.2):
        run_job("webhooks", NOW + timedelta(minutes=1))
    [row] = deliveries()
    assert row.status == DeliveryStatus.QUEUED and row.attempts == 2
    assert row.last_status_code is None and "geen antwoord binnen 0.2 s" in row.last_error


def test_an_unreachable_receiver_is_retried(world, receiver):
    team, beheerder, coordinator = world
    register(receiver, beheerder, events=["action.created"])
    receiver.stop()
    new_action(team, coordinator)
    run_job("webhooks", NOW)
    [row] = deliveries()
    assert row.status == DeliveryStatus.QUEUED and "verbinding mislukt" in row.last_error
    receiver.server = Receiver().server  # stop() in the fixture needs a live server


# --- The pages: test button, events, deactivate, delete, query counts ----------------------


def test_test_button_edit_deactivate_and_delete(world, receiver, client, login):
    team, beheerder, coordinator = world
    webhook, secret = register(receiver, beheerder, events=["action.created"])
    login(beheerder)
    page = f"/beheer/webhooks/{webhook.id}"
    assert post_form(client, f"{page}/test", token_page=page).status_code == 303
    run_job("webhooks", utcnow())
    assert receiver.events() == ["ping"]
    sent = receiver.requests[0]
    assert sent["headers"]["X-Tracker-Signature"] == rules.signature(
        secret, sent["headers"]["X-Tracker-Timestamp"], sent["body"])
    # Deactivated: nothing is emitted for it.
    response = post_form(client, page, {"events": ["action.created", "action.completed"],
                                        "active": ""}, token_page=page)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Webhook, webhook.id).events == ["action.created", "action.completed"]
    assert not db.session.get(Webhook, webhook.id).active
    new_action(team, coordinator)
    run_job("webhooks", NOW)
    assert receiver.events() == ["ping"]
    # Delete: a confirmation page, then the POST.
    assert "verwijderen?" in client.get(f"{page}/verwijderen").get_data(as_text=True)
    assert post_form(client, f"{page}/verwijderen", {}, token_page=page).status_code == 400
    response = post_form(client, f"{page}/verwijderen", {"confirm": "1"}, token_page=page)
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Webhook.id))) == 0
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 0
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 0  # nobody else's
    # Without the CSRF token nothing happens.
    other, _ = register(receiver, beheerder)
    response = client.post(f"/beheer/webhooks/{other.id}/verwijderen", data={"confirm": "1"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Webhook.id))) == 1


def _fill(receiver, beheerder, webhooks: int, deliveries_each: int) -> Webhook:
    first = None
    for n in range(webhooks):
        webhook, _ = create_webhook(name=f"Ontvanger {n}", url=receiver.url,
                                    events=["action.created"], actor=beheerder, now=NOW)
        first = first or webhook
    db.session.flush()
    for n in range(deliveries_each):
        emit("action.created", {"n": n}, f"vulling:{webhooks}:{n}", now=NOW)
    db.session.commit()
    return first


def test_list_and_log_pages_take_a_fixed_number_of_queries(
        world, receiver, client, login, count_queries):
    _, beheerder, _ = world
    login(beheerder)
    small = _fill(receiver, beheerder, 1, 1)
    with count_queries() as list_small:
        assert client.get("/beheer/webhooks").status_code == 200
    with count_queries() as log_small:
        assert client.get(f"/beheer/webhooks/{small.id}").status_code == 200
    db.session.execute(WebhookDelivery.__table__.delete())
    db.session.execute(WebhookEvent.__table__.delete())
    db.session.execute(Webhook.__table__.delete())
    db.session.commit()
    large = _fill(receiver, beheerder, 6, 12)
    with count_queries() as list_large:
        assert client.get("/beheer/webhooks").status_code == 200
    with count_queries() as log_large:
        page = client.get(f"/beheer/webhooks/{large.id}").get_data(as_text=True)
    assert page.count("Actie aangemaakt") >= 12
    assert list_large.count == list_small.count
    assert log_large.count == log_small.count
    assert log_large.count <= 8, log_large.statements


def test_a_name_that_resolves_into_the_own_network_is_not_posted_to(app):
    """A host name (here the hex form of 127.0.0.1) passes the registration check but is
    resolved before every POST; outside tests and development it is refused."""
    from tracker.webhooks import delivery

    with app.app_context(), config(app, TESTING=False, TRACKER_WEBHOOK_ALLOW_LOCAL_HTTP=False):
        assert "eigen netwerk" in delivery._resolves_inwards("https://0x7f000001/hook")
        assert delivery._resolves_inwards("https://127.0.0.1:9/hook")
    with app.app_context():  # the tests' own receivers on 127.0.0.1 stay allowed
        assert delivery._resolves_inwards("https://127.0.0.1:9/hook") is None
