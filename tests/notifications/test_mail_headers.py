"""Every subject the tracker sends, on the wire: RFC 5322 lines and RFC 2047 encoded-words.

The mails are built by the real builders with long Dutch names (ë, é, ï, ĳ) and an
emoji, delivered to a real SMTP server (aiosmtpd), and the bytes it received are
read back with ``email.policy.strict``.
"""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from email import policy
from email.parser import BytesParser

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.events.conftest import BEFORE, create_event, invite_user
from tests.factories import create_action, create_team, create_user
from tracker.auth.password_links import queue_password_link
from tracker.enums import MilestoneKind, Role
from tracker.events.mail import (
    invitation_email,
    minutes_email,
    moved_up_email,
    rsvp_reminder_email,
)
from tracker.events.models import EventMinutes
from tracker.extensions import db
from tracker.milestones.models import Milestone
from tracker.notifications import messages
from tracker.notifications.delivery import build_email, deliver_all
from tracker.notifications.digest import Network, Recipient, build_digest
from tracker.notifications.notices import Notice
from tracker.notifications.outbox import enqueue

NAME = "Zoë Ëlsinga-van IJsselmuiden-Kuïpers"
TITLE = ("Afstemming met burgemeester Zoë van ĲSselmuiden-Brünëll over de ĳsbaan, het café "
         "en het naïeve crisisplan 🎉 één keer per kwartaal geëvalueerd")
TEAM = "Zorg en Veiligheid – Noordoost-Overijssel 🎉 ëé"
SENDER = "Veiligheidsnetwerk Oost-Nederland – Zoë 🎉 <tracker@example.org>"
ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def check_wire(raw: bytes) -> str:
    """Check one message as sent; return its decoded subject.

    Header lines at most 78 characters (a line may only be longer when it holds a
    word that no folding can split, a URL, and then at most 998); every
    encoded-word at most 75 characters; the Subject's first line not empty;
    nothing the strict parser or the header registry calls a defect.
    """
    message = BytesParser(policy=policy.strict).parsebytes(raw)
    assert raw.isascii(), "7-bit message expected"
    for part in message.walk():
        for name, value in part.items():
            assert not value.defects, (name, value.defects)
    head = raw.split(b"\r\n\r\n", 1)[0]
    for part_head in [head] + [p.split(b"\r\n\r\n", 1)[0]
                               for p in raw.split(b"\r\n--")[1:]]:
        for line in part_head.split(b"\r\n"):
            if len(line) > 78:
                assert len(line) <= 998 and any(len(w) > 77 for w in line.split()), line
            for word in ENCODED_WORD.findall(line):
                assert len(word) <= 75, word
    [subject_line] = [line for line in head.split(b"\r\n") if line.startswith(b"Subject:")]
    assert re.match(rb"Subject: \S", subject_line), subject_line
    return str(message["Subject"])


def every_mail(now: datetime) -> list[tuple[str, object]]:
    """One mail of every kind and subject form the tracker has, with long Dutch names."""
    team = create_team(short_name=TEAM)
    user = create_user(name=NAME, email="zoe@example.org", role=Role.COORDINATOR)
    action = create_action(team, title=TITLE)
    milestone = Milestone(team=team, title=TITLE, kind=MilestoneKind.MIJLPAAL,
                          due_date=date(2018, 3, 1))
    db.session.add(milestone)
    event = create_event(title=TITLE[:200])
    invitation = invite_user(event, user=create_user(name=NAME, email="ĳ@example.org"
                                                     .replace("ĳ", "ij")))
    network = Network(teams={}, milestones=[], actions=[], events=[], pilots=[])
    notice = Notice(user_id=user.id, kind="assigned", entry_id=1, line=TITLE, title=TITLE,
                    endpoint="actions.detail", object_id=action.id)
    mails = [
        ("bundle", messages.action_bundle(user, [(action, 3)], [(action, 7)], [notice],
                                          now.date())),
        ("bundle-soon", messages.action_bundle(user, [], [(action, 0)], [], now.date())),
        ("escalation", messages.escalation_bundle(user, [(action, 21)])),
        *((f"notice-{kind}", messages.notice_email(user, replace(notice, kind=kind)))
          for kind in messages.NOTICE_SUBJECTS),
        ("milestone-late", messages.milestone_alert(milestone, user, -2, 1, 78)),
        ("milestone-soon", messages.milestone_alert(milestone, user, 14, None, None)),
        ("event-reminder", messages.event_reminder(invitation, 2)),
        ("invite", invitation_email(invitation, "invite", now)),
        ("update", invitation_email(invitation, "update", now)),
        ("cancel", invitation_email(invitation, "cancel", now)),
        ("rsvp-reminder", rsvp_reminder_email(invitation)),
        ("moved-up", moved_up_email(invitation)),
        ("minutes", minutes_email(invitation, EventMinutes(notes=TITLE,
                                                           decisions=TITLE), [action])),
    ]
    for frequency in ("weekly", "daily"):
        digest = build_digest(Recipient(id=user.id, name=NAME, frequency=frequency),
                              network, now)
        mails.append((f"digest-{frequency}", messages.digest_email(user, digest)))
    db.session.flush()
    return mails


