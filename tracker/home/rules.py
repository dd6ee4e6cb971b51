"""Pure figures of the Start page: which home a role gets, tallies, the week's changes.

No database, no app: plain values in, plain values out. The states themselves come from
the one place that decides them (``tracker.actions.rules``, ``tracker.milestones.rules``,
``tracker.events.rules``, ``tracker.auth.permissions``); nothing here re-derives them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tracker.actions.rules import (
    ActionCounts,
    DueWindow,
    count_actions,
    days_overdue,
    due_window,
    is_open,
    is_overdue,
)
from tracker.enums import ActionStatus, LabelledEnum, Role
from tracker.milestones.rules import MilestoneState

#: "What changed since last week": this far back from now.
CHANGES_PERIOD = timedelta(days=7)
#: How many journal lines the portfolio shows (the rest is counted).
CHANGES_SHOWN = 15
#: A queued message whose first attempt is this long ago is "held" (the worker is not
#: delivering it); the beheerder looks into it.
HELD_AFTER = timedelta(hours=1)
#: Report editions published this recently are listed in the beheerder's queue.
RECENT_EDITIONS = timedelta(days=31)


class HomeKind(LabelledEnum):
    """Which Start page a person gets."""

    PORTFOLIO = "portefeuille", "Mijn portefeuille"
    TEAM_WORK = "teamwerk", "Werk van mijn teams"
    PARTNER = "partner", "Mijn bijeenkomsten en acties"
    QUEUE = "beheer", "Wat vraagt aandacht"
    READER = "lezer", "Start"


HOME_BY_ROLE = {
    Role.BESTUURDER: HomeKind.PORTFOLIO,
    Role.COORDINATOR: HomeKind.TEAM_WORK,
    Role.PARTNER: HomeKind.PARTNER,
    Role.BEHEERDER: HomeKind.QUEUE,
    Role.LEZER: HomeKind.READER,
}


def home_kind(role: Role | str) -> HomeKind:
    """The Start page of an account role (``Role`` or its stored value)."""
    return HOME_BY_ROLE[Role(role)]


# --- Milestones and actions ---------------------------------------------------------------

#: The order in which the portfolio lists milestone states: what needs a mayor first.
STATE_ORDER = (MilestoneState.TE_LAAT, MilestoneState.RISICO, MilestoneState.OP_SCHEMA,
               MilestoneState.GEHAALD)


def states_in_order() -> list[MilestoneState]:
    """Every milestone state, the ones of :data:`STATE_ORDER` first."""
    return [*STATE_ORDER, *(s for s in MilestoneState if s not in STATE_ORDER)]


def count_by_state(states: Iterable[MilestoneState]) -> list[tuple[MilestoneState, int]]:
    """``[(state, how many)]`` for every state (zeros included) in :func:`states_in_order`."""
    tally = Counter(states)
    return [(state, tally.get(state, 0)) for state in states_in_order()]


@dataclass(frozen=True)
class OverdueRow:
    """One overdue action as the portfolio lists it (owner and team named)."""

    action_id: int
    title: str
    team_name: str
    owner_name: str
    due: date
    days_over: int


def overdue_rows(actions: Iterable, today: date) -> list[OverdueRow]:
    """The overdue ones of ``actions`` (objects with id, title, status, due_date, team,
    owner), the longest overdue first. "Overdue" is ``actions.rules.is_overdue``."""
    rows = [
        OverdueRow(a.id, a.title, a.team.name, a.owner.name if a.owner else "",
                   a.due_date, days_overdue(a.due_date, today))
        for a in actions if is_overdue(a.status, a.due_date, today)
    ]
    return sorted(rows, key=lambda r: (-r.days_over, r.title, r.action_id))


@dataclass
class TeamTally:
    """A team's open, overdue and due-this-week actions (and done/cancelled)."""

    counts: ActionCounts
    this_week: int = 0


