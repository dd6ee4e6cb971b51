"""Answers from the calendar buttons: iTIP replies shaped as Outlook, Google Calendar and
Apple Calendar send them, delivered by IMAP APPEND to a real Dovecot started here and read
by the job ``calendar-replies``; and ``METHOD:PUBLISH`` when no mailbox is configured."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid
from pathlib import Path

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import func, select

from tests.conftest import post_form
from tests.events.conftest import BEFORE, create_event, invite_user
from tests.factories import add_member, create_team, create_user
from tests.notifications.conftest import free_port
from tracker.audit.models import AuditEntry
from tracker.enums import Role, RsvpResponse, TeamRole
from tracker.events.itip import ItipReply, ReplyOutcome
from tracker.events.models import Invitation
from tracker.extensions import db
from tracker.jobs import run_job
from tracker.notifications.models import OutboxMessage

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
IMAP_USER, IMAP_PASSWORD = "agenda", "geheim-voor-de-test"
REPLY_ADDRESS = "agenda@vnon.example.org"
READ_AT = BEFORE + timedelta(days=1)


# --- A real IMAP server --------------------------------------------------------------------

DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = tracker-test-{port}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_login_user = {login_user}
default_internal_group = {internal_group}
log_path = {root}/dovecot.log
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


class Dovecot:
    """``dovecot -F`` with its own configuration in a temporary directory."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="tracker-dovecot-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        # Dovecot runs no mail or login process as root: as root, those run as nobody.
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            uid, gid, login_user = nobody.pw_uid, nobody.pw_gid, "nobody"
            internal_user, internal_group = "root", "root"
        else:
            me = pwd.getpwuid(os.geteuid())
            uid, gid, login_user = me.pw_uid, me.pw_gid, me.pw_name
            internal_user, internal_group = me.pw_name, me.pw_name
        (self.root / "mail").mkdir()
        (self.root / "passwd").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n")
        conf = self.root / "dovecot.conf"
        conf.write_text(DOVECOT_CONF.format(
            root=self.root, port=self.port, uid=uid, gid=gid, login_user=login_user,
            internal_user=internal_user, internal_group=internal_group))
        self.root.chmod(0o755)
        os.chown(self.root / "mail", uid, gid)
        with open(self.root / "stderr.log", "wb") as output:
            self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)],  # noqa: S603
                                            stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                client = imaplib.IMAP4("127.0.0.1", self.port, timeout=2)
                client.login(IMAP_USER, IMAP_PASSWORD)
                client.logout()
                return
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("dovecot did not start: " + self.log())

    def log(self) -> str:
        paths = [self.root / "stderr.log", self.root / "dovecot.log"]
        return "".join(path.read_text() for path in paths if path.exists())

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(IMAP_USER, IMAP_PASSWORD)
        return client

    def append(self, message: bytes) -> None:
        client = self.client()
        try:
            status, data = client.append("INBOX", None, None, message)
            assert status == "OK", data
        finally:
            client.logout()

    def seen_count(self) -> int:
        client = self.client()
        try:
            client.select("INBOX")
            return len(client.uid("SEARCH", None, "SEEN")[1][0].split())
        finally:
            client.logout()

    def mark_all_unseen(self) -> None:
        client = self.client()
        try:
            client.select("INBOX")
            client.uid("STORE", "1:*", "-FLAGS", "(\\Seen)")
        finally:
            client.logout()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def imap_server():
    if not os.path.exists(DOVECOT):
        if os.environ.get("TRACKER_REQUIRE_IMAP"):
            pytest.fail("dovecot is required (apt-get install dovecot-imapd)")
        pytest.skip("dovecot not installed (apt-get install dovecot-imapd)")
    server = Dovecot()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def reply_mailbox(app, monkeypatch, imap_server):
    """The tracker reads replies from the test's Dovecot."""
    settings = {"TRACKER_REPLY_ADDRESS": f"Veiligheidsnetwerk <{REPLY_ADDRESS}>",
                "TRACKER_IMAP_HOST": "127.0.0.1", "TRACKER_IMAP_PORT": imap_server.port,
                "TRACKER_IMAP_USER": IMAP_USER, "TRACKER_IMAP_PASSWORD": IMAP_PASSWORD,
                "TRACKER_IMAP_FOLDER": "INBOX", "TRACKER_IMAP_SSL": False}
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    return imap_server


