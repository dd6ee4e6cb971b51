"""``flask demo load`` places the February 2018 network relative to today.

Every test uses a fixed ``now`` (1 December 2026, 10:00 in Amsterdam), never the wall
clock alone: the pages read their day through ``tracker.clock``, fixed here to ``NOW``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_PASSWORD
from tracker import clock
from tracker.actions.models import Action
from tracker.auth.models import User
from tracker.demo.loader import Placement, load_demo_network, mark_jobs_done
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.formatting import approximate_date, to_local
from tracker.jobs import JOBS, run_job
from tracker.jobs.scheduler import SCHEDULE, catch_up, missed_runs
from tracker.milestones.models import Milestone
from tracker.network.models import Team
from tracker.notifications.models import JobRun, OutboxMessage
from tracker.pilots.models import Pilot
from tracker.report.build import build_report, build_sections, load_world

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMSTERDAM)
TODAY = date(2026, 12, 1)
#: The report's peildatum and its most quoted deadline, 242 days apart.
PEILDATUM_2018 = date(2018, 2, 1)
OFFSET = TODAY - PEILDATUM_2018
SLUITENDE_AANPAK = "Iedere gemeente in Oost-Nederland heeft een sluitende aanpak"
MEETING = "Regionale bijeenkomst ervaringen pilots"


def milestone(title: str) -> Milestone:
    return db.session.scalar(select(Milestone).where(Milestone.title == title))


def outbox_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


@pytest.fixture
def placed_today(app):
    load_demo_network(DEMO_PASSWORD, now=NOW)
    db.session.commit()


@pytest.fixture
def fixed_clock(monkeypatch):
    """The pages' clock (``tracker.clock``) stands at ``NOW``."""
    monkeypatch.setattr(clock, "utcnow", lambda: NOW.astimezone(UTC))


def test_placement_today_moves_the_peildatum_onto_today():
    placement = Placement.today(NOW)
    assert placement.peildatum == TODAY
    assert placement.offset == OFFSET
    assert placement.day(date(2018, 10, 1)) == date(2018, 10, 1) + OFFSET
    # Recorded at 09:00 that day, never in the future: at 06:00 it is 06:00.
    assert placement.recorded_at == datetime.combine(TODAY, time(9, 0), tzinfo=AMSTERDAM)
    early = NOW.replace(hour=6)
    assert Placement.today(early).recorded_at == early
    # The local date decides: 23:30 UTC on 30 November is 1 December in Amsterdam.
    assert Placement.today(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)).peildatum == TODAY
    assert Placement().peildatum == PEILDATUM_2018 and Placement().day(TODAY) == TODAY


def test_loaded_today_every_date_moves_by_the_same_offset(placed_today):
    deadline = milestone(SLUITENDE_AANPAK)
    # "1 oktober 2018" keeps its meaning: 242 days (eight months) after the peildatum.
    assert deadline.due_date == TODAY + timedelta(days=242) == date(2027, 7, 31)
    assert milestone("RFPN structureel geborgd").due_date == date(2019, 9, 30) + OFFSET
    actions = {a.title: a for a in db.session.scalars(select(Action))}
    assert all(a.due_date is None or a.due_date > TODAY for a in actions.values())
    dated = [a for a in actions.values() if a.due_date is not None]
    assert min(a.due_date for a in dated) == date(2018, 3, 7) + OFFSET
    meeting = db.session.scalar(select(Event).where(Event.starts_at.is_not(None)))
    starts = to_local(meeting.starts_at)
    assert starts.date() == date(2018, 3, 7) + OFFSET and starts.time() == time(13, 30)
    assert to_local(meeting.rsvp_deadline).date() == date(2018, 3, 5) + OFFSET
    # The season note of an undated meeting is derived from its (placed) placeholder date
    # (1 May 2018, "voorjaar 2018"): 88 days after the peildatum, whatever season that is.
    notes = set(db.session.scalars(select(Event.date_note).where(Event.starts_at.is_(None))))
    assert approximate_date(date(2018, 5, 1) + OFFSET, "season") in notes
    assert "voorjaar 2018" not in notes
    # Nothing of the demo's past lies after now.
    recorded = datetime.combine(TODAY, time(9, 0), tzinfo=AMSTERDAM)
    assert {a.created_at for a in actions.values()} == {recorded}
    assert {p.created_at for p in db.session.scalars(select(Pilot))} == {recorded}
    answered = db.session.scalars(select(Invitation.responded_at)
                                  .where(Invitation.responded_at.is_not(None))).all()
    assert answered and max(answered) <= NOW
    assert max(db.session.scalars(select(Invitation.invited_at))) <= NOW


def test_as_of_2018_keeps_the_report_dates(runner):
    result = runner.invoke(args=["demo", "load", "--as-of-2018"])
    assert result.exit_code == 0, result.output
    assert "peildatum 1 februari 2018" in result.output
    assert milestone(SLUITENDE_AANPAK).due_date == date(2018, 10, 1)
    meeting = db.session.scalar(select(Event).where(Event.starts_at.is_not(None)))
    assert to_local(meeting.starts_at).date() == date(2018, 3, 7)
    assert db.session.scalar(select(JobRun)) is None


def test_python_default_keeps_the_report_dates(app):
    load_demo_network(DEMO_PASSWORD)
    db.session.commit()
    assert milestone(SLUITENDE_AANPAK).due_date == date(2018, 10, 1)