def test_every_subject_fits_rfc_2047_on_the_wire(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", SENDER)
    now = BEFORE
    mails = every_mail(now)
    for key, mail in mails:
        assert enqueue(f"test:{key}", key, mail, now=now)
    newcomer = create_user(name=NAME, email="nieuw@example.org", password=None)
    existing = create_user(name=NAME, email="bekend@example.org")
    assert queue_password_link(newcomer, now=now) and queue_password_link(existing, now=now)
    db.session.commit()

    report = deliver_all(now)
    assert len(report.sent) == len(mails) + 2 and not report.failed
    subjects = sorted(check_wire(raw) for raw in smtp.raw)
    expected = sorted([mail.subject for _, mail in mails] + [
        "Uw account voor de tracker van het Veiligheidsnetwerk Oost-Nederland",
        "Nieuw wachtwoord instellen"])
    assert subjects == expected
    # The builders did put the long names in: most subjects needed encoded-words.
    assert sum(b"=?utf-8?" in raw.split(b"\r\n\r\n")[0] for raw in smtp.raw) >= 10
    # The one-click URL stays one word on one line: never folded, never encoded.
    unsubscribe = [line for raw in smtp.raw for line in raw.split(b"\r\n")
                   if line.startswith(b"List-Unsubscribe: ")]
    assert len(unsubscribe) == len(mails)
    for line in unsubscribe:
        assert re.fullmatch(rb"List-Unsubscribe: <http://localhost/afmelden/[\w.-]+/direct>",
                            line), line
    sender = BytesParser(policy=policy.strict).parsebytes(smtp.raw[0])["From"]
    assert sender.addresses[0].display_name == "Veiligheidsnetwerk Oost-Nederland – Zoë 🎉"
    calendars = [p for raw in smtp.raw
                 for p in BytesParser(policy=policy.strict).parsebytes(raw).iter_attachments()
                 if p.get_content_type() == "text/calendar"]
    assert len(calendars) == 3
    assert {p.get_param("method") for p in calendars} == {"PUBLISH", "CANCEL"}  # no reply mailbox configured


def test_the_classic_folding_fails_the_same_check():
    """The check is not empty: Flask-Mail's ``Header`` encoding breaks it."""
    from email.header import Header

    folded = Header(TITLE, "utf-8").encode()
    raw = (f"Subject: {folded}\r\nFrom: a@example.org\r\n\r\nx\r\n").replace(
        "\n ", "\r\n ").encode()
    try:
        check_wire(raw)
    except AssertionError:
        return
    raise AssertionError("the classic folding passed the check")


SUBJECT_TEXT = st.lists(
    st.sampled_from(list("abcdeëéïĳĲöü🎉–:;,.()'\"<>@=?_ ABCZ0123456789")
                    + ["IJsselmuiden", "burgemeester", " ", " ", "  ", "x" * 65, "y" * 90]),
    min_size=1, max_size=60,
).map(lambda parts: "".join(parts).strip()).filter(bool)


@settings(max_examples=150, deadline=None)
@given(subject=SUBJECT_TEXT)
def test_any_subject_is_folded_within_the_limits(app, subject):
    with app.app_context():
        message = build_email(
            subject=subject, sender=SENDER, recipients=["a@example.org"], text="Tekst",
            html="<p>Tekst</p>", headers={"Auto-Submitted": "auto-generated"},
            attachments=[{"filename": "uitnodiging.ics",
                          "content_type": "text/calendar; method=REQUEST; charset=UTF-8",
                          "data": base64.b64encode(b"BEGIN:VCALENDAR").decode()}],
            message_id="<1@example.org>", date=datetime(2018, 2, 5, tzinfo=UTC).timestamp())
        assert check_wire(message.as_bytes()) == subject
