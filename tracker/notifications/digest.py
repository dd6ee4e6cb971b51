"""The mayors' digest as a PURE function of plain data and ``now``.

``build_digest`` takes what a recipient may know (their portfolio, the network's
milestones, actions, events and pilots) and returns what the mail says. No
database, no app: the job loads the data once for all recipients
(:mod:`tracker.jobs.digests`) and the templates only show the result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tracker.actions.rules import days_overdue, is_overdue
from tracker.auth.address import greeting
from tracker.enums import ActionStatus, EventStatus
from tracker.formatting import long_date, to_local
from tracker.milestones.rules import (
    Assessment,
    MilestoneState,
    Progress,
    assess,
    milestone_progress,
)

HORIZON_WEEKS = 8
#: Milestones due within this many weeks are "Binnen vier weken"; further away: "Later".
SOON_WEEKS = 4
WEEKLY = "weekly"
DAILY = "daily"
#: Kinds of milestone that stay in the digest until met, however far away.
HARD_DEADLINE_KINDS = ("deadline", "wet")
#: "Het netwerk" names the overdue actions (each team's most late, ``OVERDUE_NAMED``) of at
#: most this many teams. When more teams have them it names none: it gives one count line
#: to each of this many teams with the most, then the rest in one line and a link to the
#: network status page. A mail is read, not searched: at 100 times the demo (707 teams)
#: the full list made the section about 5,700 lines. A dozen teams' lines still fit a
#: reading (the demo network has at most 7 teams with overdue actions: it lists them all).
NETWORK_OVERDUE_TEAMS = 12
#: "Het netwerk" names at most this many lines of each other list (the milestones "Verstreken",
#: "Binnen vier weken" and "Later", the actions completed, the meetings, the pilots with a new
#: status), in the list's own order; the rest is one line "en nog K ..." linking to the page
#: that lists them all (:data:`MORE_LISTS`). At 100 times the demo those lists held 15 to 81
#: items each, about 290 items (580 lines) of a mail; ten items per list still read at a
#: glance. The demo network's lists stay within it (tested: its digests name everything, as
#: before; the longest held 3 items in the dumps compared).
NETWORK_LIST_ITEMS = 10
#: The section's lists that :data:`NETWORK_LIST_ITEMS` bounds, in the order the mail shows them.
MORE_LISTS = ("missed", "soon", "later", "completed", "events", "pilots")


@dataclass(frozen=True)
class TeamInfo:
    id: int
    slug: str
    name: str
    short_name: str


@dataclass(frozen=True)
class MilestoneInfo:
    id: int
    team_id: int | None
    title: str
    kind: str
    due_date: date
    due_precision: str
    achieved_on: date | None = None
    #: For per-municipality milestones: municipalities done and in all.
    done: int | None = None
    total: int | None = None
    #: Linked (not cancelled) actions done and in all: the progress of a plain milestone.
    linked_done: int = 0
    linked_total: int = 0

    @property
    def progress(self) -> Progress | None:
        return milestone_progress(per_municipality=self.total is not None,
                                  ticks_done=self.done or 0, municipalities=self.total or 0,
                                  linked_done=self.linked_done, linked_total=self.linked_total)


@dataclass(frozen=True)
class ActionInfo:
    id: int
    team_id: int
    title: str
    status: str
    due_date: date | None
    due_precision: str
    owner_name: str | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True)
class EventInfo:
    id: int
    team_id: int | None
    title: str
    starts_at: datetime | None
    status: str
    #: For this recipient: None when not invited, "" when invited without an answer.
    response: str | None = None

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.GEANNULEERD


@dataclass(frozen=True)
class PilotInfo:
    id: int
    team_id: int
    title: str
    status: str
    status_changed_at: datetime | None


@dataclass(frozen=True)
class Network:
    """Everything any digest may mention, loaded once per run."""

    teams: dict[int, TeamInfo]
    milestones: list[MilestoneInfo]
    actions: list[ActionInfo]
    events: list[EventInfo]
    pilots: list[PilotInfo]
    #: Overdue actions per team, counted in the database, when ``actions`` names only the
    #: most late of them (:data:`OVERDUE_NAMED` per team); None: ``actions`` holds them all.
    overdue_counts: dict[int, int] | None = None
    #: The teams whose overdue actions ``actions`` names (the others are only counted, in
    #: ``overdue_counts``); None: every team's. Digests that would name others are refused.
    named_teams: frozenset[int] | None = None


@dataclass(frozen=True)
class Recipient:
    id: int
    name: str
    frequency: str
    portfolio_team_ids: frozenset[int] = frozenset()
    #: When their previous digest was queued; None for a first digest.
    last_digest_at: datetime | None = None
    #: event id -> response ("" = invited, no answer yet).
    responses: dict[int, str] = field(default_factory=dict)
    #: The stored form of address ("Geachte burgemeester Welten,"); None: from the name.
    salutation: str | None = None


@dataclass(frozen=True)
class MilestoneLine:
    milestone: MilestoneInfo
    team: TeamInfo | None
    days_left: int
    #: Decided by ``milestones.rules``: ``state.label`` is the word, ``state.text`` the line.
    state: Assessment


@dataclass(frozen=True)
class ActionLine:
    action: ActionInfo
    team: TeamInfo
    days_overdue: int = 0


@dataclass(frozen=True)
class OverdueGroup:
    """One team's overdue actions in a section: the lines named and how many more there are."""

    team: TeamInfo
    lines: tuple[ActionLine, ...]
    #: Overdue actions of the team not named (the mail says "en nog ..." and links the team).
    more: int = 0

    @property
    def total(self) -> int:
        """The team's overdue actions: those named and those counted."""
        return len(self.lines) + self.more


