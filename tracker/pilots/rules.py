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


# == Care with consequences: which moves are final, which need findings, which corrections ==

#: Statuses a pilot does not leave by the normal lifecycle: moving there asks for a
#: confirmation page first (only a coordinator's correction brings the pilot back).
TERMINAL_STATUSES = frozenset({PilotStatus.GEBORGD, PilotStatus.GESTOPT})
#: Statuses that say something was learned: the pilot must then have results and lessons.
NEEDS_FINDINGS = frozenset({PilotStatus.GEEVALUEERD, PilotStatus.GEBORGD})
#: The lifecycle order, for corrections ("one or more steps back").
ORDER = (PilotStatus.GEPLAND, PilotStatus.LOPEND, PilotStatus.GEEVALUEERD, PilotStatus.GEBORGD)

FINDINGS_MESSAGES = {
    "results": "Vul de resultaten in: een pilot die {status} is, heeft resultaten.",
    "lessons": "Vul de geleerde lessen in: een pilot die {status} is, heeft geleerde lessen.",
}


def is_terminal(status: PilotStatus | str) -> bool:
    """Whether reaching ``status`` ends the lifecycle (confirmation needed before the move)."""
    return status in TERMINAL_STATUSES


def needs_findings(status: PilotStatus | str) -> bool:
    """Whether a pilot in ``status`` must have results and lessons."""
    return status in NEEDS_FINDINGS


def needs_confirmation(status: PilotStatus | str) -> bool:
    """Whether moving to ``status`` asks for a separate confirmation step (a page saying
    what happens, with a POST button): the terminal moves."""
    return is_terminal(status)


def missing_findings(target: PilotStatus | str, results: str | None,
                     lessons: str | None) -> dict[str, str]:
    """Field name -> Dutch message for each finding ``target`` needs and that is empty."""
    if not needs_findings(target):
        return {}
    label = PilotStatus(target).label.lower()
    values = {"results": results, "lessons": lessons}
    return {name: message.format(status=label) for name, message in FINDINGS_MESSAGES.items()
            if not (values[name] or "").strip()}


def correction_targets(status: PilotStatus) -> tuple[PilotStatus, ...]:
    """Statuses a coordinator may put the pilot back to (a step back, with a reason).

    Geborgd and geëvalueerd go back to any earlier step; a stopped pilot goes back to
    any status of the lifecycle before geborgd (it stopped from one of them).
    """
    if status == PilotStatus.GESTOPT:
        return ORDER[:-1]
    if status not in ORDER:
        return ()
    return ORDER[:ORDER.index(status)]


def can_correct(current: PilotStatus, target: PilotStatus) -> bool:
    return target in correction_targets(current)
