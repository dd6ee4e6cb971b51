"""Reading actions: the filtered, sorted, paginated team list and "Mijn werk"."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlencode

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

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
from tracker.pagination import PAGE_ARG, PAGE_SIZE, Page, page_number, paginate
from tracker.validation import parse_id

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
#: Rows per page of a team's list: fewer than other lists, as each row carries its forms
#: (done/undo, the bulk checkbox) and the team page is the most visited page.
TEAM_PAGE_SIZE = 25
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
        return cls(
            status=status if status in STATUS_FILTERS else "",
            owner=owner if owner == "geen" or parse_id(owner) else "",
            due=due if due in {w.value for w in DueWindow} else "",
            district=district if parse_id(district) else "",
            q=" ".join((args.get("q") or "").split())[:SEARCH_MAX_LENGTH],
            sort=sort if sort in SORTS else "datum",
            page=page_number(args) or 1,
        )

    def query_string(self, **changes) -> str:
        """The URL query for this filter with ``changes``; defaults are left out (the page
        number travels as ``pagina``, as on every paged list)."""
        return _query_string(self, tuple(changes.items()))

    def page_link(self, number: int) -> str:
        """The address (query only) of page ``number`` of this filtered list."""
        return "?" + self.query_string(page=number)

    @property
    def is_default(self) -> bool:
        """No filter, search or sort chosen (the page number does not count)."""
        return replace(self, page=1) == ActionFilter()


@lru_cache(maxsize=512)
def _query_string(flt: ActionFilter, changes: tuple) -> str:
    # A list page asks for a dozen of these (sort headers, pages, exports); the answer
    # depends on the (frozen) filter and the changes alone, so it is kept per process.
    state = replace(flt, **dict(changes))
    default = ActionFilter()
    pairs = {PAGE_ARG if k == "page" else k: v for k, v in state.__dict__.items()
             if v != getattr(default, k)}
    return urlencode(pairs)


def window_condition(window: DueWindow, today: date):
    """The SQL condition "the due date falls in ``window``" (seen from ``today``), from the
    ranges of :func:`rules.window_range`: the filter and the sections of Mijn werk."""
    if window == DueWindow.NONE:
        return Action.due_date.is_(None)
    start, end = window_range(window, today)
    conditions = [Action.due_date.is_not(None)]
    if start:
        conditions.append(Action.due_date >= start)
    if end:
        conditions.append(Action.due_date <= end)
    return and_(*conditions)


def due_window_case(today: date):
    """:func:`rules.due_window` as a SQL expression giving the window's value (tests check
    that both agree for every day around ``today``)."""
    return case(*((window_condition(w, today), w.value) for w in DueWindow
                  if w != DueWindow.NONE), else_=DueWindow.NONE.value)


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
        query = query.where(window_condition(window, today))
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
    """One page of a team's filtered actions, with the filter as shown (page clamped)."""

    page: Page
    filter: ActionFilter

    @property
    def actions(self) -> list[Action]:
        return list(self.page.items)

    @property
    def total(self) -> int:
        return self.page.total

    @property
    def page_count(self) -> int:
        return self.page.page_count


def team_action_page(team_id: int, flt: ActionFilter, today: date) -> ActionPage:
    """One page of a team's actions: COUNT over the filtered SELECT, then the page joined
    to each row's owner, district and meeting (two statements: a statement per relation
    cost the ORM more than the joined columns)."""
    base = apply_filter(select(Action).where(Action.team_id == team_id), flt, today)
    page = paginate(
        _order(base, flt.sort).options(joinedload(Action.owner), joinedload(Action.district),
                                       joinedload(Action.event)),
        flt.page, size=TEAM_PAGE_SIZE,
        count_query=apply_filter(select(Action.id).where(Action.team_id == team_id), flt, today))
    shown = replace(flt, page=page.number)
    page.link = shown.page_link
    return ActionPage(page, shown)


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


def _assignable(query: Select, team_ids: list[int]) -> Select:
    """``query`` over users narrowed to who can own actions of any of ``team_ids``
    (members, plus anyone owning one now), active, by name."""
    members = select(TeamMembership.user_id).where(TeamMembership.team_id.in_(team_ids))
    owners = select(Action.owner_id).where(Action.team_id.in_(team_ids),
                                           Action.owner_id.is_not(None))
    return query.where(or_(User.id.in_(members), User.id.in_(owners)),
                       User.active.is_(True)).order_by(User.name)


