"""Searching the index for one user: matches, permission scope, ranking, groups.

Which rows a user may find is decided with the same functions the lists use
(``visible_team_ids`` in tracker/auth/permissions.py), written as SQL so that the page
is one statement whatever the number of hits:

- actions, comments, pilots, status points: the team is visible (``team.view``);
- milestones: network-wide, or the team is visible (``milestone.view``);
- meetings: the team is visible or the user is invited (``event.view``);
- people: the beheerder finds everyone, e-mail address included; others find name,
  function and organisation of the members of the teams they see (what team pages show).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce

from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy import and_, bindparam, exists, func, literal_column, or_, select, true
from sqlalchemy.sql import column, table

from tracker.auth.permissions import visible_team_ids
from tracker.enums import Role
from tracker.events.models import Invitation
from tracker.extensions import db
from tracker.network.models import Team, TeamMembership
from tracker.pagination import Page
from tracker.search.indexing import KINDS
from tracker.search.models import SearchDocument as D
from tracker.search.schema import FTS_TABLE, PG_VECTOR
from tracker.search.text import Query, highlight, parse_query, snippet

#: Hits shown per kind on the overview; "meer resultaten" opens that kind's pages.
PER_KIND = 5
#: Hits per page when one kind is shown.
PER_PAGE = 20
#: Highest page number accepted (deeper pages show nothing rather than scan).
MAX_PAGE = 50

TEAM_KINDS = ("action", "comment", "pilot", "item")


@dataclass
class Hit:
    kind: str
    heading: Markup
    snippet: Markup
    team: str | None
    url: str | None


@dataclass
class Group:
    kind: str
    heading: str
    hits: list[Hit]
    #: More hits of this kind exist than shown.
    more: bool
    #: How many hits of this kind the user may see in all (counted in the same statement).
    total: int = 0


@dataclass
class Results:
    query: Query
    kind: str | None = None
    page: int = 1
    groups: list[Group] = field(default_factory=list)
    has_next: bool = False
    #: With ``kind``: the page of hits with the total, for the pager.
    pages: Page | None = None

    @property
    def count(self) -> int:
        return sum(len(g.hits) for g in self.groups)

    @property
    def total(self) -> int:
        """All hits the user may see (of ``kind``, or of every kind)."""
        return sum(g.total for g in self.groups)


def scope(user):
    """The SQL condition on ``search_documents`` for what ``user`` may find."""
    ids = visible_team_ids(user)
    team_ok = true() if ids is None else D.team_id.in_(ids)
    if ids is None:
        event_ok = true()
    else:
        invited = select(Invitation.event_id).where(Invitation.user_id == user.id)
        event_ok = or_(D.team_id.in_(ids), D.ref_id.in_(invited))
    if user.role == Role.BEHEERDER:
        person_ok = D.audience == "beheer"
    else:
        membership = select(TeamMembership.id).where(TeamMembership.user_id == D.ref_id)
        if ids is not None:
            membership = membership.where(TeamMembership.team_id.in_(ids))
        person_ok = and_(D.audience == "team", exists(membership))
    return or_(
        and_(D.kind.in_(TEAM_KINDS), team_ok),
        and_(D.kind == "milestone", or_(D.team_id.is_(None), team_ok)),
        and_(D.kind == "event", event_ok),
        and_(D.kind == "person", person_ok),
    )


def _match_and_score(query: Query, dialect: str):
    """(FROM clause extra, match condition, score: higher is better) for ``dialect``."""
    if dialect == "postgresql":
        vector = literal_column(PG_VECTOR.replace("title", "search_documents.title")
                                .replace("body", "search_documents.body"))
        parts = [func.plainto_tsquery("dutch", w) for w in query.words]
        if query.prefix:
            # Letters and digits only (parse_query), so ":*" is the only syntax added.
            prefix = bindparam("prefix", f"{query.prefix}:*")
            parts.append(func.to_tsquery("dutch", prefix).op("||")(
                func.to_tsquery("simple", prefix)))
        tsquery = reduce(lambda a, b: a.op("&&")(b), parts)
        return None, vector.op("@@")(tsquery), func.ts_rank(vector, tsquery)
    from tracker.search.text import fts5_match

    fts = table(FTS_TABLE, column("rowid"))
    match = literal_column(FTS_TABLE).op("MATCH")(bindparam("match", fts5_match(query)))
    return fts, match, -func.bm25(literal_column(FTS_TABLE))


def _columns(score):
    return (D.id, D.kind, D.ref_id, D.parent_id, D.title, D.body, D.context, D.audience,
            Team.slug.label("team_slug"), Team.short_name.label("team_name"),
            score.label("score"))


def search(user, raw: str | None, *, kind: str | None = None, page: int = 1) -> Results:
    """Search ``raw`` (any text) for ``user``: one statement, none for an empty query.

    Without ``kind``: up to :data:`PER_KIND` hits of each kind, best first. With ``kind``
    (a key of ``KINDS``): page ``page`` (1-based) of :data:`PER_PAGE` hits of that kind.
    """
    query = parse_query(raw)
    kind = kind if kind in KINDS else None
    page = min(max(page, 1), MAX_PAGE)
    results = Results(query=query, kind=kind, page=page)
    if query.is_empty:
        return results
    fts, match, score = _match_and_score(query, db.engine.dialect.name)
    inner = select(*_columns(score)).select_from(D)
    if fts is not None:
        inner = inner.join(fts, fts.c.rowid == D.id)
    inner = inner.outerjoin(Team, Team.id == D.team_id).where(match, scope(user))
    if kind:
        of_kind_condition = D.kind == kind
        if fts is not None:
            # SQLite would otherwise walk every document of the kind (its index) and run
            # the MATCH for each: 400 times slower at scale. likely() keeps the FTS first.
            of_kind_condition = func.likely(of_kind_condition)
        of_kind = inner.where(of_kind_condition)
        # The score is computed inside (FTS5's bm25() refuses a window function beside it).
        scored = of_kind.subquery("scored")
        counted = select(scored, func.count().over().label("total"))
        rows = _kind_page(counted, scored, page)
        if not rows and page > 1:
            # Past the last page (an old link): the last page there is.
            total = db.session.scalar(
                select(func.count()).select_from(of_kind.subquery())) or 0
            page = min(max(1, -(-total // PER_PAGE)), MAX_PAGE)
            rows = _kind_page(counted, scored, page) if total else []
        total = rows[0].total if rows else 0
        results.page = page
        results.has_next = page * PER_PAGE < total and page < MAX_PAGE
        hits = [_hit(r, query, user) for r in rows]
        results.pages = Page(hits, total, page, PER_PAGE, max_pages=MAX_PAGE)
        if hits:
            results.groups = [Group(kind, KINDS[kind], hits, results.has_next, total)]
        return results
    scored = inner.subquery("scored")
    ranked = select(scored, func.row_number().over(
        partition_by=scored.c.kind, order_by=(scored.c.score.desc(), scored.c.id)).label("rn"),
        func.count().over(partition_by=scored.c.kind).label("kind_total"),
    ).subquery("ranked")
    rows = db.session.execute(select(ranked).where(ranked.c.rn <= PER_KIND + 1)
                              .order_by(ranked.c.kind, ranked.c.rn)).all()
    by_kind: dict[str, list] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    for key, heading in KINDS.items():
        found = by_kind.get(key)
        if found:
            results.groups.append(Group(key, heading, [_hit(r, query, user) for r in
                                                       found[:PER_KIND]], len(found) > PER_KIND,
                                        found[0].kind_total))
    return results


def _kind_page(counted, scored, page: int) -> list:
    """Page ``page`` of one kind's hits, best first, each row with the kind's total."""
    return db.session.execute(counted.order_by(scored.c.score.desc(), scored.c.id)
                              .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()


def _url(row, user) -> str | None:
    if row.kind == "action":
        return url_for("actions.detail", action_id=row.ref_id)
    if row.kind == "comment":
        return url_for("actions.detail", action_id=row.parent_id, _anchor="reacties")
    if row.kind == "pilot":
        return url_for("pilots.detail", pilot_id=row.ref_id)
    if row.kind == "item":
        return url_for("status.team_status", slug=row.team_slug) if row.team_slug else None
    if row.kind == "milestone":
        return url_for("milestones.detail", milestone_id=row.ref_id)
    if row.kind == "event":
        return url_for("events.detail", event_id=row.ref_id)
    if row.kind == "person" and user.role == Role.BEHEERDER:
        return url_for("admin.user", user_id=row.ref_id)
    return None


def _hit(row, query: Query, user) -> Hit:
    if row.kind == "comment":
        heading = Markup("Reactie bij {}").format(row.context or "een actie")
    elif row.kind == "item":
        heading = escape(row.context or "Statuspunt")
    else:
        heading = highlight(row.title, query)
    text = row.body if row.kind != "person" else ", ".join(row.body.splitlines())
    return Hit(kind=row.kind, heading=heading, snippet=snippet(text, query),
               team=row.team_name, url=_url(row, user))


__all__ = ["Group", "Hit", "Results", "search", "scope"]
