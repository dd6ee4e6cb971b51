"""Reading actions: the filtered, sorted, paginated team list and "Mijn werk"."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from tracker.actions.models import Action
from tracker.actions.rules import (
    OPEN_STATUSES,
    ActionCounts,
    DueWindow,
    count_actions,
    due_window,
    window_range,
)
from tracker.auth.models import User
from tracker.enums import ActionStatus
from tracker.extensions import db
from tracker.network.models import District, TeamMembership
from tracker.validation import parse_id

PAGE_SIZE = 25
STATUS_FILTERS = {
    "": "Alle",
    "actief": "Open en bezig",
    **{s.value: s.label for s in ActionStatus},
}
SORTS = {
    "datum": "Datum (eerst)",
    "-datum": "Datum (laatst)",
    "titel": "Titel",
    "status": "Status",
    "eigenaar": "Eigenaar",
}
SEARCH_MAX_LENGTH = 100
DUE_FILTERS = {"": "Alle", **{w.value: w.label for w in DueWindow}}


@dataclass(frozen=True)
class ActionFilter:
    """The state of the team action list, as kept in the URL."""

    status: str = ""
    owner: str = ""
    due: str = ""
    district: str = ""
    q: str = ""
    sort: str = "datum"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> ActionFilter:
        """Parse query arguments; unknown values fall back to the default (never a 500)."""
        status = args.get("status", "")
        owner = args.get("owner", "")
        due = args.get("due", "")
        district = args.get("district", "")
        sort = args.get("sort", "datum")
        page = args.get("page", "1")
        return cls(
            status=status if status in STATUS_FILTERS else "",
            owner=owner if owner == "geen" or parse_id(owner) else "",
            due=due if due in {w.value for w in DueWindow} else "",
            district=district if parse_id(district) else "",
            q=" ".join((args.get("q") or "").split())[:SEARCH_MAX_LENGTH],
            sort=sort if sort in SORTS else "datum",
            page=int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1,
        )

    def query_string(self, **changes) -> str:
        """The URL query for this filter with ``changes``; defaults are left out."""
        state = replace(self, **changes)
        default = ActionFilter()
        pairs = {k: v for k, v in state.__dict__.items() if v != getattr(default, k)}
        return urlencode(pairs)

    @property
    def is_default(self) -> bool:
        return self == ActionFilter()


def apply_filter(query: Select, flt: ActionFilter, today: date) -> Select:
    if flt.status == "actief":
        query = query.where(Action.status.in_(OPEN_STATUSES))
    elif flt.status:
        query = query.where(Action.status == ActionStatus(flt.status))
    if flt.owner == "geen":
        query = query.where(Action.owner_id.is_(None))
    elif flt.owner:
        query = query.where(Action.owner_id == int(flt.owner))
    if flt.district:
        query = query.where(Action.district_id == int(flt.district))
    if flt.due:
        window = DueWindow(flt.due)
        if window == DueWindow.NONE:
            query = query.where(Action.due_date.is_(None))
        else:
            start, end = window_range(window, today)
            conditions = [Action.due_date.is_not(None)]
            if start:
                conditions.append(Action.due_date >= start)
            if end:
                conditions.append(Action.due_date <= end)
            query = query.where(and_(*conditions))
            if window == DueWindow.OVERDUE:
                query = query.where(Action.status.in_(OPEN_STATUSES))
    if flt.q:
        escaped = flt.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Action.title).like(f"%{escaped}%", escape="\\"))
    return query


def _order(query: Select, sort: str) -> Select:
    if sort == "titel":
        return query.order_by(func.lower(Action.title), Action.id)
    if sort == "status":
        return query.order_by(Action.status, Action.due_date.is_(None), Action.due_date, Action.id)
    if sort == "eigenaar":
        owner = User.__table__.alias("owner_sort")
        return query.outerjoin(owner, owner.c.id == Action.owner_id).order_by(
            owner.c.name.is_(None), owner.c.name, Action.id
        )
    if sort == "-datum":
        return query.order_by(Action.due_date.is_(None), Action.due_date.desc(), Action.id.desc())
    return query.order_by(Action.due_date.is_(None), Action.due_date, Action.position, Action.id)


@dataclass
class ActionPage:
    actions: list[Action]
    total: int
    filter: ActionFilter
    page_count: int


def team_action_page(team_id: int, flt: ActionFilter, today: date) -> ActionPage:
    """One page of a team's actions (two queries, plus one per eager-loaded relation)."""
    base = apply_filter(select(Action).where(Action.team_id == team_id), flt, today)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page_count = max(1, -(-total // PAGE_SIZE))
    page = min(flt.page, page_count)
    rows = db.session.scalars(
        _order(base, flt.sort)
        .options(selectinload(Action.owner), selectinload(Action.district),
                 selectinload(Action.event))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return ActionPage(list(rows), total, replace(flt, page=page), page_count)


def export_rows(team_id: int, flt: ActionFilter, today: date) -> list[Action]:
    """Every action matching the filter (no pagination), for the CSV export."""
    query = apply_filter(select(Action).where(Action.team_id == team_id), flt, today)
    return list(db.session.scalars(
        _order(query, flt.sort).options(selectinload(Action.owner), selectinload(Action.district),
                                        selectinload(Action.milestone))
    ))


def team_counters(team_id: int, today: date) -> ActionCounts:
    """Open, overdue, done and cancelled actions of a team, in one query."""
    rows = db.session.execute(
        select(Action.status, Action.due_date, func.count(Action.id))
        .where(Action.team_id == team_id)
        .group_by(Action.status, Action.due_date)
    )
    return count_actions(rows, today)


def owner_options(team_id: int) -> list[User]:
    """People who can own the team's actions: members, plus anyone owning one now."""
    return assignable_people([team_id])


def assignable_people(team_ids: list[int]) -> list[User]:
    """People who can own actions of any of ``team_ids`` (members, plus anyone owning one
    now), active, by name; one query."""
    members = select(TeamMembership.user_id).where(TeamMembership.team_id.in_(team_ids))
    owners = select(Action.owner_id).where(Action.team_id.in_(team_ids),
                                           Action.owner_id.is_not(None))
    return list(db.session.scalars(
        select(User).where(or_(User.id.in_(members), User.id.in_(owners)), User.active.is_(True))
        .order_by(User.name)
    ))


def districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.position)))


