"""One way to page a list: ``?pagina=N``, a count from SQL, a fixed number of statements.

:func:`paginate` runs two statements whatever the size of the list: ``COUNT(*)`` over the
filtered SELECT the caller built (so the count and the rows share one definition of the
filter) and that SELECT limited to one page. :class:`Page` holds the rows and the figures
the pager shows; the pager itself is the macro ``pagination`` in ``templates/_pager.html``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import request, url_for
from sqlalchemy import Select, func, select

from tracker.extensions import db

#: Rows per page unless a list asks for another size.
PAGE_SIZE = 50
#: The query argument that carries the page number (Dutch, like the rest of the URLs).
PAGE_ARG = "pagina"
#: Highest page number read from a URL; a higher one means the last page (never a 500).
MAX_PAGE = 100_000
#: Query arguments that belong to one view of a page, never carried to another page
#: (``selectie``: the ticked rows of the bulk form).
NOT_CARRIED = ("selectie",)


def page_number(args, name: str = PAGE_ARG) -> int | None:
    """The page asked for in ``args`` (1-based), or None when absent or not a page number."""
    raw = (args.get(name) or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return None
    # Past the end is the last page, however far (the list clamps MAX_PAGE to its last);
    # the length check first, so a 5,000-digit number is never converted.
    digits = raw.lstrip("0") or "0"
    number = MAX_PAGE if len(digits) > len(str(MAX_PAGE)) else min(int(digits), MAX_PAGE)
    return number if number > 0 else None


@dataclass
class Page:
    """One page of a list: its ``items`` and where they stand in the whole list."""

    items: Sequence[Any]
    total: int
    number: int = 1
    size: int = PAGE_SIZE
    #: Offer no pages past this one (a list that refuses deep pages, such as search).
    max_pages: int | None = None
    #: Page number → the address of that page (set by the route; see :func:`page_links`).
    link: Callable[[int], str] | None = field(default=None, repr=False)
    #: The id of a row on this page that the page points to (e.g. the next milestone).
    marked: str | None = None

    @property
    def page_count(self) -> int:
        pages = max(1, -(-self.total // self.size))
        return min(pages, self.max_pages) if self.max_pages else pages

    @property
    def first(self) -> int:
        """The 1-based position of the first row shown (0 when there is none)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The 1-based position of the last row shown (0 when there is none)."""
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def shown(self) -> str:
        """The rows shown, for the pager's summary: ``51–100``, or ``51`` for one row."""
        from tracker.formatting import number

        if self.first == self.last:
            return number(self.first)
        return f"{number(self.first)}–{number(self.last)}"

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.page_count

    @property
    def is_paged(self) -> bool:
        """More than one page: the pager is shown."""
        return self.page_count > 1

    def numbers(self, around: int = 2) -> list[int | None]:
        """The page numbers to offer: the first, the last and ``around`` either side of this
        one; ``None`` marks a gap ("…")."""
        wanted = {1, self.page_count} | set(range(self.number - around, self.number + around + 1))
        shown: list[int | None] = []
        for n in sorted(n for n in wanted if 1 <= n <= self.page_count):
            if shown and n - shown[-1] > 1:
                shown.append(None)
            shown.append(n)
        return shown

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def clamp(number: int | None, total: int, size: int = PAGE_SIZE) -> int:
    """``number`` (None: 1) brought within the pages ``total`` rows fill."""
    return min(max(number or 1, 1), max(1, -(-total // size)))


def count(query: Select) -> int:
    """``COUNT(*)`` over ``query`` (its ORDER BY dropped): one statement."""
    return db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())) or 0


def paginate(query: Select, number: int | None, *, size: int = PAGE_SIZE,
             count_query: Select | None = None, total: int | None = None,
             scalars: bool = True) -> Page:
    """Page ``number`` (None: the first; past the end: the last) of ``query``.

    The total is ``COUNT(*)`` over ``count_query`` (default: ``query`` itself, so the
    filter is written once), unless the caller already has it as ``total``. ``scalars``:
    rows are entities (``select(Model)``); else Core rows. Two statements (one with
    ``total``), plus the eager loads of ``query``.
    """
    if total is None:
        total = count(count_query if count_query is not None else query)
    number = clamp(number, total, size)
    limited = query.limit(size).offset((number - 1) * size)
    result = db.session.scalars(limited) if scalars else db.session.execute(limited)
    return Page(items=list(result.all()), total=total, number=number, size=size)


def page_links(anchor: str | None = None, *, bare_first: bool = True, arg: str = PAGE_ARG,
               **fixed) -> Callable[[int], str]:
    """Page number → this request's address with ``pagina`` set (left out for page 1
    unless ``bare_first`` is false: a list that opens elsewhere than its first page);
    every other query argument is kept (the list's filters), except :data:`NOT_CARRIED`.
    ``arg``: the argument carrying the number (a second list on one page has its own).
    ``fixed`` overrides arguments."""
    args = {key: values for key, values in request.args.lists()
            if key != arg and key not in NOT_CARRIED}
    args.update({key: [value] for key, value in fixed.items() if value not in (None, "")})
    endpoint = request.endpoint
    view_args = dict(request.view_args or {})

    def link(number: int) -> str:
        query = dict(args)
        if number > 1 or not bare_first:
            query[arg] = [str(number)]
        return url_for(endpoint, **view_args, **query, _anchor=anchor)

    return link
