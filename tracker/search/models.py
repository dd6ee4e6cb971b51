"""The search index: one derived row per searchable thing (see docs/architecture.md, Zoeken)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class SearchDocument(db.Model):
    """What search matches for one action, comment, pilot, status point, milestone,
    meeting or person. Derived from those rows (tracker.search.indexing keeps it in step;
    ``flask search reindex`` rebuilds it); never edited, never versioned.

    ``title`` and ``body`` are searched (the title weighs more); ``context`` is only
    shown (a comment's action title, a status point's block). ``stems`` is title and body
    as Dutch stems, indexed by SQLite's FTS5 table; PostgreSQL indexes ``title`` and
    ``body`` itself (``to_tsvector('dutch', …)``, GIN expression index).
    ``audience``: ``all``; for people ``team`` (name, function, organisation: what team
    pages show) or ``beheer`` (also the e-mail address, for the beheerder).
    """

    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_ref", "kind", "ref_id", "audience", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int]
    #: A comment's action.
    parent_id: Mapped[int | None]
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    audience: Mapped[str] = mapped_column(String(10), default="all")
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[str | None] = mapped_column(String(300))
    stems: Mapped[str] = mapped_column(Text, default="")
