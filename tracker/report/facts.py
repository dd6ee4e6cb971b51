"""The report's plain facts: rows as they stood on a day, free of the ORM.

``tracker.report.loading`` fills them (now, or as of a peildatum from history);
``tracker.report.sections`` lays them out. Nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from tracker.enums import ActionStatus, PilotStatus, TeamKind, TeamStatus
from tracker.formatting import approximate_date


@dataclass(frozen=True)
class TeamFact:
    id: int
    slug: str
    name: str
    short_name: str
    kind: TeamKind
    status: TeamStatus
    parent_id: int | None
    parent_name: str | None
    introduction: str
    chair_note: str | None
    position: int


@dataclass
class PersonFact:
    name: str
    title: str | None
    organisation: str | None

    @property
    def display(self) -> str:
        if self.title == "burgemeester":
            return f"burgemeester {self.name}"
        text = self.name
        if self.organisation:
            text += f" ({self.organisation})"
        return text


@dataclass
class ItemFact:
    id: int | None
    team_id: int
    kind: str
    text: str
    position: int
    version: int


@dataclass
class ActionRow:
    id: int
    team_id: int
    title: str
    description: str
    status: str
    due_date: date | None
    due_precision: str
    owner: str | None
    position: int

    @property
    def text(self) -> str:
        return self.description or self.title

    @property
    def status_label(self) -> str:
        return ActionStatus(self.status).label

    @property
    def due_text(self) -> str:
        return approximate_date(self.due_date, self.due_precision) if self.due_date else ""


@dataclass
class MilestoneRow:
    id: int
    team_id: int | None
    team_name: str
    title: str
    due_date: date
    due_precision: str
    achieved_on: date | None
    per_municipality: bool
    ticks_done: int
    ticks_total: int
    state: str = ""

    @property
    def due_text(self) -> str:
        return approximate_date(self.due_date, self.due_precision)


@dataclass
class PilotRow:
    id: int
    team_id: int
    team_name: str
    title: str
    status: str
    district: str | None
    municipalities: list[str]
    building_block: str | None
    last_change: date | None
    start_date: date | None

    @property
    def status_label(self) -> str:
        return PilotStatus(self.status).label




@dataclass
class World:
    """Everything the report needs, as it stood on ``today`` (live when ``as_of`` is False)."""

    today: date
    as_of: bool
    teams: list[TeamFact]
    people: dict[int, tuple[list[PersonFact], PersonFact | None]]
    items: list[ItemFact]
    actions: list[ActionRow]
    milestones: list[MilestoneRow]
    pilots: list[PilotRow]
    #: Indicator rows (the model, or its history version: the same attributes).
    indicators: list[Any]
    measurements: dict[int, dict[tuple[int | None, str], Decimal]]
    districts: list[tuple[int, str]]
    texts: dict[str, Any] = field(default_factory=dict)
