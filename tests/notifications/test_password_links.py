"""Password links: new accounts and resets, mailed through the outbox to a real SMTP server."""

import re
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from tests.conftest import csrf_token_for, login_via_form
from tests.factories import create_user
from tracker.auth.models import User
from tracker.auth.password_links import make_token, read_token
from tracker.enums import Role
from tracker.extensions import db
from tracker.notifications.delivery import deliver_all
from tracker.notifications.messages import unsubscribe_token
from tracker.notifications.models import OutboxMessage

LINK = re.compile(r"http://localhost(/wachtwoord/[A-Za-z0-9._-]+)")


def _link_from(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return LINK.search(text).group(1)


def test_beheerder_invites_a_new_account_which_sets_its_password(app, client, login, smtp):
    admin = create_user(role=Role.BEHEERDER)
    newcomer = create_user(email="nieuw@example.org", name="Nieuwe Partner", password=None)
    db.session.commit()
    login(admin)
    response = client.post(f"/beheer/gebruikers/{newcomer.id}/wachtwoordlink",
                           data={"csrf_token": csrf_token_for(client)})
    assert response.status_code == 303
    assert deliver_all(datetime.now(UTC)).sent
    [message] = smtp.to("nieuw@example.org")
    assert "account" in message["Subject"].lower()
    path = _link_from(message)

    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "Wachtwoord instellen" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, newcomer.id).password_hash is None  # GET changed nothing

    token = csrf_token_for(visitor, path)
    weak = visitor.post(path, data={"password": "wachtwoord", "password_again": "wachtwoord",
                                    "csrf_token": token})
    assert weak.status_code == 422 and "minstens 12 tekens" in weak.get_data(as_text=True)
    good = visitor.post(path, data={"password": "een zin om te onthouden",
                                    "password_again": "een zin om te onthouden",
                                    "csrf_token": token})
    assert good.status_code == 303
    assert login_via_form(app.test_client(), "nieuw@example.org",
                          "een zin om te onthouden").status_code == 303
    assert visitor.get(path).status_code == 410  # single use


def test_link_expires_after_24_hours(app):
    user = create_user()
    db.session.commit()
    start = datetime(2018, 2, 5, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        token = make_token(user)
    with time_machine.travel(start + timedelta(hours=24), tick=False):
        assert read_token(token) is not None
    with time_machine.travel(start + timedelta(hours=24, seconds=1), tick=False):
        assert read_token(token) is None


def test_tampered_and_foreign_purpose_tokens_are_refused(app, client):
    user = create_user()
    db.session.commit()
    token = make_token(user)
    assert read_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert read_token(unsubscribe_token(user.id, "digest")) is None
    assert client.get("/wachtwoord/onzin").status_code == 410


def test_forgot_password_never_reveals_whether_an_account_exists(app, client):
    create_user(email="bestaat@example.org")
    db.session.commit()
    answers = []
    for address in ("bestaat@example.org", "bestaat-niet@example.org"):
        response = client.post("/wachtwoord-vergeten",
                               data={"email": address, "csrf_token": csrf_token_for(client)})
        answers.append((response.status_code, "Als er een account" in response.get_data(as_text=True)))
    assert answers[0] == answers[1] == (200, True)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1
    # Asking again within a quarter of an hour queues nothing new.
    client.post("/wachtwoord-vergeten", data={"email": "bestaat@example.org",
                                              "csrf_token": csrf_token_for(client)})
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_only_the_beheerder_sends_links(app, client, login):
    target = create_user(password=None)
    for role in (Role.COORDINATOR, Role.BESTUURDER, Role.LEZER):
        login(create_user(role=role))
        db.session.commit()
        response = client.post(f"/beheer/gebruikers/{target.id}/wachtwoordlink",
                               data={"csrf_token": csrf_token_for(client)})
        assert response.status_code == 403
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