# --- Replies as the three clients send them ------------------------------------------------

def reply_ics(uid: str, email: str, name: str, partstat: str, *, comment: str | None = None,
              summary: str = "Regionale bijeenkomst", prodid: str = "Microsoft Exchange Server 2010",
              mailto: str = "mailto") -> str:
    lines = ["BEGIN:VCALENDAR", f"PRODID:{prodid}", "VERSION:2.0", "METHOD:REPLY",
             "BEGIN:VEVENT",
             f"ATTENDEE;PARTSTAT={partstat};CN=\"{name}\":{mailto}:{email}",
             f"ORGANIZER;CN=Veiligheidsnetwerk:mailto:{REPLY_ADDRESS}",
             f"UID:{uid}", "SEQUENCE:0", "DTSTAMP:20180221T081500Z",
             "DTSTART;TZID=Europe/Amsterdam:20180307T133000",
             "DTEND;TZID=Europe/Amsterdam:20180307T163000", f"SUMMARY:{summary}"]
    if comment:
        escaped = comment.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
        lines.append(f"COMMENT;LANGUAGE=nl-NL:{escaped}")
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


def _headers(message, sender: str, name: str, subject: str) -> None:
    message["From"] = f"{name} <{sender}>"
    message["To"] = REPLY_ADDRESS
    message["Subject"] = subject
    message["Date"] = "Wed, 21 Feb 2018 09:15:00 +0100"
    message["Message-ID"] = make_msgid(domain=sender.split("@")[1])


def outlook_reply(uid, email, name, partstat, *, comment=None) -> bytes:
    """Outlook: "Geaccepteerd: …", multipart/alternative, text/calendar; method=REPLY."""
    word = {"ACCEPTED": "Geaccepteerd", "DECLINED": "Geweigerd", "TENTATIVE": "Voorlopig"}
    message = MIMEMultipart("alternative")
    _headers(message, email, name, f"{word[partstat]}: Regionale bijeenkomst")
    message["Thread-Topic"] = "Regionale bijeenkomst"
    message.attach(MIMEText(comment or "", "plain", "utf-8"))
    message.attach(MIMEText(f"<html><body><p>{comment or ''}</p></body></html>", "html", "utf-8"))
    calendar = MIMEText(reply_ics(uid, email, name, partstat, comment=comment,
                                  mailto="MAILTO"), "calendar", "utf-8")
    calendar.set_param("method", "REPLY")
    message.attach(calendar)
    return message.as_bytes()


def google_reply(uid, email, name, partstat) -> bytes:
    """Google Calendar: mixed(alternative(plain, html, calendar; method=REPLY), invite.ics)."""
    ics = reply_ics(uid, email, name, partstat, prodid="-//Google Inc//Google Calendar 70.9054//EN")
    word = {"ACCEPTED": "Geaccepteerd", "DECLINED": "Afgewezen", "TENTATIVE": "Misschien"}
    outer = MIMEMultipart("mixed")
    _headers(outer, email, name,
             f"{word[partstat]}: Regionale bijeenkomst @ wo 7 mrt 2018 13:30 - 16:30 ({email})")
    inner = MIMEMultipart("alternative")
    inner.attach(MIMEText(f"{name} heeft deze uitnodiging geaccepteerd.", "plain", "utf-8"))
    inner.attach(MIMEText("<p>Uitnodiging van Google Agenda</p>", "html", "utf-8"))
    calendar = MIMEText(ics, "calendar", "utf-8")
    calendar.set_param("method", "REPLY")
    inner.attach(calendar)
    outer.attach(inner)
    attachment = MIMEApplication(ics.encode(), "ics", name="invite.ics")
    attachment.add_header("Content-Disposition", "attachment", filename="invite.ics")
    outer.attach(attachment)
    return outer.as_bytes()