def assignable_people(team_ids: list[int]) -> list[User]:
    """People who can own actions of any of ``team_ids`` (members, plus anyone owning one
    now), active, by name; one query."""
    return list(db.session.scalars(_assignable(select(User), team_ids)))


def owner_names(team_id: int) -> list:
    """:func:`owner_options` as rows of ``id`` and ``name`` (one query, no ORM objects):
    for menus that only name the people."""
    return list(db.session.execute(_assignable(select(User.id, User.name), [team_id])))


def districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.position)))


def district_names() -> list:
    """:func:`districts` as rows of ``id`` and ``name``, in their order (one query)."""
    return list(db.session.execute(
        select(District.id, District.name).order_by(District.position)))


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


def my_work_filter(user_id: int, now: datetime):
    """What Mijn werk lists: the user's open actions, and what they finished in the last
    :data:`RECENT_DAYS` days (the one definition behind the page, its counts and the
    partner's start page)."""
    return and_(Action.owner_id == user_id,
                or_(Action.status.in_(OPEN_STATUSES),
                    and_(Action.status == ActionStatus.GEREED,
                         Action.completed_at >= now - timedelta(days=RECENT_DAYS))))


def my_work(user_id: int, today: date, now: datetime) -> MyWork:
    """The user's open actions by window, and what they finished in the last two weeks."""
    rows = db.session.scalars(
        select(Action).where(my_work_filter(user_id, now))
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


#: The sections of Mijn werk in page order: key (also the heading's id), heading.
MY_WORK_SECTIONS = (
    ("te-laat", "Te laat"),
    ("deze-week", "Deze week"),
    ("later", "Later"),
    ("gereed", "Gereed in de afgelopen 14 dagen"),
)


@dataclass
class WorkSection:
    key: str
    title: str
    #: How many actions the section holds in all (from SQL), and those on this page.
    total: int
    actions: list[Action]
    #: The page the section starts on (to point there when none of it is on this page).
    first_page: int


@dataclass
class MyWorkPage:
    page: Page
    sections: list[WorkSection]

    @property
    def actions(self) -> list[Action]:
        return list(self.page.items)

    @property
    def is_empty(self) -> bool:
        """Nothing owned and nothing finished lately: the page points elsewhere instead."""
        return self.page.total == 0


def _my_work_section(today: date):
    """The SQL of an action's section of Mijn werk: gereed, else its due window (te laat,
    deze week; the rest is later), as :func:`due_window_case` decides it."""
    window = due_window_case(today)
    return case(
        (Action.status == ActionStatus.GEREED, "gereed"),
        (window == DueWindow.OVERDUE.value, "te-laat"),
        (window == DueWindow.THIS_WEEK.value, "deze-week"),
        else_="later")


def my_work_listing(user_id: int, today: date, now: datetime, number: int | None) -> MyWorkPage:
    """Page ``number`` of Mijn werk, one list through the sections in order (open work by
    date, then what was finished, latest first); each section's size counted in SQL.

    Three statements whatever the amount of work: the counts per section, the page (with
    each row's section), the teams of its rows.
    """
    where = my_work_filter(user_id, now)
    section = _my_work_section(today)
    totals = dict(db.session.execute(
        select(section, func.count(Action.id)).where(where).group_by(section)).all())
    rank = case(*((section == key, n) for n, (key, _) in enumerate(MY_WORK_SECTIONS)))
    done_first = case((Action.status == ActionStatus.GEREED, Action.completed_at))
    query = (select(Action, section).where(where).options(selectinload(Action.team))
             .order_by(rank, done_first.desc(), Action.due_date.is_(None), Action.due_date,
                       Action.id))
    page = paginate(query, number, total=sum(totals.values()), scalars=False)
    by_section: dict[str, list[Action]] = {key: [] for key, _ in MY_WORK_SECTIONS}
    for action, key in page.items:
        by_section[key].append(action)
    page.items = [action for action, _ in page.items]
    sections, before = [], 0
    for key, title in MY_WORK_SECTIONS:
        total = totals.get(key, 0)
        sections.append(WorkSection(key, title, total, by_section[key],
                                    before // page.size + 1))
        before += total
    return MyWorkPage(page, sections)


def selected_ids(value: str | None, shown: list[Action]) -> set[int]:
    """The rows of a list to show ticked for the bulk form: ``?selectie=alle`` ticks every
    shown row, ``?selectie=3,5`` those ids (after a refused bulk change); else none."""
    shown_ids = {action.id for action in shown}
    if value == "alle":
        return shown_ids
    wanted = {parse_id(part) for part in (value or "").split(",")[:PAGE_SIZE * 4]}
    return shown_ids & wanted