@dataclass(frozen=True)
class TeamCount:
    """One team and its number of overdue actions."""

    team: TeamInfo
    count: int


@dataclass(frozen=True)
class OverdueSummary:
    """A section's overdue actions counted per team, when too many teams have them to name
    each action (:data:`NETWORK_OVERDUE_TEAMS`)."""

    #: The teams with the most overdue actions (most first, then by short name).
    teams: tuple[TeamCount, ...]
    #: The other teams with overdue actions, and their overdue actions together.
    more_teams: int
    more_actions: int


def rank_overdue(groups: list[OverdueGroup]) -> list[TeamCount]:
    """Each team of ``groups`` with its overdue actions, most first (ties by short name,
    then id): the order in which :func:`summarise_overdue` counts them."""
    counts = [TeamCount(g.team, g.total) for g in groups]
    return sorted(counts, key=lambda c: (-c.count, c.team.short_name, c.team.id))


def names_each_overdue(teams: int, limit: int | None) -> bool:
    """Whether a section whose ``teams`` teams have overdue actions names each of them (or
    counts them per team, :func:`summarise_overdue`): when ``limit`` is None or ``teams`` at
    most ``limit``."""
    return limit is None or teams <= limit


def network_names_overdue(overdue_teams: Collection[int], portfolio: Iterable[int]) -> bool:
    """Whether "Het netwerk" of a recipient with ``portfolio`` (team ids) names each overdue
    action, when ``overdue_teams`` (distinct ids, a set or a dict's keys) have them:
    :func:`names_each_overdue` of the teams outside the portfolio, with
    :data:`NETWORK_OVERDUE_TEAMS`."""
    outside = len(overdue_teams) - sum(1 for team_id in portfolio if team_id in overdue_teams)
    return names_each_overdue(outside, NETWORK_OVERDUE_TEAMS)


def summarise_overdue(ranking: list[TeamCount], limit: int) -> OverdueSummary | None:
    """None while ``ranking`` (one per team with overdue actions, as :func:`rank_overdue`
    orders them) holds at most ``limit`` teams: each action is named. Otherwise its first
    ``limit`` teams, and the number of the other teams and of their overdue actions."""
    if names_each_overdue(len(ranking), limit):
        return None
    rest = ranking[limit:]
    return OverdueSummary(tuple(ranking[:limit]), len(rest), sum(c.count for c in rest))


@dataclass(frozen=True)
class EventLine:
    event: EventInfo
    team: TeamInfo | None
    response: str | None


@dataclass(frozen=True)
class PilotLine:
    pilot: PilotInfo
    team: TeamInfo


