"""The delivery job: send what is due in the outbox."""

from __future__ import annotations

from datetime import datetime

from tracker.jobs.base import JobResult
from tracker.notifications.delivery import deliver_all


def outbox(now: datetime) -> JobResult:
    """Send every queued message that is due, over one SMTP connection per batch."""
    report = deliver_all(now)
    return JobResult("outbox", lines=[f"outbox: {report}"])
