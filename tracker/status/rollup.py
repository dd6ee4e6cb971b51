"""A team's and the network's computed status, as pure functions.

Input is plain facts (no ORM objects) and the reference day ``today`` (the
peildatum for a report). Output is a level (op schema / aandacht / risico) and
the reasons behind it, in Dutch, so that nobody has to guess why a team is red.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.actions.rules import days_overdue, is_overdue
from tracker.enums import LabelledEnum
from tracker.formatting import days
from tracker.milestones.rules import (
    Assessment,
    MilestoneState,
    Progress,
    assess,
    milestone_progress,
)
from tracker.pilots.rules import days_late_to_start, days_stalled

#: An open action this many days past its due date makes the team "risico".
OVERDUE_RISK_DAYS = 90
#: This many overdue actions at once make the team "risico".
OVERDUE_RISK_COUNT = 3
#: The status pages name at most this many overdue actions of a team one by one (the most
#: late first); one more reason says how many more there are ("En nog 12 acties ...").
OVERDUE_NAMED = 10
#: How many of a team's most late overdue actions decide its level, with their count: the
#: most late alone (:func:`overdue_reasons`). A page that shows a team's level but not its
#: reasons (the network status page's lead sentence) needs no more of them.
OVERDUE_DECIDING = 1
#: A milestone on schedule due within this many days draws attention.
MILESTONE_SOON_DAYS = 60


class Level(LabelledEnum):
    OP_SCHEMA = "op_schema", "Op schema", "safe"
    AANDACHT = "aandacht", "Aandacht", "warning"
    RISICO = "risico", "Risico", "danger"

    @property
    def rank(self) -> int:
        """0 op schema, 1 aandacht, 2 risico (the order of declaration)."""
        return _RANKS[self]


_RANKS = {level: index for index, level in enumerate(Level)}


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
    #: Linked (not cancelled) actions done and in all: the progress of a plain milestone.
    linked_done: int = 0
    linked_total: int = 0

    @property
    def progress(self) -> Progress | None:
        return milestone_progress(per_municipality=self.per_municipality,
                                  ticks_done=self.ticks_done, municipalities=self.ticks_total,
                                  linked_done=self.linked_done, linked_total=self.linked_total)

    def assess(self, today: date) -> Assessment:
        return assess(self.due_date, today, achieved_on=self.achieved_on, progress=self.progress)


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
    #: For the "en nog ..." reason: how many overdue actions it stands for (the page links
    #: it to the team's list of overdue actions); 0 for every other reason.
    more_overdue: int = 0


@dataclass
class StatusResult:
    level: Level
    reasons: list[Reason] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.level.label


def action_reasons(actions: list[ActionFact], today: date) -> list[Reason]:
    """A reason per overdue action among ``actions`` (every one, most late first)."""
    overdue = sorted((a for a in actions if is_overdue(a.status, a.due_date, today)),
                     key=lambda a: a.due_date)
    return overdue_reasons(overdue, len(overdue), today)


def overdue_reasons(most_late: list[ActionFact], count: int, today: date) -> list[Reason]:
    """The reasons of ``count`` overdue actions of which ``most_late`` (most late first, as
    the database orders them by ``actions.rules.overdue_clause`` and due date) are named.

    The named ones decide the level: the most late is among them, so whether any is more
    than ``OVERDUE_RISK_DAYS`` late is known. The rest is one reason, "En nog K acties
    over de datum.", at the level of the last one named (none of the rest is later).
    """
    reasons = []
    for action in most_late:
        late = days_overdue(action.due_date, today)
        level = Level.RISICO if late > OVERDUE_RISK_DAYS else Level.AANDACHT
        reasons.append(Reason(level, f"Actie ‘{action.title}’ is {days(late)} over de datum."))
    rest = count - len(most_late)
    if rest > 0:
        level = reasons[-1].level if reasons else Level.AANDACHT
        reasons.append(Reason(level, f"En nog {rest} {'actie' if rest == 1 else 'acties'} "
                                     "over de datum.", more_overdue=rest))
    if count >= OVERDUE_RISK_COUNT:
        reasons.insert(0, Reason(Level.RISICO, f"{count} acties zijn over de datum."))
    return reasons


def milestone_reason(title: str, assessment: Assessment) -> Reason | None:
    """A milestone's reason, derived from its one decided state and named with its word:
    te laat and risico are a risk; op schema within ``MILESTONE_SOON_DAYS`` draws attention."""
    state = assessment.state
    if state in (MilestoneState.TE_LAAT, MilestoneState.RISICO):
        return Reason(Level.RISICO, f"Mijlpaal ‘{title}’: {state.label.lower()} "
                                    f"({assessment.detail}).")
    if state == MilestoneState.OP_SCHEMA and assessment.days_left <= MILESTONE_SOON_DAYS:
        # On schedule, but near: the team's attention, in the milestone's own word.
        return Reason(Level.AANDACHT, f"Mijlpaal ‘{title}’: {state.label.lower()} "
                                      f"({assessment.detail}).")
    return None


def milestone_reasons(milestones: list[MilestoneFact], today: date) -> list[Reason]:
    reasons = []
    for m in sorted(milestones, key=lambda m: m.due_date):
        reason = milestone_reason(m.title, m.assess(today))
        if reason is not None:
            reasons.append(reason)
    return reasons


def pilot_reasons(pilots: list[PilotFact], today: date) -> list[Reason]:
    reasons = []
    for p in pilots:
        late = days_late_to_start(p.status, p.start_date, today)
        if late:
            reasons.append(Reason(Level.AANDACHT, f"Pilot ‘{p.title}’ had {days(late)} "
                                                  f"geleden moeten starten."))
            continue
        quiet = days_stalled(p.status, p.last_change, today)
        if quiet:
            reasons.append(Reason(
                Level.AANDACHT,
                f"Pilot ‘{p.title}’ staat stil: status ‘{p.status}’ sinds {days(quiet)}.",
            ))
    return reasons


def team_status(
    *,
    actions: list[ActionFact],
    milestones: list[MilestoneFact],
    pilots: list[PilotFact],
    today: date,
    finished: bool = False,
    overdue: tuple[list[ActionFact], int] | None = None,
) -> StatusResult:
    """The team's level and reasons: the worst reason decides; no reasons is op schema.

    A finished team ("taak volbracht, eindrapportage volgt") is judged on its
    remaining actions and milestones only: its pilots are over.
    ``overdue``: instead of every action, the overdue ones counted in the database:
    ``(the most late few, how many in all)`` (:func:`overdue_reasons`); ``actions`` is
    then not read.
    """
    reasons = (overdue_reasons(*overdue, today) if overdue is not None
               else action_reasons(actions, today))
    reasons += milestone_reasons(milestones, today)
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
