"""The pilot lifecycle: gepland → lopend → geëvalueerd → geborgd / gestopt."""

from __future__ import annotations

from tracker.enums import PilotStatus

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
