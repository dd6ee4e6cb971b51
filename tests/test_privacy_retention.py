"""AVG retention: external invitees are erased TRACKER_INVITEE_RETENTION_MONTHS after their
last meeting, by the scheduled job ``invitee-retention`` (time travel with time-machine)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from tests.factories import add_member, create_team, create_user
from tests.test_privacy_erasure import rows_mentioning
from tracker.auth.models import User
from tracker.avg.erasure import KEPT_TABLES, pseudonym_for
from tracker.avg.tasks import months_before
from tracker.enums import EventStatus, Role, TeamRole
from tracker.events.invitations import invite
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.jobs.scheduler import SCHEDULE

BEFORE = datetime(2018, 2, 20, 9, 0, tzinfo=UTC)
#: The meeting ends Wednesday 7 March 2018, 16:30 Amsterdam time.
ENDS = datetime(2018, 3, 7, 15, 30, tzinfo=UTC)
PASTED = ("Gijs van Dalen <g.vandalen@partner.example>\n"
          "Fatima el Amrani <f.elamrani@partner.example>\n"
          "Ria van 't Hek <r.kooistra@partner.example>")


def _event(**values) -> Event:
    event = Event(**{"title": "Regionale bijeenkomst", "status": EventStatus.GEPLAND,
                     "location": "Zwolle", "starts_at": datetime(2018, 3, 7, 12, 30, tzinfo=UTC),
                     "ends_at": ENDS, **values})
    db.session.add(event)
    db.session.flush()
    return event


@pytest.fixture
def invitees():
    organiser = create_user(role=Role.COORDINATOR, name="Organisator Veiligheidshuis",
                            email="organisator@example.org")
    colleague = create_user(role=Role.COORDINATOR, name="Karin Mulder",
                            email="k.mulder@example.org")  # an account that can log in
    event = _event(organiser=organiser)
    invite(event, actor=organiser, now=BEFORE, user_ids=[colleague.id], addresses=PASTED)
    by_email = {u.email: u for u in db.session.scalars(select(User))}
    gone, worker, later = (by_email[a] for a in ("g.vandalen@partner.example",
                                                 "f.elamrani@partner.example",
                                                 "r.kooistra@partner.example"))
    db.session.scalar(select(Invitation).where(Invitation.user_id == gone.id)).remark = (
        "Ik neem Fatima el Amrani mee.")
    # Fatima also does work: a member of a team. Ria is invited to a later meeting too.
    add_member(create_team(), worker, TeamRole.LID)
    later_event = _event(title="Vervolgbijeenkomst", starts_at=datetime(2018, 9, 5, 12, 0, tzinfo=UTC),
                         ends_at=datetime(2018, 9, 5, 14, 0, tzinfo=UTC))
    invite(later_event, actor=organiser, now=BEFORE, addresses="r.kooistra@partner.example")
    db.session.commit()
    return {"gone": gone, "worker": worker, "later": later, "colleague": colleague}


def _run(runner, at: str | None = None) -> str:
    args = ["jobs", "run", "invitee-retention"] + (["--at", at] if at else [])
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def test_invitees_are_kept_until_the_term_then_erased_once(runner, invitees):
    gone = invitees["gone"]
    with time_machine.travel(datetime(2019, 3, 7, 15, 0, tzinfo=UTC), tick=False):
        assert "0 genodigde(n) gewist" in _run(runner)  # half an hour short of 12 months
    assert rows_mentioning(["Gijs van Dalen"]) != []

    with time_machine.travel(datetime(2019, 3, 7, 16, 0, tzinfo=UTC), tick=False):
        output = _run(runner)
    assert "1 genodigde(n) gewist" in output and pseudonym_for(gone.id).name in output
    assert rows_mentioning(["Gijs van Dalen", "g.vandalen@partner.example"],
                           skip=KEPT_TABLES) == []
    assert db.session.get(User, gone.id).name == pseudonym_for(gone.id).name
    # Not twice: a second run finds nobody.
    with time_machine.travel(datetime(2019, 3, 8, 5, 15, tzinfo=UTC), tick=False):
        assert "0 genodigde(n) gewist" in _run(runner)

    # Kept: the invitee with work, the account that logs in, the one invited again later.
    for key in ("worker", "colleague", "later"):
        user = db.session.get(User, invitees[key].id)
        assert user.name == invitees[key].name and user.active, key
    # Gijs's remark named Fatima; that is his text and went with him.
    # (She is a person in her own right: her account, its history, the journal, her mail and
    # her own search document, search_documents, still name her.)
    assert rows_mentioning(["Fatima el Amrani"], skip={"users", "users_version", "audit_entries",
                                                       "outbox_messages",
                                                       "search_documents"}) == []

    # Ria's last meeting ended 5 September 2018: gone a year later, with --at.
    output = _run(runner, at="2019-09-05T17:00:00+02:00")
    assert pseudonym_for(invitees["later"].id).name in output
    # Her name sits HTML-escaped in the mail ("van &#39;t Hek") and in the .ics: gone too.
    assert rows_mentioning(["Ria van 't Hek", "r.kooistra@partner.example"],
                           skip=KEPT_TABLES) == []
    assert db.session.get(User, invitees["worker"].id).name == "Fatima el Amrani"


def test_the_term_is_configurable(app, runner, invitees):
    app.config["TRACKER_INVITEE_RETENTION_MONTHS"] = 3
    try:
        output = _run(runner, at="2018-06-08T12:00:00+02:00")
    finally:
        app.config["TRACKER_INVITEE_RETENTION_MONTHS"] = 12
    assert "1 genodigde(n) gewist (bewaartermijn 3 maanden)" in output


def test_a_meeting_whose_date_was_reopened_keeps_its_invitees(runner):
    organiser = create_user(role=Role.COORDINATOR)
    event = _event()
    invite(event, actor=organiser, now=BEFORE, addresses="Gijs van Dalen <g.vandalen@partner.example>")
    event.starts_at = event.ends_at = None  # postponed to a date still open
    event.date_note = "najaar 2018"
    db.session.commit()
    assert "0 genodigde(n) gewist" in _run(runner, at="2030-01-01T12:00:00+01:00")


def test_the_job_is_scheduled_outside_the_dst_hour():
    assert SCHEDULE["invitee-retention"] == {"hour": "5", "minute": "15"}


@pytest.mark.parametrize(("moment", "months", "expected"), [
    (datetime(2019, 3, 31, 10, tzinfo=UTC), 1, datetime(2019, 2, 28, 10, tzinfo=UTC)),
    (datetime(2020, 3, 31, 10, tzinfo=UTC), 1, datetime(2020, 2, 29, 10, tzinfo=UTC)),
    (datetime(2019, 1, 15, 10, tzinfo=UTC), 12, datetime(2018, 1, 15, 10, tzinfo=UTC)),
    (datetime(2019, 1, 15, 10, tzinfo=UTC), 13, datetime(2017, 12, 15, 10, tzinfo=UTC)),
])
def test_months_before(moment, months, expected):
    assert months_before(moment, months) == expected
