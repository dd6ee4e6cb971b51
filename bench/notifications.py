"""Measures of issue 4: digests for 1,000 recipients, delivery rate over one connection.

Run with ``make bench`` (or ``.venv/bin/python bench/notifications.py``). Uses a
temporary SQLite database unless ``BENCH_DATABASE_URL`` is set (it must be an
empty database you may wipe; ``BENCH_ASYNC_COMMIT=1`` measures PostgreSQL with
``TRACKER_OUTBOX_ASYNC_COMMIT``). Prints the figures; exits non-zero when a target
is missed: digests queued in under 10 s; delivery of at least 100 messages/s;
SMTP refusing connections during a run of 1,000, then back: all delivered once.

The ceiling of delivery: the same messages (wire bytes built beforehand) handed to the
same kind of local server by a plain ``smtplib`` loop over one connection; the ratio
delivery ÷ ceiling is printed. ``BENCH_JSON=path`` also writes the figures as JSON
(``bench/run.py`` reads them for docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from config import normalise_database_url  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.auth.models import User  # noqa: E402
from tracker.demo.loader import load_demo_network  # noqa: E402
from tracker.enums import Role  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.jobs import run_job  # noqa: E402
from tracker.notifications.delivery import (  # noqa: E402
    OUTBOX,
    deliver_all,
    envelope_address,
    to_message,
)
from tracker.notifications.models import OutboxMessage, OutboxStatus  # noqa: E402

RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "1000"))
MONDAY = datetime.fromisoformat("2018-02-05T07:30:00+01:00")


def start_smtp_server(port: int, log: Path) -> subprocess.Popen:
    """aiosmtpd in its own process, as a local mail server would be."""
    process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(Path(__file__).with_name("smtp_server.py")), str(port), str(log)],
        stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtplib_ceiling(port: int, log: Path, count: int) -> tuple[float, float]:
    """Messages/s of a plain ``smtplib`` sender over one connection to the same kind of
    server, and its CPU seconds per message: the first ``count`` sent outbox rows, built
    beforehand (not timed), sent again with their own Message-IDs and nothing else."""
    import smtplib

    from tracker.notifications.delivery import envelope_address, to_message

    rows = db.session.execute(select(OutboxMessage.__table__).where(
        OutboxMessage.status == OutboxStatus.SENT).order_by(OutboxMessage.id).limit(count)
    ).mappings().all()
    messages = [(envelope_address(m.sender), [envelope_address(r) for r in m.recipients], m.data)
                for m in map(to_message, rows)]
    server = start_smtp_server(port, log)
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as host:
            start, cpu = time.perf_counter(), time.process_time()
            for sender, recipients, data in messages:
                host.sendmail(sender, recipients, data)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        server.terminate()
        server.wait(10)
    return len(messages) / seconds, cpu / len(messages)


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL")
    tmp = tempfile.TemporaryDirectory()
    url = normalise_database_url(url) if url else f"sqlite:///{tmp.name}/bench.sqlite3"
    port = free_port()
    app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                      "MAIL_SUPPRESS_SEND": False, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                      "TRACKER_SMTP_TIMEOUT": 5,
                      "TRACKER_OUTBOX_ASYNC_COMMIT": os.environ.get("BENCH_ASYNC_COMMIT") == "1"})
    ok = True
    with app.app_context():
        if url.startswith("postgresql"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        load_demo_network(None)
        db.session.add_all(User(name=f"Burgemeester {n}", email=f"burgemeester{n}@example.org",
                                role=Role.BESTUURDER) for n in range(RECIPIENTS))
        db.session.commit()
        recipients = db.session.scalar(select(func.count(User.id)).where(
            User.role == Role.BESTUURDER))

        start, cpu = time.perf_counter(), time.process_time()
        queued = run_job("digests", MONDAY).queued
        digest_seconds = time.perf_counter() - start
        print(f"digests: {len(queued)} voor {recipients} bestuurders in de wachtrij in "
              f"{digest_seconds:.2f} s ({time.process_time() - cpu:.2f} s CPU; doel < 10 s)")
        ok &= len(queued) == recipients and digest_seconds < 10

        # SMTP down: every message stays queued with a back-off.
        report = deliver_all(MONDAY)
        print(f"SMTP weigert verbinding: {report}")
        ok &= not report.sent
        log = Path(tmp.name) / "received.txt"
        server = start_smtp_server(port, log)
        try:
            start, cpu = time.perf_counter(), time.process_time()
            report = deliver_all(MONDAY + timedelta(hours=1), limit=RECIPIENTS + 100)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            again = deliver_all(MONDAY + timedelta(hours=2), limit=RECIPIENTS + 100)
        finally:
            server.terminate()
            server.wait(10)
        received = log.read_text().split()
        rate = len(report.sent) / seconds
        ceiling, ceiling_cpu = smtplib_ceiling(free_port(), Path(tmp.name) / "ceiling.txt",
                                               min(len(report.sent), 1000))
        sent = db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.status == OutboxStatus.SENT))
        print(f"SMTP weer bereikbaar: {len(report.sent)} verzonden in {seconds:.2f} s over één "
              f"verbinding = {rate:.0f} berichten/s (doel >= 100); daarna: {again}")
        print(f"ontvangen: {len(received)}, uniek: {len(set(received))}, "
              f"status verzonden: {sent}")
        print(f"plafond: kaal smtplib over één verbinding {ceiling:.0f} berichten/s; "
              f"verhouding {rate / ceiling:.2f} (doel >= 0,8); CPU per bericht: tracker "
              f"{cpu / len(report.sent) * 1000:.2f} ms, smtplib {ceiling_cpu * 1000:.2f} ms "
              f"(verhouding {ceiling_cpu / (cpu / len(report.sent)):.2f})")
        ok &= rate >= 100 and len(received) == len(set(received)) == recipients == sent
        ok &= not again.sent

        # The ceiling: the same messages, built beforehand, sent by a bare smtplib loop.
        messages = [to_message(row) for row in db.session.execute(
            select(OUTBOX).where(OUTBOX.c.status == OutboxStatus.SENT)).mappings()]
        server = start_smtp_server(port, Path(tmp.name) / "ceiling.txt")
        try:
            start = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as host:
                for message in messages:
                    host.sendmail(envelope_address(message.sender),
                                  [envelope_address(r) for r in message.recipients],
                                  message.data)
            ceiling = len(messages) / (time.perf_counter() - start)
        finally:
            server.terminate()
            server.wait(10)
        print(f"plafond (smtplib, zelfde berichten, één verbinding): {ceiling:.0f} berichten/s; "
              f"bezorging ÷ plafond = {rate / ceiling:.2f}")
        if os.environ.get("BENCH_JSON"):
            Path(os.environ["BENCH_JSON"]).write_text(json.dumps({
                "database": url.split(":", 1)[0], "recipients": recipients,
                "digests_queued": len(queued), "digest_seconds": digest_seconds,
                "delivered": len(report.sent), "delivery_seconds": seconds,
                "delivery_rate": rate, "ceiling_rate": ceiling,
                "ratio": rate / ceiling}))
        db.session.remove()
        db.engine.dispose()
    print("OK" if ok else "DOEL GEMIST")
    return 0 if ok else 1


if __name__ == "__main__":
    started = datetime.now(UTC)
    sys.exit(main())
