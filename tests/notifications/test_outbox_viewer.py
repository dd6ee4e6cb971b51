"""The beheerder's outbox viewer: the HTML part in a sandboxed frame with its own policy,
attachments listed and downloadable, Dutch labels, and no working token anywhere."""

from __future__ import annotations

import base64
import hashlib
import html
import re

import time_machine
from sqlalchemy import select

from tests.events.conftest import BEFORE, create_event
from tests.factories import create_user
from tracker.auth.password_links import queue_password_link
from tracker.enums import Role
from tracker.events.invitations import invite
from tracker.events.tokens import rsvp_token
from tracker.extensions import db
from tracker.notifications.models import OutboxMessage
from tracker.notifications.outbox import Email, enqueue
from tracker.redaction import redact

TOKEN_LINK = re.compile(r"/(?:rsvp|afmelden|wachtwoord)/(?!\[verborgen\])[^\s\"'<>/]+")


def _invitation_row(admin) -> OutboxMessage:
    invitee = create_user(name="Zoë Ëlsinga", email="zoe@example.org", password=None)
    event = create_event(title="Regionale bijeenkomst Zoë 🎉")
    db.session.commit()
    with time_machine.travel(BEFORE, tick=False):
        invite(event, actor=admin, now=BEFORE, user_ids=[invitee.id])
        db.session.commit()
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "event-invite"))


def test_the_viewer_frames_the_html_lists_attachments_and_speaks_dutch(app, client, login):
    admin = create_user(role=Role.BEHEERDER)
    row = _invitation_row(admin)
    # An older row may still hold a signed token in its HTML: the frame must hide it.
    token = rsvp_token(1)
    row.body_html = row.body_html.replace("__rsvp_verborgen__", token)
    db.session.commit()
    login(admin)

    page = client.get(f"/beheer/outbox/{row.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    shown = html.unescape(body)
    assert "Uitgaande e-mail" in shown and "Outbox" not in shown
    assert "Uitnodiging bijeenkomst" in shown and "In de wachtrij" in shown
    frame = re.search(r"<iframe[^>]*>", body).group(0)
    assert re.search(r'\ssandbox(\s|>)', frame) and "allow-" not in frame
    assert f'src="/beheer/outbox/{row.id}/html"' in frame and 'title="' in frame
    [item] = re.findall(r'<a [^>]*href="(/beheer/outbox/\d+/bijlage/\d+)"[^>]*>([^<]+)</a>\s*'
                        r'\(([^,]+), ([^)]+)\)', body)
    href, name, content_type, size = item
    assert name == "uitnodiging.ics"
    assert content_type.startswith("text/calendar") and "method=PUBLISH" in content_type  # no reply mailbox
    ics = base64.b64decode(row.attachments[0]["data"])
    assert size == f"{len(redact(ics.decode())) / 1000:.1f} kB".replace(".", ",")
    assert "BEGIN:VCALENDAR" in shown  # the calendar shown as text
    assert token not in body and not TOKEN_LINK.search(shown)

    framed = client.get(f"/beheer/outbox/{row.id}/html")
    assert framed.status_code == 200 and framed.mimetype == "text/html"
    policy = framed.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["default-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert "sandbox" in directives and directives["sandbox"] == []
    assert "script-src" not in directives and "'unsafe-inline'" not in policy
    styles = re.findall(r"<style[^>]*>(.*?)</style>", framed.get_data(as_text=True), re.S)
    assert styles  # the mail has its stylesheet, allowed by hash only
    for style in styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in directives["style-src"]
    assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert framed.headers["X-Content-Type-Options"] == "nosniff"
    assert framed.headers["Cache-Control"] == "no-store"
    frame_html = framed.get_data(as_text=True)
    assert token not in frame_html and "/rsvp/[verborgen]" in frame_html
    assert "/afmelden/[verborgen]" in frame_html and not TOKEN_LINK.search(frame_html)

    download = client.get(href)
    assert download.status_code == 200 and download.mimetype == "text/calendar"
    assert download.headers["Content-Disposition"] == 'attachment; filename=uitnodiging.ics'
    assert download.get_data(as_text=True) == redact(ics.decode())  # placeholder hidden too
    assert not TOKEN_LINK.search(download.get_data(as_text=True))
    assert client.get(f"/beheer/outbox/{row.id}/bijlage/1").status_code == 404

    # The site's own pages still forbid framing; only the mail's route allows 'self'.
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_a_message_without_html_or_attachments(app, client, login):
    admin = create_user(role=Role.BEHEERDER)
    user = create_user()
    assert enqueue("test:plain", "reminder", Email(to=[user.email], subject="Alleen tekst",
                                                   text="Hallo"), user_id=user.id)
    db.session.commit()
    row = db.session.scalar(select(OutboxMessage))
    login(admin)
    body = html.unescape(client.get(f"/beheer/outbox/{row.id}").get_data(as_text=True))
    assert "<iframe" not in body and "Geen bijlagen." in body
    assert "Herinnering actie" in body
    assert client.get(f"/beheer/outbox/{row.id}/html").status_code == 404


def test_only_the_beheerder_opens_the_frame_and_the_attachments(app, client, login):
    admin = create_user(role=Role.BEHEERDER)
    row = _invitation_row(admin)
    assert queue_password_link(create_user(), now=BEFORE)
    db.session.commit()
    paths = [f"/beheer/outbox/{row.id}/html", f"/beheer/outbox/{row.id}/bijlage/0"]
    for path in paths:
        anonymous = client.get(path)
        assert anonymous.status_code in (302, 303, 401), path
    login(create_user(role=Role.COORDINATOR))
    for path in paths:
        assert client.get(path).status_code == 403, path
