"""Reading milestones with their progress and computed state, in fixed queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from tracker.actions.models import Action
from tracker.enums import ActionStatus
from tracker.extensions import db
from tracker.milestones.models import Milestone, MunicipalityTick
from tracker.milestones.rules import (
    Assessment,
    DistrictProgress,
    MilestoneState,
    Progress,
    assess,
    milestone_progress,
    progress_by_district,
)
from tracker.network.models import District, Municipality
from tracker.pagination import PAGE_SIZE, Page, paginate


@dataclass
class MilestoneView:
    milestone: Milestone
    progress: Progress | None
    assessment: Assessment
    #: The first milestone of the list due today or later (a list marks it "eerstvolgende").
    is_first_upcoming: bool = False

    @property
    def state(self) -> MilestoneState:
        return self.assessment.state

    @property
    def days_left(self) -> int:
        return self.assessment.days_left


def municipality_count() -> int:
    return db.session.scalar(select(func.count(Municipality.id))) or 0


def linked_action_counts(milestone_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per milestone: its linked actions done and in all (cancelled ones left out), 1 query."""
    if not milestone_ids:
        return {}
    linked: dict[int, list[int]] = {}
    for milestone_id, status, n in db.session.execute(
        select(Action.milestone_id, Action.status, func.count(Action.id))
        .where(Action.milestone_id.in_(milestone_ids), Action.status != ActionStatus.VERVALLEN)
        .group_by(Action.milestone_id, Action.status)
    ):
        done_total = linked.setdefault(milestone_id, [0, 0])
        done_total[1] += n
        if status == ActionStatus.GEREED:
            done_total[0] += n
    return {k: (v[0], v[1]) for k, v in linked.items()}


def milestone_views(milestones: list[Milestone], today: date) -> list[MilestoneView]:
    """Progress (ticks of all municipalities, or linked actions done) and state: 3
    statements (none without milestones)."""
    ids = [m.id for m in milestones]
    ticks = dict(db.session.execute(
        select(MunicipalityTick.milestone_id, func.count(MunicipalityTick.id))
        .where(MunicipalityTick.milestone_id.in_(ids)).group_by(MunicipalityTick.milestone_id)
    ).all()) if ids else {}
    linked = linked_action_counts(ids)
    # Counted whenever there are milestones, not only when one is per municipality: the
    # number of statements never depends on the data.
    total_municipalities = municipality_count() if ids else 0
    views = []
    for m in milestones:
        done, total = linked.get(m.id, (0, 0))
        progress = milestone_progress(
            per_municipality=m.per_municipality, ticks_done=ticks.get(m.id, 0),
            municipalities=total_municipalities, linked_done=done, linked_total=total)
        views.append(MilestoneView(
            milestone=m, progress=progress,
            assessment=assess(m.due_date, today, achieved_on=m.achieved_on, progress=progress),
        ))
    return views


def visible_milestones_query(team_ids: list[int] | None):
    """Milestones of the given teams plus the network-wide ones (all when None), by due
    date; paged by the pages and the API."""
    query = select(Milestone).options(joinedload(Milestone.team)).order_by(
        Milestone.due_date, Milestone.id)
    if team_ids is not None:
        query = query.where(Milestone.team_id.in_(team_ids) | Milestone.team_id.is_(None))
    return query


def milestone_page(query: Select, number: int | None, today: date) -> Page:
    """Page ``number`` of the milestones of ``query`` (ordered by due date) as
    :class:`MilestoneView` items. Without a number, the page holding the first milestone
    due today or later: the list opens at what is coming, earlier ones a page back. That
    milestone's view has ``is_first_upcoming`` set (on whichever page it is).

    One statement counts all and those due before ``today``, one reads the page, two
    more give its progress (:func:`milestone_views`).
    """
    matching = query.order_by(None).subquery()
    total, before = db.session.execute(select(
        func.count(), func.coalesce(func.sum(case((matching.c.due_date < today, 1), else_=0)), 0),
    ).select_from(matching)).one()
    if number is None:
        number = before // PAGE_SIZE + 1
    page = paginate(query, number, total=total)
    page.items = milestone_views(list(page.items), today)
    # The list is by due date, so the ``before`` earlier ones come first and the next one
    # is the row right after them, on this page or not.
    first_upcoming = before - (page.number - 1) * page.size
    if before < total and 0 <= first_upcoming < len(page.items):
        page.items[first_upcoming].is_first_upcoming = True
        page.marked = "eerstvolgende"
    return page


@dataclass
class MunicipalityRow:
    municipality: Municipality
    tick: MunicipalityTick | None


@dataclass
class Grid:
    districts: list[tuple[District, list[MunicipalityRow]]]
    overall: Progress
    per_district: list[DistrictProgress]


def municipality_grid(milestone: Milestone) -> Grid:
    """The municipalities by district with their tick for ``milestone`` (3 queries)."""
    districts = list(db.session.scalars(select(District).order_by(District.position)))
    municipalities = list(db.session.scalars(select(Municipality).order_by(Municipality.name)))
    ticks = {
        t.municipality_id: t for t in db.session.scalars(
            select(MunicipalityTick).where(MunicipalityTick.milestone_id == milestone.id))
    }
    by_district: dict[int, list[MunicipalityRow]] = {d.id: [] for d in districts}
    for m in municipalities:
        by_district.setdefault(m.district_id, []).append(MunicipalityRow(m, ticks.get(m.id)))
    names = {d.id: d.name for d in districts}
    per_district = progress_by_district(
        ((names[m.district_id], m.id) for m in municipalities), set(ticks), [d.name for d in districts]
    )
    return Grid(
        districts=[(d, by_district[d.id]) for d in districts],
        overall=Progress(len(ticks), len(municipalities), "gemeenten"),
        per_district=per_district,
    )


def grid_progress(milestone: Milestone) -> tuple[Progress, list[DistrictProgress]]:
    """Only the progress figures (for the htmx refresh): 2 queries."""
    rows = db.session.execute(
        select(District.name, Municipality.id).join(Municipality.district).order_by(District.position)
    ).all()
    ticked = set(db.session.scalars(select(MunicipalityTick.municipality_id).where(
        MunicipalityTick.milestone_id == milestone.id)))
    order = list(dict.fromkeys(name for name, _ in rows))
    return Progress(len(ticked), len(rows), "gemeenten"), progress_by_district(rows, ticked, order)
