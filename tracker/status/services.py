"""Changing the three text blocks of a team's status (doelen, resultaten, aandachtspunten).

Every change writes an audit entry with before/after in the same transaction, so that
the report for an earlier peildatum can undo it. A stale edit (``version`` no longer
current) raises :class:`Conflict` and changes nothing. ``flush`` only; routes commit.
"""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.audit.services import record
from tracker.concurrency import ConflictError
from tracker.enums import ItemKind
from tracker.extensions import db
from tracker.network.models import ReportItem, Team

ITEM_MAX_LENGTH = 2000


class Conflict(ConflictError):
    """Someone else changed or removed the item first (``item`` None: removed)."""

    def __init__(self, item: ReportItem | None):
        Exception.__init__(self, "conflict")
        self.obj = self.item = item
        self.expected = None


def _snapshot(item: ReportItem) -> dict:
    return {"team_id": item.team_id, "kind": item.kind.value, "text": item.text,
            "position": item.position, "created_at": item.created_at.isoformat()}


def add_item(team: Team, kind: ItemKind, text: str, actor) -> ReportItem:
    """Append a point (``text`` as cleaned by the form) to one of the team's blocks."""
    last = db.session.scalar(
        select(func.max(ReportItem.position)).where(ReportItem.team_id == team.id,
                                                    ReportItem.kind == kind)
    )
    item = ReportItem(team_id=team.id, kind=kind, text=text,
                      position=(last + 1) if last is not None else 0)
    db.session.add(item)
    db.session.flush()
    record("report_item.create", actor=actor, obj=item, summary=f"{team.short_name}: {kind.label}",
           after={"text": text, "kind": kind.value, "position": item.position})
    return item


def check_version(item: ReportItem, version: int | None) -> None:
    """Raise :class:`Conflict` unless ``version`` (None: absent or malformed) is current."""
    if version is None or version != item.version:
        raise Conflict(item)


def update_item(item: ReportItem, text: str, version: int | None, actor) -> ReportItem:
    """Change an item's text (cleaned by the form), unless someone else changed it since
    ``version``."""
    check_version(item, version)
    if text == item.text:
        return item
    before = {"text": item.text}
    item.text = text
    db.session.flush()
    record("report_item.update", actor=actor, obj=item, before=before, after={"text": text},
           summary="Tekst gewijzigd")
    return item


def delete_item(item: ReportItem, version: int | None, actor) -> None:
    """Remove an item; the audit entry keeps all of it (for earlier peildata)."""
    check_version(item, version)
    record("report_item.delete", actor=actor, obj=item, before=_snapshot(item),
           summary="Punt verwijderd")
    db.session.delete(item)
    db.session.flush()


def move_item(item: ReportItem, direction: str, actor) -> None:
    """Swap an item with its neighbour above (``up``) or below (``down``) in its block."""
    siblings = list(db.session.scalars(
        select(ReportItem).where(ReportItem.team_id == item.team_id, ReportItem.kind == item.kind)
        .order_by(ReportItem.position, ReportItem.id)
    ))
    index = siblings.index(item)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            record("report_item.move", actor=actor, obj=sibling,
                   before={"position": sibling.position}, after={"position": position},
                   summary="Volgorde gewijzigd")
            sibling.position = position
    db.session.flush()