@dataclass
class MyWork:
    overdue: list[Action] = field(default_factory=list)
    this_week: list[Action] = field(default_factory=list)
    later: list[Action] = field(default_factory=list)
    recently_done: list[Action] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing owned and nothing finished lately: the page points elsewhere instead."""
        return not (self.overdue or self.this_week or self.later or self.recently_done)


RECENT_DAYS = 14


def my_work(user_id: int, today: date, now: datetime) -> MyWork:
    """The user's open actions by window, and what they finished in the last two weeks."""
    rows = db.session.scalars(
        select(Action)
        .where(Action.owner_id == user_id)
        .where(or_(Action.status.in_(OPEN_STATUSES),
                   and_(Action.status == ActionStatus.GEREED,
                        Action.completed_at >= now - timedelta(days=RECENT_DAYS))))
        .options(selectinload(Action.team))
        .order_by(Action.due_date.is_(None), Action.due_date, Action.id)
    ).all()
    work = MyWork()
    for action in rows:
        if action.status == ActionStatus.GEREED:
            work.recently_done.append(action)
            continue
        window = due_window(action.due_date, today)
        if window == DueWindow.OVERDUE:
            work.overdue.append(action)
        elif window == DueWindow.THIS_WEEK:
            work.this_week.append(action)
        else:
            work.later.append(action)
    work.recently_done.sort(key=lambda a: a.completed_at, reverse=True)
    return work


def selected_ids(value: str | None, shown: list[Action]) -> set[int]:
    """The rows of a list to show ticked for the bulk form: ``?selectie=alle`` ticks every
    shown row, ``?selectie=3,5`` those ids (after a refused bulk change); else none."""
    shown_ids = {action.id for action in shown}
    if value == "alle":
        return shown_ids
    wanted = {parse_id(part) for part in (value or "").split(",")[:PAGE_SIZE * 4]}
    return shown_ids & wanted
