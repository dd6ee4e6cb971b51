"""The one scheduler process (``flask scheduler``): APScheduler 3 in Europe/Amsterdam.

Never started inside ``create_app`` or a web worker. On PostgreSQL the process
first takes an advisory lock, so a second scheduler waits until the first one
stops; on SQLite a lock file does the same on one machine. On start, every job
whose last scheduled run was missed (according to its ``job_runs`` record) is
run once, as of that missed moment; nothing is run twice.

Times are local. Nothing is scheduled between 02:00 and 03:00, the hour that
daylight saving skips in March and repeats in October.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from sqlalchemy import select, text

from tracker.db import utcnow
from tracker.extensions import db
from tracker.jobs import run_job
from tracker.notifications.models import JobRun

log = logging.getLogger(__name__)

#: Cron fields per job, in local time.
SCHEDULE: dict[str, dict[str, str]] = {
    "reminders": {"hour": "6", "minute": "30"},
    "escalations": {"hour": "6", "minute": "35"},
    "milestones": {"hour": "6", "minute": "40"},
    "event-reminders": {"hour": "6", "minute": "45"},
    "digests": {"hour": "7", "minute": "30"},
    "invitee-retention": {"hour": "5", "minute": "15"},
    "outbox": {"hour": "0-1,3-23", "minute": "*"},
}
ADVISORY_LOCK_KEY = 4_042_018  # any constant shared by every scheduler of this app
#: How long after its time a missed run is still made up by APScheduler itself.
MISFIRE_GRACE = 6 * 3600


def trigger_for(name: str, timezone: str) -> CronTrigger:
    return CronTrigger(timezone=timezone, **SCHEDULE[name])


def latest_fire_time(trigger: CronTrigger, since: datetime, now: datetime) -> datetime | None:
    """The last moment after ``since`` and at or before ``now`` that ``trigger`` fires."""
    latest = None
    moment = trigger.get_next_fire_time(None, since + timedelta(microseconds=1))
    while moment is not None and moment <= now:
        latest = moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(microseconds=1))
    return latest


def record_run(name: str, period_at: datetime, summary: str = "") -> None:
    run = db.session.get(JobRun, name)
    if run is None:
        run = JobRun(name=name, last_period_at=period_at)
        db.session.add(run)
    run.last_period_at = max(run.last_period_at, period_at)
    run.finished_at = utcnow()
    run.summary = summary[:300]
    db.session.commit()


def missed_runs(timezone: str, now: datetime) -> list[tuple[str, datetime]]:
    """``(job, scheduled moment)`` for every job whose latest scheduled run was missed."""
    records = {r.name: r for r in db.session.scalars(select(JobRun))}
    missed = []
    for name in SCHEDULE:
        record = records.get(name)
        # Every job fires at least daily, and only the latest missed run counts.
        since = max(record.last_period_at if record else now - timedelta(days=2),
                    now - timedelta(days=2))
        moment = latest_fire_time(trigger_for(name, timezone), since, now)
        if moment is not None:
            missed.append((name, moment))
    return missed


def catch_up(app: Flask, now: datetime | None = None) -> list[str]:
    """Run each missed job once, as of the moment it should have run; return their names."""
    with app.app_context():
        now = now or utcnow()
        ran = []
        for name, moment in missed_runs(app.config["TRACKER_TIMEZONE"], now):
            result = run_job(name, moment)
            record_run(name, moment, str(result).splitlines()[0])
            log.info("ingehaald: %s van %s", name, moment.isoformat())
            ran.append(name)
        db.session.remove()
        return ran


def run_scheduled(app: Flask, name: str) -> None:
    """What APScheduler calls: run the job now and record the period it did."""
    with app.app_context():
        now = utcnow()
        trigger = trigger_for(name, app.config["TRACKER_TIMEZONE"])
        # The run APScheduler just fired: within the last minutes, else the last day.
        period = (latest_fire_time(trigger, now - timedelta(minutes=5), now)
                  or latest_fire_time(trigger, now - timedelta(hours=26), now) or now)
        try:
            result = run_job(name, now)
            summary = str(result).splitlines()[0]
            record_run(name, period, summary)
            if result.queued or "0 verzonden, 0 later opnieuw, 0 mislukt" not in summary:
                log.info("%s", summary)
        except Exception:
            log.exception("taak %s mislukt", name)
        finally:
            db.session.remove()


@contextmanager
def leadership(app: Flask, poll_seconds: float = 5.0, wait: bool = True):
    """Hold the scheduler lock for the duration; wait (or yield False) while another holds it."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        connection = engine.connect()
        try:
            while True:
                got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                         {"k": ADVISORY_LOCK_KEY}).scalar()
                connection.commit()
                if got or not wait:
                    break
                log.info("een andere scheduler draait; wachten op de advisory lock")
                time.sleep(poll_seconds)
            try:
                yield bool(got)
            finally:
                if got:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"),
                                       {"k": ADVISORY_LOCK_KEY})
                    connection.commit()
        finally:
            connection.close()
        return
    import fcntl

    path = Path(app.instance_path) / "scheduler.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                got = True
                break
            except BlockingIOError:
                got = False
                if not wait:
                    break
                log.info("een andere scheduler draait; wachten op %s", path)
                time.sleep(poll_seconds)
        try:
            yield got
        finally:
            if got:
                fcntl.flock(handle, fcntl.LOCK_UN)


def build_scheduler(app: Flask, scheduler_class=None):
    """A (blocking) APScheduler with every job; coalescing, generous misfire grace."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    timezone = app.config["TRACKER_TIMEZONE"]
    scheduler = (scheduler_class or BlockingScheduler)(timezone=timezone, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE,
    })
    for name in SCHEDULE:
        scheduler.add_job(run_scheduled, trigger_for(name, timezone), args=[app, name],
                          id=name, name=name, replace_existing=True)
    return scheduler


def run_forever(app: Flask) -> None:
    """Take the lock, catch up, then run the schedule until stopped."""
    with leadership(app):
        log.info("scheduler gestart")
        catch_up(app)
        build_scheduler(app).start()
