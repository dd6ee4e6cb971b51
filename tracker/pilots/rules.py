"""Pilots, PURE: the lifecycle gepland → lopend → geëvalueerd → geborgd / gestopt, and
whether a pilot is active or stands still (the one rule the status pages and the report use).
"""

from __future__ import annotations

from datetime import date

from tracker.enums import PilotStatus

#: Pilots that are planned or running: the ones whose progress is watched.
ACTIVE_STATUSES = frozenset({PilotStatus.GEPLAND, PilotStatus.LOPEND})
#: An active pilot whose status has not changed for more than this many days stands still;
#: a planned pilot more than this many days past its start date should have started.
STALLED_DAYS = 180


def is_active(status: PilotStatus | str) -> bool:
    return status in ACTIVE_STATUSES


def days_late_to_start(status: PilotStatus | str, start_date: date | None, today: date) -> int:
    """Days a planned pilot is past its start date beyond ``STALLED_DAYS`` (else 0 = fine)."""
    if status != PilotStatus.GEPLAND or start_date is None:
        return 0
    late = (today - start_date).days
    return late if late > STALLED_DAYS else 0


def days_stalled(status: PilotStatus | str, last_change: date | None, today: date) -> int:
    """Days an active pilot's status has not changed, beyond ``STALLED_DAYS`` (else 0)."""
    if not is_active(status) or last_change is None:
        return 0
    quiet = (today - last_change).days
    return quiet if quiet > STALLED_DAYS else 0

TRANSITIONS: dict[PilotStatus, tuple[PilotStatus, ...]] = {
    PilotStatus.GEPLAND: (PilotStatus.LOPEND, PilotStatus.GESTOPT),
    PilotStatus.LOPEND: (PilotStatus.GEEVALUEERD, PilotStatus.GESTOPT),
    PilotStatus.GEEVALUEERD: (PilotStatus.GEBORGD, PilotStatus.GESTOPT),
    PilotStatus.GEBORGD: (),
    PilotStatus.GESTOPT: (),
}


def allowed_next(status: PilotStatus) -> tuple[PilotStatus, ...]:
    return TRANSITIONS[status]


def can_move(current: PilotStatus, target: PilotStatus) -> bool:
    return target in TRANSITIONS[current]
