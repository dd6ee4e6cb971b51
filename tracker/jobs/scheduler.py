"""The one scheduler process (``flask scheduler``): APScheduler 3 in Europe/Amsterdam.

Never started inside ``create_app`` or a web worker. On PostgreSQL the process
first takes an advisory lock, so a second scheduler waits until the first one
stops; on SQLite a lock file does the same on one machine. The leader re-checks
its lock before every run and stops running jobs when it lost it (a dropped
database connection drops the lock, and the waiting scheduler takes over). On start, every job
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

from tracker.db import read_only, utcnow
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
    "calendar-replies": {"hour": "0-1,3-23", "minute": "*/5"},
    # Overdue actions and reached milestones for webhooks (keys make a rerun harmless);
    # delivery every minute beside the mail outbox.
    "webhook-events": {"hour": "0-1,3-23", "minute": "10"},
    "webhooks": {"hour": "0-1,3-23", "minute": "*"},
    # Report files too big for a request, asked for on the report's download pages.
    "report-renders": {"hour": "0-1,3-23", "minute": "*"},
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
    with read_only():  # a reader: the jobs that follow start their own transactions
        records = {r.name: r for r in db.session.scalars(select(JobRun))}
        db.session.commit()
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


def run_scheduled(app: Flask, name: str, leader: Leader | None = None) -> bool:
    """What APScheduler calls: run the job now and record the period it did.

    With a ``leader``, first make sure this process still holds the scheduler
    lock (:meth:`Leader.check`); a process that lost it runs nothing. Returns
    whether the job ran.
    """
    if leader is not None:
        if not leader.check():
            log.warning("taak %s overgeslagen: deze scheduler is geen leider", name)
            return False
        if leader.regained:
            leader.regained = False
            catch_up(app)
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
    return True


#: ``pg_locks`` row of a bigint advisory lock held by this connection (key < 2**32:
#: classid 0, objid the key, objsubid 1).
HELD_QUERY = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND classid = 0 AND objid::bigint = :k AND objsubid = 1)"
)


class Leader:
    """This process's claim to be the one scheduler: a lock that is re-checked before every run.

    PostgreSQL: an advisory lock on a dedicated connection. The server drops the lock
    with the connection (a restart, ``pg_terminate_backend``, a network cut), so
    :meth:`check` asks the server on that very connection whether it still holds
    it; on any error or a missing lock the process becomes a follower, and on a
    later check it tries to take the lock again. SQLite: a lock file (``flock``),
    held as long as the process lives.
    """

    def __init__(self, app: Flask):
        self.app = app
        with app.app_context():
            self.engine = db.engine
        self.postgres = self.engine.dialect.name == "postgresql"
        self.connection = None
        self.handle = None
        self.held = False
        #: Set when the lock was taken again after a loss: the next run catches up first.
        self.regained = False

    # -- taking and giving up -------------------------------------------------------
    def try_acquire(self) -> bool:
        """Take the lock if it is free; True when this process holds it afterwards."""
        if self.held:
            return True
        if self.postgres:
            connection = self.engine.connect()
            try:
                got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                              {"k": ADVISORY_LOCK_KEY}).scalar())
                connection.commit()
            except Exception:
                connection.invalidate()
                connection.close()
                raise
            if got:
                self.connection = connection
            else:
                connection.close()
        else:
            import fcntl

            path = Path(self.app.instance_path) / "scheduler.lock"
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                got = True
                self.handle = handle
            except BlockingIOError:
                got = False
                handle.close()
        self.held = got
        return got

    def acquire(self, wait: bool = True, poll_seconds: float = 5.0) -> bool:
        """Take the lock; with ``wait``, poll every ``poll_seconds`` until it is free."""
        while True:
            try:
                if self.try_acquire():
                    return True
            except Exception:
                log.exception("scheduler-lock niet te nemen; later opnieuw")
            if not wait:
                return False
            log.info("een andere scheduler draait; wachten op de lock")
            time.sleep(poll_seconds)

    def release(self) -> None:
        """Give the lock up (nothing happens when it is not held)."""
        if self.connection is not None:
            try:
                if self.held:
                    self.connection.execute(text("SELECT pg_advisory_unlock(:k)"),
                                            {"k": ADVISORY_LOCK_KEY})
                    self.connection.commit()
            except Exception:
                # The connection is gone, and the lock with it.
                self.connection.invalidate()
            finally:
                self.connection.close()
                self.connection = None
        if self.handle is not None:
            import fcntl

            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
        self.held = False

    # -- before every run -----------------------------------------------------------
    @property
    def backend_pid(self) -> int | None:
        """The PostgreSQL process id of the lock's connection (None without one)."""
        if self.connection is None:
            return None
        return self.connection.execute(text("SELECT pg_backend_pid()")).scalar()

    def holds(self) -> bool:
        """Whether the lock is still this process's, asked of the server (PostgreSQL)."""
        if not self.held:
            return False
        if not self.postgres:
            return True
        try:
            still = bool(self.connection.execute(HELD_QUERY, {"k": ADVISORY_LOCK_KEY}).scalar())
            self.connection.commit()
            return still
        except Exception:
            log.warning("verbinding van de scheduler-lock verloren", exc_info=True)
            return False

    def check(self) -> bool:
        """Before a run: True when this process may run it.

        A leader that finds its lock gone becomes a follower and runs nothing this
        time (another scheduler may be taking over right now); a follower tries to
        take the lock and, when it gets it, leads again (:attr:`regained`).
        """
        if self.held:
            if self.holds():
                return True
            log.warning("scheduler-lock verloren: deze scheduler is nu volger")
            self.release()
            return False
        try:
            got = self.try_acquire()
        except Exception:
            log.warning("scheduler-lock niet te nemen; later opnieuw", exc_info=True)
            return False
        if got:
            log.info("scheduler-lock weer genomen: deze scheduler is weer leider")
            self.regained = True
        return got


@contextmanager
def leadership(app: Flask, poll_seconds: float = 5.0, wait: bool = True):
    """Hold the scheduler lock for the duration; wait (or yield False) while another holds it."""
    leader = Leader(app)
    try:
        yield leader.acquire(wait=wait, poll_seconds=poll_seconds)
    finally:
        leader.release()


def build_scheduler(app: Flask, scheduler_class=None, leader: Leader | None = None):
    """A (blocking) APScheduler with every job; coalescing, generous misfire grace.

    With a ``leader``, every run first checks that the lock is still held.
    """
    from apscheduler.schedulers.blocking import BlockingScheduler

    timezone = app.config["TRACKER_TIMEZONE"]
    scheduler = (scheduler_class or BlockingScheduler)(timezone=timezone, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE,
    })
    for name in SCHEDULE:
        scheduler.add_job(run_scheduled, trigger_for(name, timezone), args=[app, name, leader],
                          id=name, name=name, replace_existing=True)
    return scheduler


def run_forever(app: Flask) -> None:
    """Take the lock, catch up, then run the schedule until stopped.

    Every run re-checks the lock (:class:`Leader`): after a lost connection this
    process runs nothing until it holds the lock again.
    """
    leader = Leader(app)
    leader.acquire(wait=True)
    try:
        log.info("scheduler gestart")
        catch_up(app)
        build_scheduler(app, leader=leader).start()
    finally:
        leader.release()