def team_tallies(rows: Iterable[tuple[int, ActionStatus | str, date | None, int]],
                 team_ids: Iterable[int], today: date) -> dict[int, TeamTally]:
    """Tally ``(team id, status, due date, how many)`` rows per team (every id of
    ``team_ids`` present, zeros included). Counters from ``actions.rules.count_actions``;
    "this week" is the :class:`DueWindow` of an open action."""
    per_team: dict[int, list[tuple]] = {team_id: [] for team_id in team_ids}
    for team_id, status, due, n in rows:
        per_team.setdefault(team_id, []).append((status, due, n))
    tallies = {}
    for team_id, team_rows in per_team.items():
        tally = TeamTally(count_actions(team_rows, today))
        tally.this_week = sum(n for status, due, n in team_rows
                              if is_open(status) and due_window(due, today) == DueWindow.THIS_WEEK)
        tallies[team_id] = tally
    return tallies


def needs_attention(status: ActionStatus | str, due: date | None, today: date) -> bool:
    """Whether an action belongs in a coordinator's "now" list: open and overdue or due
    this week."""
    return is_open(status) and due_window(due, today) in (DueWindow.OVERDUE,
                                                          DueWindow.THIS_WEEK)


# --- The journal: what changed since last week ----------------------------------------------

#: The audit journal's object types as the portfolio names them (singular, plural).
OBJECT_WORDS = {
    "actions": ("actie", "acties"),
    "milestones": ("mijlpaal", "mijlpalen"),
    "pilots": ("pilot", "pilots"),
    "teams": ("team", "teams"),
    "report_items": ("punt in de rapportage", "punten in de rapportage"),
    "events": ("bijeenkomst", "bijeenkomsten"),
}


@dataclass
class ChangeSummary:
    """The week's journal lines (newest first, at most :data:`CHANGES_SHOWN`) and how
    many changes there were per kind of object."""

    entries: list = field(default_factory=list)
    total: int = 0
    by_kind: list[tuple[str, int]] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.total - len(self.entries), 0)

    @property
    def sentence(self) -> str:
        """``3 acties en 1 mijlpaal gewijzigd`` / ``Geen wijzigingen``."""
        if not self.by_kind:
            return "Geen wijzigingen"
        parts = [f"{n} {word}" for word, n in self.by_kind]
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]
        return f"{joined} gewijzigd"


def changes_since(now: datetime) -> datetime:
    """The start of "since last week" for ``now`` (UTC)."""
    return now - CHANGES_PERIOD


def summarise_changes(entries: list, since: datetime) -> ChangeSummary:
    """Summarise journal ``entries`` (objects with ``at``, ``object_type``, ``object_id``;
    newest first) from ``since`` on: counts of distinct objects per kind."""
    recent = [e for e in entries if e.at >= since]
    objects: dict[str, set] = {}
    for entry in recent:
        objects.setdefault(entry.object_type, set()).add(entry.object_id)
    by_kind = []
    for object_type, (one, many) in OBJECT_WORDS.items():
        n = len(objects.get(object_type, ()))
        if n:
            by_kind.append((one if n == 1 else many, n))
    return ChangeSummary(entries=recent[:CHANGES_SHOWN], total=len(recent), by_kind=by_kind)


# --- Meetings ---------------------------------------------------------------------------


def split_invitations(invitations: Iterable, now: datetime, rsvp_closed) -> tuple[list, list]:
    """``(to answer, answered)`` of a person's invitations to coming meetings, by start.

    ``rsvp_closed(event, now)`` is ``tracker.events.rules.rsvp_closed`` (passed in so this
    module stays free of the events package): an invitation is "to answer" when it has no
    answer and answers are still taken.
    """
    to_answer, answered = [], []
    for invitation in invitations:
        if invitation.response is None and rsvp_closed(invitation.event, now) is None:
            to_answer.append(invitation)
        elif invitation.response is not None:
            answered.append(invitation)
    return to_answer, answered


# --- The beheerder's queue --------------------------------------------------------------


def held_before(now: datetime) -> datetime:
    """A queued message due before this moment counts as held."""
    return now - HELD_AFTER


def without_second_factor(users: Iterable, must_use) -> list:
    """The active accounts of ``users`` without a second factor, those that
    ``must_use(user)`` (``permissions.may_change_data``) first, then by name."""
    rows = [u for u in users if u.active and not u.has_mfa]
    return sorted(rows, key=lambda u: (not must_use(u), u.name.lower(), u.id))