def apple_reply(uid, email, name, partstat) -> bytes:
    """Apple Calendar: text/calendar without method= on the MIME part; METHOD:REPLY inside."""
    message = EmailMessage()
    _headers(message, email, name, f"Uitnodiging: Regionale bijeenkomst ({partstat.lower()})")
    message["X-Mailer"] = "iCal 4.0.4"
    message.set_content(reply_ics(uid, email, name, partstat, prodid="-//Apple Inc.//Mac OS X 10.13//EN"),
                        subtype="calendar", cte="quoted-printable")
    return message.as_bytes()


# --- The tests -----------------------------------------------------------------------------

@pytest.fixture
def full_meeting():
    """A team's meeting for two, its coordinator (the organiser) and four invitees."""
    team = create_team(slug="itip-test")
    organiser = create_user(role=Role.COORDINATOR, name="Olga Organisator")
    add_member(team, organiser, TeamRole.COORDINATOR)
    event = create_event(team=team, organiser=organiser, capacity=2)
    people = {key: create_user(role=Role.PARTNER, password=None, name=name,
                               email=f"{key}@example.org")
              for key, name in (("anna", "Anna de Wit"), ("bas", "Bas Jansen"),
                                ("carla", "Carla Smit"), ("dirk", "Dirk Mulder"))}
    invitations = {key: invite_user(event, user) for key, user in people.items()}
    db.session.commit()
    return event, organiser, invitations


def _state(invitations) -> dict[str, tuple]:
    db.session.expire_all()
    return {key: (db.session.get(Invitation, i.id).response,
                  db.session.get(Invitation, i.id).remark,
                  db.session.get(Invitation, i.id).waitlisted_at is not None)
            for key, i in invitations.items()}


def test_replies_from_three_clients_are_recorded_once(full_meeting, reply_mailbox, runner, client,
                                                      login):
    event, organiser, invitations = full_meeting
    uid = f"event-{event.id}@vnon-tracker"
    for message in (
        outlook_reply(uid, "anna@example.org", "Wit, Anna de", "ACCEPTED"),
        outlook_reply(uid, "BAS@example.org", "Jansen, Bas", "ACCEPTED",
                      comment="Ik kom iets later, rond 14.00 uur"),
        google_reply(uid, "carla@example.org", "Carla Smit", "ACCEPTED"),  # the waiting list
        apple_reply(uid, "dirk@example.org", "Dirk Mulder", "TENTATIVE"),
        # Anna changes her mind: her seat goes to Carla, who gets the moved-up mail.
        outlook_reply(uid, "anna@example.org", "Wit, Anna de", "DECLINED"),
        # A forwarded invitation: the colleague is not invited.
        outlook_reply(uid, "erik@elders.example.net", "Erik Elders", "ACCEPTED",
                      comment="Doorgestuurd door Anna"),
        # Someone else's meeting, and a mail that is no reply at all.
        outlook_reply("040000008200E00074C5B7101A82E0080000000@outlook", "anna@example.org",
                      "Anna", "ACCEPTED"),
        b"From: iemand@example.org\r\nSubject: Vraag\r\nMessage-ID: <vraag@example.org>\r\n\r\n"
        b"Waar is de zaal?\r\n",
    ):
        reply_mailbox.append(message)

    result = run_job("calendar-replies", READ_AT)
    assert "8 nieuw(e) bericht(en) gelezen" in str(result)
    state = _state(invitations)
    assert state == {
        "anna": (RsvpResponse.NEE, "", False),
        "bas": (RsvpResponse.JA, "Ik kom iets later, rond 14.00 uur", False),
        "carla": (RsvpResponse.JA, "", False),
        "dirk": (RsvpResponse.MISSCHIEN, "", False),
    }
    moved_up = db.session.scalars(select(OutboxMessage.idempotency_key).where(
        OutboxMessage.kind == "event-moved-up")).all()
    assert [key.split(":")[1] for key in moved_up] == [str(invitations["carla"].id)]
    outcomes = sorted(db.session.scalars(select(ItipReply.outcome)).all())
    assert outcomes == sorted([ReplyOutcome.RECORDED] * 5 + [
        ReplyOutcome.UNKNOWN_ATTENDEE, ReplyOutcome.NOT_OURS, ReplyOutcome.NO_REPLY])
    # Google's reply came as a part and as invite.ics: one answer.
    answers = db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "invitation.answer"))
    assert answers == 5
    assert reply_mailbox.seen_count() == 8

    # Run again, and again after someone marked everything unread in the mailbox: nothing new.
    assert "0 nieuw(e) bericht(en)" in str(run_job("calendar-replies", READ_AT + timedelta(minutes=5)))
    reply_mailbox.mark_all_unseen()
    cli = runner.invoke(args=["jobs", "run", "calendar-replies", "--at",
                              (READ_AT + timedelta(minutes=10)).isoformat()])
    assert cli.exit_code == 0, cli.output
    assert "0 nieuw(e) bericht(en)" in cli.output
    assert _state(invitations) == state
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "invitation.answer")) == 5
    assert db.session.scalar(select(func.count(ItipReply.id))) == 8

    # The organiser sees the reply that could not be tied to an invitation.
    login(organiser)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Antwoorden die niet te koppelen waren (1)" in html
    assert "erik@elders.example.net" in html and "Doorgestuurd door Anna" in html
    assert "niet uitgenodigd" in html
    assert 'id="telling-ja">2 van 2 plaatsen' in html


