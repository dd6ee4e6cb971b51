"""Pure rules about milestones: progress and THE state of a milestone.

``milestone_state`` is the only place that decides gehaald / op schema / risico /
te laat. Milestone pages, team and network status, the report, the mayors' digest
and the calendar feed all call it (through :func:`assess`), so the same milestone
reads the same everywhere on any day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tracker.enums import LabelledEnum
from tracker.formatting import days_until, long_date


class MilestoneState(LabelledEnum):
    """The one Dutch word per state, with its NL Design System badge variant."""

    GEHAALD = "gehaald", "Gehaald", "safe"
    OP_SCHEMA = "op-schema", "Op schema", "neutral"
    RISICO = "risico", "Risico", "warning"
    TE_LAAT = "te-laat", "Te laat", "danger"


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    #: What is counted: ``gemeenten`` (ticks) or ``acties`` (linked actions).
    unit: str = ""

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.fraction)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def text(self) -> str:
        """``47 van 78 gemeenten gereed``."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.done} van {self.total}{unit} gereed"


#: Within this many days of the due date, a milestone short of the share below is at risk.
RISK_HORIZONS = ((30, 0.9), (90, 0.5))
#: Without measurable progress, a milestone this close to its date is at risk.
RISK_DAYS_WITHOUT_PROGRESS = 14


def milestone_progress(*, per_municipality: bool, ticks_done: int = 0, municipalities: int = 0,
                       linked_done: int = 0, linked_total: int = 0) -> Progress | None:
    """The measurable progress of a milestone: its municipality ticks, else its linked
    (not cancelled) actions done, else none."""
    if per_municipality:
        return Progress(ticks_done, municipalities, "gemeenten")
    if linked_total:
        return Progress(linked_done, linked_total, "acties")
    return None


def is_achieved(today: date, *, achieved_on: date | None = None,
                progress: Progress | None = None) -> bool:
    """Marked achieved on or before ``today``, or all of its progress done (78 of 78).

    An ``achieved_on`` after ``today`` does not count: a report "as of" an earlier day
    shows the milestone as it stood then.
    """
    if achieved_on is not None and achieved_on <= today:
        return True
    return progress is not None and progress.complete


def milestone_state(
    due: date, today: date, *, achieved_on: date | None = None, progress: Progress | None = None
) -> MilestoneState:
    """Gehaald / op schema / risico / te laat from the date and the progress.

    - gehaald: achieved on or before ``today``, or all of its progress done;
    - te laat: the date has passed without that (due yesterday; due today is not late);
    - risico: 30 days or fewer left with less than 90% done, 90 days or fewer with less
      than half done, or (without measurable progress) 14 days or fewer;
    - op schema otherwise.
    """
    if is_achieved(today, achieved_on=achieved_on, progress=progress):
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
class Assessment:
    """A milestone's decided state with the facts behind it, ready to show."""

    state: MilestoneState
    days_left: int
    progress: Progress | None
    #: The day it was achieved, when that lies on or before ``today``.
    achieved_on: date | None

    @property
    def label(self) -> str:
        return self.state.label

    @property
    def badge(self) -> str:
        return self.state.badge

    @property
    def achieved(self) -> bool:
        return self.state == MilestoneState.GEHAALD

    @property
    def distance(self) -> str:
        """``nog 20 dagen`` / ``vandaag`` / ``3.190 dagen over tijd``; empty once achieved."""
        return "" if self.achieved else days_until(self.days_left)

    @property
    def details(self) -> list[str]:
        parts = []
        if self.achieved_on is not None:
            parts.append(f"behaald op {long_date(self.achieved_on)}")
        if self.progress is not None:
            parts.append(self.progress.text)
        if self.distance:
            parts.append(self.distance)
        return parts

    @property
    def detail(self) -> str:
        return ", ".join(self.details)

    @property
    def text(self) -> str:
        """``Risico (47 van 78 gemeenten gereed, nog 20 dagen)``."""
        return f"{self.label} ({self.detail})" if self.detail else self.label

    def __str__(self) -> str:
        return self.text


def assess(due: date, today: date, *, achieved_on: date | None = None,
           progress: Progress | None = None) -> Assessment:
    """The state (from :func:`milestone_state`) with the days left and what it rests on."""
    state = milestone_state(due, today, achieved_on=achieved_on, progress=progress)
    effective = achieved_on if achieved_on is not None and achieved_on <= today else None
    return Assessment(state=state, days_left=(due - today).days, progress=progress,
                      achieved_on=effective)


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