@dataclass
class Section:
    """One block of the digest: one theme of the recipient's portfolio, or the rest of the network.

    Milestones not yet met fall in exactly one of three lists, by their date alone:
    ``missed`` ("Verstreken": the date passed), ``soon`` ("Binnen vier weken") and
    ``later`` ("Later"). Their state word is :func:`milestone_state`'s, never the list's.
    """

    title: str
    team: TeamInfo | None = None
    missed: list[MilestoneLine] = field(default_factory=list)
    soon: list[MilestoneLine] = field(default_factory=list)
    later: list[MilestoneLine] = field(default_factory=list)
    #: Most overdue first within each team; every line names its owner and team. Empty
    #: when ``overdue_summary`` counts them instead.
    overdue: list[ActionLine] = field(default_factory=list)
    completed: list[ActionLine] = field(default_factory=list)
    events: list[EventLine] = field(default_factory=list)
    pilots: list[PilotLine] = field(default_factory=list)
    #: How far ahead a "Later" milestone is still news; beyond it only a hard deadline shows.
    horizon_days: int = HORIZON_WEEKS * 7
    #: Team id -> overdue actions of that team not in ``overdue`` (bounded per team).
    overdue_more: dict[int, int] = field(default_factory=dict)
    #: ``overdue_groups`` once computed (or given by :func:`_filtered`).
    groups: list[OverdueGroup] | None = field(default=None, compare=False, repr=False)
    #: The overdue actions counted per team instead of named (too many teams have them).
    overdue_summary: OverdueSummary | None = None
    #: ``overdue_ranking`` once computed.
    ranking: list[TeamCount] | None = field(default=None, compare=False, repr=False)
    #: List name (one of :data:`MORE_LISTS`) -> its lines not named (:data:`NETWORK_LIST_ITEMS`);
    #: a list all of whose lines are named has no entry.
    more: dict[str, int] = field(default_factory=dict)

    @property
    def overdue_groups(self) -> list[OverdueGroup]:
        """``overdue`` per team (in its order: by team), each with the number not named."""
        if self.groups is not None:
            return self.groups
        groups: list[OverdueGroup] = []
        lines: list[ActionLine] = []
        for line in self.overdue:
            if lines and lines[-1].team.id != line.team.id:
                groups.append(self._group(lines))
                lines = []
            lines.append(line)
        if lines:
            groups.append(self._group(lines))
        self.groups = groups
        return groups

    @property
    def overdue_ranking(self) -> list[TeamCount]:
        """:func:`rank_overdue` of :attr:`overdue_groups`, computed once: digests built from
        one network rank its teams once and share the :class:`TeamCount` lines."""
        if self.ranking is None:
            self.ranking = rank_overdue(self.overdue_groups)
        return self.ranking

    def _group(self, lines: list[ActionLine]) -> OverdueGroup:
        team = lines[0].team
        return OverdueGroup(team, tuple(lines), self.overdue_more.get(team.id, 0))

    @property
    def milestones(self) -> list[MilestoneLine]:
        """Every milestone line of the section, missed first."""
        return self.missed + self.soon + self.later

    @property
    def has_news(self) -> bool:
        # A hard deadline beyond the horizon is known, but not news on its own. ``later`` is
        # soonest first, so a bounded list keeps the line that is news if any is.
        return bool(self.missed or self.soon or self.overdue or self.overdue_summary
                    or self.completed or self.events or self.pilots
                    or any(line.days_left <= self.horizon_days for line in self.later))

    @property
    def is_empty(self) -> bool:
        return not (self.has_news or self.later)


@dataclass
class Digest:
    recipient: Recipient
    period: str
    subject: str
    today: date
    since: datetime
    #: The first line: the recipient's stored form of address or the default from the name.
    greeting: str
    portfolio: list[Section]
    #: Everything outside the portfolio ("Het netwerk"): nothing is listed twice.
    network: Section

    @property
    def sections(self) -> list[Section]:
        return [*self.portfolio, self.network]

    @property
    def has_news(self) -> bool:
        return any(s.has_news for s in self.sections)