def test_a_reply_after_the_deadline_is_listed_not_counted(full_meeting, reply_mailbox):
    event, _, invitations = full_meeting
    reply_mailbox.append(apple_reply(f"event-{event.id}@vnon-tracker", "anna@example.org",
                                     "Anna de Wit", "ACCEPTED"))
    run_job("calendar-replies", event.rsvp_deadline + timedelta(hours=1))
    assert _state(invitations)["anna"] == (None, "", False)
    [row] = db.session.scalars(select(ItipReply)).all()
    assert row.outcome == ReplyOutcome.CLOSED and row.attendee_email == "anna@example.org"


def test_without_a_mailbox_invitations_are_published_without_reply_buttons(
        meeting, client, login, smtp):
    event, coordinator, _ = meeting
    with time_machine.travel(BEFORE, tick=False):
        login(coordinator)
        response = post_form(client, f"/events/{event.id}/invitations",
                             {"addresses": "Anna de Wit <anna@example.org>"},
                             token_page=f"/events/{event.id}")
        assert response.status_code == 303
        run_job("outbox", BEFORE)
        db.session.commit()
    [message] = smtp.to("anna@example.org")
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "PUBLISH"
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert str(calendar["METHOD"]) == "PUBLISH"
    [vevent] = calendar.walk("VEVENT")
    assert "ATTENDEE" not in vevent
    assert b"RSVP" not in calendar.to_ical()
    assert str(vevent["UID"]) == f"event-{event.id}@vnon-tracker"
    text = message.get_body(("plain",)).get_content()
    assert "antwoorden kan alleen via de link" in text and "/rsvp/" in text
    # The job has nothing to read.
    assert "geen antwoordmailbox" in str(run_job("calendar-replies", BEFORE))


def test_the_job_is_scheduled_every_five_minutes():
    from tracker.jobs.scheduler import SCHEDULE

    # Every five minutes, outside the hour that daylight saving skips or repeats.
    assert SCHEDULE["calendar-replies"] == {"hour": "0-1,3-23", "minute": "*/5"}


def test_a_reply_without_message_id_is_recorded_once(full_meeting, reply_mailbox):
    event, _, invitations = full_meeting
    raw = apple_reply(f"event-{event.id}@vnon-tracker", "dirk@example.org", "Dirk Mulder",
                      "DECLINED")
    message = message_from_bytes(raw, policy=policy.default)
    del message["Message-ID"]
    raw = message.as_bytes()
    assert b"Message-ID" not in raw
    reply_mailbox.append(raw)
    assert "1 nieuw(e) bericht(en)" in str(run_job("calendar-replies", READ_AT))
    reply_mailbox.mark_all_unseen()
    assert "0 nieuw(e) bericht(en)" in str(run_job("calendar-replies", READ_AT))
    assert _state(invitations)["dirk"] == (RsvpResponse.NEE, "", False)
    assert db.session.scalar(select(func.count(ItipReply.id))) == 1
