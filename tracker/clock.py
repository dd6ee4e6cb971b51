"""The current time for request handlers: aware UTC, and today's local date."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app

from tracker.db import utcnow
from tracker.formatting import to_local


def now() -> datetime:
    return utcnow()


def local_today(moment: datetime | None = None) -> date:
    """Today's date in the network's time zone (Europe/Amsterdam)."""
    return to_local(moment or utcnow(), current_app.config["TRACKER_TIMEZONE"]).date()