def period_key(frequency: str, now: datetime, timezone: str = "Europe/Amsterdam") -> str:
    """``2018-W06`` for weekly digests, ``2018-02-05`` for daily ones (local time)."""
    local = to_local(now, timezone).date()
    if frequency == WEEKLY:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.isoformat()


def milestone_state(m: MilestoneInfo, today: date) -> Assessment:
    """The milestone's state as ``milestones.rules`` decides it (the same word as everywhere)."""
    return assess(m.due_date, today, achieved_on=m.achieved_on, progress=m.progress)


def _since(recipient: Recipient, now: datetime) -> datetime:
    if recipient.last_digest_at is not None:
        return recipient.last_digest_at
    return now - (timedelta(days=1) if recipient.frequency == DAILY else timedelta(days=7))


def _milestone_list(section: Section, m: MilestoneInfo, state: Assessment,
                    horizon: int) -> list[MilestoneLine] | None:
    """Where a milestone not yet met goes, by its date: missed, soon, later or nowhere.

    A hard deadline stays until met, however long ago or far away; another milestone
    shows from ``horizon`` weeks before its date until ``horizon`` weeks after it.
    """
    hard = m.kind in HARD_DEADLINE_KINDS
    if state.state == MilestoneState.TE_LAAT:
        return section.missed if hard or -state.days_left <= horizon * 7 else None
    if state.days_left <= SOON_WEEKS * 7:
        return section.soon
    if hard or state.days_left <= horizon * 7:
        return section.later
    return None


def _base(network: Network, today: date, since: datetime, now: datetime,
          horizon: int) -> Section:
    """Every team's lines (no events: they depend on the recipient), sorted as the digest
    lists them. Each section of a digest is this, filtered by team (:func:`_filtered`)."""
    section = Section(title="", horizon_days=horizon * 7)
    for m in sorted(network.milestones, key=lambda m: (m.due_date, m.title)):
        state = milestone_state(m, today)
        if state.achieved:
            continue
        target = _milestone_list(section, m, state, horizon)
        if target is not None:
            target.append(MilestoneLine(m, network.teams.get(m.team_id), state.days_left, state))
    for a in sorted(network.actions, key=lambda a: (a.due_date or date.max, a.title)):
        team_info = network.teams[a.team_id]
        if is_overdue(a.status, a.due_date, today):
            section.overdue.append(ActionLine(a, team_info, days_overdue(a.due_date, today)))
        elif a.status == ActionStatus.GEREED and a.completed_at is not None and since < a.completed_at <= now:
            section.completed.append(ActionLine(a, team_info))
    section.overdue.sort(key=lambda line: (line.team.short_name, -line.days_overdue,
                                           line.action.title))
    if network.overdue_counts is not None:
        named = Counter(line.action.team_id for line in section.overdue)
        section.overdue_more = {team_id: network.overdue_counts.get(team_id, n) - n
                                for team_id, n in named.items()
                                if network.overdue_counts.get(team_id, n) > n}
        # Teams of which none is named (``named_teams``) are still ranked by their count.
        unnamed = [OverdueGroup(network.teams[team_id], (), count)
                   for team_id, count in network.overdue_counts.items() if team_id not in named]
        if unnamed:
            section.groups = sorted(section.overdue_groups + unnamed,
                                    key=lambda g: (g.team.short_name, g.team.id))
    for p in sorted(network.pilots, key=lambda p: p.title):
        if p.status_changed_at and since < p.status_changed_at <= now:
            section.pilots.append(PilotLine(p, network.teams[p.team_id]))
    return section


def bound(lines: list, limit: int | None) -> tuple[list, int]:
    """The first ``limit`` of ``lines`` and how many are left out; None: all of them, 0."""
    if limit is None or len(lines) <= limit:
        return lines, 0
    return lines[:limit], len(lines) - limit


def _events(network: Network, now: datetime, horizon: int, shared: dict) -> list[EventInfo]:
    """The events a digest may name (not cancelled, from ``now`` to ``horizon`` weeks on),
    soonest first; found once per ``shared``."""
    key = ("events", now, horizon)
    if key not in shared:
        shared[key] = [e for e in sorted(network.events, key=lambda e: e.starts_at or now)
                       if e.starts_at is not None and not e.is_cancelled
                       and now <= e.starts_at <= now + timedelta(weeks=horizon)]
    return shared[key]


