"""The beheerder changes a person's e-mail address: a link to the new address (through the
outbox, read back from a real SMTP server) confirms it; until then the old one works."""

import re
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from tests.conftest import DEMO_PASSWORD, csrf_token_for, login_via_form
from tests.factories import create_user
from tracker.audit.models import AuditEntry
from tracker.auth.email_change import read_token, token_for
from tracker.auth.models import User
from tracker.auth.password_links import make_token
from tracker.auth.passwords import hash_password
from tracker.enums import Role
from tracker.extensions import db
from tracker.notifications.delivery import deliver_all
from tracker.notifications.models import OutboxMessage

LINK = re.compile(r"http://localhost(/e-mailadres/[A-Za-z0-9._-]+)")


def _setup(client, login):
    admin = create_user(role=Role.BEHEERDER)
    person = create_user(email="jan.tikfout@exmaple.org", name="Jan Jansen")
    person.password_hash = hash_password(DEMO_PASSWORD)
    db.session.commit()
    login(admin)
    return admin, person


def _request(client, person_id, address):
    return client.post(f"/beheer/gebruikers/{person_id}/e-mailadres",
                       data={"email": address, "csrf_token": csrf_token_for(client)})


def test_new_address_is_confirmed_by_the_link_mailed_to_it(app, client, login, smtp):
    _, person = _setup(client, login)
    person_id = person.id
    assert _request(client, person_id, "Jan.Jansen@Example.org").status_code == 303
    # the outbox row holds a placeholder, never a working link
    stored = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "email_change"))
    assert LINK.search(stored.body_text).group(1) == "/e-mailadres/__emailadres_verborgen__"
    assert deliver_all(datetime.now(UTC)).sent
    [message] = smtp.to("jan.jansen@example.org")
    [notice] = smtp.to("jan.tikfout@exmaple.org")
    assert "gewijzigd" in notice["Subject"] and not LINK.search(
        notice.get_body(preferencelist=("plain",)).get_content())
    path = LINK.search(message.get_body(preferencelist=("plain",)).get_content()).group(1)

    # before confirming: the old address still logs in, the new one does not
    assert login_via_form(app.test_client(), "jan.tikfout@exmaple.org").status_code == 303
    assert login_via_form(app.test_client(), "jan.jansen@example.org").status_code != 303
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "jan.jansen@example.org" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, person_id).email == "jan.tikfout@exmaple.org"  # GET: nothing

    confirmed = visitor.post(path, data={"csrf_token": csrf_token_for(visitor, path)})
    assert confirmed.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, person_id).email == "jan.jansen@example.org"
    assert login_via_form(app.test_client(), "jan.jansen@example.org").status_code == 303
    assert login_via_form(app.test_client(), "jan.tikfout@exmaple.org").status_code != 303
    assert visitor.get(path).status_code == 410  # works once
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "users", AuditEntry.object_id == person_id)).all()
    assert "user.email_change_requested" in actions and "user.email_changed" in actions


def test_an_address_another_account_uses_is_refused(app, client, login):
    _, person = _setup(client, login)
    create_user(email="bezet@example.org")
    db.session.commit()
    response = _request(client, person.id, "BEZET@example.org")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Er bestaat al een account met dit e-mailadres." in page and 'aria-invalid="true"' in page
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_address_taken_between_request_and_confirmation_is_refused(app, client, login):
    _, person = _setup(client, login)
    token = token_for(person.id, "nieuw@example.org", _print(person))
    create_user(email="nieuw@example.org")
    db.session.commit()
    visitor = app.test_client()
    path = f"/e-mailadres/{token}"
    response = visitor.post(path, data={"csrf_token": csrf_token_for(visitor, path)})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, person.id).email == "jan.tikfout@exmaple.org"


def _print(user):
    from tracker.auth.email_change import fingerprint

    return fingerprint(user)


def test_expired_tampered_and_foreign_tokens_are_refused(app, client, login):
    _, person = _setup(client, login)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        token = token_for(person.id, "nieuw@example.org", _print(person))
    with time_machine.travel(start + timedelta(hours=48), tick=False):
        assert read_token(token) is not None
    with time_machine.travel(start + timedelta(hours=48, seconds=1), tick=False):
        assert read_token(token) is None
    fresh = token_for(person.id, "nieuw@example.org", _print(person))
    tampered = fresh[:-2] + ("AA" if not fresh.endswith("AA") else "BB")
    visitor = app.test_client()
    for bad in (tampered, make_token(person), "onzin"):
        assert visitor.get(f"/e-mailadres/{bad}").status_code == 410
        response = visitor.post(f"/e-mailadres/{bad}",
                                data={"csrf_token": csrf_token_for(visitor)})
        assert response.status_code == 410
    db.session.expire_all()
    assert db.session.get(User, person.id).email == "jan.tikfout@exmaple.org"


def test_only_the_beheerder_changes_addresses(app, client, login):
    person = create_user()
    db.session.commit()
    login(create_user(role=Role.COORDINATOR))
    db.session.commit()
    assert _request(client, person.id, "ander@example.org").status_code == 403
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
