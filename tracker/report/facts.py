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
from tracker.milestones.rules import Assessment, Progress, milestone_progress


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
    #: "Tekst in de rapportage": other wording for the report, chosen explicitly.
    report_text: str = ""
    milestone_id: int | None = None
    #: Decided by ``actions.rules.is_overdue`` for the report's day (``build_sections``).
    is_overdue: bool = False

    @property
    def text(self) -> str:
        """What the status pages and the report show: the title, or the report text when one
        was chosen. Never the description (Toelichting: the team's working notes)."""
        return self.report_text or self.title

    @property
    def status_label(self) -> str:
        return ActionStatus(self.status).label

    @property
    def due_text(self) -> str:
        return approximate_date(self.due_date, self.due_precision) if self.due_date else ""

    @property
    def note(self) -> str:
        """``bezig, eerste helft 2018`` after the text; empty for an open action without date.

        The date is left out when the text already says it ("Endterm review eind 2018",
        "Voorjaar 2018 wordt ..."), so the report never repeats it."""
        due = self.due_text
        if due and due.casefold() in self.text.casefold():
            due = ""
        if self.status == ActionStatus.OPEN and not due:
            return ""
        return self.status_label.lower() + (f", {due}" if due else "")


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
    #: Decided by ``milestones.rules`` (see ``milestone_state`` below).
    state: Assessment | None = None
    linked_done: int = 0
    linked_total: int = 0

    @property
    def due_text(self) -> str:
        return approximate_date(self.due_date, self.due_precision)

    @property
    def progress(self) -> Progress | None:
        return milestone_progress(per_municipality=self.per_municipality,
                                  ticks_done=self.ticks_done, municipalities=self.ticks_total,
                                  linked_done=self.linked_done, linked_total=self.linked_total)


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
    #: The source figures among ``measurements``: indicator id -> key -> note ("" none given).
    source_figures: dict[int, dict[tuple[int | None, str], str]] = field(default_factory=dict)
