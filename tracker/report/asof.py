"""The moment that ends a peildatum: what "as it stood on that day" means.

The rows themselves come from history (``tracker.history``): the report for a
peildatum shows every table as it stood after the last change made before
:func:`cutoff_for` of that day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def cutoff_for(peildatum: date, timezone: str = "Europe/Amsterdam") -> datetime:
    """The first moment after the peildatum: midnight at its end, local time (aware)."""
    return datetime.combine(peildatum + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