def _event_line(event: EventInfo, network: Network, recipient: Recipient,
                shared: dict) -> EventLine:
    """The line of ``event`` for the recipient's answer: one object per event and answer in
    ``shared``, so the job renders each such line once (``messages._each``)."""
    response = recipient.responses.get(event.id)
    lines = shared.setdefault("event-lines", {})
    key = (event.id, response)
    if key not in lines:
        lines[key] = EventLine(event, network.teams.get(event.team_id), response)
    return lines[key]


#: How a line of each list names its team (None: a milestone of the whole network).
TEAM_OF: dict[str, Callable[[object], int | None]] = {
    "missed": lambda line: line.milestone.team_id,
    "soon": lambda line: line.milestone.team_id,
    "later": lambda line: line.milestone.team_id,
    "completed": lambda line: line.action.team_id,
    "events": lambda event: event.team_id,
    "pilots": lambda line: line.pilot.team_id,
}


def _lists(base: Section, network: Network, now: datetime, horizon: int,
           shared: dict) -> dict[str, list]:
    """The lines of every team in each of :data:`MORE_LISTS` (events not yet per recipient)."""
    lists = {name: getattr(base, name) for name in MORE_LISTS}
    lists["events"] = _events(network, now, horizon, shared)
    return lists


def _by_team(base: Section, network: Network, now: datetime, horizon: int,
             shared: dict) -> dict[str, dict[int | None, list]]:
    """``base``'s lines per list and team (``"overdue"``: its overdue groups), in their
    order; made once per ``base`` (kept in ``shared``): a portfolio section picks its team's."""
    key = ("by-team", id(base))
    if key not in shared:
        index: dict[str, dict[int | None, list]] = {"overdue": {}}
        for group in base.overdue_groups:
            index["overdue"].setdefault(group.team.id, []).append(group)
        for name, lines in _lists(base, network, now, horizon, shared).items():
            index[name] = {}
            for line in lines:
                index[name].setdefault(TEAM_OF[name](line), []).append(line)
        # ``base`` kept alive with its index, so its id is not reused meanwhile.
        shared[key] = (base, index)
    return shared[key][1]


def _filtered(base: Section, title: str, team: TeamInfo | None, own: frozenset[int],
              network: Network, recipient: Recipient, now: datetime, horizon: int,
              shared: dict, overdue_teams: int | None = None,
              list_items: int | None = None) -> Section:
    """The lines of ``base`` of ``team`` (a portfolio section), or of every team but ``own``
    (``team`` None: "Het netwerk"), and the recipient's events.

    ``overdue_teams``: when more teams than this have overdue actions, they are counted
    (:func:`summarise_overdue`), not named; None: always named. ``list_items``: each other
    list names at most this many lines (:func:`bound`), the rest counted in ``more``;
    None: all."""
    summary = None
    index = _by_team(base, network, now, horizon, shared)
    if team is not None:
        groups = list(index["overdue"].get(team.id, ()))
        if not names_each_overdue(len(groups), overdue_teams):
            summary, groups = summarise_overdue(rank_overdue(groups), overdue_teams), []
        lists = {name: list(index[name].get(team.id, ())) for name in MORE_LISTS}
    else:
        groups = base.overdue_groups
        outside = len(groups) - sum(len(index["overdue"].get(t, ())) for t in own)
        if names_each_overdue(outside, overdue_teams):
            groups = [g for g in groups if g.team.id not in own]
        else:
            summary = summarise_overdue([c for c in base.overdue_ranking
                                         if c.team.id not in own], overdue_teams)
            groups = []
        lists = {name: [line for line in lines if TEAM_OF[name](line) not in own]
                 for name, lines in _lists(base, network, now, horizon, shared).items()}
    more = {}
    for name in MORE_LISTS:
        lists[name], left_out = bound(lists[name], list_items)
        if left_out:
            more[name] = left_out
    # Only the events named get a line (an answer of the recipient's each).
    lists["events"] = [_event_line(e, network, recipient, shared) for e in lists["events"]]
    return Section(
        title=title, team=team, horizon_days=base.horizon_days,
        overdue=[line for g in groups for line in g.lines],
        overdue_more={g.team.id: g.more for g in groups if g.more},
        groups=groups, overdue_summary=summary, more=more, **lists)


