"""No usable secret at rest: the outbox row, its viewer and a database dump hold no working
password, RSVP or unsubscribe link; the mail a real SMTP server receives does."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import JSON, String, Text, inspect, select, text

from tests.conftest import csrf_token_for, login_via_form
from tests.events.conftest import BEFORE, create_event
from tests.factories import create_user
from tracker.auth.password_links import queue_password_link
from tracker.enums import Role
from tracker.events.invitations import invite
from tracker.extensions import db
from tracker.notifications.delivery import deliver_all
from tracker.notifications.models import OutboxMessage
from tracker.redaction import redact

WORDS = re.compile(r"[A-Za-z0-9_\-.\[\]]{3,}")
PASSWORD_PATH = re.compile(r"/wachtwoord/([^\s\"'<>\\]+)")
RSVP_PATH = re.compile(r"/rsvp/([^\s\"'<>\\]+)")
UNSUBSCRIBE_PATH = re.compile(r"/afmelden/([^\s\"'<>\\/]+)")


def database_dump() -> str:
    """Every text, string and JSON value of every table in the database, as one text."""
    inspector = inspect(db.engine)
    parts = []
    for table in inspector.get_table_names():
        columns = [c["name"] for c in inspector.get_columns(table)
                   if isinstance(c["type"], String | Text | JSON)
                   or type(c["type"]).__name__ in {"JSONB", "VARCHAR", "TEXT"}]
        if not columns:
            continue
        names = ", ".join(f'"{c}"' for c in columns)
        for row in db.session.execute(text(f'SELECT {names} FROM "{table}"')):  # noqa: S608
            parts.extend(str(value) for value in row if value is not None)
    return "\n".join(parts)


def candidates(shown: str) -> set[str]:
    """What a reader could try as a token: every link's secret part and every long word."""
    found = set(PASSWORD_PATH.findall(shown) + RSVP_PATH.findall(shown)
                + UNSUBSCRIBE_PATH.findall(shown))
    found |= {w for w in WORDS.findall(shown) if len(w) >= 16}
    return found


def assert_none_works(client, shown: str) -> int:
    """Try every candidate as a password, RSVP and unsubscribe token: none may work."""
    tried = candidates(shown)
    for candidate in tried:
        assert client.get(f"/wachtwoord/{candidate}").status_code in {404, 410}, candidate
        assert client.get(f"/rsvp/{candidate}").status_code in {400, 404, 410}, candidate
        assert client.get(f"/afmelden/{candidate}").status_code == 404, candidate
    return len(tried)


def test_viewer_and_dump_hold_no_working_link_while_the_delivered_mail_does(
        app, client, login, smtp):
    admin = create_user(role=Role.BEHEERDER)
    newcomer = create_user(email="nieuw@example.org", name="Nieuwe Partner", password=None)
    event = create_event()
    db.session.commit()
    with time_machine.travel(BEFORE, tick=False):
        assert queue_password_link(newcomer, now=BEFORE, actor=admin)
        invite(event, actor=admin, now=BEFORE, user_ids=[newcomer.id])
        db.session.commit()
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert {r.kind for r in rows} >= {"password_link"} and len(rows) == 2

        login(admin)
        shown = ""
        for row in rows:
            page = client.get(f"/beheer/outbox/{row.id}")
            assert page.status_code == 200
            shown += html.unescape(page.get_data(as_text=True))
        assert "/wachtwoord/[verborgen]" in shown and "/rsvp/[verborgen]" in shown
        assert "/afmelden/[verborgen]" in shown
        visitor = app.test_client()
        assert assert_none_works(visitor, shown) > 0
        dump = database_dump()
        assert "nieuw@example.org" in dump  # the dump does read the outbox rows
        assert assert_none_works(visitor, dump) > 0

        assert deliver_all(BEFORE).sent
        delivered = smtp.to("nieuw@example.org")
        assert len(delivered) == 2
        assert assert_none_works(visitor, database_dump()) > 0  # sent rows: still nothing

        texts = {m["Subject"]: m.get_body(("plain",)).get_content() for m in delivered}
        [password_mail] = [t for s, t in texts.items() if "account" in s.lower()]
        [invitation_mail] = [t for s, t in texts.items() if s.startswith("Uitnodiging")]
        rsvp = "/rsvp/" + RSVP_PATH.search(invitation_mail).group(1)
        assert visitor.get(rsvp).status_code == 200
        unsubscribe = "/afmelden/" + UNSUBSCRIBE_PATH.search(invitation_mail).group(1)
        assert visitor.get(unsubscribe).status_code == 200
        [calendar] = [p for m in delivered for p in m.iter_attachments()
                      if p.get_content_type() == "text/calendar"]
        ics = re.sub(r"\r\n[ \t]", "", calendar.get_payload(decode=True).decode())
        assert f"http://localhost{rsvp}" in ics and "verborgen" not in ics

        path = "/wachtwoord/" + PASSWORD_PATH.search(password_mail).group(1)
        assert visitor.get(path).status_code == 200
        token = csrf_token_for(visitor, path)
        answer = visitor.post(path, data={"password": "een zin om te onthouden",
                                          "password_again": "een zin om te onthouden",
                                          "csrf_token": token})
        assert answer.status_code == 303
        assert login_via_form(app.test_client(), "nieuw@example.org",
                              "een zin om te onthouden").status_code == 303


def test_a_retry_after_the_password_was_set_sends_a_dead_link(app, client, smtp):
    """The token is signed at delivery from the stored fingerprint: no fresher link."""
    user = create_user(email="reset@example.org")
    db.session.commit()
    now = datetime.now(UTC)
    assert queue_password_link(user, now=now)
    db.session.commit()
    from tracker.auth.services import set_password

    set_password(user, "een ander lang wachtwoord")
    db.session.commit()
    assert deliver_all(now + timedelta(seconds=1)).sent
    [message] = smtp.to("reset@example.org")
    path = PASSWORD_PATH.search(message.get_body(("plain",)).get_content()).group(0)
    assert client.get(path).status_code == 410


def test_redact_hides_every_token_link_and_keeps_the_rest():
    shown = redact(
        "http://x/wachtwoord/eyJ1IjoxfQ.Z2.abc en http://x/rsvp/eyJpIjo1.sig "
        "<http://x/afmelden/eyJ1.sig/direct> http://x/agenda/abcDEF_123.ics "
        "/agenda/link /outbox?status=sent&token=geheim&x=1 http://x/teams/verwarde-personen")
    assert shown == (
        "http://x/wachtwoord/[verborgen] en http://x/rsvp/[verborgen] "
        "<http://x/afmelden/[verborgen]/direct> http://x/agenda/[verborgen].ics "
        "/agenda/link /outbox?status=sent&token=[verborgen]&x=1 http://x/teams/verwarde-personen")
    assert redact(None) is None
