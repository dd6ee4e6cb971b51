"""Pure rules about milestones: progress and the computed state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class MilestoneState(StrEnum):
    GEHAALD = "gehaald"
    OP_SCHEMA = "op-schema"
    RISICO = "risico"
    TE_LAAT = "te-laat"

    @property
    def label(self) -> str:
        return {
            MilestoneState.GEHAALD: "Gehaald",
            MilestoneState.OP_SCHEMA: "Op schema",
            MilestoneState.RISICO: "Risico",
            MilestoneState.TE_LAAT: "Te laat",
        }[self]

    @property
    def badge(self) -> str:
        """The NL Design System status-badge variant."""
        return {
            MilestoneState.GEHAALD: "safe",
            MilestoneState.OP_SCHEMA: "neutral",
            MilestoneState.RISICO: "warning",
            MilestoneState.TE_LAAT: "danger",
        }[self]


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.fraction)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total


#: Within this many days of the due date, a milestone short of the progress below is at risk.
RISK_HORIZONS = ((30, 0.9), (90, 0.5))
#: Without measurable progress, a milestone this close to its date is at risk.
RISK_DAYS_WITHOUT_PROGRESS = 14


def milestone_state(
    due: date, today: date, *, achieved_on: date | None = None, progress: Progress | None = None
) -> MilestoneState:
    """Gehaald / op schema / risico / te laat from the date and the progress.

    - gehaald: marked achieved, or all of its progress done (e.g. 78 of 78 municipalities);
    - te laat: the date has passed without that;
    - risico: within 30 days with less than 90% done, within 90 days with less than half
      done, or (without measurable progress) within 14 days;
    - op schema otherwise.
    """
    if achieved_on is not None or (progress is not None and progress.complete):
        return MilestoneState.GEHAALD
    left = (due - today).days
    if left < 0:
        return MilestoneState.TE_LAAT
    if progress is None or progress.total == 0:
        return MilestoneState.RISICO if left <= RISK_DAYS_WITHOUT_PROGRESS else MilestoneState.OP_SCHEMA
    for horizon, needed in RISK_HORIZONS:
        if left <= horizon and progress.fraction < needed:
            return MilestoneState.RISICO
    return MilestoneState.OP_SCHEMA


@dataclass(frozen=True)
class DistrictProgress:
    district: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        """Share done, rounded to a whole percent (0 for an empty district)."""
        return round(100 * self.done / self.total) if self.total else 0


def progress_by_district(
    municipalities: Iterable[tuple[str, int]], ticked: set[int], district_order: list[str]
) -> list[DistrictProgress]:
    """``x / n`` per district from (district name, municipality id) pairs and ticked ids."""
    totals: dict[str, list[int]] = {name: [0, 0] for name in district_order}
    for district, municipality_id in municipalities:
        counts = totals.setdefault(district, [0, 0])
        counts[1] += 1
        if municipality_id in ticked:
            counts[0] += 1
    return [DistrictProgress(name, done, total) for name, (done, total) in totals.items()]
