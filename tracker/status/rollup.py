"""A team's and the network's computed status, as pure functions.

Input is plain facts (no ORM objects) and the reference day ``today`` (the
peildatum for a report). Output is a level (op schema / aandacht / risico) and
the reasons behind it, in Dutch, so that nobody has to guess why a team is red.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

#: An open action this many days past its due date makes the team "risico".
OVERDUE_RISK_DAYS = 90
#: This many overdue actions at once make the team "risico".
OVERDUE_RISK_COUNT = 3
#: A milestone due within this many days draws attention.
MILESTONE_SOON_DAYS = 60
#: Per-municipality milestones due within this many days with less than
#: ``TICKS_RISK_SHARE`` done are at risk.
TICKS_RISK_DAYS = 90
TICKS_RISK_SHARE = 0.5
#: A running or planned pilot whose status has not changed for this many days is stalled.
PILOT_STALLED_DAYS = 180

OPEN_ACTION_STATUSES = frozenset({"open", "bezig"})
ACTIVE_PILOT_STATUSES = frozenset({"gepland", "lopend"})


class Level(StrEnum):
    OP_SCHEMA = "op_schema"
    AANDACHT = "aandacht"
    RISICO = "risico"

    @property
    def label(self) -> str:
        return {"op_schema": "Op schema", "aandacht": "Aandacht", "risico": "Risico"}[self.value]

    @property
    def rank(self) -> int:
        return ["op_schema", "aandacht", "risico"].index(self.value)

    @property
    def badge(self) -> str:
        """The NL Design System status-badge modifier."""
        return {"op_schema": "safe", "aandacht": "warning", "risico": "danger"}[self.value]


@dataclass(frozen=True)
class ActionFact:
    title: str
    status: str
    due_date: date | None


@dataclass(frozen=True)
class MilestoneFact:
    title: str
    due_date: date
    achieved_on: date | None = None
    per_municipality: bool = False
    ticks_done: int = 0
    ticks_total: int = 0


@dataclass(frozen=True)
class PilotFact:
    title: str
    status: str
    #: The day of the last status change (or of creation when it never changed).
    last_change: date | None
    start_date: date | None = None


@dataclass(frozen=True)
class Reason:
    level: Level
    text: str


@dataclass
class StatusResult:
    level: Level
    reasons: list[Reason] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.level.label


def _days(n: int) -> str:
    return "1 dag" if n == 1 else f"{n} dagen"


def action_reasons(actions: list[ActionFact], today: date) -> list[Reason]:
    overdue = [a for a in actions if a.status in OPEN_ACTION_STATUSES and a.due_date
               and a.due_date < today]
    reasons = []
    for action in sorted(overdue, key=lambda a: a.due_date):
        late = (today - action.due_date).days
        level = Level.RISICO if late > OVERDUE_RISK_DAYS else Level.AANDACHT
        reasons.append(Reason(level, f"Actie ‘{action.title}’ is {_days(late)} over de datum."))
    if len(overdue) >= OVERDUE_RISK_COUNT:
        reasons.insert(0, Reason(Level.RISICO, f"{len(overdue)} acties zijn over de datum."))
    return reasons


def milestone_reasons(milestones: list[MilestoneFact], today: date) -> list[Reason]:
    reasons = []
    for m in sorted(milestones, key=lambda m: m.due_date):
        if m.achieved_on is not None and m.achieved_on <= today:
            continue
        days_left = (m.due_date - today).days
        if days_left < 0:
            reasons.append(Reason(Level.RISICO, f"Mijlpaal ‘{m.title}’ is verstreken zonder "
                                                f"te zijn behaald."))
            continue
        if m.per_municipality and m.ticks_total and days_left <= TICKS_RISK_DAYS:
            share = m.ticks_done / m.ticks_total
            if share < TICKS_RISK_SHARE:
                reasons.append(Reason(
                    Level.RISICO,
                    f"Mijlpaal ‘{m.title}’ over {_days(days_left)}: {m.ticks_done} van "
                    f"{m.ticks_total} gemeenten gereed.",
                ))
                continue
        if days_left <= MILESTONE_SOON_DAYS:
            reasons.append(Reason(Level.AANDACHT,
                                  f"Mijlpaal ‘{m.title}’ over {_days(days_left)}."))
    return reasons


def pilot_reasons(pilots: list[PilotFact], today: date) -> list[Reason]:
    reasons = []
    for p in pilots:
        if p.status not in ACTIVE_PILOT_STATUSES:
            continue
        if p.status == "gepland" and p.start_date is not None and p.start_date < today:
            late = (today - p.start_date).days
            if late > PILOT_STALLED_DAYS:
                reasons.append(Reason(Level.AANDACHT, f"Pilot ‘{p.title}’ had {_days(late)} "
                                                      f"geleden moeten starten."))
                continue
        if p.last_change is not None and (today - p.last_change).days > PILOT_STALLED_DAYS:
            reasons.append(Reason(
                Level.AANDACHT,
                f"Pilot ‘{p.title}’ staat stil: status ‘{p.status}’ sinds "
                f"{_days((today - p.last_change).days)}.",
            ))
    return reasons


def team_status(
    *,
    actions: list[ActionFact],
    milestones: list[MilestoneFact],
    pilots: list[PilotFact],
    today: date,
    finished: bool = False,
) -> StatusResult:
    """The team's level and reasons: the worst reason decides; no reasons is op schema.

    A finished team ("taak volbracht, eindrapportage volgt") is judged on its
    remaining actions and milestones only: its pilots are over.
    """
    reasons = action_reasons(actions, today) + milestone_reasons(milestones, today)
    if not finished:
        reasons += pilot_reasons(pilots, today)
    reasons.sort(key=lambda r: -r.level.rank)
    level = reasons[0].level if reasons else Level.OP_SCHEMA
    return StatusResult(level=level, reasons=reasons)


@dataclass
class NetworkStatus:
    level: Level
    counts: dict[Level, int]


def network_status(results: list[StatusResult]) -> NetworkStatus:
    """The network is as bad as its worst team; with the number of teams per level."""
    counts = {level: 0 for level in Level}
    for r in results:
        counts[r.level] += 1
    worst = max((r.level for r in results), key=lambda lv: lv.rank, default=Level.OP_SCHEMA)
    return NetworkStatus(level=worst, counts=counts)
