"""Reading pilots: registry lists and the districts × bouwstenen matrix."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.enums import PilotStatus
from tracker.extensions import db
from tracker.network.models import District
from tracker.pagination import Page, paginate
from tracker.pilots.models import BuildingBlock, Pilot
from tracker.validation import parse_id


@dataclass(frozen=True)
class PilotFilter:
    team: str = ""
    status: str = ""
    district: str = ""
    block: str = ""

    @classmethod
    def from_args(cls, args) -> PilotFilter:
        def digits(name):
            value = args.get(name, "")
            return value if parse_id(value) or value == "geen" else ""

        status = args.get("status", "")
        return cls(team=args.get("team", "")[:60],
                   status=status if status in {s.value for s in PilotStatus} else "",
                   district=digits("district"), block=digits("block"))


def pilot_page(team_ids: list[int] | None, flt: PilotFilter | None, number: int | None) -> Page:
    """Page ``number`` of the pilots of ``team_ids`` matching ``flt`` (by title): a COUNT,
    one page of rows with what the list shows and their municipalities; 3 statements on
    any page that has rows."""
    return paginate(pilots_query(team_ids, flt), number)


def pilots_query(team_ids: list[int] | None, flt: PilotFilter | None = None, *,
                 eager: bool = True):
    """The pilots of ``team_ids`` (None: every team) matching ``flt``, by title; ``eager``
    loads what the list shows. Paged by the pages and the API."""
    query = select(Pilot).order_by(Pilot.title, Pilot.id)
    if eager:
        # The single related rows come joined in the page's own statement: a selectin
        # load would be skipped on a page where no pilot has, say, a lead, so the number
        # of statements would depend on the data. The municipalities (a list) always
        # take one more.
        query = query.options(
            joinedload(Pilot.team), joinedload(Pilot.district),
            joinedload(Pilot.building_block), joinedload(Pilot.lead),
            selectinload(Pilot.municipalities),
        )
    if team_ids is not None:
        query = query.where(Pilot.team_id.in_(team_ids))
    flt = flt or PilotFilter()
    if flt.status:
        query = query.where(Pilot.status == PilotStatus(flt.status))
    if flt.district == "geen":
        query = query.where(Pilot.district_id.is_(None))
    elif flt.district:
        query = query.where(Pilot.district_id == int(flt.district))
    if flt.block == "geen":
        query = query.where(Pilot.building_block_id.is_(None))
    elif flt.block:
        query = query.where(Pilot.building_block_id == int(flt.block))
    return query


@dataclass
class Matrix:
    districts: list[District]
    blocks: list[BuildingBlock]
    counts: Counter  # (district id or None, block id or None) -> count

    def count(self, district_id, block_id) -> int:
        return self.counts[(district_id, block_id)]

    def row_total(self, district_id) -> int:
        return sum(n for (d, _), n in self.counts.items() if d == district_id)

    def column_total(self, block_id) -> int:
        return sum(n for (_, b), n in self.counts.items() if b == block_id)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def matrix(team_ids: list[int] | None, flt: PilotFilter | None = None) -> Matrix:
    """The pilots of ``team_ids`` (None: every team) matching ``flt`` counted per district
    and bouwsteen, in the database (three queries: the counts, the districts, the bouwstenen)."""
    matching = pilots_query(team_ids, flt, eager=False).order_by(None).subquery()
    counts = Counter({
        (district_id, block_id): n for district_id, block_id, n in db.session.execute(
            select(matching.c.district_id, matching.c.building_block_id, func.count())
            .group_by(matching.c.district_id, matching.c.building_block_id))
    })
    districts = list(db.session.scalars(select(District).order_by(District.position)))
    blocks = select(BuildingBlock).order_by(BuildingBlock.team_id, BuildingBlock.number)
    if team_ids is not None:
        blocks = blocks.where(BuildingBlock.team_id.in_(team_ids))
    return Matrix(districts, list(db.session.scalars(blocks)), counts)
