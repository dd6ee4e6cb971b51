"""The scheduler: catch-up after downtime, daylight saving, the 02:00-03:00 gap, one leader."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.factories import create_team, create_user
from tracker.enums import MilestoneKind, Role
from tracker.extensions import db
from tracker.jobs.scheduler import (
    SCHEDULE,
    build_scheduler,
    catch_up,
    latest_fire_time,
    leadership,
    record_run,
    trigger_for,
)
from tracker.milestones.models import Milestone
from tracker.notifications.models import DigestFrequency, NotificationPreference, OutboxMessage

AMS = ZoneInfo("Europe/Amsterdam")


def _digests() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.idempotency_key).where(
        OutboxMessage.kind == "digest").order_by(OutboxMessage.idempotency_key)))


@pytest.fixture
def mayor():
    """A bestuurder with something to read: a milestone in the coming weeks."""
    team = create_team()
    db.session.add(Milestone(team=team, title="Mijlpaal", kind=MilestoneKind.MIJLPAAL,
                             due_date=date(2018, 3, 30)))
    user = create_user(role=Role.BESTUURDER, email="burgemeester@example.org")
    db.session.commit()
    return user


def _all_done_until(moment: datetime) -> None:
    for name in SCHEDULE:
        record_run(name, moment)


def test_down_across_monday_0730_and_back_at_0930_sends_one_digest(app, mayor):
    _all_done_until(datetime(2018, 2, 4, 23, 0, tzinfo=AMS))  # last run: Sunday evening
    back = datetime(2018, 2, 5, 9, 30, tzinfo=AMS)
    ran = catch_up(app, back)
    assert "digests" in ran
    assert _digests() == [f"digest:user:{mayor.id}:2018-W06"]
    # Back again later the same day, and the regular runs: nothing more this week.
    assert "digests" not in catch_up(app, back + timedelta(minutes=30))
    # Tuesday's 07:30 run (missed too, made up) finds this week's digest already queued.
    assert "digests" in catch_up(app, back + timedelta(days=1))
    assert _digests() == [f"digest:user:{mayor.id}:2018-W06"]


def test_down_for_days_is_made_up_once_not_per_missed_run(app, mayor):
    db.session.add(NotificationPreference(user_id=mayor.id, digest=DigestFrequency.DAILY))
    db.session.commit()
    _all_done_until(datetime(2018, 2, 1, 8, 0, tzinfo=AMS))
    catch_up(app, datetime(2018, 2, 5, 9, 30, tzinfo=AMS))
    assert _digests() == [f"digest:user:{mayor.id}:2018-02-05"]


@pytest.mark.parametrize("sunday", [date(2018, 3, 25), date(2018, 10, 28)])
def test_daylight_saving_sundays_get_one_digest_each_local_day(app, mayor, sunday, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_DIGEST_SKIP_EMPTY", False)
    db.session.add(NotificationPreference(user_id=mayor.id, digest=DigestFrequency.DAILY))
    db.session.commit()
    trigger = trigger_for("digests", "Europe/Amsterdam")
    start = datetime.combine(sunday - timedelta(days=2), datetime.min.time(), AMS)
    end = start + timedelta(days=4)
    fires = []
    moment = trigger.get_next_fire_time(None, start)
    while moment < end:
        fires.append(moment)
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    local = [f.astimezone(AMS) for f in fires]
    assert [(m.hour, m.minute) for m in local] == [(7, 30)] * 4
    assert [m.date() for m in local] == [start.date() + timedelta(days=n) for n in range(4)]
    from tracker.jobs import run_job

    for fire in fires:
        run_job("digests", fire)
        run_job("digests", fire + timedelta(hours=1))  # a second run the same day
    assert _digests() == [f"digest:user:{mayor.id}:{m.date().isoformat()}" for m in local]


@pytest.mark.parametrize("start", [datetime(2018, 3, 24, 12, tzinfo=AMS),
                                   datetime(2018, 10, 27, 12, tzinfo=AMS)])
def test_nothing_is_scheduled_between_two_and_three_local_time(start):
    for name in SCHEDULE:
        trigger = trigger_for(name, "Europe/Amsterdam")
        moment = trigger.get_next_fire_time(None, start)
        while moment < start + timedelta(days=2):
            assert moment.astimezone(AMS).hour != 2, (name, moment)
            moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))


def test_the_scheduler_has_every_job_and_coalesces(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
    assert set(jobs) == {"reminders", "escalations", "milestones", "digests", "event-reminders",
                         "outbox", "invitee-retention", "calendar-replies", "webhook-events",
                         "webhooks", "report-renders"}
    assert all(job.coalesce and job.misfire_grace_time >= 3600 for job in jobs.values())


def test_latest_fire_time_is_the_last_one_before_now():
    trigger = trigger_for("digests", "Europe/Amsterdam")
    now = datetime(2018, 2, 5, 9, 30, tzinfo=AMS)
    latest = latest_fire_time(trigger, now - timedelta(days=3), now)
    assert latest == datetime(2018, 2, 5, 7, 30, tzinfo=AMS)
    assert latest_fire_time(trigger, latest, now) is None


def test_two_schedulers_only_one_runs_jobs(app, is_postgres):
    """PostgreSQL: an advisory lock; SQLite: a lock file. The second waits (here: gives up)."""
    with leadership(app, wait=False) as first:
        assert first is True
        with leadership(app, wait=False) as second:
            assert second is False
    with leadership(app, wait=False) as again:
        assert again is True


def test_job_runs_are_recorded(app, mayor):
    catch_up(app, datetime(2018, 2, 5, 9, 30, tzinfo=AMS))
    from tracker.notifications.models import JobRun

    assert db.session.scalar(select(func.count(JobRun.name))) == len(SCHEDULE)
    run = db.session.get(JobRun, "digests")
    assert run.last_period_at == datetime(2018, 2, 5, 6, 30, tzinfo=UTC)


def test_cli_refuses_unknown_job_and_bad_moment(runner):
    assert runner.invoke(args=["jobs", "run", "alles"]).exit_code != 0
    bad = runner.invoke(args=["jobs", "run", "digests", "--at", "maandag"])
    assert bad.exit_code != 0 and "ISO 8601" in bad.output


def test_a_scheduled_run_records_the_period_it_did(app, mayor, monkeypatch):
    import tracker.jobs.scheduler as scheduler
    from tracker.notifications.models import JobRun

    monday = datetime(2018, 2, 5, 7, 30, 2, tzinfo=AMS)
    monkeypatch.setattr(scheduler, "utcnow", lambda: monday.astimezone(UTC))
    scheduler.run_scheduled(app, "digests")
    scheduler.run_scheduled(app, "outbox")
    db.session.expire_all()
    assert db.session.get(JobRun, "digests").last_period_at == datetime(2018, 2, 5, 6, 30,
                                                                         tzinfo=UTC)
    assert db.session.get(JobRun, "outbox").last_period_at == datetime(2018, 2, 5, 6, 30,
                                                                        tzinfo=UTC)
    assert _digests() == [f"digest:user:{mayor.id}:2018-W06"]
