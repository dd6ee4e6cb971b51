"""Keeping ``search_documents`` in step with the data.

After every flush (:func:`_after_flush`, a SQLAlchemy session event) the documents of the
rows that were added, changed or deleted in it are written again, in the same
transaction: a rolled-back change leaves the index as it was. Rows that depend on another
are written with it (an action's comments show its title; a person shows their
organisation). Changes made with bulk SQL bypass the ORM and so this hook: such code calls
:func:`reindex` itself, and ``flask search reindex`` (:func:`rebuild`) rebuilds everything.
An AVG erasure changes names through the ORM, so the erased name leaves the index with it.
A bulk load may mark its session :data:`DEFERRED` and call :func:`rebuild` at its end
(``flask demo scale``: describing each of its 80,000 changes again costs more than
describing the result once).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, event, insert, inspect, select, tuple_
from sqlalchemy.orm import Session

from tracker.actions.models import Action, ActionComment
from tracker.auth.models import User
from tracker.enums import ItemKind
from tracker.events.models import Event
from tracker.milestones.models import Milestone
from tracker.network.models import Organisation, ReportItem
from tracker.pilots.models import Pilot
from tracker.search.models import SearchDocument
from tracker.search.text import stems_of

#: The kinds of document, in the order results are shown, with their Dutch group heading.
KINDS: dict[str, str] = {
    "action": "Acties",
    "comment": "Reacties",
    "pilot": "Pilots",
    "item": "Statuspunten",
    "milestone": "Mijlpalen",
    "event": "Bijeenkomsten",
    "person": "Personen",
}
MODEL_KIND = {Action: "action", ActionComment: "comment", Pilot: "pilot", ReportItem: "item",
              Milestone: "milestone", Event: "event", User: "person"}
KIND_MODEL = {kind: model for model, kind in MODEL_KIND.items()}

#: ``session.info`` key: while it is true, flushes of that session leave the index alone;
#: whoever sets it calls :func:`rebuild` before the data is used.
DEFERRED = "search_index_deferred"

#: Rows described per statement by :func:`rebuild` (bounded memory, and bound parameters
#: well inside SQLite's limit).
REBUILD_CHUNK = 1000


def _join(*parts: str | None) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def documents_for(obj) -> list[dict]:
    """The index rows (as column dicts) describing model object ``obj``; ``[]`` for others."""
    kind = MODEL_KIND.get(type(obj))
    return describe(kind, obj) if kind else []


def describe(kind: str, obj) -> list[dict]:
    """The index rows for ``obj`` of ``kind`` (a key of :data:`KINDS`). ``obj`` needs only
    the attributes read here (a model object, or a namespace: migration 0023 describes the
    rows it finds this way): a comment's ``action.title``/``action.team_id``, a status
    point's ``kind`` (an ItemKind or its value), a person's ``organisation.name``."""
    row = {"kind": kind, "ref_id": obj.id, "parent_id": None, "team_id": None,
           "audience": "all", "context": None}
    if kind == "action":
        row |= {"team_id": obj.team_id, "title": obj.title,
                "body": _join(obj.description, obj.report_text)}
    elif kind == "comment":
        action = obj.action
        row |= {"team_id": action.team_id if action else None, "parent_id": obj.action_id,
                "title": "", "body": obj.text, "context": action.title[:300] if action else None}
    elif kind == "pilot":
        row |= {"team_id": obj.team_id, "title": obj.title,
                "body": _join(obj.description, obj.results, obj.lessons)}
    elif kind == "item":
        row |= {"team_id": obj.team_id, "title": "", "body": obj.text,
                # A new row may still hold the plain value ("doel") until it is loaded again.
                "context": ItemKind(obj.kind).label if obj.kind else None}
    elif kind == "milestone":
        row |= {"team_id": obj.team_id, "title": obj.title, "body": obj.description or ""}
    elif kind == "event":
        row |= {"team_id": obj.team_id, "title": obj.title,
                "body": _join(obj.description, obj.location)}
    elif kind == "person":
        organisation = obj.organisation.name if obj.organisation else None
        public = _join(obj.title, organisation)
        return [_finish(row | {"audience": "team", "title": obj.name, "body": public}),
                _finish(row | {"audience": "beheer", "title": obj.name,
                               "body": _join(public, obj.email)})]
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return [_finish(row)]


def _finish(row: dict) -> dict:
    row["title"] = row["title"] or ""
    row["body"] = row["body"] or ""
    row["stems"] = stems_of(row["title"] + "\n" + row["body"])
    return row


def reindex(session: Session, objects: Iterable = (), removed: Iterable[tuple[str, int]] = ()):
    """Write the documents of ``objects`` again and drop those of ``removed``
    (``(kind, id)`` pairs), with one DELETE and at most one INSERT."""
    rows: list[dict] = []
    keys: set[tuple[str, int]] = set(removed)
    for obj in objects:
        kind = MODEL_KIND.get(type(obj))
        if kind is None or obj.id is None:
            continue
        keys.add((kind, obj.id))
        rows.extend(documents_for(obj))
    if not keys:
        return
    session.execute(delete(SearchDocument).where(
        tuple_(SearchDocument.kind, SearchDocument.ref_id).in_(sorted(keys))))
    if rows:
        session.execute(insert(SearchDocument), rows)


def rebuild(session: Session) -> int:
    """Empty the index and describe every searchable row again; returns the rows written.

    In chunks of :data:`REBUILD_CHUNK` rows by id, each written with one INSERT."""
    session.execute(delete(SearchDocument))
    count = 0
    for model in KIND_MODEL.values():
        last = 0
        while True:
            objects = session.scalars(select(model).where(model.id > last)
                                      .order_by(model.id).limit(REBUILD_CHUNK)).all()
            if not objects:
                break
            rows = [row for obj in objects for row in documents_for(obj)]
            if rows:
                session.execute(insert(SearchDocument), rows)
            count += len(objects)
            last = objects[-1].id
    return count


USER_FIELDS = ("name", "email", "title", "organisation_id", "organisation")
#: What an action's comments show of it.
ACTION_FIELDS = ("title", "team_id")
#: Per model: the attributes :func:`describe` reads. A changed row whose document
#: attributes are all unchanged (an action marked done, a pilot moved a step) keeps
#: its document as it is: writing the same row again would only cost a DELETE, an
#: INSERT and the stemming.
DOCUMENT_FIELDS: dict[type, tuple[str, ...]] = {
    Action: ("team_id", "title", "description", "report_text"),
    ActionComment: ("action_id", "text"),
    Pilot: ("team_id", "title", "description", "results", "lessons"),
    ReportItem: ("team_id", "text", "kind"),
    Milestone: ("team_id", "title", "description"),
    Event: ("team_id", "title", "description", "location"),
    User: USER_FIELDS,
}


def _changed(obj, fields: tuple[str, ...]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[f].history.has_changes() for f in fields)


def _touched(session: Session) -> tuple[list, list[tuple[str, int]]]:
    """What the flush changed that the index describes: objects to write, keys to drop."""
    changed: dict[int, object] = {}
    removed: list[tuple[str, int]] = []
    actions: set[int] = set()
    organisations: set[int] = set()
    for obj in session.deleted:
        kind = MODEL_KIND.get(type(obj))
        if kind is not None and obj.id is not None:
            removed.append((kind, obj.id))
    for obj in list(session.new) + list(session.dirty):
        if obj in session.deleted:
            continue
        if type(obj) in MODEL_KIND:
            # Only what the document shows counts (a login touches users.last_login_at,
            # a done click an action's status).
            if obj in session.new or _changed(obj, DOCUMENT_FIELDS[type(obj)]):
                changed[id(obj)] = obj
            if type(obj) is Action and obj not in session.new and _changed(obj, ACTION_FIELDS):
                actions.add(obj.id)
        elif type(obj) is Organisation and obj not in session.new:
            organisations.add(obj.id)
    if actions:
        for comment in session.scalars(select(ActionComment).where(
                ActionComment.action_id.in_(actions))):
            changed[id(comment)] = comment
    if organisations:
        for user in session.scalars(select(User).where(User.organisation_id.in_(organisations))):
            changed[id(user)] = user
    return list(changed.values()), removed


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context) -> None:
    if session.info.get(DEFERRED):
        return
    if not (session.new or session.dirty or session.deleted):
        return
    if not any(type(o) in MODEL_KIND or type(o) is Organisation
               for o in (*session.new, *session.dirty, *session.deleted)):
        return
    objects, removed = _touched(session)
    # A deleted action takes its comments along (ON DELETE CASCADE need not pass the ORM).
    gone = [ref for kind, ref in removed if kind == "action"]
    if gone:
        session.execute(delete(SearchDocument).where(
            SearchDocument.kind == "comment", SearchDocument.parent_id.in_(gone)))
    reindex(session, objects, removed)