def build_digest(recipient: Recipient, network: Network, now: datetime, *,
                 horizon_weeks: int = HORIZON_WEEKS,
                 timezone: str = "Europe/Amsterdam", shared: dict | None = None,
                 list_items: int | None = NETWORK_LIST_ITEMS) -> Digest:
    """What ``recipient``'s digest says at ``now``: portfolio theme(s) first, then the rest of
    the network. Pure: the same recipient, network and ``now`` give an equal :class:`Digest`.
    ``now`` is an aware datetime; ``horizon_weeks`` bounds events and ordinary milestones;
    ``list_items`` the lines of each list of "Het netwerk" but its overdue actions (None:
    every line, as the pages that list them all show).

    ``shared``: a dict the caller keeps while it builds the digests of many recipients from
    one ``network`` and ``now``; the lines of every team are then sorted once per "since"
    moment, and each digest only picks its teams' lines from them (the same result)."""
    today = to_local(now, timezone).date()
    since = _since(recipient, now)
    shared = {} if shared is None else shared
    key = (since, today, horizon_weeks)
    base = shared.get(key)
    if base is None:
        base = shared[key] = _base(network, today, since, now, horizon_weeks)
    portfolio = []
    own = frozenset(i for i in recipient.portfolio_team_ids if i in network.teams)
    counts, loaded = network.overdue_counts, network.named_teams
    if loaded is not None and counts is not None:
        named = counts if network_names_overdue(counts, own) else (t for t in own if t in counts)
        if any(t not in loaded for t in named):
            raise ValueError("the network was loaded without the overdue actions this "
                             "digest names (load_network's portfolios)")
    for team_id in sorted(own, key=lambda i: network.teams[i].short_name):
        team = network.teams[team_id]
        portfolio.append(_filtered(base, f"Uw portefeuille: {team.short_name}", team, own,
                                   network, recipient, now, horizon_weeks, shared))
    # The network without the portfolio: what the recipient chairs is said once, above.
    whole = _filtered(base, "Het netwerk", None, own, network, recipient,
                      now, horizon_weeks, shared, overdue_teams=NETWORK_OVERDUE_TEAMS,
                      list_items=list_items)
    period = period_key(recipient.frequency, now, timezone)
    if recipient.frequency == WEEKLY:
        week = today.isocalendar()[1]
        subject = f"Bestuurlijk overzicht week {week}: deadlines en voortgang"
    else:
        subject = f"Bestuurlijk overzicht {long_date(today)}: deadlines en voortgang"
    return Digest(recipient=recipient, period=period, subject=subject, today=today,
                  since=since, greeting=greeting(recipient.salutation, recipient.name),
                  portfolio=portfolio, network=whole)


def content_key(recipient: Recipient) -> tuple:
    """What :func:`build_digest` reads of ``recipient`` besides the greeting.

    Two recipients with the same key get equal digests but for
    :attr:`Digest.greeting` (and :attr:`Digest.recipient`): the job builds and renders
    one digest per key (:func:`tracker.notifications.messages.digest_emails`).
    """
    return (recipient.frequency, recipient.portfolio_team_ids, recipient.last_digest_at,
            tuple(sorted(recipient.responses.items())))


def digest_due(frequency: str, now: datetime, timezone: str = "Europe/Amsterdam",
               send_at: tuple[int, int] = (7, 30)) -> bool:
    """Whether a digest of ``frequency`` is due for the period ``now`` falls in.

    Weekly: from Monday ``send_at`` local time on; daily: from ``send_at`` each day.
    A later run in the same period is a catch-up (the key makes it once only).
    """
    local = to_local(now, timezone)
    reached = (local.hour, local.minute) >= send_at
    if frequency == WEEKLY:
        return local.isoweekday() > 1 or reached
    if frequency == DAILY:
        return reached
    return False