def test_cli_places_today_and_says_so(runner):
    result = runner.invoke(args=["demo", "load", "--at", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    assert "peildatum 1 december 2026" in result.output
    assert milestone(SLUITENDE_AANPAK).due_date == date(2027, 7, 31)
    # Loading again moves nothing: the demo ages like a real network.
    later = (NOW + timedelta(days=30)).isoformat()
    again = runner.invoke(args=["demo", "load", "--at", later])
    assert "al geladen" in again.output and "niets verschoven" in again.output
    assert milestone(SLUITENDE_AANPAK).due_date == date(2027, 7, 31)


def _levels(day: date) -> dict[str, str]:
    return {s.slug: s.computed.level.value for s in build_sections(load_world(day, as_of=False))}


def test_loaded_today_the_teams_are_on_schedule(placed_today):
    # As the report judged them on its peildatum: every team on schedule, also the two
    # that finished their task (their final report is still ahead).
    assert set(_levels(TODAY).values()) == {"op_schema"}
    # And the network ages: ten months on, the 1 October deadline has passed unmet.
    later = _levels(TODAY + timedelta(days=300))
    assert later["verwarde-personen"] == "risico"


def test_network_status_page_shows_op_schema_not_years_overdue(placed_today, fixed_clock,
                                                               client, login, count_queries):
    login(db.session.scalar(select(User).where(User.email == "bestuurder@example.org")))
    with count_queries() as counted:
        response = client.get("/status")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Stand op 1 december 2026" in html
    assert "7 teams op schema" in html
    assert html.count("utrecht-status-badge--safe\">Op schema") == 7
    assert "over tijd" not in html and "over de datum" not in html
    assert "Risico" not in html
    assert counted.count <= 40
    team = client.get("/teams/verwarde-personen/status").get_data(as_text=True)
    assert "dagen over tijd" not in team and "31 juli 2027" in team


def test_status_page_of_the_2018_load_today_would_be_years_overdue(demo, fixed_clock, client,
                                                                   login):
    """The contrast the placement removes (the old demo, judged on 1 December 2026)."""
    login(db.session.scalar(select(User).where(User.email == "bestuurder@example.org")))
    html = client.get("/status").get_data(as_text=True)
    assert "7 teams risico" in html and "dagen over" in html


def test_report_for_the_placed_peildatum_shows_the_trekkers_and_owners(placed_today):
    report = build_report(TODAY)  # as of the end of that day, from history
    assert not report.notices
    sections = {s.slug: s for s in report.teams}
    assert set(sections) == {t.slug for t in db.session.scalars(select(Team))}
    vp = sections["verwarde-personen"]
    assert vp.trekker.name == "Paul Wesseloo"
    owners = {a.owner for a in vp.actions if a.owner}
    assert owners, "the report names the owners of the actions"
    assert any(a.due_date == date(2018, 3, 7) + OFFSET for a in vp.actions)
    # The day before, the demo did not exist yet: the report says so.
    assert build_report(TODAY - timedelta(days=1)).notices


def test_the_2018_report_is_unchanged_by_a_placed_load_elsewhere(demo):
    report = build_report(PEILDATUM_2018)
    assert not report.notices
    vp = next(s for s in report.teams if s.slug == "verwarde-personen")
    assert vp.trekker.name == "Paul Wesseloo"


@pytest.mark.parametrize("name", sorted(set(JOBS) - {"digests"}))
def test_every_job_run_right_after_the_load_queues_no_mail(placed_today, name):
    """Reminders, escalations, milestone alerts, event reminders, ...: nothing is due on
    the peildatum (the nearest date, 7 March, is 34 days ahead), so nothing is queued."""
    result = run_job(name, NOW)
    assert result.queued == []
    assert outbox_count() == 0


def test_the_only_mail_due_today_is_this_weeks_digest_about_what_lies_ahead(placed_today):
    """The weekly digest of the current week is legitimately due (Tuesday after 07:30);
    it speaks of today and what lies ahead, never of a shifted past."""
    result = run_job("digests", NOW)
    assert result.queued and all(key.endswith(":2026-W49") for key in result.queued)
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert {m.kind for m in messages} == {"digest"}
    for message in messages:
        assert "stand 1 december 2026" in message.body_text
        for past in ("2018", "over tijd", "te laat", "over de datum", "Gemist"):
            assert past not in message.body_text, past
    # The same job again adds nothing (one digest per person per week).
    assert run_job("digests", NOW + timedelta(hours=1)).queued == []


def test_first_start_of_the_scheduler_catches_nothing_up(runner, app):
    result = runner.invoke(args=["demo", "load", "--at", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    assert {r.name for r in db.session.scalars(select(JobRun))} == set(SCHEDULE)
    start = NOW + timedelta(seconds=30)
    assert missed_runs("Europe/Amsterdam", start) == []
    assert catch_up(app, start) == []
    assert outbox_count() == 0
    # Without the load's records the first start would run every job as of moments
    # before the demo existed (yesterday's and this morning's schedule).
    db.session.execute(JobRun.__table__.delete())
    db.session.commit()
    assert {name for name, _ in missed_runs("Europe/Amsterdam", start)} == set(SCHEDULE)


def test_marking_never_moves_a_later_record_back(app):
    later = NOW + timedelta(days=1)
    db.session.add(JobRun(name="reminders", last_period_at=later, summary="echt"))
    db.session.commit()
    mark_jobs_done(NOW)
    db.session.commit()
    assert db.session.get(JobRun, "reminders").last_period_at == later
    assert db.session.get(JobRun, "digests").last_period_at == NOW
